#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# t_40: adtrust verify (netdom trust /verify [/kerberos]) against the two
# Samba forests: a two-way external trust verifies (NETLOGON TC_VERIFY on
# both DCs, Kerberos both ways with cross-realm TGT + cifs/ ticket), as text
# and JSON; --trust; Kerberos from a ccache (and the ccache left as it was);
# a ccache of the wrong realm is a SKIP; a one-way trust checks one
# direction and skips the inbound-only side; verify writes nothing (re-plan
# is clean); B's side deleted -> exit 1 naming the side and the step; a
# wrong admin password fails without printing it; and no secret in any
# output.  Usage: t_40_verify.sh [BUILD_DIR]; exit 77 = skipped.
NAME=t_40
. "$(dirname "$0")/adt.sh" "$@"
"$B/adtrust" verify --help >/dev/null 2>&1 || { echo "t_40: $B/adtrust has no 'verify' command"; exit 1; }
export KRB5CCNAME=FILE:$T/krb5cc    # never the caller's ccache
# line STATUS CHECK WHERE: the text line of one check
line() { grep -E "^$1 +[^ ]+ +$2 +$3 " "$T/out"; }
tmpyaml() { sed "$2" "examples/lab/$1" >"$T/$3"; echo "$T/$3"; }
kinit_b() { # kinit administrator@B.TEST into $1
	printf '%s\n' "$ADT_LAB_ADMINPASS" | KRB5CCNAME=$1 nsx kinit administrator@B.TEST >/dev/null 2>&1
}
kinit_a() {
	printf '%s\n' "$ADT_LAB_ADMINPASS" | KRB5CCNAME=$1 nsx kinit administrator@A.TEST >/dev/null 2>&1
}
X=examples/lab/external-two-way.yaml

lab_reset

# ---- nothing there yet: every check fails, exit 1 ----
if adt 1 verify -f "$X" && line FAIL netlogon a.test >/dev/null && has "0 ok, 4 failed"; then
	ok "no trust yet: verify fails every check"; else bad "verify before apply"; fi

# ---- a working two-way external trust ----
if adt 0 apply --auto-approve -f "$X"; then ok "apply creates the two-way trust"; else bad "apply"; fi
if adt 0 verify -f "$X" && has "Verify: 4 ok, 0 failed, 0 skipped"; then ok "verify: exit 0, 4 checks ok"; else bad "verify exit 0"; fi
if line OK netlogon a.test | grep -q "trust WERR_OK, connection WERR_OK" &&
   line OK netlogon b.test | grep -q "trust WERR_OK, connection WERR_OK"; then
	ok "NETLOGON TC_VERIFY OK on both DCs"; else bad "NETLOGON both sides"; fi
if line OK kerberos 'B\.TEST->A\.TEST' | grep -q 'krbtgt/A.TEST@B.TEST aes.* kvno [0-9]*, cifs/dca.a.test@A.TEST aes' &&
   line OK kerberos 'A\.TEST->B\.TEST' | grep -q 'krbtgt/B.TEST@A.TEST aes.* kvno [0-9]*, cifs/dcb.b.test@B.TEST aes'; then
	ok "Kerberos OK both ways (cross-realm TGT and cifs/ ticket, enctype and kvno shown)"; else bad "Kerberos both ways"; fi
if adt 0 verify -f "$X" --json && jq -e 'length == 4 and all(.[]; .status == "ok") and
      ([.[] | select(.check == "kerberos") | .tickets | length] == [3, 3]) and
      ([.[] | select(.check == "netlogon") | .trust_status] == ["WERR_OK", "WERR_OK"])' "$T/stdout" >/dev/null; then
	ok "--json: an array of 4 ok checks with tickets and statuses"; else bad "--json"; fi
if adt 0 verify -f "$X" --trust a.test:b.test && has "4 ok" &&
   adt 1 verify -f "$X" --trust b.test:a.test && has "declares no trust 'b.test:a.test'" &&
   adt 64 verify -f "$X" --trust a.test; then ok "--trust selects a trust; a wrong one is an error"; else bad "--trust"; fi
if adt 0 plan --detailed-exitcode -f "$X" && has "^No changes"; then ok "verify changed nothing (re-plan is clean)"; else bad "re-plan after verify"; fi

# ---- Kerberos from a ccache; the ccache is not written ----
kinit_b "FILE:$T/cc.B" || fail "kinit administrator@B.TEST"
y=$(tmpyaml external-two-way.yaml "/- name: b-admin/,/password:/{s|method: password|method: kerberos\n    ccache: FILE:$T/cc.B|; /user:/d; /password:/d}" ccache.yaml)
nsx klist "FILE:$T/cc.B" | grep -v -e '^Ticket cache' >"$T/klist.before"
if adt 0 verify -f "$y" && line OK kerberos 'B\.TEST->A\.TEST' | grep -q 'administrator@B.TEST (ccache)' &&
   line OK netlogon b.test >/dev/null; then ok "ccache credentials: Kerberos B->A and NETLOGON on B OK"; else bad "ccache credentials"; fi
