#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# t_25: an apply stopped halfway (issue 7), against the two Samba forests.
# adtrust's LSA helper runs behind tests/lab/lsa_delay.py, which logs every
# request and holds each write request (CREATE_TDO, DELETE_TDO, SET_*,
# SC_RESET) back DELAY ms before passing it on, so that a signal sent when
# the log shows write call k lands while call k is in flight.  The calls
# are learned from one undelayed run first.
#  1. A both-sides create (examples/lab/external-two-way.yaml), SIGTERM and
#     SIGINT at each write call k (also SIGHUP once, and SIGTERM then SIGINT
#     during the rollback): exit 128+signal, or 0 when call k was the last
#     step (nothing left to stop: said so); the plan shown before the
#     signal's message; every step's fate in the output, consistent with
#     the DCs; never one side alone (samba-tool on each DC); no journal
#     left; the plan right after never "No changes" while a side is
#     missing; apply converges; verify.
#  2. --rekey a.test:b.test, SIGTERM and SIGINT at each write call k: the
#     trust is finished, never a.test new + b.test old: both sides there and
#     one secret (Kerberos both ways in adtrust verify; a control first
#     shows that two secrets fail it); the plan right after says "No
#     changes" only then; samba-tool validate both ways.
#  3. SIGKILL between the two creates (the second CREATE_TDO never sent;
#     3b: sent, adtrust dead before its reply; 3c: SIGKILL during the
#     rollback a SIGTERM started; 3d: at the first CREATE_TDO; 3e: the
#     repair apply killed too, two journals): the output shows the plan;
#     the journal stays; plan --detailed-exitcode exits 2 with the
#     "Interrupted apply" block naming the trust and the journal(s) and
#     renews every side; apply repairs it and removes the journal(s); then
#     No changes, and the trust validates both ways.
#  4. SIGKILL in a --rekey between the sides (a.test recreated, b.test's
#     create never sent; 4b: a.test deleted, b.test's delete never sent):
#     as 3.
# Checks named "verify right after" run adtrust verify straight after an
# apply that gave the trust a new secret, with no winbind flush: adtrust
# resets the DCs' secure channels itself (REDISCOVER); when one fails, the
# note after it says whether a flush would have made it pass.  samba-tool
# validate runs without a flush too.  Every adtrust run has its own
# --state-dir under $T.
# Usage: t_25_interrupt.sh [BUILD_DIR]; exit 77 = skipped.
# T25_DELAY_MS: the delay per write call (default 1500).
NAME=t_25
. "$(dirname "$0")/adt.sh" "$@"
export ADT_LAB_NOFLUSH=1 # no winbind flush anywhere: adtrust resets the secure channels it changed
X=examples/lab/external-two-way.yaml
DELAY_MS=${T25_DELAY_MS:-1500}
WRITES='CREATE_TDO|DELETE_TDO|SET_INFO_EX|SET_ENCTYPES|SET_FTI|SC_RESET'
PY=$(command -v python3) || { echo "t_25: python3 is needed for tests/lab/lsa_delay.py"; exit 1; }
ADTRUST_EXE=$(realpath "$B/adtrust")
T0=$(now)

