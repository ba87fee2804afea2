#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# t_60: realm trusts, the MIT half, on real MIT KDCs (tests/lab/mit.sh): ATHENA.TEST (krb5kdc +
# kadmind) is the realm adtrust manages through kadm5; NA.TEST (krb5kdc) plays the AD domain
# na.test, its cross-realm principals made here with the shared trust password, as an AD DC derives
# its keys from the TDO's password.  examples/lab/realm-*.yaml manage ATHENA.TEST's half only.
#  - applying a two-way realm trust creates krbtgt/NA.TEST@ATHENA.TEST and krbtgt/ATHENA.TEST@NA.TEST
#    in ATHENA.TEST with aes256 + aes128 keys at kvno 1, no preauth flag; plan then exits 0;
#  - the keys in ATHENA's database are, byte for byte, the keys made with the salt an AD DC uses
#    (REALM + "krbtgt" + PARTNER: MS-KILE 3.3.5.6.2, spec TRUST-DATA-MODEL 6.2), and differ from keys
#    made with another salt (so the comparison would catch a mismatch);
#  - kvno of a service of ATHENA.TEST from user@NA.TEST works, and the reverse; adtrust verify says
#    OK for both directions (cross-realm TGT + service ticket);
#  - export --domain ATHENA.TEST round-trips (its plan has no changes);
#  - --rekey raises the kvno (1 -> 2) in place; until NA.TEST holds the new key NA->ATHENA fails,
#    then both directions work again;
#  - an enctype change made with kadmin.local is drift naming the principal and the field; apply
#    puts it back; a change of 'encryption' in the file is an in-place update of both principals;
#  - one-way files create one principal each; one-way -> two-way adds the other in place;
#  - ensure: absent removes both principals;
#  - kadmind down, a wrong admin password, an admin without privileges: exit 1, a clear message,
#    nothing written (no principal, no journal); an admin who may not set keys (kadmind checks that
#    right only on a principal that exists): the first write fails and is rolled back, no half-trust;
#  - no password in any output.
# Usage: t_60_realm.sh [BUILD_DIR]; exit 77 = skipped.
NAME=t_60
. "$(dirname "$0")/adt.sh" "$@"
. "$HERE/mit.sh"
mit_healthy || mit_up >/dev/null || { echo "t_60: MIT realms not up (tests/lab/mit.sh up) - skipped"; exit 77; }
export KRB5CCNAME=FILE:$T/krb5cc    # never the caller's ccache
export ADTRUST_STATE_DIR=$T/state   # applied records and journals of this test only
mkdir -m 700 "$T/state"
export ADT_LAB_TRUST_PW='Lab-only.Realm-Trust-1'
X=examples/lab/realm-two-way.yaml
IN=krbtgt/NA.TEST@ATHENA.TEST       # ATHENA's users -> NA (INBOUND from ATHENA's view)
OUT=krbtgt/ATHENA.TEST@NA.TEST      # NA's users -> ATHENA (OUTBOUND)

# getprinc of principal $2 in realm $1 (athena|na) into $T/princ; 1 when it does not exist
princ() { echo "getprinc $2" | mit_local "$1" >"$T/princ" 2>&1 && grep -q '^Principal:' "$T/princ"; }
# "kvno enctype" lines of a principal's keys, sorted
keys() { princ "$1" "$2" && sed -n 's/^Key: vno \([0-9]*\), \([^ ]*\).*/\1 \2/p' "$T/princ" | sort; }
# NA.TEST's copies of both cross-realm principals with password $1 (the AD side's keys), at kvno $2
na_make() {
	printf 'delprinc -force %s\ndelprinc -force %s\n' "$IN" "$OUT" | mit_local na >/dev/null 2>&1
	for p in "$IN" "$OUT"; do
		printf 'addprinc -requires_preauth %s\n%s\n%s\nmodprinc -kvno %s %s\n' "$p" "$1" "$1" "$2" "$p"
	done | mit_local na >/dev/null 2>&1
}
clean_realms() { # no cross-realm principal in either realm
	for x in athena na; do
		printf 'delprinc -force %s\ndelprinc -force %s\n' "$IN" "$OUT" | mit_local "$x" >/dev/null 2>&1
	done
}
# kvno of service $2 as user@$1: cross-realm when $2 is in the other realm
xkvno() {
	printf '%s\n' "$ADT_LAB_ADMINPASS" | nsx kinit "user@$1" >/dev/null 2>&1 &&
		nsx kvno "$2" >"$T/kvno" 2>&1
}
# the key bytes of principal $2 in a keytab file $1, per enctype: "enctype key"
ktkeys() { klist -k -K -e "$1" | sed -n "s|^ *[0-9]* $2 (\([^)]*\)) *(0x\([0-9a-f]*\))|\1 \2|p" | sort; }
# the key of principal $1, enctype $2, made from password $4 with the salt string $3 (ktutil -s)
adkey() {
	rm -f "$T/ad.kt"
	printf 'addent -password -p %s -k 1 -e %s -s %s\n%s\nwkt %s\n' "$1" "$2" "$3" "$4" "$T/ad.kt" |
		ktutil >/dev/null 2>&1
	ktkeys "$T/ad.kt" "$1"
}

