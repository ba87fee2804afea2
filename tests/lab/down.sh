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

lab_stop_dc a b
"$HERE/mit.sh" down  # the MIT realms' daemons, by PID
if [ -e "/run/netns/$NETNS" ]; then
  ip netns del "$NETNS"
fi
rm -rf "/etc/netns/$NETNS" "$LAB"
echo "lab down: $(since "$T0") s"