# wrap ID [drop|send]: $T/ID.sh, the helper adtrust starts (ADTRUST_LSA): lsa_delay.py in front of
# the real adtrust-lsa, logging to $T/ID.log.  adtrust passes no ADT_LSA_* variable through to its
# helper (env_wanted in providers/lsa.c), so the settings are written into the script.
wrap() {
	cat >"$T/$1.sh" <<W
#!/bin/sh
ADT_LSA_REAL='$B/adtrust-lsa' ADT_LSA_DELAY_MS=${DELAY_MS} ADT_LSA_DELAY_TYPES='${WRITES//|/,}' \\
ADT_LSA_ORPHANS=${2:-drop} ADT_LSA_LOG='$T/$1.log' exec '$PY' '$HERE/lsa_delay.py' "\$@"
W
	chmod 755 "$T/$1.sh"
	rm -f "$T/$1.log"
}
# nwrites LOG: how many write requests the log shows
nwrites() {
	[ -f "$1" ] || { echo 0; return; }
	grep -cE "^[0-9]+ ($WRITES) " "$1" || true
}
# calls LOG: the write requests of a run, one line each: TYPE DOMAIN (the DC it went to)
calls() {
	awk -v re="^($WRITES)\$" '
	  $1 ~ /^[0-9]+$/ { n++; ty[n] = $2; pid[n] = $3; if (NF >= 4) partner[$3] = $4 }
	  END { for (i = 1; i <= n; i++) if (ty[i] ~ re)
	          print ty[i], partner[pid[i]] == "b.test" ? "a.test" : partner[pid[i]] == "a.test" ? "b.test" : "?" }' "$1"
}
# run ARGS...: adtrust in the lab netns (real helper); exit code in ARC, output in $T/out
run() {
	nsx "$B/adtrust" --no-color "$@" >"$T/stdout" 2>"$T/stderr" </dev/null
	ARC=$?
	cat "$T/stdout" "$T/stderr" >"$T/out"
	cat "$T/out" >>"$T/all"
}
# exited PID: the process is gone or a zombie (not reaped yet)
exited() {
	local st
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 0
	[ -z "$st" ] || [ "$st" = Z ]
}
# run_bg SIG K ID SD ARGS...: adtrust ARGS --state-dir SD in the background through helper ID; once
# its log shows write call K (then held back by the delay), signal SIG goes to that adtrust PID,
# the one this function started, and no other process.  With SIG2=S K2=N set, signal S follows
# when the log shows write call N.  RC: its exit code; SENT: 1 if the signal was sent (2: both);
# $T/out: its output.  Returns when the helpers of the run are gone too.
run_bg() {
	local sig=$1 k=$2 id=$3 sd=$4 pid sub i p
	shift 4
	rm -f "$T/$id.log" "$T/bg.pid" "$T/bg.rc"
	# started from a subshell that waits for it: its exit code in bg.rc, and no "Killed" job
	# notice from this shell
	(
		ADTRUST_LSA=$T/$id.sh ip netns exec "$NETNS" "$B/adtrust" --no-color "$@" --state-dir "$sd" \
			>"$T/out" 2>&1 </dev/null &
		echo $! >"$T/bg.pid"
		wait $!
		echo $? >"$T/bg.rc"
	) 2>/dev/null &
	sub=$!
	for ((i = 0; i < 200; i++)); do [ -s "$T/bg.pid" ] && break; sleep 0.02; done
	pid=$(cat "$T/bg.pid")
	SENT=0
	for ((i = 0; i < 600; i++)); do
		[ "$(nwrites "$T/$id.log")" -ge "$k" ] && break
		exited "$pid" && break
		sleep 0.05
	done
	if ! exited "$pid" && [ "$(nwrites "$T/$id.log")" -ge "$k" ] &&
	   [ "$(readlink "/proc/$pid/exe")" = "$ADTRUST_EXE" ]; then
		kill -"$sig" "$pid" && SENT=1
	fi
	if [ "$SENT" = 1 ] && [ -n "${SIG2:-}" ]; then
		for ((i = 0; i < 600; i++)); do
			[ "$(nwrites "$T/$id.log")" -ge "$K2" ] && break
			exited "$pid" && break
			sleep 0.05
		done
		if ! exited "$pid" && [ "$(nwrites "$T/$id.log")" -ge "$K2" ]; then
			kill -"$SIG2" "$pid" && SENT=2
		fi
	fi
	for ((i = 0; i < 1200; i++)); do exited "$pid" && break; sleep 0.1; done
	exited "$pid" || { echo "    adtrust $* did not end 120 s after SIG$sig: killed"; kill -KILL "$pid"; }
	wait "$sub"
	RC=$(cat "$T/bg.rc")
	cat "$T/out" >>"$T/all"
	for p in $(awk '$3 ~ /^[0-9]+$/ {print $3}' "$T/$id.log" 2>/dev/null | sort -u); do
		for ((i = 0; i < 300; i++)); do [ -d "/proc/$p" ] || break; sleep 0.1; done
	done
}
# side a|b: whether that DC holds a TDO of the partner (present/absent/unknown)
side() {
	local o partner
	if [ "$1" = a ]; then o=$(stA domain trust list 2>&1) || { echo unknown; return; }; partner=b.test
	else o=$(stB domain trust list 2>&1) || { echo unknown; return; }; partner=a.test; fi
	if grep -q "Name\[$partner\]" <<<"$o"; then echo present; else echo absent; fi
}
# fates ADDR: the fates the apply output gives plan item ADDR, in order, comma-separated
fates() {
	sed -nE "s#^(done|FAILED|undone|not done|INCOMPLETE) +(create|replace|update|delete) +${1//./\\.}([: ].*)?\$#\\1#p" \
		"$T/out" | paste -sd, -
}
journals() { ls "$1"/journal-*.jsonl 2>/dev/null | wc -l; }
validate_both() { stA_peer domain trust validate b.test --validate-location=both >"$T/out" 2>&1; }
# verify_gap WHAT: adtrust verify straight after an apply that changed the secret (no flush)
verify_gap() {
	run verify -f "$X"
	if [ "$ARC" = 0 ] && has "Verify: 4 ok, 0 failed"; then
		ok "$1: verify right after (no winbind flush): 4 ok"
	else
		bad "$1: verify right after (no winbind flush)"
		lab_flush
		run verify -f "$X"
		echo "    note: after a winbind flush, verify exits $ARC: $(grep '^Verify:' "$T/out")"
	fi
}
# kerberos_one_secret: verify's Kerberos checks pass both ways (each direction's two keys match)
kerberos_one_secret() {
	grep -qE '^OK +[^ ]+ +kerberos +A\.TEST->B\.TEST ' "$T/out" &&
		grep -qE '^OK +[^ ]+ +kerberos +B\.TEST->A\.TEST ' "$T/out"
}
step() { echo "--- $*"; }
CASE_T=0 CASE_P=0 CASE_F=0 CASE_N=0
case_start() { CASE_T=$(now) CASE_P=$PASS CASE_F=$FAIL CASE_N=0; step "$1"; }
case_end() {
	SUMMARY+="$1: $CASE_N interrupted runs, $((PASS - CASE_P)) checks passed, $((FAIL - CASE_F)) failed, $(since "$CASE_T") s"$'\n'
}
SUMMARY=""
lab_reset

