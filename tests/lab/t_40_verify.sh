#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# t_40: adtrust verify (netdom trust /verify [/kerberos]) against the two
# Samba forests: a two-way external trust verifies (NETLOGON TC_VERIFY on
# both DCs, Kerberos both ways with cross-realm TGT + cifs/ ticket), as text
# and JSON; --trust; Kerberos from a ccache (and the ccache left as it was);
# a ccache of the wrong realm is a SKIP; a one-side file (b.test names no
# DC) checks NETLOGON on its side and makes Kerberos into B a SKIP, because
# a cross-realm TGT alone comes from A's own KDC (naming B's DC, it checks
# a cifs/ ticket from B's KDC); a one-way trust checks one direction and
# skips the inbound-only side; verify writes nothing (re-plan is clean);
# B's side deleted -> exit 1 naming the side and the step, while the
# one-side file's Kerberos stays a SKIP (never a false OK); a DC name that
# does not resolve is said so (not 'no usable ticket'); a wrong admin
# password fails without printing it; and no secret in any output.
# Usage: t_40_verify.sh [BUILD_DIR]; exit 77 = skipped.
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
if adt 0 verify -f "$X" --json && jq -e '.format_version == "1" and (.checks | length) == 4 and all(.checks[]; .status == "ok") and .summary.ok == 4 and
      ([.checks[] | select(.check == "kerberos") | .tickets | length] == [3, 3]) and
      ([.checks[] | select(.check == "netlogon") | .trust_status] == ["WERR_OK", "WERR_OK"])' "$T/stdout" >/dev/null; then
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

# ---- a one-side file: Kerberos only with a service ticket from the partner's KDC ----
export ADT_LAB_TRUST_PW=named-not-read  # the one-side file names a shared password; verify never reads it
oneside() { # external-two-way.yaml for A's side only, without B's credentials; "$@": more sed
	sed -e '/credentials: b-admin/d' -e '/- name: b-admin/,/password:/d' \
	    -e 's/    encryption: \[aes128, aes256\]/&\n    sides: trusting\n    password: { env: ADT_LAB_TRUST_PW }/' \
	    "$@" examples/lab/external-two-way.yaml
}
oneside -e '/ldap: ldap:\/\/dcb.b.test/d' >"$T/oneside.yaml"
oneside >"$T/oneside-dc.yaml"
if adt 0 verify -f "$T/oneside.yaml" && line OK netlogon a.test >/dev/null && ! line '[A-Z]+' netlogon b.test &&
   line SKIP kerberos 'A\.TEST->B\.TEST' | grep -q "'b.test' names no DC .*a cross-realm TGT alone comes from A.TEST's own KDC, which proves nothing about B.TEST" &&
   line SKIP kerberos 'B\.TEST->A\.TEST' >/dev/null && has "Verify: 1 ok, 0 failed, 2 skipped"; then
	ok "one-side file: NETLOGON OK on A; Kerberos into B a SKIP that says why (no service in B.TEST)"; else bad "one-side verify"; fi
if adt 0 verify -f "$T/oneside.yaml" --json &&
   jq -e '[.checks[] | select(.check == "kerberos" and .from == "A.TEST")] | length == 1 and .[0].status == "skip" and (.[0].tickets == null)' "$T/stdout" >/dev/null; then
	ok "one-side file --json: the A->B check is a skip with no tickets"; else bad "one-side --json"; fi
if adt 0 verify -f "$T/oneside-dc.yaml" &&
   line OK kerberos 'A\.TEST->B\.TEST' | grep -q 'krbtgt/B.TEST@A.TEST .*, cifs/dcb.b.test@B.TEST aes'; then
	ok "one-side file naming B's DC: Kerberos A->B checked with a cifs/ ticket from B's KDC"; else bad "one-side file with B's DC"; fi

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
   jq -e '[.checks[] | select(.check == "kerberos") | .failed_step] == ["cross-realm ticket", "service ticket"]' "$T/stdout" >/dev/null; then
	ok "--json names the failed step"; else bad "--json failed_step"; fi
# A's KDC still issues krbtgt/B.TEST@A.TEST from A's own TDO: the old check called that OK
adt - verify -f "$T/oneside.yaml"
if line SKIP kerberos 'A\.TEST->B\.TEST' >/dev/null && ! line OK kerberos '[^ ]+'; then
	ok "B's side deleted: the one-side file's Kerberos into B stays a SKIP, never a false OK"; else bad "one-side false OK"; fi
adt - verify -f "$T/oneside-dc.yaml"
if line FAIL kerberos 'A\.TEST->B\.TEST' | grep -q "no service ticket for 'cifs/dcb.b.test@B.TEST'"; then
	ok "B's side deleted: the one-side file naming B's DC fails at B's KDC"; else bad "one-side with DC, broken"; fi
lab_reset

