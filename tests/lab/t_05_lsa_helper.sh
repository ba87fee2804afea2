#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# t_05: the MS-LSAD write path (providers/lsa.c -> adtrust-lsa) against the Samba lab.
# Drives tests/providers/lsa_cli.c (built here against $B/libadtrust.a) through: info on both DCs,
# a two-way external trust created on both sides with the same password (samba-tool validate
# both ways, cross-realm kvno, enctypes read back, delete), a re-key of both sides (TC_VERIFY
# fails on the old secure channels until a NETLOGON secure-channel reset on each DC, then passes
# at once, without a winbindd flush; the reset's refusals in words), a forest trust with forest
# trust info (check-only with a collision, store, read back with samba-tool namespaces, NETLOGON
# fetch), a helper killed mid-request, a helper that times out, a wrong admin password, DCs that
# cannot be reached (unknown name, DC stopped, packets dropped: sentences naming the DC and its
# domain), and a B account that may read but not write trusts (a write session refused at login).
# Usage: tests/lab/t_05_lsa_helper.sh [BUILD_DIR]   (lab from tests/lab/up.sh; exit 77 = skipped)
# Secrets: the admin password reaches lsa_cli as ADT_LSA_PASSWORD, the trust password as
# ADT_TRUST_PASSWORD (environment of lsa_cli only; they reach adtrust-lsa only over its socket);
# the reader account's password is set over LDAP from stdin, never on a command line.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
B=$(realpath -m "${1:-$(dirname "${ADTRUST:-build/adtrust}")}")  # as adt.sh: run.sh exports ADTRUST
cd "$TOP"
. "$HERE/env.sh"
[ "$(id -u)" = 0 ] || { echo "t_05: needs root (lab netns) - skipped"; exit 77; }
lab_lock
lab_healthy || { echo "t_05: lab not up (tests/lab/up.sh) - skipped"; exit 77; }

# ---- build: helper + the small CLI over providers/lsa.h ----
make -s B="$B" "$B/libadtrust.a" "$B/adtrust-lsa" || { echo "t_05: build failed"; exit 1; }
CLI=$B/tests/lsa_cli
mkdir -p "$B/tests"
SAN=; if nm "$B/libadtrust.a" 2>/dev/null | grep __asan_ >/dev/null; then SAN="-fsanitize=address,undefined"; fi
cc -std=c11 -D_DEFAULT_SOURCE -I. -g -O1 -Wall -Wextra -Werror $SAN -o "$CLI" \
   tests/providers/lsa_cli.c "$B/libadtrust.a" || { echo "t_05: cannot build lsa_cli"; exit 1; }
export ADTRUST_LSA=$B/adtrust-lsa

T=$LAB/tmp/t05; rm -rf "$T"; mkdir -p "$T"
CC=FILE:$T/a.cc                              # MIT ccache for A's administrator (Kerberos login)
export ADT_TRUST_PASSWORD="t05-$(date +%s)-$RANDOM-Tr.pw-ü€"
PASS=0 FAIL=0
ok()   { PASS=$((PASS+1)); echo "ok - $*"; }
bad()  { FAIL=$((FAIL+1)); echo "FAIL - $*"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }
# lsa_cli on DC A with the ccache / on DC B with user+password; stdout -> $T/out, stderr -> $T/err
cliA() { nsx "$CLI" -s "$A_FQDN" -c "$CC" "$@" >"$T/out" 2>"$T/err"; }
cliB() { ADT_LSA_PASSWORD=$ADT_LAB_ADMINPASS nsx "$CLI" -s "$B_FQDN" -r "$B_REALM" \
           -u administrator "$@" >"$T/out" 2>"$T/err"; }