# ---- learn the write calls of a both-sides create (no delay) ----
DELAY_MS=0 wrap learn
if ADTRUST_LSA=$T/learn.sh adt 0 apply --auto-approve -f "$X" --state-dir "$T/sd-learn" && has "Apply complete" &&
   [ "$(side a)" = present ] && [ "$(side b)" = present ]; then
	ok "through lsa_delay.py (no delay) a both-sides create works"; else bad "create through lsa_delay.py"; fi
mapfile -t CREATE_CALLS < <(calls "$T/learn.log")
echo "    write calls of the create: $(printf '%s; ' "${CREATE_CALLS[@]}")"
[ "${#CREATE_CALLS[@]}" -ge 2 ] || bad "the create made ${#CREATE_CALLS[@]} write calls (want 2 or more)"
# the last call that is a step (SC_RESET comes after the steps)
last_step() {
	local i last=0
	for ((i = 0; i < $#; i++)); do
		case ${@:i+1:1} in SC_RESET*) ;; *) last=$((i + 1)) ;; esac
	done
	echo $last
}
CREATE_LAST=$(last_step "${CREATE_CALLS[@]}")

# ---- the checks after a run stopped by SIGTERM/SIGINT ----
# exit_check L SIG K LAST: exit 128+signal, or 0 when call K was the last step (or later)
exit_check() {
	local l=$1 sig=$2 k=$3 last=$4 num
	num=$(kill -l "$sig")
	if [ "$k" -ge "$last" ]; then
		if [ "$RC" = 0 ] && has "Apply complete"; then
			ok "$l: exit 0 and 'Apply complete': the signal came during the last step, nothing was left to stop"
		else bad "$l: exit $RC (want 0 and 'Apply complete': the call was the last step)"; fi
	else
		# two signals: the exit code may name either
		[ -n "${SIG2:-}" ] && [ "$RC" = $((128 + $(kill -l "$SIG2"))) ] && num=$(kill -l "$SIG2")
		if [ "$RC" = $((128 + num)) ] && has "interrupted by signal $num after" && has "signal received"; then
			ok "$l: exit $RC, 'interrupted by signal $num'"
		else bad "$l: exit $RC (want $((128 + num)) and 'interrupted by signal $num')"; fi
	fi
	# the plan was shown before the first write: it comes before the signal's message
	local pl sg
	pl=$(grep -n -m1 '^Plan:' "$T/out" | cut -d: -f1)
	sg=$(grep -n -m1 'signal received' "$T/out" | cut -d: -f1)
	if [ -n "$pl" ] && [ -n "$sg" ] && [ "$pl" -lt "$sg" ]; then ok "$l: the plan precedes the signal's message"
	else bad "$l: the plan (line ${pl:-none}) comes after the signal's message (line ${sg:-none}): stdout not flushed before the first write"; fi
}

