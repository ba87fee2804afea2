#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# t_20: adtrust plan/apply against the two Samba forests, end to end:
# two-way external (both sides) -> kvno both ways + samba-tool validate;
# encryption changed in place; an attribute change planned and applied as a
# replace; protect refusing without --allow-destroy; a direction removed in
# place; delete; the wizard flow (each side with its own credentials, one
# shared password); a forest trust with a TLN and an exclusion read back by
# samba-tool; preflight refusals before the first write (DC B down after
# the plan, B's rpc: name unresolvable, a B account that may only read);
# DC B dying between the two sides of a create (A rolled back, converges);
# verify passing at once after --rekey and replace (adtrust resets the
# secure channels itself: no winbind flush after adtrust's writes here);
# bad input (wrong password, unreachable DC, clear-text bind); and no secret
# in any output.  Usage: t_20_apply.sh [BUILD_DIR]; exit 77 = skipped.
NAME=t_20
. "$(dirname "$0")/adt.sh" "$@"
export ADT_LAB_NOFLUSH=1 # no winbind flush anywhere: adtrust resets the secure channels it changed
export ADT_LAB_TRUST_PW='Wiz-Shared.Trust-Pw-4e1b9c'
kvno_ab() { # kinit in realm $1 and get a ticket for a service in realm $2
	local from=$1 to=$2 host
	host=$([ "$to" = B.TEST ] && echo dcb.b.test || echo dca.a.test)
	printf '%s\n' "$ADT_LAB_ADMINPASS" | nsx kinit "administrator@$from" >"$T/kinit" 2>&1 &&
		nsx kvno "cifs/$host@$to" >"$T/out" 2>&1
}
validate_both() { stA_peer domain trust validate b.test --validate-location=both >"$T/out" 2>&1; }
tmpyaml() { sed "$2" "examples/lab/$1" >"$T/$1"; echo "$T/$1"; }

lab_reset

# ---- two-way external, both sides ----
if adt 2 plan --detailed-exitcode -f examples/lab/external-two-way.yaml &&
   has "Plan: 2 to create, 0 to update, 0 to replace, 0 to delete"; then ok "plan shows two creates"; else bad "plan shows two creates"; fi
if adt 0 apply --auto-approve -f examples/lab/external-two-way.yaml && has "Apply complete"; then ok "apply creates both sides"; else bad "apply creates both sides"; fi
if adt 0 plan --detailed-exitcode -f examples/lab/external-two-way.yaml && has "^No changes"; then ok "re-plan shows no changes"; else bad "re-plan shows no changes"; fi
if kvno_ab A.TEST B.TEST && has "kvno ="; then ok "kvno from A.TEST to a B.TEST service"; else bad "kvno A->B"; fi
if kvno_ab B.TEST A.TEST && has "kvno ="; then ok "kvno from B.TEST to an A.TEST service"; else bad "kvno B->A"; fi
if validate_both && has "OK: LocalValidation" && has "OK: RemoteValidation"; then ok "samba-tool trust validate --validate-location=both"; else bad "samba-tool validate"; fi

# ---- netdom /reset: a new shared secret for both sides ----
if adt 0 apply --auto-approve --rekey a.test:b.test -f examples/lab/external-two-way.yaml &&
   has "0 to create, 0 to update, 2 to replace" && has "re-keyed on request" && cp "$T/out" "$T/rekey.out" &&
   adt 0 plan --detailed-exitcode -f examples/lab/external-two-way.yaml; then
	ok "--rekey replaces both sides with a new shared secret"; else bad "rekey"; fi
cp "$T/rekey.out" "$T/out"
if has "verified  replace a.test/b.test" && has "verified  replace b.test/a.test" &&
   grep -q "a.test <-> b.test was unusable for [0-9.]* s (from the first delete until it was verified)" "$T/out"; then
	ok "--rekey resets and checks the secure channel on both sides and says how long the trust was unusable"; else bad "rekey verified"; fi