clean_realms
t0=$(now)

# ---- a two-way realm trust: plan, apply, both principals in ATHENA.TEST ----
if adt 2 plan --detailed-exitcode -f "$X" && has "+ create ATHENA.TEST/na.test" &&
   has "principal:  $IN, 0x18 (aes128, aes256)" && has "principal:  $OUT, 0x18 (aes128, aes256)"; then
	ok "plan: the MIT half is a create of both cross-realm principals"; else bad "plan before apply"; fi
ta=$(now)
if adt 0 apply --auto-approve -f "$X" && has "done      create  ATHENA.TEST/na.test" && has "Apply complete: 1 created"; then
	ok "apply creates the MIT half ($(since "$ta") s)"; else bad "apply two-way"; fi
if [ "$(keys athena "$IN" | tr '\n' ' ')" = "1 aes128-cts-hmac-sha1-96 1 aes256-cts-hmac-sha1-96 " ] &&
   [ "$(keys athena "$OUT" | tr '\n' ' ')" = "1 aes128-cts-hmac-sha1-96 1 aes256-cts-hmac-sha1-96 " ] &&
   princ athena "$IN" && ! grep -q REQUIRES_PRE_AUTH "$T/princ"; then
	ok "both cross-realm principals in ATHENA.TEST: aes256 + aes128 keys at kvno 1, no preauth flag"
else bad "principals after apply"; cp "$T/princ" "$T/out"; fi
if adt 0 plan --detailed-exitcode -f "$X" && has "^No changes"; then
	ok "plan --detailed-exitcode then exits 0"; else bad "re-plan after apply"; fi