has()  { grep -q -- "$1" "$T/out"; }
errhas() { grep -q -- "$1" "$T/err"; }
show() { sed 's/^/    /' "$T/out" "$T/err"; }
runok() { local d=$1 r; shift; "$@"; r=$?; show; check "$d" test "$r" = 0; }
BLACKHOLE=10.99.0.0/24                       # routed into lo in the netns: SYNs get no answer
READER=t05reader
cleanup() {
  nsx ip route del "$BLACKHOLE" dev lo 2>/dev/null
  dc_pid b >/dev/null || lab_start_dc b >/dev/null 2>&1
  stB user delete "$READER" >/dev/null 2>&1
  lab_reset >/dev/null 2>&1 || echo "t_05: lab_reset failed" >&2
  KRB5CCNAME=$CC kdestroy -q 2>/dev/null; rm -rf "$T"
}
trap cleanup EXIT
lab_reset || { echo "t_05: lab_reset failed"; exit 1; }
printf '%s\n' "$ADT_LAB_ADMINPASS" | KRB5CCNAME=$CC nsx kinit "administrator@$A_REALM" >/dev/null \
  || { echo "t_05: kinit administrator@$A_REALM failed"; exit 1; }
T0=$(now)

# ---- 1. info on both DCs (A: Kerberos ccache, B: password) ----
cliA info; show; check "info on $A_FQDN (ccache)" has "dns_domain=$A_DNSDOMAIN netbios=$A_DOMAIN sid=S-1-5-21-"
SIDA=$(sed -n 's/.* sid=\([^ ]*\).*/\1/p' "$T/out")
cliB info; show; check "info on $B_FQDN (password)" has "dns_domain=$B_DNSDOMAIN netbios=$B_DOMAIN sid=S-1-5-21-"
SIDB=$(sed -n 's/.* sid=\([^ ]*\).*/\1/p' "$T/out")

# ---- 2. two-way external trust, same password on both sides ----
runok "create two-way external trust on A (Kerberos)" cliA create "$B_DNSDOMAIN" "$B_DOMAIN" "$SIDB" 3 2 0x4 0x18
cliA query "$B_DNSDOMAIN"; show
check "read back on A: direction 3, uplevel, quarantined, AES" \
  has "name=$B_DNSDOMAIN netbios=$B_DOMAIN sid=$SIDB direction=0x3 type=2 attributes=0x4 enctypes=0x18"
runok "create two-way external trust on B (password)" cliB create "$A_DNSDOMAIN" "$A_DOMAIN" "$SIDA" 3 2 0x4 0x18
cliB query "$A_DOMAIN"; show; check "read back on B by NetBIOS name" has "name=$A_DNSDOMAIN .*direction=0x3"
cliA create "$B_DNSDOMAIN" "$B_DOMAIN" "$SIDB" 3 2 0x4 0x18; show
check "second create is a collision" errhas "NT_STATUS_OBJECT_NAME_COLLISION"
cliA validate "$B_DNSDOMAIN"; show; check "TC_VERIFY from A" has "trust=WERR_OK connection=WERR_OK"
stA_peer domain trust validate "$B_DNSDOMAIN" --validate-location=both >"$T/out" 2>"$T/err"; rc=$?; show
check "samba-tool domain trust validate --validate-location=both" \
  eval '[ $rc = 0 ] && has "OK: LocalValidation" && has "OK: RemoteValidation"'
kv() { # kinit as administrator of realm $1, kvno $2
  local cc=FILE:$T/kv.cc
  printf '%s\n' "$ADT_LAB_ADMINPASS" | KRB5CCNAME=$cc nsx kinit "administrator@$1" >/dev/null &&
  KRB5CCNAME=$cc nsx kvno "$2"; local r=$?; KRB5CCNAME=$cc kdestroy -q 2>/dev/null; return $r
}
check "kvno A -> ldap/$B_FQDN@$B_REALM" kv "$A_REALM" "ldap/$B_FQDN@$B_REALM"
check "kvno B -> ldap/$A_FQDN@$A_REALM" kv "$B_REALM" "ldap/$A_FQDN@$A_REALM"
cliA set-enctypes "$B_DNSDOMAIN" 0x1c + query "$B_DNSDOMAIN" + set-enctypes "$B_DOMAIN" 0x10 + query "$B_DNSDOMAIN"; show
check "set enctypes 0x1c then 0x10, read back (4 requests, one session)" \
  eval 'has "enctypes=0x1c" && has "enctypes=0x10" && [ $(wc -l <"$T/out") = 2 ]' 
