#!/bin/bash
# bench/read_concurrency.sh -- does `adtrust plan` read its domains concurrently?
#
# In a private network namespace, one slapd per domain ("one DC per domain",
# 16 of them on 127.0.0.11..26) serves an AD-like domain: rootDSE values,
# domainDNS object with objectSid, crossRef with nETBIOSName, M trustedDomain
# objects under CN=System.  Every LDAP round trip costs 2*DELAY ms: with
# `tc qdisc ... netem delay DELAY` on the namespace's lo when the kernel has
# netem, else through bench/delayrelay.c (an epoll TCP relay adding DELAY each
# way, built here with cc).
# Then it times `adtrust plan -f X.yaml` over N = 1 2 4 8 16 domains against
# each domain read alone, and prints the ratios.
#
# usage: bench/read_concurrency.sh [-n "1 2 4 8 16"] [-m TDOS] [-r RUNS] [-d DELAY_MS]
#                                  [-l auto|netem|relay] [-S] [-k]
#   -n  domain counts (max 99)        -m  trustedDomain objects per domain (50)
#   -r  runs per configuration (5; the median is reported)
#   -d  one-way delay in ms (25)      -l  how to add it (auto: netem if the kernel has it)
#   -S  also a control run: plan over the largest N with pthread_create failing
#       (LD_PRELOAD of bench/nothreads.c; ldap.c then reads serially)
#   -k  keep the work directory (slapd logs, YAML) under /tmp
# env: ADTRUST (default build/adtrust), PYTHON (default /usr/bin/python3)
# Exit: 0 when plan over the largest N is within 2x of its slowest single
#       domain, 1 when it is not or something failed, 77 when not root.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
NS=adtrust-bench
PY=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3 || echo python3)}

# ---------------------------------------------------------------------------
# Inner part, run inside the namespace: the timing loop only.
#   read_concurrency.sh __measure WORK RUNS MAXDOM "NS..." [SHIM.so]
# Writes WORK/times/<config> (wall us per run) and <config>.cpu (adtrust CPU ms),
# and checks that every run succeeded and planned no changes.
# ---------------------------------------------------------------------------
now_us() { echo "${EPOCHREALTIME/./}"; } # bash 5: microseconds, no fork
if [ "${1:-}" = __measure ]; then
	WORK=$2 RUNS=$3 MAXDOM=$4 COUNTS=$5 SHIM=${6:-}
	mkdir -p "$WORK/times" "$WORK/out"
	LASTN=${COUNTS##* }
	configs=()
	for i in $(seq 1 "$MAXDOM"); do configs+=("single$i"); done
	for n in $COUNTS; do configs+=("plan$n"); done
	[ -n "$SHIM" ] && configs+=("serial")
	TIMEFORMAT='%3U %3S'
	run_one() { # config -> appends wall time (us) to times/C, adtrust's CPU (ms) to times/C.cpu
		local c=$1 want t0 t1 rc=0 y=$1 pre=
		case $c in
		single*) want=1 ;;
		plan*) want=${c#plan} ;;
		serial) want=$LASTN y=plan$LASTN pre=$SHIM ;;
		esac
		t0=${EPOCHREALTIME/./}
		{ time LD_PRELOAD=$pre "$ADTRUST" plan -f "$WORK/$y.yaml" >"$WORK/out/$c" 2>&1; } 2>"$WORK/cpu" || rc=$?
		t1=${EPOCHREALTIME/./}
		if [ $rc -ne 0 ] || ! grep -q "^No changes\. The live trusts of $want domains\? match" "$WORK/out/$c"; then
			echo "read_concurrency: '$c' failed (rc=$rc):" >&2
			sed 's/^/    /' "$WORK/out/$c" >&2
			return 1
		fi
		echo $((t1 - t0)) >>"$WORK/times/$c"
		awk '{ printf "%d\n", ($1 + $2) * 1000 }' "$WORK/cpu" >>"$WORK/times/$c.cpu"
	}
	# one untimed warm-up per config (slapd page cache, libldap init), then
	# RUNS rounds, round-robin so slow drift hits every config alike
	for c in "${configs[@]}"; do
		run_one "$c"
		rm -f "$WORK/times/$c" "$WORK/times/$c.cpu"
	done
	for _ in $(seq 1 "$RUNS"); do
		for c in "${configs[@]}"; do run_one "$c"; done
	done
	exit 0
fi

# ---------------------------------------------------------------------------
# Outer part.
# ---------------------------------------------------------------------------
COUNTS="1 2 4 8 16" M=50 RUNS=5 DELAY=25 LAT=auto KEEP=0 SERIAL=0
while getopts n:m:r:d:l:Skh o; do
	case $o in
	n) COUNTS=$OPTARG ;;
	m) M=$OPTARG ;;
	r) RUNS=$OPTARG ;;
	d) DELAY=$OPTARG ;;
	l) LAT=$OPTARG ;;
	S) SERIAL=1 ;;
	k) KEEP=1 ;;
	*) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || {
	echo "read_concurrency: needs root (network namespace, tc) - skipped" >&2
	exit 77
}
COUNTS=$(tr -s ' \t' '\n' <<<"$COUNTS" | grep . | sort -n | uniq | tr '\n' ' ')
COUNTS=${COUNTS% }
MAXDOM=0
for n in $COUNTS; do
	case $n in '' | *[!0-9]*) echo "bad -n value '$n'" >&2; exit 2 ;; esac
	if [ "$n" -lt 1 ] || [ "$n" -gt 99 ]; then echo "-n values must be 1..99" >&2; exit 2; fi
	[ "$n" -gt "$MAXDOM" ] && MAXDOM=$n
