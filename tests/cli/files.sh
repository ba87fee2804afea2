#!/bin/bash
# The attacks of issue 7 against the adtrust binary given as $1, end to end:
# uid 65534 (the attacker, through setpriv or runuser) may write a shared
# output directory, or the state directory, and plants symlinks, files,
# FIFOs and records there; a root run of adtrust must neither follow nor
# reuse nor trust any of it.  T/passwd stands in for /etc/passwd.
# Locks are taken by apply only after it has read a live DC, so they are
# driven through the real cmd/state.o (linked from $1's build directory)
# by a small program built here.  Needs root; prints SKIP and exits 0
# otherwise.  Prints PASS/FAIL lines and "N passed, N failed".
set -uo pipefail
ADT=$(realpath "$1")
B=$(dirname "$ADT")
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP files: needs root (the attacker is uid 65534)"
	exit 0
fi
if command -v setpriv >/dev/null; then
	NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
elif command -v runuser >/dev/null && id -un 65534 >/dev/null 2>&1; then
	NOBODY=(runuser -u "$(id -un 65534)" --)
else
	echo "SKIP files: neither setpriv nor runuser to act as uid 65534"
	exit 0
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
chmod 0755 "$T" # the attacker must reach T/shared
pass=0 fail=0
export ADTRUST_TODAY=2026-11-21
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; [ -f "$T/err" ] && sed 's/^/    /' "$T/err" | head -20; }
check() { if "$@"; then ok "$NAME"; else ko "$NAME"; fi; }
# run WANT_EXIT cmd...: stdout -> $T/out, stderr -> $T/err; at most 60 s
run() {
	local want=$1 rc
	shift
	timeout 60 "$@" >"$T/out" 2>"$T/err"
	rc=$?
	if grep -q 'Sanitizer' "$T/err"; then echo "    sanitizer report"; return 1; fi
	if [ "$rc" -eq 124 ]; then echo "    timed out (hung)"; return 1; fi
	if [ "$rc" -ne "$want" ]; then echo "    exit $rc, want $want"; return 1; fi
	return 0
}
# pexec KIND TARGET cmd...: as uid 65534 plant a KIND (symlink to the
# victim, or file) at TARGET.tmp.<pid>, then exec cmd as that pid: the
# name the old code used, guessed right
pexec() {
	local kind=$1 target=$2
	shift 2
	timeout 60 bash -c '
		kind=$1 victim=$2 t=$3.tmp.$$; shift 3
		nb=(); while [ "$1" != -- ]; do nb+=("$1"); shift; done; shift
		if [ "$kind" = symlink ]; then "${nb[@]}" ln -s "$victim" "$t"
		else "${nb[@]}" sh -c "echo planted >\"$t\" && chmod 666 \"$t\""; fi || exit 99
		exec "$@"' _ "$kind" "$V" "$target" "${NOBODY[@]}" -- "$@" >"$T/out" 2>"$T/err"
}
nb() { "${NOBODY[@]}" "$@"; }
V=$T/passwd
VTEXT='root:x:0:0:root:/root:/bin/bash'
fresh() { # a new victim and an empty shared directory (mode 1777, like /tmp)
	printf '%s\n' "$VTEXT" >"$V" && chmod 0600 "$V"
	rm -rf "$T/shared" && mkdir "$T/shared" && chmod 1777 "$T/shared"
	W=$T/shared
}
victim_ok() {
	[ "$(cat "$V")" = "$VTEXT" ] && [ "$(stat -c %a:%U "$V")" = 600:root ] ||
		{ echo "    the victim was changed: $(stat -c %a:%U "$V"): $(head -c 60 "$V")" >>"$T/err"; return 1; }
}
# ours FILE MODE: a regular file (not a link) of root's with MODE
ours() {
	[ ! -L "$1" ] && [ -f "$1" ] && [ "$(stat -c %a:%U "$1")" = "$2:root" ] ||
		{ echo "    $1: $(stat -c %F:%a:%U "$1" 2>&1)" >>"$T/err"; return 1; }
}
no_temps() { [ -z "$(find "$W" -name '*.tmp.*' ! -user 65534)" ]; }
PLAN=(plan -f examples/demo.yaml --snapshot examples/snapshots/demo)

