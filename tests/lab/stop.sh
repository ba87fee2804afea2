#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# Stop DC(s) of the lab by PID, keeping all state (start.sh / up.sh bring them back).
# Usage: stop.sh [a] [b]  (default both)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/env.sh"
if [ $# = 0 ]; then set -- a b; fi
lab_stop_dc "$@"
