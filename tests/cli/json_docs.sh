#!/bin/bash
# Every JSON example in docs/json.md has the shape of real output: the
# command in the "<!-- json: ARGS -->" comment above it is run on the
# examples (offline), and each key path of the example (array elements
# merged) must exist in the output with the same type (null matches any).
# Both must open with format_version and adtrust_version.  "json-lab"
# examples need live domains: only their own convention is checked here.
set -uo pipefail
ADT=$(realpath "$1")
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export ADTRUST_TODAY=2026-11-21
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; [ -s "$T/why" ] && sed 's/^/    /' "$T/why" | head -20; }
# "path<TAB>type" per leaf and per object/array, array indices as []
SHAPE='[paths as $p | [($p | map(if type == "number" then "[]" else . end) | join(".")),
	(getpath($p) | type)] | join("\t")] | unique | .[]'
HEAD='.format_version == "1" and (.adtrust_version | type) == "string"'

awk -v dir="$T" '
	/^<!-- json(-lab)?: .* -->$/ { n++; kind = ($2 == "json-lab:") ? "lab" : "run";
		cmd = $0; sub(/^<!-- json(-lab)?: /, "", cmd); sub(/ -->$/, "", cmd);
		print kind "\t" cmd > (dir "/ex" n ".cmd"); want = 1; next }
	want && /^```json$/ { inb = 1; next }
	inb && /^```$/ { inb = 0; want = 0; next }
	inb { print > (dir "/ex" n ".json") }
' docs/json.md
n=$(ls "$T"/ex*.cmd 2>/dev/null | wc -l)
[ "$n" -ge 5 ] && ok "docs/json.md has $n examples" || ko "docs/json.md has examples"
for c in "$T"/ex*.cmd; do
	ex=${c%.cmd}.json
	IFS=$'\t' read -r kind cmd <"$c"
	name="docs/json.md: $cmd"
	: >"$T/why"
	if ! jq -e "$HEAD" "$ex" >/dev/null 2>"$T/why"; then ko "$name (example: format_version, adtrust_version)"; continue; fi
	[ "$kind" = lab ] && { ok "$name (lab: convention only)"; continue; }
	# shellcheck disable=SC2086
	"$ADT" $cmd >"$T/real" 2>/dev/null
	if ! jq -e "$HEAD" "$T/real" >/dev/null 2>>"$T/why"; then ko "$name (output: format_version, adtrust_version)"; continue; fi
	jq -r "$SHAPE" "$ex" >"$T/want"
	jq -r "$SHAPE" "$T/real" >"$T/have"
	while IFS=$'\t' read -r p t; do
		if [ "$t" = null ]; then
			grep -q "^$(printf '%s' "$p" | sed 's/[][\.*^$]/\\&/g')	" "$T/have" || echo "missing: $p" >>"$T/why"
		elif ! grep -qxF "$p	$t" "$T/have"; then
			echo "missing or another type: $p ($t)" >>"$T/why"
		fi
	done <"$T/want"
	# the same top-level keys both ways
	diff <(jq -r 'keys[]' "$ex") <(jq -r 'keys[]' "$T/real") >>"$T/why"
	if [ -s "$T/why" ]; then ko "$name"; else ok "$name (same shape as real output)"; fi
done
echo "json docs: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