# ---- the salt: ATHENA's keys are the keys an AD DC makes from the same password ----
salt_ok=1
for p in "$IN" "$OUT"; do
	inst=${p#krbtgt/}; inst=${inst%@*}; realm=${p#*@}
	rm -f "$T/db.kt"
	echo "ktadd -k $T/db.kt -norandkey $p" | mit_local athena >/dev/null 2>&1
	for e in aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96; do
		db=$(ktkeys "$T/db.kt" "$p" | grep "^$e ")
		ad=$(adkey "$p" "$e" "${realm}krbtgt${inst}" "$ADT_LAB_TRUST_PW")
		other=$(adkey "$p" "$e" "${inst}krbtgt${realm}" "$ADT_LAB_TRUST_PW")
		[ -n "$db" ] && [ "$db" = "$ad" ] && [ "$db" != "$other" ] || {
			salt_ok=0; echo "    $p $e: db '$db' ad '$ad' other-salt '$other'"; }
	done
done
if [ $salt_ok = 1 ]; then
	ok "the keys in ATHENA's database equal the keys made with the AD salt (REALMkrbtgtPARTNER), not another salt"
else bad "salt check"; fi

# ---- cross-realm tickets, each direction (NA.TEST's keys made with the same password) ----
na_make "$ADT_LAB_TRUST_PW" 1
if xkvno NA.TEST host/svc.athena.test@ATHENA.TEST && grep -q 'kvno = 1' "$T/kvno" &&
   nsx klist | grep -q "$OUT"; then
	ok "user@NA.TEST gets host/svc.athena.test@ATHENA.TEST (cross-realm TGT $OUT)"; else cp "$T/kvno" "$T/out"; bad "kvno NA -> ATHENA"; fi
if xkvno ATHENA.TEST host/svc.na.test@NA.TEST && grep -q 'kvno = 1' "$T/kvno"; then
	ok "user@ATHENA.TEST gets host/svc.na.test@NA.TEST (the reverse)"; else cp "$T/kvno" "$T/out"; bad "kvno ATHENA -> NA"; fi
if adt 0 verify -f "$X" && has "Verify: 2 ok, 0 failed" &&
   grep -E "^OK +[^ ]+ +kerberos +NA\.TEST->ATHENA\.TEST" "$T/out" | grep -q "$OUT aes256.* kvno 1, host/svc.athena.test@ATHENA.TEST" &&
   grep -E "^OK +[^ ]+ +kerberos +ATHENA\.TEST->NA\.TEST" "$T/out" | grep -q "$IN aes256.* kvno 1, host/svc.na.test@NA.TEST"; then
	ok "verify: a cross-realm TGT and a service ticket in the other realm, both directions"; else bad "verify"; fi

# ---- export writes the MIT half; it plans to no changes ----
if adt 0 export --domain ATHENA.TEST -f "$X" -o "$T/export.yaml" &&
   grep -q "kind: mit-realm" "$T/export.yaml" && grep -q "# $IN: kvno 1" "$T/export.yaml" &&
   adt 0 plan --detailed-exitcode -f "$T/export.yaml" && has "^No changes"; then
	ok "export --domain ATHENA.TEST round-trips (no changes)"; else bad "export"; fi

# ---- re-key: kvno + 1 in place; tickets work again once NA.TEST holds the same key ----
export ADT_LAB_TRUST_PW='Lab-only.Realm-Trust-2'
if adt 0 apply --auto-approve -f "$X" --rekey na.test:ATHENA.TEST &&
   has "~ trust_password: current (kvno 1) -> new (kvno 2)" && has "Apply complete: 0 created, 1 updated" &&
   [ "$(keys athena "$IN" | tr '\n' ' ')" = "2 aes128-cts-hmac-sha1-96 2 aes256-cts-hmac-sha1-96 " ] &&
   [ "$(keys athena "$OUT" | cut -d' ' -f1 | sort -u)" = 2 ]; then
	ok "--rekey re-keys both principals in place: kvno 1 -> 2"; else bad "rekey"; fi
if ! xkvno NA.TEST host/svc.athena.test@ATHENA.TEST; then
	ok "until NA.TEST has the new key, NA -> ATHENA fails ($(tr '\n' ' ' <"$T/kvno" | cut -c1-90))"
else bad "old key still accepted after rekey"; fi
na_make "$ADT_LAB_TRUST_PW" 2
if xkvno NA.TEST host/svc.athena.test@ATHENA.TEST && xkvno ATHENA.TEST host/svc.na.test@NA.TEST &&
   adt 0 verify -f "$X" && grep -q "$OUT aes256.* kvno 2" "$T/out"; then
	ok "after the re-key, cross-realm tickets work both ways (kvno 2)"; else bad "tickets after rekey"; fi
if adt 0 plan --detailed-exitcode -f "$X"; then ok "no changes after the re-key"; else bad "plan after rekey"; fi

# ---- drift: an enctype change made with kadmin.local ----
printf 'cpw -e aes128-cts-hmac-sha1-96:normal %s\n%s\n%s\n' "$IN" "x-$ADT_LAB_TRUST_PW" "x-$ADT_LAB_TRUST_PW" |
	mit_local athena >/dev/null 2>&1
if adt 2 drift -f "$X" && has "ATHENA.TEST/na.test encryption\[$IN\]: live 0x8 (aes128), applied 0x18 (aes128, aes256)" &&
   ! has "encryption\[$OUT\]"; then
	ok "drift names the principal and the field (encryption[$IN])"; else bad "drift after kadmin.local cpw -e"; fi
if adt 0 apply --auto-approve -f "$X" && has "~ encryption\[$IN\]" &&
   [ "$(keys athena "$IN" | cut -d' ' -f2 | tr '\n' ' ')" = "aes128-cts-hmac-sha1-96 aes256-cts-hmac-sha1-96 " ] &&
   adt 0 drift -f "$X"; then
	ok "apply puts the keys back (in place); drift is clean again"; else bad "repair drift"; fi
sed 's/encryption: \[aes128, aes256\]/encryption: [aes256]/' "$X" >"$T/aes256.yaml"
if adt 0 apply --auto-approve -f "$T/aes256.yaml" && has "~ encryption\[$IN\]: 0x18 (aes128, aes256) -> 0x10 (aes256)" &&
   has "~ encryption\[$OUT\]" && [ "$(keys athena "$OUT" | tr '\n' ' ')" = "2 aes256-cts-hmac-sha1-96 " ] &&
   xkvno NA.TEST host/svc.athena.test@ATHENA.TEST; then
	ok "encryption: [aes256] in the file: both principals updated in place, kvno kept, tickets work"
else bad "enctype change from the file"; fi

# ---- one-way files; one-way -> two-way in place ----
adt 0 apply --auto-approve -f "$X" >/dev/null
sed 's/ensure: present//; s/    type: realm/    type: realm\n    ensure: absent/' "$X" >"$T/absent.yaml"
adt 0 apply --auto-approve -f "$T/absent.yaml" || bad "reset to absent"
if adt 0 apply --auto-approve -f examples/lab/realm-outbound.yaml && princ athena "$IN" && ! princ athena "$OUT" &&
   adt 0 apply --auto-approve -f examples/lab/realm-two-way.yaml && has "~ direction: inbound -> bidirectional" &&
   princ athena "$OUT" && [ "$(keys athena "$OUT" | cut -d' ' -f1 | sort -u)" = 1 ]; then
	ok "realm-outbound creates $IN only; two-way then adds $OUT in place"; else bad "one-way outbound"; fi
adt 0 apply --auto-approve -f "$T/absent.yaml" >/dev/null
if adt 0 apply --auto-approve -f examples/lab/realm-inbound.yaml && princ athena "$OUT" && ! princ athena "$IN"; then
	ok "realm-inbound creates $OUT only"; else bad "one-way inbound"; fi

# ---- ensure: absent removes the principals ----
if adt 0 apply --auto-approve -f "$T/absent.yaml" && has "delete  ATHENA.TEST/na.test" &&
   ! princ athena "$IN" && ! princ athena "$OUT" && adt 0 plan --detailed-exitcode -f "$T/absent.yaml"; then
	ok "ensure: absent removes the principals"; else bad "ensure absent"; fi

# ---- preflight: nothing written when kadmind is down or refuses the admin ----
nothing() { ! princ athena "$IN" && ! princ athena "$OUT" && ! ls "$T/state"/journal-* >/dev/null 2>&1; }
# (apply reads the realm through kadmind first: a kadmind that is down, or refuses the admin, stops
# it before the plan; one that lets the admin read but not write stops it at preflight)
mit_stop athena kadmind >/dev/null
if adt 1 apply --auto-approve -f "$X" && has "cannot reach kadmind of realm 'ATHENA.TEST' at 'kdc.athena.test'" &&
   ! has "Plan:" && nothing; then
	ok "kadmind down: exit 1, '$(grep -o "cannot reach kadmind[^:]*" "$T/out" | head -1)', nothing written"
else bad "kadmind down"; fi
mit_start athena kadmind || fail "restart kadmind"
if ADT_LAB_ADMINPASS=wrong-password adt 1 apply --auto-approve -f "$X" &&
   has "kadmind of realm 'ATHENA.TEST' at 'kdc.athena.test' refuses 'admin/admin@ATHENA.TEST'" && nothing; then
	ok "wrong admin password: refused at preflight, nothing written"; else bad "wrong admin password"; fi
sed 's|user: admin/admin@ATHENA.TEST|user: noadmin@ATHENA.TEST|' "$X" >"$T/noadmin.yaml"
if adt 1 apply --auto-approve -f "$T/noadmin.yaml" &&
   has "cannot list the krbtgt principals of realm 'ATHENA.TEST': Operation requires \`\`list'' privilege" && nothing; then
	ok "an admin without privileges: refused at preflight, nothing written"; else bad "noadmin"; fi
sed 's|user: admin/admin@ATHENA.TEST|user: noset/admin@ATHENA.TEST|' "$X" >"$T/noset.yaml"
# kadmind checks the set-key right only on a principal that exists: no preflight can see it without
# writing; the first write is refused and the principal it made is deleted again
if adt 1 apply --auto-approve -f "$T/noset.yaml" && has "Operation requires \`\`set-key'' privilege" &&
   has "undone    create  ATHENA.TEST/na.test: deleted again" && has "as it was before the apply" && nothing; then
	ok "an admin who may not set keys: the first write is refused and rolled back, no principal left (no half-trust)"
else bad "noset"; fi
if adt 0 apply --auto-approve -f "$X" && princ athena "$IN" && princ athena "$OUT"; then
	ok "with kadmind back and the right admin, the same apply creates both"; else bad "apply after preflight cases"; fi

# ---- no secret in any output ----
if ! grep -qF -e 'Lab-only.Realm-Trust' -e "$ADT_LAB_ADMINPASS" "$T/all"; then
	ok "no trust or admin password in any output"; else bad "a secret was printed"; fi

clean_realms
echo "t_60: realm checks took $(since "$t0") s"
adt_done
