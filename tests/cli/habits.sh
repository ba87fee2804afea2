#!/bin/bash
# Command-line habits of the adtrust binary given as $1 (no servers
# needed): --version, one-line usage errors with "did you mean", global
# options anywhere, colour rules, a saved plan of a newer format, the
# package check of .ci/deps.sh.  Prints "habits: N passed, N failed".
set -uo pipefail
ADT=$(realpath "$1")
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
export ADTRUST_TODAY=2026-11-21
DEMO=(-f examples/demo.yaml --snapshot examples/snapshots/demo)
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; sed 's/^/    /' "$T/err" "$T/out" 2>/dev/null | head -20; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else ko "$name"; fi; }
# run WANT_EXIT cmd...: stdout -> $T/out, stderr -> $T/err
run() {
	local want=$1 rc
	shift
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	! grep -q Sanitizer "$T/err" && [ "$rc" -eq "$want" ]
}
one_line() { [ "$(wc -l <"$T/err")" -eq 1 ] && [ ! -s "$T/out" ] && grep -q "$1" "$T/err"; }

# --- version ---
for v in --version -V version; do
	check "adtrust $v" eval 'run 0 "$ADT" $v && grep -qE "^adtrust [0-9a-zA-Z.~+-]+$" "$T/out"'
done
ver=$("$ADT" --version | cut -d' ' -f2)
for o in --json -o; do
	if [ $o = -o ]; then
		run 0 "$ADT" plan "${DEMO[@]}" -o "$T/p.json"
		cp "$T/p.json" "$T/j"
	else
		run 0 "$ADT" plan "${DEMO[@]}" --json
		cp "$T/out" "$T/j"
	fi
	check "plan $o records adtrust_version" eval 'jq -e --arg v "$ver" ".adtrust_version == \$v" "$T/j" >/dev/null'
done
jq '.format_version = "2" | .adtrust_version = "9.9"' "$T/p.json" >"$T/new.json"
chmod 600 "$T/new.json"
check "a plan of a newer format is refused, naming both versions" eval \
	'run 1 "$ADT" show "$T/new.json" && one_line "format_version 2 (made by adtrust 9.9); this adtrust ($ver) reads format 1"'
check "apply PLAN.json of a newer format is refused before reading a domain" eval \
	'run 1 "$ADT" apply --auto-approve "$T/new.json" && one_line "format_version 2"'
check "show of a missing file: no bogus position" eval \
	'run 1 "$ADT" show /nonexist.json && one_line "^adtrust: ./nonexist.json. does not exist$"'

# --- usage errors: one line, and what was meant ---
check "unknown command: did you mean" eval 'run 64 "$ADT" plna && one_line "unknown command .plna.; did you mean .plan.?"'
check "unknown command far from any" eval 'run 64 "$ADT" frobnicate && one_line "unknown command .frobnicate."'
check "unknown option: did you mean" eval 'run 64 "$ADT" plan --jsno && one_line "^adtrust plan: unknown option .--jsno.; did you mean .--json.?"'
check "unknown option" eval 'run 64 "$ADT" plan --bogus && one_line "^adtrust plan: unknown option .--bogus. (see"'
check "missing argument, long" eval 'run 64 "$ADT" plan --snapshot && one_line "option .--snapshot. needs an argument"'
check "missing argument, short" eval 'run 64 "$ADT" validate -f && one_line "option .-f. needs an argument"'
check "ambiguous prefix" eval 'run 64 "$ADT" plan --s x && one_line "option .--s. is ambiguous: --snapshot, --state-dir"'
check "argument to a flag" eval 'run 64 "$ADT" show --json=1 x && one_line "option .--json. takes no argument"'
check "unknown short option" eval 'run 64 "$ADT" drift -x && one_line "unknown option .-x."'
check "apply option typo (a verb main.c does not parse)" eval 'run 64 "$ADT" apply --auto-aprove && one_line "did you mean .--auto-approve.?"'
check "other usage errors are one line too" eval 'run 64 "$ADT" plan extra && one_line "unexpected argument .extra."'
check "global option before the command" eval 'run 64 "$ADT" --bogus plan && one_line "unknown option .--bogus."'

