#!/bin/bash
# bench/scale.sh: does adtrust stay linear as files grow?  (issue 9)
#   offline plan (--snapshot) of 1k, 5k, 10k and 50k trusts, t(50k)/t(5k);
#   validate of 10k trusts: time and peak RSS;
#   the LDAP read of 50 domains x 200 objects at 20 ms one-way latency
#   against one domain (bench/read_concurrency.sh, root only).
# Timing: bash's $EPOCHREALTIME around each run, peak RSS from
# /usr/bin/time; the median of -r rounds (default 5) after one warm-up.  Usage: bench/scale.sh [-r RUNS] [-L] (-L: skip the LDAP part)
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

# Every configuration once untimed, then RUNS rounds round-robin over all
# of them (load from elsewhere on the machine hits each alike); each run's
# wall seconds and max RSS (KiB) go to $W/t.<config>.
run_one() { # config command...: wall from bash's clock (us), RSS from time
	local c=$1 t0 t1
	shift
	t0=${EPOCHREALTIME/./}
	/usr/bin/time -f '%M' -o "$W/time" "$@" >/dev/null 2>&1 || true
	t1=${EPOCHREALTIME/./}
	echo "$(awk -v d=$((t1 - t0)) 'BEGIN { printf "%.4f", d / 1e6 }') $(tail -1 "$W/time")" >>"$W/t.$c"
}
median() { awk '{ print $1 }' "$W/t.$1" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
maxrss() { awk '{ print $2 }' "$W/t.$1" | sort -n | tail -1; }

echo "adtrust scale: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $RUNS rounds (median wall, max RSS)"
SIZES="1000 5000 10000 50000"
for n in $SIZES; do python3 bench/gen_scale.py "$n" "$W/$n"; done
configs=()
for n in $SIZES; do configs+=("plan$n"); done
configs+=(validate10000)
cmd_of() {
	case $1 in
	plan*) echo "$ADT plan -f $W/${1#plan}/trusts.yaml --snapshot $W/${1#plan}/snapshot" ;;
	validate*) echo "$ADT validate -f $W/${1#validate}/trusts.yaml" ;;
	esac
}
for c in "${configs[@]}"; do
	# shellcheck disable=SC2046
	run_one warmup $(cmd_of "$c")
done
for ((r = 0; r < RUNS; r++)); do
	for c in "${configs[@]}"; do
		# shellcheck disable=SC2046
		run_one "$c" $(cmd_of "$c")
	done
done
declare -A T
for n in $SIZES; do
	T[$n]=$(median "plan$n")
	printf '  plan --snapshot %6d trusts: %6.3f s  %6d MiB\n' "$n" "${T[$n]}" $(($(maxrss "plan$n") / 1024))
done
vt=$(median validate10000) vm=$(maxrss validate10000)
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
	rc=0
	bash bench/read_concurrency.sh -n "1 50" -m 200 -d 20 -r "$RUNS" >"$W/ldap.log" 2>&1 || rc=$?
	[ $rc -ne 77 ] || echo "  skipped (not root)"
	grep -E '^ +N +plan|^ +(1|50) ' "$W/ldap.log" || tail -5 "$W/ldap.log"
	p1=$(awk '$1 == 1 && NF == 8 { print $2 }' "$W/ldap.log")
	p50=$(awk '$1 == 50 && NF == 8 { print $2 }' "$W/ldap.log")
	r50=$(awk '$1 == 50 && NF == 8 { print $7 }' "$W/ldap.log")
	if [ -n "$p1" ] && [ -n "$p50" ]; then
		echo "  plan(50 domains) / plan(1 domain) = $(awk -v a="$p50" -v b="$p1" 'BEGIN { printf "%.2f", a / b }');" \
			"/ slowest single domain = $r50"
		awk -v r="$r50" 'BEGIN { exit !(r <= 1.2) }' || { echo "  MISS 50 domains > 1.2x one domain"; fail=1; }
	fi
fi
exit $fail
