#!/bin/bash
# Smoke test of the lab itself (no adtrust): Kerberos + LDAP in both forests, a two-way external
# trust made with samba-tool (create, validate, cross-realm kvno, delete), and lab_reset.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

for x in A B; do
  eval "dn=\$${x}_DN realm=\$${x}_REALM"
  step "kinit administrator@$realm; LDAP CN=System,$dn via GSSAPI and simple+StartTLS"
  kinit_as "$x" || fail "kinit administrator@$realm"
  assert_ok ldap_gssapi "$x" ldapsearch -LLL -b "CN=System,$dn" -s base dn
  assert_contains "$OUT" "dn: CN=System,$dn"
  assert_ok ldap_simple "$x" ldapsearch -LLL -b "CN=System,$dn" -s base dn
  assert_contains "$OUT" "dn: CN=System,$dn"
done

kvno_both_ways() { # each realm's admin gets a service ticket in the other realm
  kinit_as A && nsx kvno "ldap/$B_FQDN@$B_REALM" && nsx klist | grep -q "krbtgt/$B_REALM@$A_REALM" &&
  kinit_as B && nsx kvno "cifs/$A_FQDN@$A_REALM" && nsx klist | grep -q "krbtgt/$A_REALM@$B_REALM"
}
tdos() { # A|B: partner names of all trustedDomain objects, one line
  local dn; eval "dn=\$${1}_DN"
  ldap_simple "$1" ldapsearch -LLL -b "CN=System,$dn" '(objectClass=trustedDomain)' trustPartner |
    sed -n 's/^trustPartner: //p' | sort | tr '\n' ' '
}

step "no trusts at start"
assert_eq "" "$(tdos A)" "TDOs on A"; assert_eq "" "$(tdos B)" "TDOs on B"
assert_fails kvno_both_ways

step "samba-tool: create two-way external trust A<->B"
assert_ok with_timeout 60 stA_peer domain trust create "$B_DNSDOMAIN" --type=external --direction=both \
  --create-location=both
assert_contains "$OUT" "Success."
assert_ok stA domain trust list
assert_contains "$OUT" "Type[External]"; assert_contains "$OUT" "Name[$B_DNSDOMAIN]"
assert_ok stB domain trust list
assert_contains "$OUT" "Name[$A_DNSDOMAIN]"
assert_eq "$B_DNSDOMAIN " "$(tdos A)" "TDOs on A"; assert_eq "$A_DNSDOMAIN " "$(tdos B)" "TDOs on B"

step "validate --validate-location=both"
assert_ok with_timeout 60 stA_peer domain trust validate "$B_DNSDOMAIN" --validate-location=both
assert_contains "$OUT" "OK: LocalValidation: DC[\\\\$B_FQDN] CONNECTION[WERR_OK] TRUST[WERR_OK]"
assert_contains "$OUT" "OK: RemoteValidation: DC[\\\\$A_FQDN] CONNECTION[WERR_OK] TRUST[WERR_OK]"

step "cross-realm kvno both ways"
assert_ok kvno_both_ways

step "samba-tool: delete the trust (both sides)"
assert_ok with_timeout 60 stA_peer domain trust delete "$B_DNSDOMAIN" --delete-location=both
assert_eq "" "$(tdos A)" "TDOs on A after delete"; assert_eq "" "$(tdos B)" "TDOs on B after delete"
assert_fails kvno_both_ways

step "lab_reset removes a forest trust; the same trust can then be re-created and validated"
lab_flush   # samba-tool delete above does not flush winbindd's secure channel (a samba-tool flow, not adtrust's)
assert_ok with_timeout 60 stA_peer domain trust create "$B_DNSDOMAIN" --type=forest --direction=both \
  --create-location=both
assert_eq "$B_DNSDOMAIN " "$(tdos A)" "TDOs on A"
assert_ok lab_reset
assert_eq "" "$(tdos A)" "TDOs on A after lab_reset"; assert_eq "" "$(tdos B)" "TDOs on B after lab_reset"
assert_ok stA domain trust list
assert_not_contains "$OUT" "Name["
assert_ok ldap_simple A ldapsearch -LLL -b "CN=Users,$A_DN" '(sAMAccountName=B$)' dn
assert_eq "" "$OUT" "trust account B\$ left on A"
assert_fails kvno_both_ways
assert_ok with_timeout 60 stA_peer domain trust create "$B_DNSDOMAIN" --type=external --direction=both \
  --create-location=both
assert_ok with_timeout 60 stA_peer domain trust validate "$B_DNSDOMAIN" --validate-location=both
assert_contains "$OUT" "TRUST[WERR_OK]"
assert_not_contains "$OUT" "ERROR"
assert_ok kvno_both_ways
assert_ok lab_reset
assert_eq "" "$(tdos A)$(tdos B)" "TDOs after second lab_reset"
echo "lab OK"