nsx klist "FILE:$T/cc.B" | grep -v -e '^Ticket cache' >"$T/klist.after"
# The Kerberos check works in a MEMORY: ccache: none of its tickets may appear in the user's ccache.
# (The LSA helper's SMB login to dcb, like any Kerberos client, caches its cifs/dcb.b.test ticket.)
diff -u "$T/klist.before" "$T/klist.after" >"$T/out"
if grep -q 'krbtgt/B.TEST@B.TEST' "$T/klist.after" && ! grep -q -e 'krbtgt/A.TEST@B.TEST' -e '@A.TEST' "$T/klist.after"; then
	ok "the Kerberos check left no cross-realm or service ticket in the user's ccache"; else bad "ccache written"; fi
kinit_a "FILE:$T/cc.A" || fail "kinit administrator@A.TEST"
y=$(tmpyaml external-two-way.yaml "/- name: b-admin/,/password:/{s|method: password|method: kerberos\n    ccache: FILE:$T/cc.A|; /user:/d; /password:/d}" wrongcc.yaml)
# NETLOGON on B runs as administrator@A.TEST (a trusted user, no admin on B): only the Kerberos
# lines matter here.
adt - verify -f "$y"
if line SKIP kerberos 'B\.TEST->A\.TEST' | grep -q "ccache holds 'administrator@A.TEST'" &&
   line OK kerberos 'A\.TEST->B\.TEST' >/dev/null && has "skipped"; then
	ok "a ccache of another realm: B->A skipped with a clear note"; else bad "wrong-realm ccache skip"; fi

# ---- one-way: one Kerberos direction, the inbound-only side skipped ----
lab_reset
if adt 0 apply --auto-approve -f examples/lab/one-way.yaml && adt 0 verify -f examples/lab/one-way.yaml &&
   line OK netlogon a.test >/dev/null && line SKIP netlogon b.test | grep -q "inbound-only" &&
   line OK kerberos 'B\.TEST->A\.TEST' >/dev/null && ! has 'A\.TEST->B\.TEST' && has "2 ok, 0 failed, 1 skipped"; then
	ok "one-way: NETLOGON on the trusting side, Kerberos B->A only"; else bad "one-way verify"; fi
lab_reset

# ---- broken: B's side deleted behind adtrust's back ----
adt 0 apply --auto-approve -f "$X" || fail "re-apply for the break test"
stB domain trust delete "$A_DNSDOMAIN" --delete-location=local >"$T/out" 2>&1 || { bad "samba-tool delete on B"; }
if adt 1 verify -f "$X" && has "Verify: 0 ok" ; then ok "B's side deleted: verify exits 1"; else bad "verify exit 1 when broken"; fi
if line FAIL netlogon b.test | grep -q "WERR_NO_SUCH_DOMAIN"; then ok "NETLOGON fails on b.test (WERR_NO_SUCH_DOMAIN)"; else bad "NETLOGON on B"; fi
if line FAIL kerberos 'B\.TEST->A\.TEST' | grep -q "B.TEST -> A.TEST: no cross-realm ticket: " &&
   line FAIL kerberos 'A\.TEST->B\.TEST' | grep -q "A.TEST -> B.TEST: no service ticket for 'cifs/dcb.b.test@B.TEST'"; then
	ok "Kerberos fails naming the realms and the step (cross-realm from B, service in B)"; else bad "Kerberos failure text"; fi
if adt 1 verify -f "$X" --json &&
   jq -e '[.[] | select(.check == "kerberos") | .failed_step] == ["cross-realm ticket", "service ticket"]' "$T/stdout" >/dev/null; then
	ok "--json names the failed step"; else bad "--json failed_step"; fi
lab_reset

# ---- a wrong admin password: the checks fail, the password is not shown ----
adt 0 apply --auto-approve -f "$X" || fail "re-apply for the password test"
WRONG='Wrong-Pw.t40-9d1f'
ADT_LAB_ADMINPASS=$WRONG adt 1 verify -f "$X"
if line FAIL kerberos 'B\.TEST->A\.TEST' | grep -q "no initial ticket for 'administrator@B.TEST'" &&
   line FAIL netlogon a.test >/dev/null && ! grep -qF "$WRONG" "$T/all"; then
	ok "wrong admin password: initial-ticket and login failures, password not shown"; else bad "wrong password"; fi
lab_reset

# ---- no secret in any output ----
if ! grep -qF -e "$ADT_LAB_ADMINPASS" "$T/all" "$T"/*.yaml; then ok "no admin password in any output"; else bad "a secret leaked"; fi

adt_done
