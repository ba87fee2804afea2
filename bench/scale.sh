#!/bin/bash
# bench/scale.sh: does adtrust stay linear as files grow?  (issue 9)
#   offline plan (--snapshot) of 1k, 5k, 10k and 50k trusts, t(50k)/t(5k);
#   validate of 10k trusts: time and peak RSS;
#   the LDAP read of 50 domains x 200 objects at 20 ms one-way latency
#   against one domain (bench/read_concurrency.sh, root only).
# Timing: /usr/bin/time per run, median of -r runs (default 5), after one
# warm-up.  Usage: bench/scale.sh [-r RUNS] [-L] (-L: skip the LDAP part)
set -euo pipefail
cd "$(dirname "$0")/.."
ADT=${ADTRUST:-build/adtrust}
RUNS=5 LDAP=1
while getopts r:Lh o; do
	case $o in
	r) RUNS=$OPTARG ;;
	L) LDAP=0 ;;
	*) sed -n '2,9p' "$0"; exit 64 ;;
	esac
done
[ -x "$ADT" ] || { echo "build $ADT first (make $ADT)" >&2; exit 1; }
W=$(mktemp -d /tmp/adtrust-scale.XXXXXX)
trap 'rm -rf "$W"' EXIT
export SCALE_TRUST_PW=unused-offline

# median wall seconds and max RSS (KiB) of RUNS runs of "$@"
measure() {
	local i t=() m=() out
	"$@" >/dev/null 2>&1 || true
	for ((i = 0; i < RUNS; i++)); do
		/usr/bin/time -f '%e %M' -o "$W/time" "$@" >/dev/null 2>&1 || true
		out=$(tail -1 "$W/time")
		t+=("${out% *}") m+=("${out#* }")
	done
	printf '%s %s\n' "$(printf '%s\n' "${t[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p")" \
		"$(printf '%s\n' "${m[@]}" | sort -n | tail -1)"
}

echo "adtrust scale: $(nproc) cores, $RUNS runs each (median wall, max RSS)"
declare -A T
for n in 1000 5000 10000 50000; do
	python3 bench/gen_scale.py "$n" "$W/$n"
	read -r t m < <(measure "$ADT" plan -f "$W/$n/trusts.yaml" --snapshot "$W/$n/snapshot")
	T[$n]=$t
	printf '  plan --snapshot %6d trusts: %6.3f s  %6d MiB\n' "$n" "$t" $((m / 1024))
done
read -r vt vm < <(measure "$ADT" validate -f "$W/10000/trusts.yaml")
printf '  validate        %6d trusts: %6.3f s  %6d MiB\n' 10000 "$vt" $((vm / 1024))
ratio=$(awk -v a="${T[50000]}" -v b="${T[5000]}" 'BEGIN { printf "%.2f", a / b }')
echo "  t(50k)/t(5k) = $ratio (linear: 10)"
fail=0
awk -v t="$vt" 'BEGIN { exit !(t < 0.150) }' || { echo "  MISS validate 10k >= 150 ms"; fail=1; }
[ $((vm / 1024)) -lt 64 ] || { echo "  MISS validate 10k >= 64 MiB"; fail=1; }
awk -v t="${T[50000]}" 'BEGIN { exit !(t < 3) }' || { echo "  MISS plan 50k >= 3 s"; fail=1; }
awk -v r="$ratio" 'BEGIN { exit !(r <= 12) }' || { echo "  MISS t(50k)/t(5k) > 12"; fail=1; }

if [ "$LDAP" = 1 ]; then
	echo
	echo "LDAP read, 50 domains x 200 objects, 20 ms one-way (bench/read_concurrency.sh):"
	if bash bench/read_concurrency.sh -n "1 50" -m 200 -d 20 -r "$RUNS" >"$W/ldap.log" 2>&1; then :; else rc=$?; [ $rc -eq 77 ] && echo "  skipped (not root)"; fi
	grep -E '^ +(1|50) |PASS|FAIL' "$W/ldap.log" || tail -5 "$W/ldap.log"
	r50=$(awk '$1 == 50 { print $7 }' "$W/ldap.log")
	[ -z "$r50" ] || awk -v r="$r50" 'BEGIN { exit !(r <= 1.2) }' || { echo "  MISS 50 domains > 1.2x one domain"; fail=1; }
fi
exit $fail
