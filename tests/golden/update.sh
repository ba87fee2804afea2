#!/bin/sh
# Regenerates the golden plans (review the diff like code).
set -eu
ADT=$1
export ADTRUST_TODAY=2026-11-21
cd "$(dirname "$0")/../.."
for y in examples/netdom/*.yaml; do
	c=$(basename "$y" .yaml)
	[ -d "examples/snapshots/$c" ] || continue
	"$ADT" plan -f "$y" --snapshot "examples/snapshots/$c" >"tests/golden/$c.plan.txt" || true
	"$ADT" plan --json -f "$y" --snapshot "examples/snapshots/$c" |
		jq 'del(.desired.abspath) | .adtrust_version = "VERSION"' >"tests/golden/$c.plan.json" || true
done
# the audit example: text, JSON and SARIF (tests/audit/run.sh compares them)
export ADTRUST_TODAY=2026-11-30
A="audit -f examples/audit/trusts.yaml --snapshot examples/snapshots/audit"
"$ADT" --no-color $A >tests/golden/audit.txt || true
"$ADT" $A --json | jq '.adtrust_version = "VERSION"' >tests/golden/audit.json || true
"$ADT" -q $A --sarif tests/golden/audit.sarif >/dev/null || true
