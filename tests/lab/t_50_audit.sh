#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# t_50: adtrust audit against the two Samba forests, read live over LDAP:
# a deliberately weak two-way external trust (RC4 only, SID filtering off,
# made with samba-tool) is found on both sides (ADT001, ADT005) with the
# findings' ids, exit 2; --fail-on critical still fails, and a trust as
# adtrust creates it by default is clean at --fail-on high; the secret's
# age comes from the TDO's replPropertyMetaData (read live, recent: no
# ADT011, and ADT011 with --max-secret-age 0 days is refused as usage);
# B's side deleted -> one-sided (ADT009 on a.test); --sarif validates
# against the SARIF 2.1.0 schema and places managed findings at the YAML
# line; --graph renders with dot; --metrics; no secret in any output.
# Usage: t_50_audit.sh [BUILD_DIR]; exit 77 = skipped.
NAME=t_50
. "$(dirname "$0")/adt.sh" "$@"
"$B/adtrust" audit --help >/dev/null 2>&1 || { echo "t_50: $B/adtrust has no 'audit' command"; exit 1; }
export KRB5CCNAME=FILE:$T/krb5cc    # never the caller's ccache
X=examples/lab/external-two-way.yaml
# finding RULE DOMAIN PARTNER: the JSON report in $T/stdout has it
finding() {
	jq -e --arg r "$1" --arg d "$2" --arg p "$3" \
		'[.findings[] | select(.rule == $r and .domain == $d and .partner == $p and .waived == null)] | length == 1' \
		"$T/stdout" >/dev/null
}

lab_reset

# ---- a weak trust, made behind adtrust's back: RC4 only, SID filtering off ----
stA_peer domain trust create "$B_DNSDOMAIN" --type=external --direction=both --create-location=both \
	--quarantined=no --no-aes-keys >"$T/out" 2>&1 || { cat "$T/out"; fail "samba-tool trust create (weak)"; }
ldap_simple A ldapsearch -LLL -b "CN=System,$A_DN" '(objectClass=trustedDomain)' trustAttributes \
	msDS-SupportedEncryptionTypes >"$T/out" 2>&1
if grep -q '^trustAttributes: 0$' "$T/out" && grep -q '^msDS-SupportedEncryptionTypes: 4$' "$T/out"; then
	ok "the weak trust is there: trustAttributes 0 (no quarantine), enctypes 0x4 (RC4 only)"; else bad "weak trust attributes"; fi
if adt 2 audit -f "$X" --json && finding ADT001 a.test b.test && finding ADT001 b.test a.test &&
   finding ADT005 a.test b.test && finding ADT005 b.test a.test; then
	ok "audit of both forests: SID filtering off (ADT001) and RC4 only (ADT005) on both sides, exit 2"; else bad "weak trust findings"; fi
if jq -e '[.domains[].trusts[] | .secret_out_set, .secret_in_set] | all(. != null)' "$T/stdout" >/dev/null &&
   ! jq -e '.findings[] | select(.rule == "ADT011")' "$T/stdout" >/dev/null; then
	ok "secret times read live from replPropertyMetaData (both secrets, both sides); a fresh secret is no ADT011"; else bad "secret times"; fi
if adt 2 audit -f "$X" && has "critical ADT001 sid-filtering-off" && has "high     ADT005 enctypes-no-aes" &&
   has "^a.test (forest a.test)" && has "^  -> b.test: external, bidirectional"; then
	ok "text: grouped by domain and trust, ids and severities shown"; else bad "text output"; fi
if adt 2 audit -f "$X" --fail-on critical; then ok "--fail-on critical: exit 2 (ADT001 is critical)"; else bad "--fail-on critical"; fi
if adt 64 audit -f "$X" --max-secret-age 0; then ok "--max-secret-age 0 is a usage error"; else bad "max-secret-age 0"; fi

# ---- SARIF, graph, metrics from the live read ----
if adt 2 audit -f "$X" --sarif "$T/a.sarif" --graph "$T/a.dot" --metrics "$T/a.prom" &&
   python3 - "$T/a.sarif" "$(grep -n 'sid_filtering:' "$X" | head -1 | cut -d: -f1)" >"$T/out" 2>&1 <<'PY'
import json, sys, jsonschema
schema = json.load(open("tests/audit/sarif-schema-2.1.0.json"))
doc = json.load(open(sys.argv[1]))
jsonschema.Draft4Validator(schema).validate(doc)
res = doc["runs"][0]["results"]
lines = {r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in res if r["ruleId"] == "ADT001"}
assert lines == {int(sys.argv[2])}, lines   # external-two-way.yaml: the line of sid_filtering
print("valid", len(res))
PY
then ok "--sarif validates against SARIF 2.1.0; ADT001 located at the YAML line of sid_filtering"; else bad "live SARIF"; fi
if command -v dot >/dev/null && dot -Tsvg "$T/a.dot" >/dev/null 2>&1 && grep -q '<svg' "$T/a.svg" &&
   grep -q '"a.test" -> "b.test" .*ADT001.*color=red3' "$T/a.dot"; then
	ok "--graph: DOT renders with dot (SVG written), the weak trust's arrows red with their ids"; else bad "graph"; fi
if grep -q '^adtrust_audit_findings{rule="ADT001",name="sid-filtering-off",severity="critical"} 2$' "$T/a.prom" &&
   grep -q '^adtrust_audit_success 1$' "$T/a.prom"; then ok "--metrics: ADT001 2, success 1"; else bad "metrics"; fi

# ---- one-sided: B's side deleted ----
stB domain trust delete "$A_DNSDOMAIN" --delete-location=local >"$T/out" 2>&1 || bad "samba-tool delete on B"
if adt 2 audit -f "$X" --json && finding ADT009 a.test b.test &&
   ! jq -e '.findings[] | select(.domain == "b.test")' "$T/stdout" >/dev/null; then
	ok "B's side deleted: one-sided trust found (ADT009 on a.test), nothing left on b.test"; else bad "one-sided"; fi
if adt 2 audit -f "$X" && has "one-sided: a.test holds a TDO for b.test (bidirectional), but b.test has none for a.test"; then
	ok "one-sided finding says which side is missing"; else bad "one-sided text"; fi
lab_reset

# ---- a trust as adtrust makes it by default: nothing high ----
if adt 0 apply --auto-approve -f "$X" && adt 0 audit -f "$X" --fail-on high && has "0 critical, 0 high"; then
	ok "adtrust's own two-way external trust (quarantined, AES): no critical or high finding"; else bad "clean trust"; fi
lab_reset

# ---- no secret in any output ----
if ! grep -qF -e "$ADT_LAB_ADMINPASS" "$T/all" "$T/a.sarif" "$T/a.dot" "$T/a.prom"; then
	ok "no admin password in any output"; else bad "a secret leaked"; fi

adt_done