if adt 0 verify -f examples/lab/external-two-way.yaml && has "Verify: 4 ok, 0 failed"; then
	ok "verify passes at once after --rekey (no winbind flush)"; else bad "verify after rekey"; fi
if kvno_ab A.TEST B.TEST && kvno_ab B.TEST A.TEST && validate_both && has "OK: RemoteValidation"; then
	ok "after --rekey: Kerberos both ways and samba-tool validate"; else bad "after rekey"; fi

# ---- export: the live trusts as desired state that plans to no changes ----
if adt 0 export --domain a.test -f examples/lab/external-two-way.yaml -o "$T/export-a.yaml" &&
   adt 0 validate -f "$T/export-a.yaml" && adt 0 plan --detailed-exitcode -f "$T/export-a.yaml"; then
	ok "export --domain a.test validates and plans to no changes"; else bad "export"; fi

# ---- encryption types changed in place ----
y=$(tmpyaml external-two-way.yaml 's/encryption: \[aes128, aes256\]/encryption: [aes256]/')
if adt 2 plan --detailed-exitcode -f "$y" && has "~ encryption: 0x18 (aes128, aes256) -> 0x10 (aes256)" &&
   has "2 to update, 0 to replace"; then ok "encryption change planned as an in-place update"; else bad "encryption update plan"; fi
if adt 0 apply --auto-approve -f "$y" && adt 0 plan --detailed-exitcode -f "$y"; then ok "encryption applied in place and converged"; else bad "encryption apply"; fi
if stA domain trust show b.test >"$T/out" 2>&1 && grep -qi "0x10" "$T/out"; then ok "samba-tool shows the new encryption types"; else bad "samba-tool shows enctypes"; fi

# ---- protect: an attribute change is a replace on Samba, refused without --allow-destroy ----
y=$(tmpyaml external-two-way.yaml 's/sid_filtering: true/sid_filtering: false\n    protect: true/; s/encryption: \[aes128, aes256\]/encryption: [aes256]/')
if adt 2 plan --detailed-exitcode -f "$y" && has "replace a.test/b.test" && has "Samba cannot change trustAttributes in place" &&
   has "blocked"; then ok "attribute change planned as a blocked replace (protect)"; else bad "blocked replace plan"; fi
if adt 1 apply --auto-approve -f "$y" && has "protected" && has "nothing was applied"; then ok "apply refuses a protected replace"; else bad "protected replace refused"; fi
y2=$(tmpyaml external-two-way.yaml 's/sid_filtering: true/sid_filtering: false/; s/encryption: \[aes128, aes256\]/encryption: [aes256]/')
cp "$y" "$T/protected.yaml"
if adt 0 apply --auto-approve --allow-destroy -f "$T/protected.yaml" && adt 0 plan --detailed-exitcode -f "$y2"; then
	ok "--allow-destroy applies the replace and it converges"; else bad "replace with --allow-destroy"; fi
if adt 0 verify -f "$y2" && has "Verify: 4 ok, 0 failed"; then
	ok "verify passes at once after the replace (no winbind flush)"; else bad "verify after replace"; fi
if kvno_ab A.TEST B.TEST && kvno_ab B.TEST A.TEST; then ok "kvno both ways after the replace"; else bad "kvno after replace"; fi

# ---- a direction removed in place ----
y=$(tmpyaml external-two-way.yaml 's/direction: two-way/direction: one-way/; s/sid_filtering: true/sid_filtering: false/; s/encryption: \[aes128, aes256\]/encryption: [aes256]/')
if adt 2 plan --detailed-exitcode -f "$y" && has "~ direction: bidirectional -> outbound" &&
   has "~ direction: bidirectional -> inbound" && has "2 to update, 0 to replace"; then ok "removing a direction is an in-place update"; else bad "direction removal plan"; fi
if adt 0 apply --auto-approve -f "$y" && adt 0 plan --detailed-exitcode -f "$y"; then ok "direction removed in place and converged"; else bad "direction removal apply"; fi

