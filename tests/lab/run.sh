#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"   # `make check-integration` runs us with sh
# Integration-test runner: bring the lab up, run every executable tests/lab/t_*.sh in order, each
# starting from "no trusts" (lab_reset), print PASS/FAIL/SKIP + a summary, then take the lab down.
# Usage: run.sh BUILD_DIR [t_NN_name ...]
#   KEEP_LAB=1      leave the lab running afterwards
#   VERBOSE=1       show every test's output (default: only for failures)
#   TEST_TIMEOUT=s  per-test limit (default 600)
#   Logs: $ADT_LAB_LOGDIR (default /tmp/adtrust-lab-logs), DC logs copied there on failure.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${1:?usage: run.sh BUILD_DIR [t_NN_name ...]}; shift
if [ "$(id -u)" != 0 ]; then
  echo "##################################################################"
  echo "SKIPPED: integration tests need root (network namespaces)"
  echo "##################################################################"
  exit 0
fi
. "$HERE/env.sh"
lab_lock
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
export ADTRUST=$BUILD/adtrust ADTRUST_LSA=$BUILD/adtrust-lsa
LOGDIR=${ADT_LAB_LOGDIR:-$LAB-logs}
rm -rf "$LOGDIR"; mkdir -p "$LOGDIR"

tests=()
if [ $# -gt 0 ]; then
  for n in "$@"; do tests+=("$HERE/${n%.sh}.sh"); done
else
  for t in "$HERE"/t_*.sh; do
    [ -e "$t" ] || continue
    if [ -x "$t" ]; then tests+=("$t"); else echo "note: $(basename "$t") is not executable - ignored"; fi
  done
fi

failed=0 passed=0 skipped=0
finish() {
  if [ "$failed" != 0 ] && [ -d "$LAB/a/log" ]; then
    cp -r "$LAB/a/log" "$LOGDIR/dc-a"; cp -r "$LAB/b/log" "$LOGDIR/dc-b"
  fi
  if [ "${KEEP_LAB:-0}" = 1 ]; then echo "KEEP_LAB=1: lab left running ($LAB, netns $NETNS)"
  else "$HERE/down.sh" >"$LOGDIR/down.log" 2>&1 || echo "warning: down.sh failed, see $LOGDIR/down.log"; fi
}
trap finish EXIT

T0=$(now)
"$HERE/up.sh" || { failed=1; echo "FAIL lab: up.sh failed"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }

for t in "${tests[@]}"; do
  name=$(basename "$t" .sh); log=$LOGDIR/$name.log
  if [ ! -x "$t" ]; then echo "FAIL $name: no such executable test $t"; failed=$((failed+1)); continue; fi
  # every test starts from a healthy lab without trusts; rebuild the lab once if that fails
  if ! { lab_healthy && lab_reset; } >"$LOGDIR/$name.reset.log" 2>&1; then
    echo "lab unhealthy or reset failed before $name - rebuilding (see $LOGDIR/$name.reset.log)"
    { "$HERE/down.sh" && "$HERE/up.sh"; } >>"$LOGDIR/$name.reset.log" 2>&1 ||
      { echo "FAIL $name: could not rebuild the lab"; failed=$((failed+1)); break; }
  fi
  t1=$(now); rc=0
  # timeout(1) makes the test its own process group: whatever it leaves running is killed after
  # it (samba -D restarted by a test is in its own session and survives). fd 9 (lab lock) closed.
  (cd "$HERE/../.." && exec timeout -k 10 "${TEST_TIMEOUT:-600}" "$t") </dev/null >"$log" 2>&1 9>&- &
  tp=$!; wait $tp || rc=$?
  kill -TERM -- "-$tp" 2>/dev/null && echo "run.sh: killed processes $name left behind" >>"$log" || true
  [ "${VERBOSE:-0}" = 1 ] && sed 's/^/    | /' "$log"
  case $rc in
    0)  passed=$((passed+1));   echo "PASS $name ($(since "$t1") s)" ;;
    77) skipped=$((skipped+1)); echo "SKIP $name ($(since "$t1") s): $(grep -m1 '^SKIP' "$log" || true)" ;;
    *)  failed=$((failed+1))
        [ $rc = 124 ] && echo "TIMEOUT after ${TEST_TIMEOUT:-600} s" >>"$log"
        echo "FAIL $name (exit $rc, $(since "$t1") s) - last lines of $log:"
        [ "${VERBOSE:-0}" = 1 ] || tail -n 40 "$log" | sed 's/^/    | /' ;;
  esac
done
echo "integration tests took $(since "$T0") s; logs in $LOGDIR"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