# --- plan -o into a directory the attacker can write ---
fresh
NAME="plan -o: a symlink planted at the guessable temp name is not followed"
check eval 'pexec symlink "$W/plan.json" "$ADT" "${PLAN[@]}" -o "$W/plan.json" &&
	victim_ok && ours "$W/plan.json" 600 && jq -e . "$W/plan.json" >/dev/null &&
	[ -n "$(find "$W" -name "plan.json.tmp.*" -type l -lname "$V")" ] && no_temps'
fresh
nb ln -s "$V" "$W/plan.json"
NAME="plan -o: a symlink planted at the target is replaced, not followed"
check eval 'run 0 "$ADT" "${PLAN[@]}" -o "$W/plan.json" && victim_ok && ours "$W/plan.json" 600'
fresh
nb sh -c "echo '{\"evil\": true}' >'$W/plan.json' && chmod 666 '$W/plan.json'"
NAME="plan -o: files planted by another user leave a plan only root can edit"
check eval 'pexec file "$W/plan.json" "$ADT" "${PLAN[@]}" -o "$W/plan.json" &&
	ours "$W/plan.json" 600 && jq -e ".no_op == false" "$W/plan.json" >/dev/null &&
	! nb sh -c "echo x >>\"$W/plan.json\"" 2>/dev/null &&
	[ "$(cat "$W"/plan.json.tmp.*)" = planted ] && no_temps'
# --- apply PLAN.json: only a plan nobody else could have edited since the review ---
fresh
run 0 "$ADT" "${PLAN[@]}" -o "$T/reviewed.json"
nb sh -c "cat >'$W/theirs.json'" <"$T/reviewed.json"
NAME="apply PLAN.json: a plan owned by another user is refused before anything else"
check eval 'run 1 "$ADT" apply --auto-approve "$W/theirs.json" && grep -q "is owned by uid 65534" "$T/err" &&
	grep -q "could have changed the plan after it was reviewed" "$T/err"'
