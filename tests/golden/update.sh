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
