# Shared start of the adtrust lab tests (t_20, t_30, t_40).  Source it with
# NAME set:   NAME=t_20; . "$(dirname "$0")/adt.sh" "$@"
# It checks root and the lab (exit 77 = skipped), finds the build
# ($1, else the directory of $ADTRUST, else build/), makes $T, and defines:
#   ok/bad NAME      count a check (bad shows the end of $T/out)
#   adt WANT args    adtrust in the lab netns; stdout+stderr in $T/out (also
#                    appended to $T/all), stdout alone in $T/stdout; WANT '-'
#                    accepts any exit code
#   has TEXT         $T/out contains TEXT
#   adt_done         prints "NAME: N passed, N failed" and sets the exit code
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
B=$(realpath "${1:-$(dirname "${ADTRUST:-build/adtrust}")}")
cd "$TOP"
. "$HERE/env.sh"
[ "$(id -u)" = 0 ] || { echo "$NAME: needs root (lab netns) - skipped"; exit 77; }
lab_lock
lab_healthy || { echo "$NAME: lab not up (tests/lab/up.sh) - skipped"; exit 77; }
[ -x "$B/adtrust" ] && [ -x "$B/adtrust-lsa" ] ||
	{ echo "$NAME: build $B/adtrust and adtrust-lsa first"; exit 1; }
T=$LAB/tmp/$NAME
rm -rf "$T"
mkdir -p "$T"
# applied records, locks and journals of this lab only: /var/lib/adtrust is shared by every lab
# (and worktree) on the machine, and a journal another lab's run left there is "an interrupted
# apply" of the same a.test/b.test here
export ADTRUST_STATE_DIR=${ADTRUST_STATE_DIR:-$LAB/state}
mkdir -p -m 700 "$ADTRUST_STATE_DIR"
export ADTRUST_LSA=$B/adtrust-lsa
PASS=0 FAIL=0
ok() { PASS=$((PASS + 1)); echo "ok - $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL - $*"; sed 's/^/    /' "$T/out" | tail -25; }
adt() {
	local want=$1 rc
	shift
	nsx "$B/adtrust" --no-color "$@" >"$T/stdout" 2>"$T/stderr" </dev/null
	rc=$?
	cat "$T/stdout" "$T/stderr" >"$T/out"
	cat "$T/out" >>"$T/all"
	[ "$want" = - ] || [ "$rc" -eq "$want" ] ||
		{ echo "    adtrust $* -> exit $rc, want $want"; return 1; }
}
has() { grep -q -- "$1" "$T/out"; }
adt_done() {
	echo "$NAME: $PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
}