NAME="show PLAN.json: an auditor may still look at it"
check eval 'run 0 "$ADT" show "$W/theirs.json" && grep -q "^Plan:" "$T/out"'
cp "$T/reviewed.json" "$W/open.json" && chmod 0666 "$W/open.json"
NAME="apply PLAN.json: root's plan that others may write is refused"
check eval 'run 1 "$ADT" apply --auto-approve "$W/open.json" && grep -q "writable by other users (mode 0666)" "$T/err"'
nb ln -s "$T/reviewed.json" "$W/link.json"
NAME="apply PLAN.json: a symlink planted in its place is not followed"
check eval 'run 1 "$ADT" apply --auto-approve "$W/link.json" && grep -q "symbolic link" "$T/err"'
NAME="apply PLAN.json: root's own 0600 plan passes the file checks (then: planned on a snapshot)"
check eval 'run 1 "$ADT" apply --auto-approve "$T/reviewed.json" && grep -q "planned against the snapshot" "$T/err"'
dom=$(sed -n 's/^dnsRoot: //p' examples/snapshots/demo/*.ldif | head -1)
fresh
nb ln -s "$V" "$W/exp.yaml"
NAME="export -o: symlinks at the target and the temp name are not followed"
check eval 'pexec symlink "$W/exp.yaml" "$ADT" export --domain "$dom" --snapshot examples/snapshots/demo -o "$W/exp.yaml" &&
	victim_ok && ours "$W/exp.yaml" 644 && run 0 "$ADT" validate -f "$W/exp.yaml"'

# --- drift --metrics into a textfile collector's directory ---
D=$T/d
mkdir -p "$D/state" && chmod 0700 "$D/state"
cp examples/netdom/realm-inbound.yaml "$D/trusts.yaml"
S0=examples/snapshots/realm-inbound
DRIFT=(drift -f "$D/trusts.yaml" --snapshot "$S0" --state-dir "$D/state")
BAD=(drift -f "$D/trusts.yaml" --snapshot "$T/nonexistent" --state-dir "$D/state")
fresh
nb ln -s "$V" "$W/x.prom"
NAME="drift --metrics: symlinks at the target and the temp name are not followed"
check eval 'pexec symlink "$W/x.prom" "$ADT" "${DRIFT[@]}" --metrics "$W/x.prom" &&
	victim_ok && ours "$W/x.prom" 644 && grep -q "^adtrust_drift_check_success 1$" "$W/x.prom"'
fresh
nb mkfifo "$W/x.prom"
NAME="drift --metrics: a FIFO as the previous metrics file does not hang a failed run"
check eval 'run 1 "$ADT" "${BAD[@]}" --metrics "$W/x.prom" && grep -q "FIFO" "$T/err" &&
	ours "$W/x.prom" 644 && grep -q "^adtrust_drift_check_success 0$" "$W/x.prom"'
fresh
nb ln -s /dev/zero "$W/x.prom"
NAME="drift --metrics: a /dev/zero link as the previous metrics file is not read"
check eval 'run 1 "$ADT" "${BAD[@]}" --metrics "$W/x.prom" && grep -q "symbolic link" "$T/err" &&
	ours "$W/x.prom" 644'
fresh
nb sh -c "printf 'adtrust_drift_last_success_timestamp_seconds 12345\n' >'$W/x.prom'"
NAME="drift --metrics: another user's last success time is not carried over"
check eval 'run 1 "$ADT" "${BAD[@]}" --metrics "$W/x.prom" && ours "$W/x.prom" 644 &&
	! grep -q " 12345$" "$W/x.prom" && grep -q "owned by uid 65534" "$T/err"'

# --- the state directory and the applied records drift reads ---
key=$(printf %s "$(realpath "$D/trusts.yaml")" | sha256sum | cut -c1-16)
R=applied-$key.yaml
# a record that would turn the live state's drift into "pending"
sed 's/encryption: \[aes128, aes256\]/encryption: [aes256]/' "$D/trusts.yaml" >"$T/forged.yaml"
cp "$D/trusts.yaml" "$D/state/$R" && chmod 0600 "$D/state/$R"
NAME="drift: a record adtrust wrote in a state directory of root's is used"
check eval 'run 0 "$ADT" "${DRIFT[@]}" && grep -q "^No drift: the live trusts match what was last applied" "$T/out"'
refused() { ! grep -qE '^(Pending|Drift|No drift)' "$T/out"; }
S=$T/shared/state
fresh
mkdir -m 1777 "$S"
nb cp "$T/forged.yaml" "$S/$R"
NAME="drift: a world-writable state directory is refused, its planted record unread"
check eval 'run 1 "$ADT" drift -f "$D/trusts.yaml" --snapshot "$S0" --state-dir "$S" && refused &&
	grep -q "unsafe state directory: .$S. is writable by other users (mode 1777): chmod go-w it" "$T/err"'
fresh
nb mkdir -m 0700 "$S"
nb cp "$T/forged.yaml" "$S/$R"
NAME="drift: a state directory another user made is refused"
check eval 'run 1 "$ADT" drift -f "$D/trusts.yaml" --snapshot "$S0" --state-dir "$S" && refused &&
	grep -q "is owned by uid 65534 (nobody).*chown it, or use --state-dir" "$T/err"'
fresh
nb ln -s "$D/state" "$S"
NAME="drift: a state directory that is a symlink is refused"
check eval 'run 1 "$ADT" drift -f "$D/trusts.yaml" --snapshot "$S0" --state-dir "$S" && refused &&
	grep -q "is a symbolic link" "$T/err"'
record_case() { # NAME WANT_IN_ERR: drift must refuse the record now in D/state
	NAME=$1 WANT=$2
	check eval 'run 1 "$ADT" "${DRIFT[@]}" && refused && grep -q "$WANT" "$T/err"'
	rm -f "$D/state/$R"
}
cp "$T/forged.yaml" "$D/state/$R" && chmod 0600 "$D/state/$R" && chown 65534:65534 "$D/state/$R"
record_case "drift: a record owned by another user is refused" "is owned by uid 65534"
cp "$T/forged.yaml" "$D/state/$R" && chmod 0664 "$D/state/$R"
record_case "drift: a record others may write is refused" "writable by other users (mode 0664)"
ln -s /dev/zero "$D/state/$R"
record_case "drift: a record linked to /dev/zero is refused without reading it" "is a symbolic link"
mkfifo "$D/state/$R"
record_case "drift: a FIFO as the record does not hang" "FIFO"
head -c $((17 << 20)) /dev/zero | tr '\0' '#' >"$D/state/$R" && chmod 0600 "$D/state/$R"
record_case "drift: a record over 16 MiB (the one input cap) is refused, saying why" "a desired-state file is at most 16 MiB"

# --- locks and records written: the real cmd/state.o, driven directly ---
cat >"$T/state_cli.c" <<'EOF'
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "cmd/state.h"
#include "util/err.h"
#include "util/safefile.h"

/* as cmd/common.c has it (common.o would bring in every module) */
int cmd_write_file(const char *path, const char *data, size_t len,
                   unsigned mode, struct err *err);
int
cmd_write_file(const char *path, const char *data, size_t len, unsigned mode,
               struct err *err)
{
	return safefile_write(path, data, len, (mode_t)mode, err);
}

int
main(int argc, char **argv)
{
	struct state_locks l = {0};
	struct err err;

	err_init(&err);
	if (argc == 4 && strcmp(argv[1], "lock") == 0) {
		if (state_locks_take(&l, argv[2], &argv[3], 1, 0, &err) < 0)
			goto fail;
		state_locks_release(&l);
		return 0;
	}
	if (argc == 5 && strcmp(argv[1], "record") == 0) {
		if (state_applied_write(argv[2], argv[3], argv[4], &err) < 0)
			goto fail;
		return 0;
	}
	fprintf(stderr, "usage: state_cli lock DIR DOMAIN | record DIR PATH TEXT\n");
	return 64;
fail:
	fprintf(stderr, "state_cli: %s\n", err.msg);
	return 1;
}
EOF
san=
nm "$B/cmd/state.o" 2>/dev/null | grep -q __asan_ && san="$san,address"
nm "$B/cmd/state.o" 2>/dev/null | grep -q __ubsan_ && san="$san,undefined"
SC=$T/state_cli
if ! cc -std=c11 -D_DEFAULT_SOURCE -I. ${san:+-fsanitize=${san#,}} -o "$SC" "$T/state_cli.c" \
	"$B/cmd/state.o" "$B/libadtrust.a" $(pkg-config --libs gnutls) >"$T/err" 2>&1; then
	ko "build a driver of $B/cmd/state.o"
	SC=false
fi
L=$T/locks
mkdir -m 0700 "$L"
NAME="locks: a state directory of root's is used, the lock left 0600 and empty"
check eval 'run 0 "$SC" lock "$L" A.Test && ours "$L/lock-a.test" 600 && [ ! -s "$L/lock-a.test" ]'
NAME="locks: a missing state directory is created 0700"
check eval 'run 0 "$SC" lock "$L/new" a.test && [ "$(stat -c %a:%U "$L/new")" = 700:root ]'
fresh
mkdir -m 0777 "$S"
nb ln -s "$V" "$S/lock-a.test"
NAME="locks: a world-writable state directory is refused; the victim is not truncated"
check eval 'run 1 "$SC" lock "$S" a.test && grep -q "writable by other users (mode 0777)" "$T/err" && victim_ok'
rm -rf "$S"
nb mkdir -m 0755 "$S"
nb ln -s "$V" "$S/lock-a.test"
NAME="locks: another user's state directory is refused; the victim is not truncated"
check eval 'run 1 "$SC" lock "$S" a.test && grep -q "is owned by uid 65534" "$T/err" && victim_ok'
ln -s "$V" "$L/lock-b.test" # left from when the directory was open
NAME="locks: a lock file that is a symlink is refused and its target not truncated"
check eval 'run 1 "$SC" lock "$L" b.test && grep -q "lock-b.test. is a symbolic link" "$T/err" && victim_ok'
echo "host=x pid=1" >"$L/lock-c.test" && chown 65534:65534 "$L/lock-c.test"
NAME="locks: another user's lock file is refused and not truncated"
check eval 'run 1 "$SC" lock "$L" c.test && grep -q "is owned by uid 65534" "$T/err" &&
	[ "$(cat "$L/lock-c.test")" = "host=x pid=1" ]'
mkfifo "$L/lock-d.test"
NAME="locks: a FIFO as the lock file is refused without hanging"
check eval 'run 1 "$SC" lock "$L" d.test && grep -q "FIFO" "$T/err"'
mkdir "$L/lock-x"
NAME="locks: a domain name cannot reach outside the state directory"
check eval 'run 1 "$SC" lock "$L" x/../../passwd && grep -q "can name a lock file" "$T/err" && victim_ok'
ln -s "$V" "$L/applied-$key.yaml"
NAME="records: a symlink at the applied record is replaced, not followed"
check eval 'run 0 "$SC" record "$L" "$D/trusts.yaml" "version: 1" && victim_ok &&
	ours "$L/applied-$key.yaml" 600 && [ "$(cat "$L/applied-$key.yaml")" = "version: 1" ]'
fresh
nb mkdir -m 0700 "$S"
NAME="records: nothing is written into another user's state directory"
check eval 'run 1 "$SC" record "$S" "$D/trusts.yaml" "version: 1" && [ -z "$(ls -A "$S")" ]'

echo
echo "files: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