# ---- delete everything ----
if adt 0 apply --auto-approve -f examples/lab/empty.yaml && adt 0 plan --detailed-exitcode -f examples/lab/empty.yaml &&
   ! stA domain trust list 2>/dev/null | grep -q b.test; then ok "ensure: absent deletes both sides"; else bad "delete"; fi

# ---- the wizard: each side with its own credentials, one shared password ----
if adt 0 apply --auto-approve -f examples/lab/wizard-a.yaml && has "done      create  a.test/b.test" &&
   adt 0 apply --auto-approve -f examples/lab/wizard-b.yaml && has "done      create  b.test/a.test"; then
	ok "wizard: side A then side B, each with its own file"; else bad "wizard apply"; fi
if validate_both && has "OK: LocalValidation" && has "OK: RemoteValidation"; then
	ok "wizard: samba-tool validate passes both ways (the shared password matches)"; else bad "wizard validate"; fi
if stA domain trust show b.test >"$T/out" 2>&1 && grep -q 'CROSS_ORGANIZATION' "$T/out"; then
	ok "wizard: selective authentication is set on A's side"; else bad "wizard selective auth bit"; fi
if adt 0 plan --detailed-exitcode -f examples/lab/wizard-a.yaml && adt 0 plan --detailed-exitcode -f examples/lab/wizard-b.yaml; then
	ok "wizard: both files re-plan to no changes"; else bad "wizard re-plan"; fi
# Samba 4.17's KDC issues no ticket across a TDO with CROSS_ORGANIZATION (it
# does not implement Allowed-to-Authenticate); with selective authentication
# off, the same per-side files give working Kerberos both ways.
if ! kvno_ab B.TEST A.TEST; then ok "wizard: B's users get no ticket through A's selective-auth side"; else bad "selective auth not in force"; fi
wa=$(tmpyaml wizard-a.yaml 's/selective_authentication: true .*/selective_authentication: false/')
wb=$(tmpyaml wizard-b.yaml 's/selective_authentication: true .*/selective_authentication: false/')
if adt 0 apply --auto-approve --allow-destroy -f "$wa" && adt 0 apply --auto-approve -f "$wb" &&
   adt 0 plan --detailed-exitcode -f "$wa"; then ok "wizard: selective authentication switched off with A's file only"; else bad "wizard switch off"; fi
if kvno_ab A.TEST B.TEST && has "kvno =" && kvno_ab B.TEST A.TEST && has "kvno ="; then
	ok "wizard: Kerberos works across both ways"; else bad "wizard kvno"; fi
# the wizard's re-key: each side from its own file, with one new password
export ADT_LAB_TRUST_PW='Wiz-Rekeyed.Trust-Pw-71c2'
if adt 0 apply --auto-approve --rekey a.test:b.test -f "$wa" &&
   has "with the trust password from {env: ADT_LAB_TRUST_PW}; the trust fails until b.test's side is re-keyed with the same password" &&
   has "note      replace a.test/b.test: not verified yet"; then
	ok "wizard re-key, side A: the plan says which password B's side must get, and the apply does not claim it works"
else bad "wizard re-key A"; fi
if adt 0 apply --auto-approve --rekey a.test:b.test -f "$wb" && has "verified  replace b.test/a.test"; then
	ok "wizard re-key, side B with the same password: B's secure channel reset and checked"; else bad "wizard re-key B"; fi
if validate_both && has "OK: LocalValidation" && has "OK: RemoteValidation" &&
   kvno_ab A.TEST B.TEST && kvno_ab B.TEST A.TEST; then
	ok "wizard re-key: samba-tool validate both ways and Kerberos both ways, no winbind flush"; else bad "wizard re-key works"; fi
export ADT_LAB_TRUST_PW='Wiz-Shared.Trust-Pw-4e1b9c'
lab_reset