# want FATES: where a create's last fate leaves its side
want() { case ${1##*,} in done) echo present ;; undone | "not done") echo absent ;; *) echo "?" ;; esac; }

# ---- 1. both-sides create, SIGTERM and SIGINT at each write call ----
# create_run L SIG K: lab_reset, the create stopped by SIG at write call K, and the checks
create_run() {
	local l=$1 sig=$2 k=$3 sd fa fb sa sb a1
	sd=$T/sd1-$CASE_N
	lab_reset
	run_bg "$sig" "$k" d1 "$sd" apply --auto-approve -f "$X"
	CASE_N=$((CASE_N + 1))
	[ "$SENT" -ge 1 ] || { bad "$l: adtrust ended (exit $RC) before write call $k"; return; }
	exit_check "$l" "$sig" "$k" "$CREATE_LAST"
	fa=$(fates a.test/b.test) fb=$(fates b.test/a.test) sa=$(side a) sb=$(side b)
	if [ -n "$fa" ] && [ -n "$fb" ] && ! has "^INCOMPLETE" && ! has "^FAILED" &&
	   [ "$(want "$fa")" = "$sa" ] && [ "$(want "$fb")" = "$sb" ]; then
		ok "$l: report a.test/b.test '$fa', b.test/a.test '$fb': as the DCs hold them"
	else bad "$l: report a.test/b.test '$fa', b.test/a.test '$fb'; DCs: a.test $sa, b.test $sb"; fi
	if [ "$sa" = "$sb" ] && [ "$sa" != unknown ]; then ok "$l: whole: both sides $sa"
	else bad "$l: HALF-TRUST: a.test $sa, b.test $sb"; fi
	if [ "$(journals "$sd")" = 0 ]; then ok "$l: no journal left (every trust settled)"
	else bad "$l: journal left: $(ls "$sd")"; fi
	run plan --detailed-exitcode -f "$X" --state-dir "$sd"
	if [ "$sa" = present ] && [ "$sb" = present ]; then
		if [ "$ARC" = 0 ] && has "^No changes"; then ok "$l: plan right after: No changes (both sides there)"
		else bad "$l: plan right after exits $ARC with both sides there"; fi
	elif [ "$ARC" = 2 ] && ! has "No changes"; then ok "$l: plan right after: exit 2, changes planned"
	else bad "$l: plan right after exits $ARC with a.test $sa, b.test $sb"; fi
	run apply --auto-approve -f "$X" --state-dir "$sd"
	a1=$ARC
	run plan --detailed-exitcode -f "$X" --state-dir "$sd"
	if [ "$a1" = 0 ] && [ "$ARC" = 0 ] && has "^No changes"; then ok "$l: apply converges (No changes)"
	else bad "$l: apply exit $a1, then plan exit $ARC"; fi
	verify_gap "$l"
}
case_start "1. both-sides create, SIGTERM/SIGINT at each of ${#CREATE_CALLS[@]} write calls"
wrap d1
for sig in TERM INT; do
	for ((k = 1; k <= ${#CREATE_CALLS[@]}; k++)); do
		create_run "create, SIG$sig at write $k (${CREATE_CALLS[k-1]})" "$sig" "$k"
	done
done
# SIGHUP (exit 129) once; and a second signal (Ctrl-C twice) while the rollback's delete is in
# flight: the settling is not cut short
create_run "create, SIGHUP at write 1 (${CREATE_CALLS[0]})" HUP 1
SIG2=INT K2=2 create_run "create, SIGTERM at write 1, SIGINT at write 2 (the undo)" TERM 1
[ "$SENT" = 2 ] || bad "the second signal was not sent (the run ended before write call 2)"
case_end "case 1 (create, SIGTERM/SIGINT at each write call)"

# ---- 2. --rekey, SIGTERM and SIGINT at each write call ----
case_start "2. --rekey a.test:b.test, SIGTERM/SIGINT at each write call"
# control: two sides holding different secrets fail verify's Kerberos checks both ways, so those
# checks tell one secret from two
export T25_PW_A='Ctl-A.t25-7c41e2' T25_PW_B='Ctl-B.t25-09d3fa'
lab_reset
for x in trusting:A trusted:B; do
	sed "s/    encryption: \[aes128, aes256\]/&\n    sides: ${x%:*}\n    password: { env: T25_PW_${x#*:} }/" "$X" >"$T/ctl-${x%:*}.yaml"
	run apply --auto-approve -f "$T/ctl-${x%:*}.yaml" --state-dir "$T/sd-ctl"
	[ "$ARC" = 0 ] || bad "control: apply of the $x side (exit $ARC)"
done
run verify -f "$X"
if ! grep -qE '^OK +[^ ]+ +kerberos' "$T/out" && [ "$(grep -cE '^FAIL +[^ ]+ +kerberos' "$T/out")" = 2 ]; then
	ok "control: sides with different secrets fail the Kerberos checks both ways"
else bad "control: the Kerberos checks do not tell two secrets from one"; fi
lab_reset
run apply --auto-approve -f "$X" --state-dir "$T/sd2"
[ "$ARC" = 0 ] || bad "case 2: the trust to re-key was not created (exit $ARC)"
DELAY_MS=0 wrap learn
if ADTRUST_LSA=$T/learn.sh adt 0 apply --auto-approve --rekey a.test:b.test -f "$X" --state-dir "$T/sd2" &&
   has "2 to replace"; then ok "rekey through lsa_delay.py (no delay) works"; else bad "rekey through lsa_delay.py"; fi
mapfile -t REKEY_CALLS < <(calls "$T/learn.log")
echo "    write calls of the re-key: $(printf '%s; ' "${REKEY_CALLS[@]}")"
REKEY_LAST=$(last_step "${REKEY_CALLS[@]}")
wrap d2
for sig in TERM INT; do
	for ((k = 1; k <= ${#REKEY_CALLS[@]}; k++)); do
		l="rekey, SIG$sig at write $k (${REKEY_CALLS[k-1]})"
		sd=$T/sd2-$sig-$k
		run_bg "$sig" "$k" d2 "$sd" apply --auto-approve --rekey a.test:b.test -f "$X"
		CASE_N=$((CASE_N + 1))
		[ "$SENT" = 1 ] || { bad "$l: adtrust ended (exit $RC) before write call $k"; continue; }
		exit_check "$l" "$sig" "$k" "$REKEY_LAST"
		fin=1
		for a in a.test/b.test b.test/a.test; do
			grep -qE "^done +replace +${a//./\\.}: the old object is deleted" "$T/out" &&
				grep -qE "^done +replace +${a//./\\.}: created again" "$T/out" || fin=0
		done
		if [ "$fin" = 1 ] && ! has "^INCOMPLETE" && ! has "^FAILED" && ! has "^undone" && ! has "^not done" &&
		   { [ "$RC" = 0 ] || has "note: finishing a.test <-> b.test"; }; then
			ok "$l: report: both sides deleted and created again$([ "$RC" = 0 ] || echo ' (finishing)')"
		else bad "$l: report does not show the trust finished: a.test/b.test '$(fates a.test/b.test)', b.test/a.test '$(fates b.test/a.test)'"; fi
		sa=$(side a) sb=$(side b)
		if [ "$sa" = present ] && [ "$sb" = present ]; then ok "$l: both sides there"
		else bad "$l: HALF-TRUST: a.test $sa, b.test $sb"; fi
		if [ "$(journals "$sd")" = 0 ]; then ok "$l: no journal left"; else bad "$l: journal left: $(ls "$sd")"; fi
		run plan --detailed-exitcode -f "$X" --state-dir "$sd"
		prc=$ARC
		p_nochange=0; has "^No changes" && p_nochange=1
		run verify -f "$X"
		if kerberos_one_secret; then
			ok "$l: one secret: Kerberos both ways (A->B and B->A cross-realm)"
			if [ "$prc" = 0 ] && [ "$p_nochange" = 1 ]; then ok "$l: plan right after: No changes (one secret)"
			else bad "$l: plan right after exits $prc although the trust is whole"; fi
		else
			bad "$l: NOT one secret: $(grep -E '^[A-Z]+ +[^ ]+ +kerberos' "$T/out" | tr -s ' ' | paste -sd'|' -)"
			if [ "$prc" = 2 ] && [ "$p_nochange" = 0 ]; then ok "$l: plan right after: changes planned (not 'No changes')"
			else bad "$l: plan right after exits $prc, 'No changes'=$p_nochange, with two secrets"; fi
		fi
		if [ "$ARC" = 0 ] && has "Verify: 4 ok, 0 failed"; then ok "$l: verify right after (no winbind flush): 4 ok"
		else
			bad "$l: verify right after (no winbind flush): exit $ARC, $(grep '^Verify:' "$T/out")"
			lab_flush
			run verify -f "$X"
			echo "    note: after a winbind flush, verify exits $ARC: $(grep '^Verify:' "$T/out")"
		fi
		if validate_both && has "OK: LocalValidation" && has "OK: RemoteValidation"; then
			ok "$l: samba-tool validate both ways (no winbind flush)"
		else bad "$l: samba-tool validate both ways (no winbind flush)"; fi
	done
done
case_end "case 2 (--rekey, SIGTERM/SIGINT at each write call)"

# ---- 3/4. SIGKILL between the sides: the journal, the plan, the repair ----
# killed L K ID SD ARGS...: SIGKILL at write call K of adtrust ARGS, then the whole recovery.
# KSIG=S SIG2=KILL K2=N: signal S at write K first, SIGKILL at write N.  NJ: journals expected (1).
killed() {
	local l=$1 k=$2 id=$3 sd=$4 j sa sb nj=${NJ:-1} missing=""
	shift 4
	run_bg "${KSIG:-KILL}" "$k" "$id" "$sd" "$@"
	CASE_N=$((CASE_N + 1))
	if [ "$SENT" -ge 1 ] && [ "$RC" = 137 ]; then ok "$l: adtrust killed (exit 137)"
	else bad "$l: SIGKILL: sent=$SENT exit $RC"; fi
	if has "^Plan:"; then ok "$l: its output shows the plan it was applying"
	else bad "$l: its output lacks the plan (stdout not flushed before the first write): $(wc -c <"$T/out") bytes"; fi
	sa=$(side a) sb=$(side b)
	echo "    left: a.test $sa, b.test $sb; wrapper: $(grep -E '^- ' "$T/$id.log" | paste -sd';' -)"
	if [ "$(journals "$sd")" = "$nj" ] && [ -z "$(find "$sd" -name 'journal-*' ! -perm 600)" ] &&
	   ! cat "$sd"/journal-*.jsonl | grep -qF -e "$ADT_LAB_ADMINPASS" -e password; then
		ok "$l: the journal stays ($nj, mode 0600, no secret)"
	else bad "$l: journals (want $nj): $(ls -l "$sd" 2>&1 | tail -n +2)"; fi
	run plan --detailed-exitcode -f "$X" --state-dir "$sd"
	for j in "$sd"/journal-*.jsonl; do has "$(basename "$j")" || missing+=" $(basename "$j")"; done
	if [ "$ARC" = 2 ] && has "^Interrupted apply" && has "a.test <-> b.test: left unfinished" &&
	   [ -z "$missing" ] && ! has "No changes"; then
		ok "$l: plan exits 2: 'Interrupted apply' names the trust and the journal"
	else bad "$l: plan exits $ARC (want 2 with the Interrupted apply block naming every journal;${missing:+ not named:$missing})"; fi
	# a repair leaves no side as it is: every existing side replaced, every missing one created
	if grep -qE "^Plan: (2 to create, 0 to update, 0 to replace|1 to create, 0 to update, 1 to replace|0 to create, 0 to update, 2 to replace)" "$T/out"; then
		ok "$l: the plan repairs it: $(grep -oE '^Plan: [^.]*' "$T/out")"
	else bad "$l: the plan does not renew every side: $(grep -E '^Plan' "$T/out")"; fi
	run apply --auto-approve -f "$X" --state-dir "$sd"
	if [ "$ARC" = 0 ] && [ "$(grep -c "resolved and removed" "$T/out")" = "$nj" ] && [ "$(journals "$sd")" = 0 ]; then
		ok "$l: apply repairs it; the journal is resolved and removed"
	else bad "$l: repair apply exit $ARC, journals left: $(journals "$sd")"; fi
	run plan --detailed-exitcode -f "$X" --state-dir "$sd"
	if [ "$ARC" = 0 ] && has "^No changes" && ! has "Interrupted"; then ok "$l: then plan: No changes"
	else bad "$l: plan after the repair exits $ARC"; fi
	verify_gap "$l"
	if validate_both && has "OK: LocalValidation" && has "OK: RemoteValidation"; then
		ok "$l: samba-tool validate both ways (no winbind flush)"
	else bad "$l: samba-tool validate both ways (no winbind flush)"; fi
}

case_start "3. SIGKILL between the two sides of a create"
wrap d3 drop
wrap d3s send
k1=$(awk '/^CREATE_TDO/ {print NR; exit}' < <(printf '%s\n' "${CREATE_CALLS[@]}"))
k2=$(awk '/^CREATE_TDO/ {n++; if (n == 2) {print NR; exit}}' < <(printf '%s\n' "${CREATE_CALLS[@]}"))
lab_reset
killed "3 create, SIGKILL at the second CREATE_TDO (never sent)" "${k2:-2}" d3 "$T/sd3" apply --auto-approve -f "$X"
lab_reset
killed "3b create, SIGKILL at the second CREATE_TDO (sent, no reply)" "${k2:-2}" d3s "$T/sd3b" apply --auto-approve -f "$X"
lab_reset
KSIG=TERM SIG2=KILL K2=$((${k1:-1} + 1)) killed "3c create, SIGTERM at the first CREATE_TDO, SIGKILL in the rollback's delete" \
	"${k1:-1}" d3 "$T/sd3c" apply --auto-approve -f "$X"
lab_reset
killed "3d create, SIGKILL at the first CREATE_TDO (never sent: nothing written)" "${k1:-1}" d3 "$T/sd3d" \
	apply --auto-approve -f "$X"
lab_reset
# the repair itself killed: two journals
run_bg KILL "${k2:-2}" d3 "$T/sd3e" apply --auto-approve -f "$X"
NJ=2 killed "3e the repair apply killed at its second write" 2 d3 "$T/sd3e" apply --auto-approve -f "$X"
case_end "case 3 (create, SIGKILL between the sides)"

case_start "4. SIGKILL during a --rekey between the sides"
wrap d4 drop
kc2=$(awk '/^CREATE_TDO/ {n++; if (n == 2) {print NR; exit}}' < <(printf '%s\n' "${REKEY_CALLS[@]}"))
kd2=$(awk '/^DELETE_TDO/ {n++; if (n == 2) {print NR; exit}}' < <(printf '%s\n' "${REKEY_CALLS[@]}"))
lab_reset
run apply --auto-approve -f "$X" --state-dir "$T/sd4"
killed "4 rekey, SIGKILL at the second CREATE_TDO (a.test new, b.test gone)" "${kc2:-4}" d4 "$T/sd4" \
	apply --auto-approve --rekey a.test:b.test -f "$X"
lab_reset
run apply --auto-approve -f "$X" --state-dir "$T/sd4b"
killed "4b rekey, SIGKILL at the second DELETE_TDO (a.test gone, b.test old)" "${kd2:-2}" d4 "$T/sd4b" \
	apply --auto-approve --rekey a.test:b.test -f "$X"
case_end "case 4 (--rekey, SIGKILL between the sides)"
lab_reset

# ---- no secret anywhere; the wrapper logs only types, pids and names ----
if ! grep -rqF -e "$ADT_LAB_ADMINPASS" -e "$T25_PW_A" -e "$T25_PW_B" "$T/all" "$T"/*.log; then
	ok "no admin or trust password in any output or helper log"
else bad "a secret leaked"; fi
if ! cat "$T"/*.log | grep -vqE '^([0-9]+ [A-Z_]+ [0-9]+( [a-z.]+)?|- [A-Z_]+ [0-9]+ (dropped|sent after adtrust was gone))$'; then
	ok "helper logs hold only 'N TYPE PID [NAME]' lines"; else bad "unexpected helper log lines"; fi

echo
printf '%s' "$SUMMARY"
echo "t_25 took $(since "$T0") s (delay $DELAY_MS ms per write call)"
adt_done