# ---- a wrong admin password: the checks fail, the password is not shown ----
adt 0 apply --auto-approve -f "$X" || fail "re-apply for the password test"
# a DC name that does not resolve, with Kerberos from a ccache: said so, not "no usable ticket?"
kinit_b "FILE:$T/cc.B2" || fail "kinit administrator@B.TEST"
y=$(tmpyaml external-two-way.yaml "s|ldap://dcb.b.test|ldap://nosuch.b.test|; /- name: b-admin/,/password:/{s|method: password|method: kerberos\n    ccache: FILE:$T/cc.B2|; /user:/d; /password:/d}" nosuchdc.yaml)
adt 1 verify -f "$y"
if line FAIL netlogon b.test | grep -q "cannot reach 'nosuch.b.test' (DC of b.test): name not resolved" &&
   ! line FAIL netlogon b.test | grep -q -e ticket -e NT_STATUS; then
	ok "a DC name that does not resolve: 'name not resolved', naming the DC and its domain"; else bad "unresolvable DC"; fi
WRONG='Wrong-Pw.t40-9d1f'
ADT_LAB_ADMINPASS=$WRONG adt 1 verify -f "$X"
if line FAIL kerberos 'B\.TEST->A\.TEST' | grep -q "no initial ticket for 'administrator@B.TEST'" &&
   line FAIL netlogon a.test >/dev/null && ! grep -qF "$WRONG" "$T/all"; then
	ok "wrong admin password: initial-ticket and login failures, password not shown"; else bad "wrong password"; fi
lab_reset

# ---- drift --verify: a trust's health, read-only ----
adt 0 apply --auto-approve -f "$X" || fail "re-apply for drift --verify"
if adt 0 drift --verify -f "$X" && has "All 1 trust healthy" && ! has FAIL; then
	ok "drift --verify on a healthy trust: exit 0, all healthy"; else bad "drift --verify healthy"; fi
# B's side re-created behind adtrust's back with another secret (raw LSA: lsa_cli), same attributes
CLI=$B/tests/lsa_cli
[ -x "$CLI" ] || { mkdir -p "$B/tests" && cc -std=c11 -D_DEFAULT_SOURCE -I. -g -O1 -o "$CLI" tests/providers/lsa_cli.c "$B/libadtrust.a" -lgnutls; } ||
	fail "cannot build lsa_cli"
ADT_LSA_PASSWORD=$ADT_LAB_ADMINPASS ADT_TRUST_PASSWORD="t40-Other.$RANDOM-secret" \
	nsx "$CLI" -s "$B_FQDN" -r "$B_REALM" -u administrator -w delete "$A_DNSDOMAIN" + \
	create "$A_DNSDOMAIN" "$A_DOMAIN" "$A_SID" 3 2 0x4 0x18 >"$T/out" 2>&1 || { cat "$T/out"; fail "lsa_cli re-create on B"; }
if adt 0 plan --detailed-exitcode -f "$X" && has "^No changes" && adt 0 drift -f "$X"; then
	ok "two secrets: plan and drift without --verify see no difference (every attribute matches)"; else bad "attributes match"; fi
if adt 2 drift --verify -f "$X" && has "Unhealthy" && has "! a.test:b.test: " &&
   grep -qE "^  FAIL +a.test:b.test +kerberos" "$T/out"; then
	ok "drift --verify: exit 2, names a.test:b.test unhealthy (Kerberos fails across the two secrets)"; else bad "drift --verify broken"; fi
if adt 2 drift --verify --json -f "$X" --metrics "$T/drift.prom" &&
   jq -e '.health.healthy == false and .health.unhealthy[0].trusting == "a.test" and (.health.checks | map(select(.status == "fail")) | length) > 0' "$T/stdout" >/dev/null &&
   grep -q '^adtrust_trust_healthy{trusting="a.test",trusted="b.test"} 0$' "$T/drift.prom"; then
	ok "drift --verify --json and --metrics: healthy false, the trust named, adtrust_trust_healthy 0"; else bad "drift --verify json/metrics"; fi
stB domain trust delete "$A_DNSDOMAIN" --delete-location=local >/dev/null 2>&1
if adt 2 drift --verify -f "$X" && has "one-sided: b.test has no trusted domain object for a.test"; then
	ok "drift --verify: B's side deleted: one-sided, named"; else bad "drift --verify one-sided"; fi
if adt 64 drift --verify --snapshot examples/snapshots/demo -f "$X" && has "does not go with --snapshot"; then
	ok "drift --verify refuses --snapshot (health needs the live DCs)"; else bad "drift --verify --snapshot"; fi
lab_reset

# ---- no secret in any output ----
if ! grep -qF -e "$ADT_LAB_ADMINPASS" "$T/all" "$T"/*.yaml; then ok "no admin password in any output"; else bad "a secret leaked"; fi

adt_done