# ---- interactive: one prompt per secret, and 'yes' to apply ----
y=$(tmpyaml external-two-way.yaml '/name: a-admin/,/password:/ s/password: { env: ADT_LAB_ADMINPASS }/password: { prompt: "A admin password" }/')
# typed as a person would: after the prompt (the pty echoes typed-ahead input)
{ sleep 2; printf '%s\n' "$ADT_LAB_ADMINPASS"; sleep 4; printf 'yes\n'; } |
	nsx script -qec "$B/adtrust --no-color apply -f $y" /dev/null >"$T/out" 2>&1
cat "$T/out" >>"$T/all"
if has "Apply complete" && [ "$(grep -c 'A admin password' "$T/out")" -eq 1 ] &&
   has "Do you want to apply these changes"; then
	ok "on a terminal: the admin password is asked once, then 'yes' applies"; else bad "interactive apply"; fi
lab_reset

# ---- forest trust with a TLN enabled and an exclusion ----
if adt 0 apply --auto-approve -f examples/lab/forest-suffixes.yaml; then ok "forest trust with name suffixes applied"; else bad "forest apply"; fi
if stA domain trust namespaces b.test >"$T/out" 2>&1 && grep -q 'TLN: Status\[Enabled\].*DNS\[\*\.b\.test\]' "$T/out" &&
   grep -qi 'lab\.b\.test' "$T/out"; then ok "samba-tool namespaces shows the TLN and the exclusion"; else bad "samba-tool namespaces"; fi
if adt 0 plan --detailed-exitcode -f examples/lab/forest-suffixes.yaml; then ok "forest trust re-plans to no changes"; else bad "forest re-plan"; fi
y=$(tmpyaml forest-suffixes.yaml 's/enable: \[b.test\]/enable: [b.test, a.test]/')
if adt 1 apply --auto-approve -f "$y" && has "name suffix 'a.test' collides with" && has "nothing was stored" &&
   adt 0 plan --detailed-exitcode -f examples/lab/forest-suffixes.yaml; then
	ok "a colliding name suffix is refused (check-only first), naming both names; nothing stored"; else bad "fti collision"; fi
lab_reset

# ---- preflight: what one connection attempt shows stops the apply before the first write ----
# Each cause, for a both-sides create and for a replace of a working trust, planned with
# 'plan -o' and applied as 'apply PLAN.json': exit 1, one sentence naming the cause, and the
# trusted domain objects of both DCs unchanged (objectGUIDs before and after).
guids() { # X: the objectGUIDs of X's trusted domain objects
	ldap_simple "$1" ldapsearch -LLL -o ldif-wrap=no -b "$(eval echo "\$${1}_DN")" '(objectClass=trustedDomain)' objectGUID |
		sed -n 's/^objectGUID:: //p' | sort | paste -sd, -
}
RD=adt-reader RPW="t20-Reader.$RANDOM-$(date +%s)-pw"
stB user create "$RD" --random-password >/dev/null 2>&1
printf 'dn: CN=%s,CN=Users,%s\nchangetype: modify\nreplace: unicodePwd\nunicodePwd:: %s\n' \
	"$RD" "$B_DN" "$(printf '"%s"' "$RPW" | iconv -t UTF-16LE | base64 -w0)" | ldap_simple B ldapmodify >/dev/null 2>&1