cliA set-info-ex "$B_DNSDOMAIN" 3 2 0x14; show
check "attribute change refused by Samba, with NTSTATUS text" errhas "NT_STATUS_INVALID_PARAMETER"
cliA query nosuch.example; show
check "unknown trust: one clear line" eval 'errhas "trust .nosuch.example. on .$A_FQDN.: NT_STATUS_OBJECT_NAME_NOT_FOUND" && [ $(wc -l <"$T/err") = 1 ]'

# ---- 2b. re-key: a new shared secret on both sides, then a secure-channel reset on each DC ----
# (netdom trust /reset, nltest /sc_reset: NETLOGON LogonControl2Ex REDISCOVER)
PW2="t05-rekey-$(date +%s)-$RANDOM-Pw"
rekeyA() { ADT_TRUST_PASSWORD=$1 cliA delete "$B_DNSDOMAIN" + create "$B_DNSDOMAIN" "$B_DOMAIN" "$SIDB" 3 2 0x4 0x18; }
rekeyB() { ADT_TRUST_PASSWORD=$1 cliB delete "$A_DNSDOMAIN" + create "$A_DNSDOMAIN" "$A_DOMAIN" "$SIDA" 3 2 0x4 0x18; }
runok "re-key A's side (delete + create with a new password, one session)" rekeyA "$PW2"
runok "re-key B's side with the same new password" rekeyB "$PW2"
cliA validate "$B_DNSDOMAIN"; show
check "after the re-key TC_VERIFY fails on A (its secure channel has the old secret)" has "trust=WERR_ACCOUNT_DISABLED"
cliB validate "$A_DNSDOMAIN"; show
check "... and on B" has "trust=WERR_ACCOUNT_DISABLED"
sleep 3; cliA validate "$B_DNSDOMAIN"; show
check "... and still on A 3 s later (winbindd keeps the channel)" has "trust=WERR_ACCOUNT_DISABLED"
runok "secure-channel reset on A for b.test" cliA sc-reset "$B_DNSDOMAIN"
runok "secure-channel reset on B for a.test" cliB sc-reset "$A_DNSDOMAIN"
cliA validate "$B_DNSDOMAIN"; show
check "TC_VERIFY passes on A at once (no wbinfo flush)" has "trust=WERR_OK connection=WERR_OK"
cliB validate "$A_DNSDOMAIN"; show
check "TC_VERIFY passes on B at once" has "trust=WERR_OK connection=WERR_OK"
stA_peer domain trust validate "$B_DNSDOMAIN" --validate-location=both >"$T/out" 2>"$T/err"; rc=$?; show
check "samba-tool domain trust validate both ways after the reset" \
  eval '[ $rc = 0 ] && has "OK: LocalValidation" && has "OK: RemoteValidation"'
check "kvno A -> B with the new key" kv "$A_REALM" "ldap/$B_FQDN@$B_REALM"
check "kvno B -> A with the new key" kv "$B_REALM" "ldap/$A_FQDN@$A_REALM"
cliA sc-reset nosuch.example; show
check "reset for an unknown partner: one line, in words" eval '[ $(wc -l <"$T/err") = 1 ] &&
  errhas "secure channel reset (REDISCOVER) .nosuch.example. on .$A_FQDN.: WERR_NO_SUCH_DOMAIN (the DC knows no trust by that name)"'
