#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"   # `make lab-down` runs us with sh
# Stop the lab DCs (by PID: only the samba processes we started) and remove all lab state and the
# network namespace. Idempotent.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/env.sh"
[ "$(id -u)" = 0 ] || { echo "down.sh: needs root" >&2; exit 77; }
lab_lock
T0=$(now)

# our processes: the samba master from the pid file, plus anything still running with this DC's
# private smb.conf on its command line (samba's children; found by PID, never by name)
ours() { ps -eo pid=,args= | awk -v c="$LAB/$1/etc/smb.conf" 'index($0, c) {print $1}'; }
pids=()
for x in a b; do
  if pid=$(dc_pid "$x"); then kill -TERM "$pid" 2>/dev/null || true; pids+=("$pid"); fi
done
for i in $(seq 1 100); do            # samba stops its children itself; wait up to 10 s
  alive=0
  for x in a b; do [ -n "$(ours "$x")" ] && alive=1; done
  [ $alive = 0 ] && break
  [ "$i" = 50 ] && for x in a b; do ours "$x" | xargs -r kill -TERM 2>/dev/null || true; done
  sleep 0.1
done
for x in a b; do ours "$x" | xargs -r kill -KILL 2>/dev/null || true; done
[ ${#pids[@]} = 0 ] || echo "stopped samba ${pids[*]} after $(since "$T0") s"

if [ -e "/run/netns/$NETNS" ]; then
  ip netns del "$NETNS"
fi
rm -rf "/etc/netns/$NETNS" "$LAB"
echo "lab down: $(since "$T0") s"