export ADT_T20_READER_PW=$RPW
REPL='s/sid_filtering: true/sid_filtering: false/'
RPC='s|    ldap: ldap://dcb.b.test|    ldap: ldap://dcb.b.test\n    rpc: nosuch.b.test|'
READ="s/user: administrator@B.TEST/user: $RD@B.TEST/; /name: b-admin/,/password:/ s/env: ADT_LAB_ADMINPASS/env: ADT_T20_READER_PW/"
# refused WHAT ACTION SED EXPECTED [stop]: plan -o with the example edited by SED, (stop DC B by
# its PID,) apply PLAN.json; ACTION create starts from no trust, replace from a working one
refused() {
	local what=$1 action=$2 ed=$3 want=$4 stop=${5:-} y ga gb rc=0
	lab_reset
	if [ "$action" = replace ]; then
		adt 0 apply --auto-approve -f examples/lab/external-two-way.yaml || bad "$what: setup"
		ed="${ed:+$ed; }$REPL"
	fi
	y=$(tmpyaml external-two-way.yaml "${ed:-s/^//}")
	ga=$(guids A) gb=$(guids B)
	adt 2 plan --detailed-exitcode --allow-destroy -f "$y" -o "$T/plan.json" || rc=1
	[ -n "$stop" ] && lab_stop_dc b >/dev/null
	adt 1 apply --auto-approve --allow-destroy "$T/plan.json" || rc=1
	has "$want" || rc=1
	[ -n "$stop" ] || has "nothing was written" || rc=1
	[ -n "$stop" ] && { lab_start_dc b >/dev/null 2>&1 || rc=1; }
	[ "$(guids A)" = "$ga" ] && [ "$(guids B)" = "$gb" ] || rc=1
	if [ $rc = 0 ]; then
		ok "$what, $action: apply PLAN.json exits 1 naming the cause; both DCs' trusted domain objects unchanged"
	else bad "$what, $action"; fi
}
for action in create replace; do
	refused "DC B stopped (by its PID) between plan -o and apply" $action '' \
		"domain 'b.test': cannot reach LDAP server 'ldap://dcb.b.test': connection refused on port 389 (is the DC down?)" stop
	refused "B's rpc: name does not resolve" $action "$RPC" \
		"cannot reach 'nosuch.b.test' (DC of b.test): name not resolved"
	refused "a B account that may read but not write trusts" $action "$READ" \
		"account '$RD@B.TEST' on 'dcb.b.test' may read but not write trusts"
done
stB user delete "$RD" >/dev/null 2>&1
unset ADT_T20_READER_PW
if adt 0 verify -f examples/lab/external-two-way.yaml && has "Verify: 4 ok, 0 failed"; then
	ok "after the refusals the trust still works (verify: 4 ok)"; else bad "trust works after refusals"; fi

# ---- a DC that dies between the two sides of a create: A is rolled back ----
lab_reset
cat >"$T/lsa-wrap" <<W
#!/bin/sh
ADT_LSA_REAL='$B/adtrust-lsa' ADT_LSA_DELAY_MS=2000 ADT_LSA_DELAY_TYPES=CREATE_TDO ADT_LSA_LOG='$T/lsa.log' \\
exec python3 '$HERE/lsa_delay.py' "\$@"
W
chmod +x "$T/lsa-wrap"; rm -f "$T/lsa.log"
# the second CREATE_TDO (b.test's side) is held 2 s: DC B stops meanwhile
( for i in $(seq 1 600); do
	n=$(grep -c ' CREATE_TDO ' "$T/lsa.log" 2>/dev/null)
	[ "${n:-0}" -ge 2 ] && { kill -TERM "$(cat "$LAB/b/run/samba.pid")"; break; }
	sleep 0.05
  done ) &
watcher=$!
ADTRUST_LSA=$T/lsa-wrap adt 1 apply --auto-approve --timeout 20 -f examples/lab/external-two-way.yaml
wait "$watcher"
# B's side is unknown (no answer): the run says so and keeps its journal; A's side is deleted again
if has "FAILED    create  b.test/a.test" && has "undone    create  a.test/b.test" &&
   has "INCOMPLETE a.test <-> b.test: a.test/b.test absent, b.test/a.test unknown (no answer)" &&
   ! stA domain trust list 2>/dev/null | grep -q b.test; then
	ok "DC B dies between the sides of a create: A's side is deleted again; B's side reported unknown, the journal kept"
else bad "DC dies mid-create"; fi
lab_start_dc b >/dev/null 2>&1 || bash "$HERE/up.sh" >/dev/null 2>&1
if adt 2 plan --detailed-exitcode -f examples/lab/external-two-way.yaml && has "Interrupted apply" &&
   has "Plan: 2 to create"; then
	ok "after B is back, plan names the interrupted apply and creates both sides"; else bad "plan after DC death"; fi
