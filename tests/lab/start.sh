#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# Start stopped DC(s) of a provisioned lab and wait for LDAP. Usage: start.sh [a] [b]  (default both)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/env.sh"
[ -e "$LAB/provisioned" ] || { echo "start.sh: lab not provisioned - run up.sh" >&2; exit 1; }
T0=$(now)
if [ $# = 0 ]; then set -- a b; fi
lab_start_dc "$@"
echo "started: $(since "$T0") s"