runok "B's side re-keyed alone, with another password" rekeyB "$ADT_TRUST_PASSWORD"
cliA sc-reset "$B_DNSDOMAIN"; show
check "reset with different secrets: the partner's refusal in words" \
  errhas "WERR_ACCESS_DENIED (the partner's DC refused the new secure channel: do both sides have the same trust password?)"
runok "delete on A" cliA delete "$B_DNSDOMAIN"
runok "delete on B" cliB delete "$A_DNSDOMAIN"
cliA query "$B_DNSDOMAIN"; check "gone on A" errhas "NT_STATUS_OBJECT_NAME_NOT_FOUND"
lab_flush

# ---- 3. forest trust + forest trust information ----
runok "create forest trust on A" cliA create "$B_DNSDOMAIN" "$B_DOMAIN" "$SIDB" 3 2 0x8 0x18
runok "create forest trust on B" cliB create "$A_DNSDOMAIN" "$A_DOMAIN" "$SIDA" 3 2 0x8 0x18
cliA query "$B_DNSDOMAIN"; check "forest trust created on both sides" has "attributes=0x8"
FTI=("tln:$B_DNSDOMAIN" "tlnex:lab-excluded.$B_DNSDOMAIN" "dom:$B_DNSDOMAIN,$B_DOMAIN,$SIDB")
cliA set-fti "$B_DNSDOMAIN" check "${FTI[@]}"; show; check "set_fti TLN+TLN_EX+DOMAIN check-only: no collisions" has "collisions=0"
cliA query-fti "$B_DNSDOMAIN"; show; check "check-only stored nothing" errhas "NT_STATUS_NOT_FOUND"
cliA set-fti "$B_DNSDOMAIN" check "tln:$B_DNSDOMAIN" "tln:$A_DNSDOMAIN" "dom:$B_DNSDOMAIN,$B_DOMAIN,$SIDB"; show
check "check-only reports the collision with the local forest" has "collision index=1 type=0 flags=0x4 name=$A_DNSDOMAIN"
cliA set-fti "$B_DNSDOMAIN" store "${FTI[@]}"; show; check "set_fti store" has "collisions=0"
cliA query-fti "$B_DNSDOMAIN"; show
check "lsaRQueryForestTrustInformation reads back 3 records" \
  eval 'has "^TLN flags=0x0 .* $B_DNSDOMAIN" && has "^TLN_EX flags=0x0 .* lab-excluded.$B_DNSDOMAIN" && has "^DOMAIN flags=0x0 .* $B_DNSDOMAIN $B_DOMAIN $SIDB"'
stA domain trust namespaces "$B_DNSDOMAIN" >"$T/out" 2>"$T/err"; show
check "samba-tool domain trust namespaces shows TLN, TLN_EX, DOM" \
  eval 'has "TLN: Status\[Enabled\] *DNS\[\*\.$B_DNSDOMAIN\]" && has "TLN_EX: *DNS\[\*\.lab-excluded\.$B_DNSDOMAIN\]" && has "DOM: Status\[Enabled\] *DNS\[$B_DNSDOMAIN\] Netbios\[$B_DOMAIN\] SID\[$SIDB\]"'
cliA fetch-fti "$B_DNSDOMAIN"; show
check "NETLOGON DsRGetForestTrustInformation returns B's namespaces" \
  eval 'has "^TLN flags=0x0 .* $B_DNSDOMAIN" && has "^DOMAIN .* $B_DNSDOMAIN $B_DOMAIN $SIDB"'
cliA validate "$B_DNSDOMAIN"; show; check "forest trust validates from A" has "trust=WERR_OK connection=WERR_OK"