if adt 0 apply --auto-approve -f examples/lab/external-two-way.yaml && adt 0 plan --detailed-exitcode -f examples/lab/external-two-way.yaml &&
   adt 0 verify -f examples/lab/external-two-way.yaml && has "Verify: 4 ok, 0 failed"; then
	ok "after B is back, apply converges and verify passes at once"; else bad "converge after fault"; fi
lab_reset

# ---- apply --json: the plan, each step's fate and the summary, in one object on stdout ----
lab_reset
if adt 0 apply --json --auto-approve -f examples/lab/external-two-way.yaml &&
   jq -e '.format_version == "1" and (.adtrust_version | length > 0) and .ok == true and .error == null and
          .summary.created == 2 and .summary.failed_checks == 0 and
          ([.report[] | select(.step == "create" and .fate == "done")] | length == 2) and
          ([.report[] | select(.step == "sc_reset" and .fate == "verified")] | length == 2) and
          ([.report[] | select(.step == "kerberos" and .fate == "verified")] | length == 2) and
          (.plan.summary != null)' "$T/stdout" >/dev/null; then
	ok "apply --json: one object on stdout with the plan, every step (created, secure channel verified, Kerberos) and the summary"
else bad "apply --json"; cat "$T/stdout" | head -40; fi
lab_reset

# ---- bad input: one-line errors naming the domain, nothing written ----
ADT_LAB_ADMINPASS=wrong-password adt 1 plan -f examples/lab/external-two-way.yaml
if [ "$(grep -c . "$T/out")" -le 2 ] && has "a.test" && grep -qi "invalid credentials\|logon_failure\|bind" "$T/out"; then ok "wrong admin password: one-line error naming the domain"; else bad "wrong password"; fi
y=$(tmpyaml external-two-way.yaml 's|ldap://dcb.b.test|ldap://127.0.0.9|')
if adt 1 plan -f "$y" && has "b.test" && has "127.0.0.9"; then ok "unreachable DC: error names the domain and URI"; else bad "unreachable DC"; fi
y=$(tmpyaml external-two-way.yaml 's|    ldap: ldap://dcb.b.test|    ldap: ldap://dcb.b.test\n    starttls: false|')
if adt 1 plan -f "$y" && has "b.test" && has "clear-text"; then ok "clear-text simple bind refused"; else bad "clear-text bind"; fi
if ! stA domain trust list 2>/dev/null | grep -q b.test && ! stB domain trust list 2>/dev/null | grep -q a.test; then ok "bad input wrote nothing"; else bad "bad input wrote something"; fi

# ---- a realm trust's AD half: Samba 4.17 refuses a TDO without a SID; clean error ----
cat >"$T/realm.yaml" <<'Y'
version: 1
domains:
  - { name: a.test, netbios: A, ldap: "ldap://dca.a.test", credentials: a-admin }
  - { name: R.TEST, kind: mit-realm }
credentials:
  - { name: a-admin, method: password, user: administrator@A.TEST, password: { env: ADT_LAB_ADMINPASS } }
trusts:
  - { trusting: a.test, trusted: R.TEST, type: realm, sides: trusting, transitive: false, password: { env: ADT_LAB_TRUST_PW } }
Y
if adt 1 apply --auto-approve -f "$T/realm.yaml" && has "NT_STATUS_INVALID_SID" &&
   ! stA domain trust list 2>/dev/null | grep -qi r.test; then
	ok "realm trust on Samba: the DC's refusal (no SID) is a clean error; nothing written"; else bad "realm trust on Samba"; fi

# ---- no secret in any output or file the runs left ----
if ! grep -rqF -e "$ADT_LAB_ADMINPASS" -e "$ADT_LAB_TRUST_PW" "$T/all" "$T"/*.yaml 2>/dev/null; then ok "no admin or trust password in any output"; else bad "a secret leaked"; fi

adt_done
