#!/bin/bash
# CLI tests of the adtrust binary given as $1 (no servers needed): exit
# codes, validate positions, plan text/JSON, golden plans, colour, and that
# no secret value ever reaches an output.  Prints "N passed, N failed".
set -uo pipefail
ADT=$(realpath "$1")
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
export ADTRUST_TODAY=2026-11-21
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; [ -f "$T/err" ] && sed 's/^/    /' "$T/err" | head -20; }
# run NAME WANT_EXIT cmd...: stdout -> $T/out, stderr -> $T/err
run() {
	local name=$1 want=$2 rc
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	if grep -q 'Sanitizer' "$T/err"; then ko "$name (sanitizer report)"; return 1; fi
	if [ "$rc" -ne "$want" ]; then echo "    exit $rc, want $want"; ko "$name"; return 1; fi
	return 0
}

# --- validate ---
for f in examples/*.yaml examples/netdom/*.yaml examples/lab/*.yaml; do
	[ -f "$f" ] || continue
	run "validate $f" 0 "$ADT" validate -f "$f" && ok "validate $f"
done
if run "validate many-mistakes" 1 "$ADT" validate -f tests/data/yaml/many-mistakes.yaml; then
	n=$(grep -cE '^tests/data/yaml/many-mistakes.yaml:[0-9]+:[0-9]+: ' "$T/err")
	if [ "$n" -eq 8 ] && [ "$(wc -l <"$T/err")" -eq 8 ] &&
	   grep -q ':7:5: unknown key .netbois.' "$T/err" &&
	   grep -q ':13:15: .credentials\[0\].password. must not hold a secret' "$T/err" &&
	   ! grep -q hunter2 "$T/err"; then
		ok "validate reports one line per mistake at its position"
	else
		ko "validate reports one line per mistake at its position"
	fi
fi
run "usage error" 64 "$ADT" plan --bogus && ok "usage error exits 64"
run "unknown verb" 64 "$ADT" frobnicate && ok "unknown verb exits 64"
run "missing file" 1 "$ADT" plan -f /nonexistent.yaml --snapshot examples/snapshots/demo &&
	grep -q "cannot open '/nonexistent.yaml'" "$T/err" && ok "missing file is a one-line error"

# --- plan ---
run "plan demo" 0 "$ADT" plan -f examples/demo.yaml --snapshot examples/snapshots/demo &&
	grep -q '^Plan: 2 to create, 1 to update, 0 to replace, 1 to delete (1 blocked by protect).$' "$T/out" &&
	ok "plan demo summary"
run "plan demo detailed" 2 "$ADT" plan --detailed-exitcode -f examples/demo.yaml \
	--snapshot examples/snapshots/demo && ok "plan --detailed-exitcode exits 2 on changes"
run "plan noop detailed" 0 "$ADT" plan --detailed-exitcode -f examples/netdom/realm-inbound.yaml \
	--snapshot examples/snapshots/realm-inbound && grep -q '^No changes' "$T/out" &&
	ok "plan --detailed-exitcode exits 0 without changes"
if run "plan json" 0 "$ADT" plan --json -f examples/demo.yaml --snapshot examples/snapshots/demo &&
   jq -e '.format_version == "1" and .no_op == false and (.desired.sha256 | length) == 64
	  and ([.changes[] | select(.action == "delete" and .blocked)] | length) == 1
	  and ([.changes[] | .address] | length) == 7' "$T/out" >/dev/null; then
	ok "plan --json parses with jq and has the expected content"
else
	ko "plan --json parses with jq and has the expected content"
fi
run "plan -o" 0 "$ADT" plan -f examples/demo.yaml --snapshot examples/snapshots/demo -o "$T/plan.json" &&
	[ "$(stat -c %a "$T/plan.json")" = 600 ] && jq -e . "$T/plan.json" >/dev/null &&
	ok "plan -o writes a mode 0600 JSON plan"
run "allow-destroy" 0 "$ADT" plan --allow-destroy -f examples/demo.yaml --snapshot examples/snapshots/demo &&
	! grep -q 'blocked' "$T/out" && ok "--allow-destroy unblocks the protected delete"
run "missing snapshot" 1 "$ADT" plan -f examples/demo.yaml --snapshot examples/snapshots/one-way &&
	grep -q "engineering.contoso.com" "$T/err" && ok "a domain missing from the snapshot is named"

# --- colour ---
if command -v script >/dev/null; then
	script -qec "$ADT plan -f examples/demo.yaml --snapshot examples/snapshots/demo" /dev/null >"$T/tty" 2>&1
	NO_COLOR=1 script -qec "$ADT plan -f examples/demo.yaml --snapshot examples/snapshots/demo" /dev/null >"$T/tty-nc" 2>&1
	if grep -q $'\033\[' "$T/tty" && ! grep -q $'\033\[' "$T/tty-nc" &&
	   ! grep -q $'\033\[' <("$ADT" plan -f examples/demo.yaml --snapshot examples/snapshots/demo); then
		ok "colour only on a terminal and never with NO_COLOR"
	else
		ko "colour only on a terminal and never with NO_COLOR"
	fi
fi

# --- golden plans: examples/netdom/<case>.yaml against examples/snapshots/<case> ---
for y in examples/netdom/*.yaml; do
	c=$(basename "$y" .yaml)
	[ -d "examples/snapshots/$c" ] || continue
	for fmt in txt json; do
		flag=; [ $fmt = json ] && flag=--json
		"$ADT" plan $flag -f "$y" --snapshot "examples/snapshots/$c" >"$T/g" 2>"$T/err"
		if diff -u "tests/golden/$c.plan.$fmt" "$T/g" >"$T/err"; then
			ok "golden $c.plan.$fmt"
		else
			ko "golden $c.plan.$fmt (make check-update regenerates; review the diff)"
		fi
	done
done

# --- export | validate | plan round-trips to no changes, for every snapshot domain ---
for dir in examples/snapshots/*/; do
	for f in "$dir"*.ldif; do
		[ -f "$f" ] || continue
		dom=$(sed -n 's/^dnsRoot: //p' "$f" | head -1)
		[ -n "$dom" ] || continue
		if run "export $dom" 0 "$ADT" export --domain "$dom" --snapshot "$dir" -o "$T/exp.yaml" &&
		   run "validate export $dom" 0 "$ADT" validate -f "$T/exp.yaml" &&
		   run "plan export $dom" 0 "$ADT" plan --detailed-exitcode -f "$T/exp.yaml" --snapshot "$dir"; then
			ok "export $dom ($dir) validates and plans to no changes"
		fi
	done
