#!/bin/bash
# -v/--verbose of the adtrust binary given as $1, offline (no servers): a
# plan against a snapshot logs each LDIF file read and each domain found,
# one "adtrust: snapshot ..." line each on stderr with a duration; stdout
# is the same as without -v; -v works before and after the command; no
# secret of the environment ever appears.  The LDAP, LSA and kadm5 lines
# are checked against real servers by tests/lab/t_45_verbose.sh and the
# LSA client's by tests/providers/test_lsa_proto.c.  Prints
# "verbose: N passed, N failed".
set -uo pipefail
ADT=$(realpath "$1")
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
export ADTRUST_TODAY=2026-11-21
# every secret reference of the examples, set to something recognisable
SECRET=Vq7-never-logged-9xZ
export MKT_ADMIN_PASSWORD=$SECRET ENG_MKT_TRUST_PW=$SECRET
DEMO=(-f examples/demo.yaml --snapshot examples/snapshots/demo)
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; sed 's/^/    /' "$T/err" 2>/dev/null | head -20; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else ko "$name"; fi; }

"$ADT" plan "${DEMO[@]}" >"$T/quiet.out" 2>"$T/quiet.err"
rc0=$?
for form in "-v plan" "--verbose plan" "plan -v" "plan --verbose"; do
	# shellcheck disable=SC2086 # form is two words on purpose
	"$ADT" $form "${DEMO[@]}" >"$T/out" 2>"$T/err"
	rc=$?
	check "'$form': same exit code and stdout as without -v" eval \
		'[ $rc -eq $rc0 ] && cmp -s "$T/out" "$T/quiet.out"'
done
files=$(ls examples/snapshots/demo/*.ldif | wc -l)
check "a line per LDIF file read, with its record count and duration" eval \
	'[ "$(grep -cE "^adtrust: snapshot examples/snapshots/demo: read [a-z.-]+\.ldif: [0-9]+ ms, [0-9]+ records?$" "$T/err")" -eq "$files" ]'
check "a line per domain read, with its trust objects" eval \
	'grep -qx "adtrust: snapshot examples/snapshots/demo (northamerica.contoso.com): 2 trust objects" "$T/err"'
check "nothing but log lines on stderr" eval \
	'! grep -v "^adtrust: snapshot " "$T/err"'
check "without -v: no log line" eval '! grep -q "^adtrust: snapshot " "$T/quiet.err"'
check "--json -v: stdout stays JSON" eval \
	'"$ADT" -v plan "${DEMO[@]}" --json 2>"$T/err" | jq -e .format_version >/dev/null && grep -q "^adtrust: snapshot " "$T/err"'

# every example and every command that reads a snapshot: no secret
: >"$T/all"
for y in examples/netdom/*.yaml; do
	c=$(basename "$y" .yaml)
	"$ADT" -v plan -f "$y" --snapshot "examples/snapshots/$c" >>"$T/all" 2>&1
	"$ADT" -v drift -f "$y" --snapshot "examples/snapshots/$c" --json >>"$T/all" 2>&1
done
"$ADT" -v audit --snapshot examples/snapshots/audit >>"$T/all" 2>&1
"$ADT" -v export --domain engineering.contoso.com "${DEMO[@]}" >>"$T/all" 2>&1
check "drift, audit and export log their snapshot reads too" eval \
	'[ "$(grep -c "^adtrust: snapshot examples/snapshots/audit: read " "$T/all")" -ge 1 ] && grep -q "^adtrust: snapshot examples/snapshots/demo (engineering.contoso.com): " "$T/all"'
check "no secret anywhere in the output of -v" eval '! grep -q -- "$SECRET" "$T/all" "$T/err"'
check "no sanitizer report" eval '! grep -q Sanitizer "$T/all" "$T/err"'

# global-option habits: -v is one, so usage errors stay one line
check "-v with an unknown command: still one usage line" eval \
	'"$ADT" -v plna >"$T/out" 2>"$T/err"; [ $? -eq 64 ] && [ "$(wc -l <"$T/err")" -eq 1 ]'
check "adtrust --help lists -v" eval '"$ADT" --help | grep -q -- "-v, --verbose"'

echo "verbose: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