done
ADTRUST=$(realpath -m "${ADTRUST:-$TOP/build/adtrust}")
export ADTRUST
for tool in ip tc slapd slapadd ldapsearch cc "$PY"; do
	command -v "$tool" >/dev/null || { echo "read_concurrency: '$tool' not found" >&2; exit 1; }
done
[ -x "$ADTRUST" ] || { echo "read_concurrency: no $ADTRUST (make build/adtrust)" >&2; exit 1; }
if ip netns list | grep -qw "^$NS"; then
	echo "read_concurrency: netns '$NS' already exists (another run? a stale one:" \
		"ip netns del $NS)" >&2
	exit 1
fi

WORK=$(mktemp -d /tmp/adtrust-bench.XXXXXX)
PIDS=()
MEASURE_PID=
NS_MADE=0
cleanup() {
	local rc=$? p i
	set +e # best effort from here: one failure must not skip the rest
	trap - EXIT INT TERM
	[ -n "$MEASURE_PID" ] && { kill "$MEASURE_PID" 2>/dev/null; wait "$MEASURE_PID" 2>/dev/null; }
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do # slapd exits within ms; KILL after ~2 s
		for i in $(seq 1 40); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	[ $NS_MADE = 1 ] && { ip netns del "$NS" || echo "read_concurrency: cannot delete netns $NS" >&2; }
	if [ $KEEP = 1 ]; then echo "work directory kept: $WORK" >&2; else rm -rf "$WORK"; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
nsx() { ip netns exec "$NS" "$@"; }

ip netns add "$NS"
NS_MADE=1
nsx ip link set lo up # 127.0.0.0/8 is local on lo: any 127.0.0.x can be bound

# ---- latency ----
if [ "$LAT" != relay ] && nsx tc qdisc add dev lo root netem delay "${DELAY}ms" 2>"$WORK/tc.err"; then
	LAT=netem
elif [ "$LAT" = netem ]; then
	echo "read_concurrency: tc netem failed: $(cat "$WORK/tc.err")" >&2
	exit 1
else
	LAT=relay
fi
ip_of() { echo "127.0.0.$((10 + $1))"; } # as gen_domains.py dc_ip()

# ---- one slapd per domain ----
t_setup=$(now_us)
for i in $(seq 1 "$MAXDOM"); do
	D=$WORK/dc$i
	mkdir -p "$D/db"
	"$PY" "$HERE/gen_domains.py" ldif "$i" "$M" "$D"
	base=$(printf 'DC=d%02d,DC=bench,DC=test' "$i")
	cat >"$D/slapd.conf" <<-EOF
		include /etc/ldap/schema/core.schema
		include /etc/ldap/schema/cosine.schema
		include $HERE/ad-bench.schema
		pidfile $D/slapd.pid
		argsfile $D/slapd.args
		modulepath /usr/lib/ldap
		moduleload back_mdb
		rootDSE $D/rootdse.ldif
		database mdb
		maxsize 104857600
		suffix "$base"
		rootdn "CN=admin,$base"
		directory $D/db
		index objectClass eq
		# anonymous paged searches past slapd's default sizelimit of 500
		limits anonymous size.soft=500 size.prtotal=unlimited
		access to attrs=trustAuthIncoming,trustAuthOutgoing by * none
		access to * by * read
	EOF
	slapadd -q -f "$D/slapd.conf" -l "$D/data.ldif" 2>"$D/slapadd.log" ||
		{ cat "$D/slapadd.log" >&2; exit 1; }
	# ip netns exec execs slapd: $! is slapd's own PID; -d 0 keeps it in the foreground
	ip netns exec "$NS" slapd -d 0 -h "ldap://$(ip_of "$i"):3890/" -f "$D/slapd.conf" >"$D/slapd.log" 2>&1 &
	PIDS+=($!)
done
# all ready? (direct to port 3890, one ip netns exec for all of them)
# shellcheck disable=SC2016
if ! nsx bash -c '
	for i in $(seq 1 "$1"); do
		n=0
		until ldapsearch -x -H "ldap://127.0.0.$((10 + i)):3890/" -s base -b "" -LLL 1.1 >/dev/null 2>&1; do
			n=$((n + 1)); [ $n -gt 400 ] && { echo "slapd $i did not start" >&2; exit 1; }
			sleep 0.01
		done
	done' - "$MAXDOM"; then
	for i in $(seq 1 "$MAXDOM"); do sed "s/^/    dc$i: /" "$WORK/dc$i/slapd.log" >&2; done
	exit 1
fi
for i in $(seq 1 "$MAXDOM"); do # cleanup kills PIDS: they must be the daemons themselves
	[ "$(cat "$WORK/dc$i/slapd.pid")" = "${PIDS[$((i - 1))]}" ] ||
		{ echo "read_concurrency: slapd $i PID mismatch" >&2; exit 1; }
done
if [ $LAT = relay ]; then
	specs=()
	for i in $(seq 1 "$MAXDOM"); do specs+=("$(ip_of "$i"):389=$(ip_of "$i"):3890"); done
	cc -O2 -o "$WORK/delayrelay" "$HERE/delayrelay.c"
	# ip netns exec execs the relay: $! is its PID
	ip netns exec "$NS" "$WORK/delayrelay" "$DELAY" "${specs[@]}" >"$WORK/relay.out" 2>&1 &
	PIDS+=($!)
	for _ in $(seq 1 400); do grep -qs ready "$WORK/relay.out" && break; sleep 0.01; done
	grep -qs ready "$WORK/relay.out" || { cat "$WORK/relay.out" >&2; exit 1; }
	URI_FMT='ldap://{host}/'
else
	URI_FMT='ldap://{host}:3890/'
fi
t_ready=$(now_us)

# ---- desired-state files ----
yaml() { local out=$1; shift; "$PY" "$HERE/gen_domains.py" yaml "$URI_FMT" "$@" >"$out"; }
for i in $(seq 1 "$MAXDOM"); do yaml "$WORK/single$i.yaml" "$i"; done
for n in $COUNTS; do yaml "$WORK/plan$n.yaml" $(seq 1 "$n"); done

# ---- measure (inside the namespace) ----
echo "adtrust plan read concurrency: $MAXDOM DCs (one slapd each), $M trustedDomain objects per domain,"
echo "one-way delay ${DELAY} ms via $LAT (round trip $((2 * DELAY)) ms), $RUNS timed runs per configuration (median)"
echo "setup (LDIF, slapadd, $MAXDOM slapd up$([ $LAT = relay ] && echo ', relay')): $(((t_ready - t_setup) / 1000)) ms"
# in the background + wait, so that INT/TERM reach the trap at once
SHIM=
if [ $SERIAL = 1 ]; then
	SHIM=$WORK/nothreads.so
	cc -shared -fPIC -O2 -o "$SHIM" "$HERE/nothreads.c"
fi
ip netns exec "$NS" bash "$HERE/read_concurrency.sh" __measure "$WORK" "$RUNS" "$MAXDOM" "$COUNTS" "$SHIM" &
MEASURE_PID=$!
wait "$MEASURE_PID"
MEASURE_PID=

# ---- report ----
"$PY" - "$WORK/times" "$COUNTS" "$MAXDOM" "$DELAY" <<-'PYEOF'
	import statistics, sys, os
	d, counts, maxdom, delay = sys.argv[1], [int(x) for x in sys.argv[2].split()], int(sys.argv[3]), int(sys.argv[4])
	def med(name):
	    with open(os.path.join(d, name)) as f:
	        return statistics.median(int(x) for x in f) / 1000.0
	single = {i: med(f"single{i}") for i in range(1, maxdom + 1)}
	rtt = 2 * delay
	s = sorted(single.values())
	rt = f" (= {s[0] / rtt:.1f}..{s[-1] / rtt:.1f} round trips of {rtt} ms)" if rtt else ""
	print(f"single-domain medians: min {s[0]:.0f} ms, max {s[-1]:.0f} ms{rt}")
	print()
	hdr = ("N", "plan ms", "(cpu ms)", "single med ms", "single max ms", "single sum ms", "plan/max", "plan/sum")
	print("%3s  %8s  %8s  %13s  %13s  %13s  %8s  %8s" % hdr)
	last = None
	for n in counts:
	    p = med(f"plan{n}")
	    sv = [single[i] for i in range(1, n + 1)]
	    mx, sm, md = max(sv), sum(sv), statistics.median(sv)
	    cpu = med(f"plan{n}.cpu") * 1000.0
	    print("%3d  %8.0f  %8.0f  %13.0f  %13.0f  %13.0f  %8.2f  %8.2f" % (n, p, cpu, md, mx, sm, p / mx, p / sm))
	    last = (n, p, mx)
	n, p, mx = last
	if os.path.exists(os.path.join(d, "serial")):
	    q = med("serial")
	    sm = sum(single[i] for i in range(1, n + 1))
	    print()
	    print(f"control (-S: pthread_create fails, so ldap.c reads one domain after another): "
	          f"plan over N={n} took {q:.0f} ms = {q / mx:.2f}x the slowest single, "
	          f"{q / sm:.2f}x the sum")
	ok = p <= 2 * mx
	print()
	print(f"{'PASS' if ok else 'FAIL'}: plan over N={n} domains took {p:.0f} ms, "
	      f"{p / mx:.2f}x the slowest single domain ({mx:.0f} ms): "
	      f"{'within' if ok else 'NOT within'} 2x")
	sys.exit(0 if ok else 1)
PYEOF