done

# --- secrets never reach an output ---
S1='Zq9-MktAdmin-7f3a1c' S2='Zq9-TrustPw-0b8e44' S3='Zq9-Athena-c1d2e3'
export MKT_ADMIN_PASSWORD=$S1 ENG_MKT_TRUST_PW=$S2 ATHENA_TRUST_PASSWORD=$S3
: >"$T/all"
for y in examples/*.yaml examples/netdom/*.yaml; do
	c=$(basename "$y" .yaml)
	[ -d "examples/snapshots/$c" ] || continue
	"$ADT" plan -f "$y" --snapshot "examples/snapshots/$c" -o "$T/p.json" >>"$T/all" 2>&1
	"$ADT" plan --json -f "$y" --snapshot "examples/snapshots/$c" >>"$T/all" 2>&1
	cat "$T/p.json" >>"$T/all"
done
printf 'version: 1\ncredentials:\n  - name: c\n    method: password\n    user: u@A\n    password: %s\n' "$S1" >"$T/lit.yaml"
"$ADT" validate -f "$T/lit.yaml" >>"$T/all" 2>&1
if [ -s "$T/all" ] && ! grep -qE "$S1|$S2|$S3" "$T/all"; then
	ok "no secret value in any plan text, JSON, saved plan or error"
else
	ko "no secret value in any plan text, JSON, saved plan or error"
fi

echo
echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
