#!/bin/bash
# Audit tests of the adtrust binary given as $1 (no servers needed): the
# example snapshot's findings by id (true and false positives per rule),
# golden text/JSON/SARIF, the SARIF against the SARIF 2.1.0 schema
# (python3-jsonschema), the DOT parsed by Graphviz's dot when installed,
# exit codes (--fail-on), metrics, bad snapshots named by file and line,
# and the policy guardrails of plan (refused, waived, expired).
# Prints "N passed, N failed"; exit 1 if any failed.
set -uo pipefail
ADT=$(realpath "$1")
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
export ADTRUST_TODAY=2026-11-30
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; [ -f "$T/err" ] && sed 's/^/    /' "$T/err" | head -20; }
run() { # NAME WANT_EXIT cmd...: stdout -> $T/out, stderr -> $T/err
	local name=$1 want=$2 rc
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	if grep -q 'Sanitizer' "$T/err"; then ko "$name (sanitizer report)"; return 1; fi
	if [ "$rc" -ne "$want" ]; then echo "    exit $rc, want $want"; ko "$name"; return 1; fi
	return 0
}
check() { if "$@"; then ok "$NAME"; else ko "$NAME"; fi; }
jqq() { jq -e "$@" >/dev/null; }
SNAP=examples/snapshots/audit
A=(audit -f examples/audit/trusts.yaml --snapshot "$SNAP")