# ---- 4. helper killed mid-request, helper hung (timeout), secrets not on argv/env ----
paused() { # start lsa_cli -p on A; sets CLI_PID, HPID; $@ = extra lsa_cli args
  coproc CLIP { exec ip netns exec "$NETNS" "$CLI" -s "$A_FQDN" -c "$CC" -p "$@" 2>"$T/err"; }
  CLI_PID=$CLIP_PID; HPID=; local line=
  read -r -t 30 line <&"${CLIP[0]}" && [ "$line" = ready ] && HPID=$(pgrep -P "$CLI_PID" -x adtrust-lsa)
  [ -n "$HPID" ]
}
if paused query "$B_DNSDOMAIN"; then
  check "no secret in the helper's argv or environment" \
    eval '! tr "\0" "\n" </proc/$HPID/cmdline | grep -qF -- "$ADT_TRUST_PASSWORD" && ! tr "\0" "\n" </proc/$HPID/environ | grep -qF -- "$ADT_TRUST_PASSWORD"'
  kill -STOP "$HPID"; echo go >&"${CLIP[1]}"; sleep 0.5; kill -KILL "$HPID"
  wait "$CLI_PID"; rc=$?; sed 's/^/    /' "$T/err"
  check "helper killed mid-request: clean error" eval '[ $rc = 1 ] && errhas "adtrust-lsa for .$A_FQDN. died: signal 9"'
else bad "could not start a paused lsa_cli"; kill "$CLI_PID" 2>/dev/null; fi
if paused -t 2000 query "$B_DNSDOMAIN"; then
  kill -STOP "$HPID"; t=$(now); echo go >&"${CLIP[1]}"
  wait "$CLI_PID"; rc=$?; el=$(since "$t"); sed 's/^/    /' "$T/err"
  check "hung helper: 'timed out after 2 s' after ${el}s" eval '[ $rc = 1 ] && errhas "adtrust-lsa for .$A_FQDN. timed out after 2 s"'
  check "hung helper was killed and reaped" eval '! kill -0 $HPID 2>/dev/null'
else bad "could not start a paused lsa_cli"; kill "$CLI_PID" 2>/dev/null; fi

# ---- 5. wrong admin password ----
ADT_LAB_ADMINPASS_SAVED=$ADT_LAB_ADMINPASS
ADT_LAB_ADMINPASS="Wrong-$RANDOM.pw" cliB info; rc=$?; show
check "wrong admin password: one line naming the DC and its domain, no password" \
  eval '[ $rc = 1 ] && [ $(wc -l <"$T/err") = 1 ] && errhas "cannot connect to .$B_FQDN. (DC of $B_DNSDOMAIN) as .administrator@$B_REALM.: wrong user name or password (NT_STATUS_LOGON_FAILURE)" && ! errhas "Wrong-"'
ADT_LAB_ADMINPASS=$ADT_LAB_ADMINPASS_SAVED
nsx "$CLI" -s "$A_FQDN" -c "FILE:$T/none.cc" info >"$T/out" 2>"$T/err"; rc=$?; show
check "empty ccache: one line naming the DC and the ccache" \
  eval '[ $rc = 1 ] && [ $(wc -l <"$T/err") = 1 ] && errhas "cannot connect to .$A_FQDN. with Kerberos ccache .FILE:$T/none.cc."'

# ---- 5b. a DC that cannot be reached: one sentence naming the DC and its domain ----
t=$(now); cliB -s "nosuch.$B_DNSDOMAIN" info; rc=$?; el=$(since "$t"); show
check "unknown DC name: 'name not resolved' in ${el}s (Samba alone: NT_STATUS_OBJECT_NAME_NOT_FOUND after 3 s)" \
  eval '[ $rc = 1 ] && [ $(wc -l <"$T/err") = 1 ] && errhas "cannot reach .nosuch.$B_DNSDOMAIN. (DC of $B_DNSDOMAIN): name not resolved" &&
        awk -v e="$el" "BEGIN{exit !(e < 2.5)}"'
nsx "$CLI" -s "nosuch.$A_DNSDOMAIN" -r "$A_REALM" -c "$CC" info >"$T/out" 2>"$T/err"; rc=$?; show
check "unknown DC name with a Kerberos ccache: not 'no usable ticket'" \
  eval '[ $rc = 1 ] && errhas "cannot reach .nosuch.$A_DNSDOMAIN. (DC of $A_DNSDOMAIN): name not resolved" && ! errhas "ticket"'