# --- global options anywhere ---
check "-q after the command" eval 'run 0 "$ADT" validate -f examples/demo.yaml -q && [ ! -s "$T/out" ]'
check "--quiet between options" eval 'run 0 "$ADT" validate --quiet -f examples/demo.yaml && [ ! -s "$T/out" ]'
check "an option argument that looks global is kept" eval 'run 1 "$ADT" validate -f -q && grep -q "cannot open .-q." "$T/err"'
check "after -- nothing is global" eval 'run 64 "$ADT" plan -- -q && one_line "unexpected argument .-q."'
if command -v script >/dev/null; then
	script -qec "$ADT plan ${DEMO[*]} --no-color" /dev/null >"$T/a" 2>&1
	TERM=dumb script -qec "$ADT plan ${DEMO[*]}" /dev/null >"$T/b" 2>&1
	TERM=xterm script -qec "$ADT plan ${DEMO[*]}" /dev/null >"$T/c" 2>&1
	check "--no-color after the command" eval '! grep -q $'"'"'\033\['"'"' "$T/a"'
	check "TERM=dumb gets no colour" eval '! grep -q $'"'"'\033\['"'"' "$T/b"'
	check "a terminal gets colour" grep -q $'\033\[' "$T/c"
fi

# --- Ctrl-C at a {prompt:} secret: the terminal gets its echo back ---
cat >"$T/prompt.yaml" <<'YAML'
version: 1
domains:
  - { name: a.test, ldap: "ldaps://127.0.0.1:1", credentials: a-admin }
  - { name: b.test, ldap: "ldaps://127.0.0.1:1", credentials: a-admin }
credentials:
  - { name: a-admin, method: password, user: admin@A.TEST, password: { prompt: Password } }
trusts:
  - { trusting: a.test, trusted: b.test, type: external }
YAML
check "Ctrl-C at a password prompt restores the terminal" eval \
	'python3 tests/cli/prompt_tty.py "$ADT" plan -f "$T/prompt.yaml" >"$T/err" 2>&1'

# --- drift metrics: build info, absent gauges after a failure, promtool ---
mkdir -p "$T/state" && chmod 700 "$T/state"
run 2 "$ADT" drift "${DEMO[@]}" --state-dir "$T/state" --metrics "$T/ok.prom"
check "metrics: build info and every gauge after a check" eval \
	'grep -qx "adtrust_build_info{version=\"$ver\"} 1" "$T/ok.prom" &&
	 grep -q "^adtrust_pending_changes 0$" "$T/ok.prom" && grep -q "^adtrust_drift_check_success 1$" "$T/ok.prom"'
run 1 "$ADT" drift -f examples/demo.yaml --snapshot "$T/none" --state-dir "$T/state" --metrics "$T/bad.prom"
check "metrics: after a failed check only build info, success 0 and the last success time" eval \
	'[ "$(grep -v "^#" "$T/bad.prom" | sed "s/[{ ].*//" | tr "\n" " ")" = "adtrust_build_info adtrust_drift_check_success adtrust_drift_last_success_timestamp_seconds " ] &&
	 grep -q "^adtrust_drift_check_success 0$" "$T/bad.prom"'
check "metrics: no adtrust_drift_errors (adtrust_drift_check_success 0 says it)" eval '! grep -q drift_errors "$T/ok.prom" "$T/bad.prom"'
if command -v promtool >/dev/null; then
	for f in ok bad; do
		check "promtool check metrics: $f" eval 'promtool check metrics <"$T/$f.prom" >"$T/err" 2>&1'
	done
else
	ko "promtool is not installed (the prometheus package; sh .ci/deps.sh --if-missing --test)"
fi

# --- help texts ---
check "apply --help names --no-git-check" eval 'run 0 "$ADT" apply --help && grep -q -- "--no-git-check" "$T/out"'

# --- .ci/deps.sh: make check installs the test packages when one is absent ---
check "deps: nothing missing, nothing done" eval \
	'ADT_DEPS_DRY_RUN=1 run 0 sh .ci/deps.sh --if-missing --test && [ ! -s "$T/out" ] && [ ! -s "$T/err" ]'
check "deps: a test package missing installs the test list" eval \
	'ADT_DEPS_ASSUME_MISSING=samba-ad-dc ADT_DEPS_DRY_RUN=1 run 0 sh .ci/deps.sh --if-missing --test &&
	 grep -q "missing packages: samba-ad-dc" "$T/err" && grep -q "^apt-get update; apt-get install .*libcyaml-dev .*samba-ad-dc" "$T/out"'
check "deps: make demo looks at the build list only" eval \
	'ADT_DEPS_ASSUME_MISSING=samba-ad-dc ADT_DEPS_DRY_RUN=1 run 0 sh .ci/deps.sh --if-missing && [ ! -s "$T/out" ]'
check "deps: make check calls it" grep -q 'deps.sh --if-missing --test' Makefile

echo "habits: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