for f in examples/audit/*.yaml; do
	NAME="validate $f"
	run "$NAME" 0 "$ADT" validate -f "$f" && check true
done

# --- one case per rule: which TDO each rule fires on (and no other) ---
# expected: RULE DOMAIN PARTNER, default rules, no file
cat >"$T/want" <<'W'
ADT001 hq.contoso.com migr.wingtip.com
ADT001 hq.contoso.com tailspin.com
ADT002 fabrikam.com hq.contoso.com
ADT003 fabrikam.com hq.contoso.com
ADT004 hq.contoso.com northwind.com
ADT005 hq.contoso.com tailspin.com
ADT006 hq.contoso.com northwind.com
ADT007 hq.contoso.com fabrikam.com
ADT009 hq.contoso.com adatum.com
ADT010 hq.contoso.com tailspin.com
ADT011 hq.contoso.com tailspin.com
ADT012 hq.contoso.com old.litware.com
ADT013 hq.contoso.com litware.com
W
if run "audit --snapshot" 2 "$ADT" audit --snapshot "$SNAP" --json; then
	jq -r '.findings[] | "\(.rule) \(.domain) \(.partner)"' "$T/out" | sort >"$T/got"
	NAME="audit --snapshot: each rule fires on its true positive and on nothing else"
	check diff -u "$T/want" "$T/got"
fi
NAME="ADT008 (policy choice) is off by default, on with --enable"
run "enable" 2 "$ADT" audit --snapshot "$SNAP" --json --enable ADT008 &&
	check test "$(jq -r '[.findings[] | select(.rule == "ADT008") | "\(.domain)/\(.partner)"] | join(",")' "$T/out")" = \
		"fabrikam.com/hq.contoso.com,hq.contoso.com/tailspin.com"
NAME="--allow exempts a migration domain from ADT001"
run "allow" 2 "$ADT" audit --snapshot "$SNAP" --json --allow migr.wingtip.com --allow WINGMIGR &&
	check test "$(jq '[.findings[] | select(.rule == "ADT001")] | length' "$T/out")" = 1
NAME="--max-secret-age: the 1050-day-old secret passes at 2000 days"
run "age" 2 "$ADT" audit --snapshot "$SNAP" --json --max-secret-age 2000 &&
	check test "$(jq '[.findings[] | select(.rule == "ADT011")] | length' "$T/out")" = 0
NAME="--fail-on critical still exits 2 (ADT001), --disable of every finding's rule exits 0"
run "fail-on" 2 "$ADT" audit --snapshot "$SNAP" --fail-on critical &&
	run "disable" 0 "$ADT" audit --snapshot "$SNAP" --fail-on high --disable ADT001 \
		--disable ADT002 --disable ADT003 --disable ADT005 && check grep -q "0 critical, 0 high" "$T/out"
NAME="a snapshot without findings exits 0 (two-way's one-sided TDO is its only one)"
run "clean" 2 "$ADT" audit --snapshot examples/snapshots/two-way && grep -q ADT009 "$T/out" &&
	run "clean" 0 "$ADT" audit --snapshot examples/snapshots/two-way --disable ADT009 && check true
NAME="usage errors exit 64"
run "u1" 64 "$ADT" audit --snapshot "$SNAP" --fail-on severe && run "u2" 64 "$ADT" audit --snapshot "$SNAP" --enable ADT999 &&
	check true
NAME="--rules lists every rule with references"
run "rules" 0 "$ADT" audit --rules && check test "$(grep -c '^ADT0' "$T/out")" = 13

# --- golden outputs ---
for fmt in txt json sarif; do
	case $fmt in
	txt) "$ADT" --no-color "${A[@]}" >"$T/g" 2>/dev/null ;;
	json) "$ADT" "${A[@]}" --json 2>/dev/null | jq '.adtrust_version = "VERSION"' >"$T/g" ;;
	sarif) "$ADT" -q "${A[@]}" --sarif "$T/g" >/dev/null 2>&1 ;;
	esac
	NAME="golden audit.$fmt (make check-update regenerates; review the diff)"
	diff -u "tests/golden/audit.$fmt" "$T/g" >"$T/err"; check test $? = 0
done
NAME="-f: waived finding marked, enforced ADT008 on, allow-list from the policy, SARIF at YAML lines"
run "file" 2 "$ADT" "${A[@]}" --json &&
	check jqq '([.findings[] | select(.waived != null) | .rule] == ["ADT005"]) and
		([.findings[] | select(.rule == "ADT001") | .partner] == ["tailspin.com"]) and
		([.findings[] | select(.rule == "ADT008")] | length == 2) and
		([.findings[] | select(.rule == "ADT001") | .yaml.line] == [34])' "$T/out"

# --- SARIF 2.1.0 schema ---
"$ADT" -q "${A[@]}" --sarif "$T/a.sarif" >/dev/null 2>&1
"$ADT" -q audit --snapshot "$SNAP" --sarif "$T/b.sarif" >/dev/null 2>&1
if python3 -c 'import jsonschema' 2>/dev/null; then
	NAME="SARIF validates against sarif-schema-2.1.0.json (with -f and without)"
	check python3 - "$T/a.sarif" "$T/b.sarif" <<'PY'
import json, sys, jsonschema
schema = json.load(open("tests/audit/sarif-schema-2.1.0.json"))
v = jsonschema.Draft4Validator(schema)
for f in sys.argv[1:]:
    doc = json.load(open(f))
    errs = sorted(v.iter_errors(doc), key=lambda e: list(e.path))
    for e in errs:
        print(f, list(e.path), e.message)
    assert not errs, f
    r = doc["runs"][0]
    assert len(r["tool"]["driver"]["rules"]) == 13
    assert all(x["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] for x in r["results"])
PY
	NAME="SARIF without -f locates findings at the LDIF line of the TDO"
	check jqq '[.runs[0].results[] | .locations[0].physicalLocation.artifactLocation.uri | startswith("examples/snapshots/audit/")] | all' "$T/b.sarif"
else
	echo "SKIP SARIF schema validation: python3-jsonschema is not installed (.ci/deps.sh)"
fi

# --- graph ---
NAME="--graph writes DOT: forests as clusters, one edge per direction, findings in colour"
run "graph" 2 "$ADT" "${A[@]}" --graph "$T/g.dot" &&
	check grep -q 'subgraph "cluster_hq.contoso.com"' "$T/g.dot"
if command -v dot >/dev/null; then
	NAME="dot parses the graph and the SVG was written"
	check sh -c "dot -Tsvg '$T/g.dot' >/dev/null && grep -q '<svg' '$T/g.svg' && [ \$(grep -c -- '->' '$T/g.dot') -eq 13 ] && grep -q 'color=red3' '$T/g.dot'"
else
	echo "SKIP dot: Graphviz is not installed (.ci/deps.sh)"
fi

# --- metrics ---
NAME="--metrics: one line per rule and severity"
run "metrics" 2 "$ADT" audit --snapshot "$SNAP" --metrics "$T/m.prom" &&
	check sh -c "grep -q '^adtrust_audit_findings{rule=\"ADT001\",name=\"sid-filtering-off\",severity=\"critical\"} 2$' '$T/m.prom' &&
		grep -q '^adtrust_audit_severity_findings{severity=\"medium\"} 6$' '$T/m.prom' &&
		grep -q '^adtrust_audit_success 1$' '$T/m.prom' && [ \$(grep -c '^adtrust_audit_findings{' '$T/m.prom') -eq 13 ]"
NAME="a failed audit still writes metrics (success 0) and exits 1"
run "metrics fail" 1 "$ADT" audit --snapshot "$T/none" --metrics "$T/f.prom" &&
	check grep -q '^adtrust_audit_success 0$' "$T/f.prom"

# --- bad input: file, line and column ---
mkdir -p "$T/bad"
printf 'dn: CN=x.test,CN=System,DC=a,DC=test\nobjectClass: trustedDomain\ntrustPartner: x.test\ntrustDirection: 3\ntrustType: 2\nreplPropertyMetaData:: AQAAAA==\n' >"$T/bad/a.ldif"
NAME="a malformed replPropertyMetaData is an error naming file and line"
run "bad" 1 "$ADT" audit --snapshot "$T/bad" && check grep -q "bad/a.ldif:6: .*replPropertyMetaData" "$T/err"
printf 'version: 1\npolicy:\n  enforce: [ADT001]\n  waivers:\n    - { rule: ADT001, trust: "a:b", reason: r, until: 2026-02-3x }\n' >"$T/p.yaml"
NAME="a bad policy is reported at its YAML position"
run "bad policy" 1 "$ADT" validate -f "$T/p.yaml" && check grep -q "p.yaml:5:7: policy.waivers\[0\]" "$T/err"

# --- guardrails in plan ---
G=examples/audit
NAME="plan refuses SID filtering off: ADT001 at the YAML line of sid_filtering"
run "guard" 1 "$ADT" plan -f $G/guardrail.yaml --snapshot examples/snapshots/two-way &&
	check grep -q "^$G/guardrail.yaml:33:5: trusts\[0\] .*policy refuses ADT001 sid-filtering-off" "$T/err"
NAME="an unexpired waiver lets it plan"
run "waived" 0 "$ADT" plan -f $G/guardrail-waived.yaml --snapshot examples/snapshots/two-way && check true
NAME="an expired waiver refuses it again and says so"
run "expired" 1 "$ADT" plan -f $G/guardrail-expired.yaml --snapshot examples/snapshots/two-way &&
	check sh -c "grep -q 'policy refuses ADT001.*waiver policy.waivers\[0\] expired on 2026-01-31' '$T/err' && grep -q 'warning: policy.waivers\[0\]' '$T/err'"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