lab_stop_dc b >/dev/null
cliB info; rc=$?; show
check "DC B stopped: 'connection refused ... is the DC down?' (Samba alone: NT_STATUS_NO_MEMORY)" \
  eval '[ $rc = 1 ] && [ $(wc -l <"$T/err") = 1 ] &&
        errhas "cannot reach .$B_FQDN. (DC of $B_DNSDOMAIN): connection refused on port 445 (is the DC down?)" && ! errhas NO_MEMORY'
lab_start_dc b || bad "DC B does not start again"
nsx ip route replace "$BLACKHOLE" dev lo
t=$(now); cliB -s 10.99.0.2 info; rc=$?; el=$(since "$t"); show
nsx ip route del "$BLACKHOLE" dev lo
check "a DC that drops packets: 'timed out after 5 s' in ${el}s (Samba alone: 60 s)" \
  eval '[ $rc = 1 ] && errhas "cannot reach .10.99.0.2. (DC of $B_DNSDOMAIN): connection to port 445 timed out after 5 s (DC down or a firewall?)" &&
        awk -v e="$el" "BEGIN{exit !(e < 8)}"'

# ---- 5c. write sessions: an account that may read but not write trusts is refused at login ----
RPW="t05-Reader.$RANDOM-$(date +%s)-pw"
stB user create "$READER" --random-password >"$T/out" 2>"$T/err" || { show; bad "samba-tool user create $READER"; }
# its password over LDAP (StartTLS), from stdin: never on a command line
printf 'dn: CN=%s,CN=Users,%s\nchangetype: modify\nreplace: unicodePwd\nunicodePwd:: %s\n' \
  "$READER" "$B_DN" "$(printf '"%s"' "$RPW" | iconv -t UTF-16LE | base64 -w0)" |
  ldap_simple B ldapmodify >"$T/out" 2>"$T/err" || { show; bad "set the password of $READER"; }
cliR() { ADT_LSA_PASSWORD=$RPW nsx "$CLI" -s "$B_FQDN" -r "$B_REALM" -u "$READER" "$@" >"$T/out" 2>"$T/err"; }
cliR info; rc=$?; show
check "$READER opens a read session (info)" eval '[ $rc = 0 ] && has "dns_domain=$B_DNSDOMAIN"'
cliR -w info; rc=$?; show
check "$READER is refused a write session at login, in one sentence" \
  eval '[ $rc = 1 ] && [ $(wc -l <"$T/err") = 1 ] &&
        errhas "account .$READER@$B_REALM. on .$B_FQDN. may read but not write trusts (needs POLICY_TRUST_ADMIN and POLICY_CREATE_SECRET on the LSA policy" &&
        ! errhas "$RPW"'
cliR delete "$A_DNSDOMAIN"; rc=$?; show
check "without that check the same delete fails only at the write, with a misleading status" \
  eval '[ $rc = 1 ] && errhas "NT_STATUS_INVALID_HANDLE"'
cliB query "$A_DNSDOMAIN"; check "... and deleted nothing" has "name=$A_DNSDOMAIN"
cliA -w info; rc=$?; show; check "administrator@$A_REALM gets a write session on A (ccache)" test "$rc" = 0
cliB -w info; rc=$?; show; check "administrator@$B_REALM gets a write session on B (password)" test "$rc" = 0
stB user delete "$READER" >/dev/null 2>&1

# ---- 6. clean up through LSA ----
runok "delete forest trust on A" cliA delete "$B_DNSDOMAIN"
runok "delete forest trust on B" cliB delete "$A_DNSDOMAIN"
echo "t_05: $PASS passed, $FAIL failed ($(since "$T0") s)"
[ "$FAIL" = 0 ]
