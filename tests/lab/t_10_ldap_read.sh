#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# t_10: the LDAP read provider (providers/ldap.c) against the Samba lab, through
# tests/providers/prov_read_cli.c (built here against $B/libadtrust.a).  With a two-way forest
# trust made by samba-tool: password bind over StartTLS and over LDAPS (CA checked), GSSAPI with
# sign+seal reading both forests at once (cross-realm), the same digests every way, a snapshot
# exported with ldapsearch read back identically by the snapshot provider, the refusals
# (clear-text simple bind, untrusted certificate, wrong password), servers that cannot be reached
# said in words without a TLS hint (unknown name, DC stopped, packets dropped), timeouts of an
# LDAP server that never answers (concurrent: total ~ one timeout), and no TDOs once the trust
# is gone.
# Usage: tests/lab/t_10_ldap_read.sh [BUILD_DIR]   (default: dir of $ADTRUST, else build;
#        lab from tests/lab/up.sh; exit 77 = skipped)
# Secrets: the admin password reaches prov_read_cli only as ADT_LDAP_PASSWORD (environment).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
# run.sh passes no argument but exports ADTRUST=$BUILD/adtrust
B=${1:-$(dirname "${ADTRUST:-build/adtrust}")}
cd "$TOP"
. "$HERE/env.sh"
[ "$(id -u)" = 0 ] || { echo "t_10: needs root (lab netns) - skipped"; exit 77; }
lab_lock
lab_healthy || { echo "t_10: lab not up (tests/lab/up.sh) - skipped"; exit 77; }

# ---- build the CLI against the library ----
make -s B="$B" "$B/libadtrust.a" || { echo "t_10: build failed"; exit 1; }
CLI=$B/tests/prov_read_cli
mkdir -p "$B/tests"
# (no grep -q: nm would die of SIGPIPE and pipefail would hide the match)
SAN=; nm "$B/libadtrust.a" 2>/dev/null | grep __asan_ >/dev/null && SAN="-fsanitize=address,undefined"
PKGS="libcyaml yaml-0.1 ldap jansson libgit2 gnutls krb5 krb5-gssapi libsasl2 kadm-client"
# shellcheck disable=SC2046
cc -std=c11 -D_DEFAULT_SOURCE -I. -g -O1 -Wall -Wextra -Werror $SAN -o "$CLI" \
   tests/providers/prov_read_cli.c "$B/libadtrust.a" $(pkg-config --libs $PKGS) -lpthread \
   || { echo "t_10: cannot build prov_read_cli"; exit 1; }

T=$LAB/tmp/t10; rm -rf "$T"; mkdir -p "$T/snap"
CC=FILE:$T/a.cc                              # MIT ccache for A's administrator
PASS=0 FAIL=0 SINK=
ok()   { PASS=$((PASS+1)); echo "ok - $*"; }
bad()  { FAIL=$((FAIL+1)); echo "FAIL - $*"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }
show() { sed 's/^/    /' "$T/out" "$T/err"; }
has()  { grep -q -- "$1" "$T/out"; }
errhas() { grep -q -- "$1" "$T/err"; }
cli()  { nsx "$CLI" "$@" >"$T/out" 2>"$T/err"; }
cliP() { ADT_LDAP_PASSWORD=$ADT_LAB_ADMINPASS cli "$@"; }           # password binds
cliK() { KRB5CCNAME=$CC cli "$@"; }                                   # GSSAPI binds
# the dump without where it came from, for comparing providers
strip() { grep -v '^ *source ' "$1"; }
BLACKHOLE=10.99.0.0/24                       # routed into lo in the netns: SYNs get no answer
cleanup() {
  [ -n "$SINK" ] && kill "$SINK" 2>/dev/null
  nsx ip route del "$BLACKHOLE" dev lo 2>/dev/null
  dc_pid b >/dev/null || lab_start_dc b >/dev/null 2>&1
  lab_reset >/dev/null 2>&1 || echo "t_10: lab_reset failed" >&2
  KRB5CCNAME=$CC kdestroy -q 2>/dev/null; rm -rf "$T"
}
trap cleanup EXIT
lab_reset || { echo "t_10: lab_reset failed"; exit 1; }
printf '%s\n' "$ADT_LAB_ADMINPASS" | KRB5CCNAME=$CC nsx kinit "administrator@$A_REALM" >/dev/null \
  || { echo "t_10: kinit administrator@$A_REALM failed"; exit 1; }
stA_peer domain trust create "$B_DNSDOMAIN" --type=forest --direction=both \
  --create-location=both >"$T/out" 2>&1 || { show; echo "t_10: trust create failed"; exit 1; }
T0=$(now)
UA="administrator@$A_DNSDOMAIN" UB="administrator@$B_DNSDOMAIN"
URIA="ldap://$A_FQDN" URIB="ldap://$B_FQDN"

# ---- 1. password over StartTLS (the default for ldap://) ----
cliP ldap -m password -u "$UA" "$A_DNSDOMAIN=$URIA"; r=$?; show
check "password+StartTLS read of $A_DNSDOMAIN" test "$r" = 0
check "identity of $A_DNSDOMAIN" grep -qx "  netbios $A_DOMAIN" "$T/out"
check "forest root, vendor, level" sh -c "grep -qx '  forest_root $A_DNSDOMAIN' '$T/out' &&
  grep -q '^  vendor Samba Team' '$T/out' && grep -qx '  functional_level 4' '$T/out'"
check "the TDO of $B_DNSDOMAIN" sh -c "grep -qx '  tdo CN=$B_DNSDOMAIN,CN=System,$A_DN' '$T/out' &&
  grep -qx '    direction 3' '$T/out' && grep -qx '    type 2' '$T/out' &&
  grep -qx '    attributes 0x00000008' '$T/out' && grep -qx '    flat_name $B_DOMAIN' '$T/out'"
check "forest trust info decoded" has "      DOMAIN flags=0x0 $B_DNSDOMAIN $B_DOMAIN S-1-5-21-"
SIDA=$(sed -n 's/^  sid //p' "$T/out")
cp "$T/out" "$T/pw-a"

# ---- 2. GSSAPI (sign+seal) of both forests at once, cross-realm for B ----
cliK ldap -m kerberos "$A_DNSDOMAIN=$URIA" "$B_DNSDOMAIN=$URIB"; r=$?; show
check "GSSAPI read of both domains" test "$r" = 0
check "both domains, in the order asked" sh -c "grep '^domain ' '$T/out' | tr '\n' ' ' |
  grep -qx 'domain $A_DNSDOMAIN domain $B_DNSDOMAIN '"
check "B's TDO names A's SID" has "    sid $SIDA"
awk '/^domain /{p=($2=="'"$A_DNSDOMAIN"'")} p' "$T/out" > "$T/krb-a"
check "GSSAPI and password reads agree (digests too)" diff <(strip "$T/pw-a") <(strip "$T/krb-a")
cp "$T/out" "$T/krb-ab"

# ---- 3. LDAPS with the lab CA checked; an untrusted certificate is refused ----
LDAPTLS_REQCERT=demand LDAPTLS_CACERT=$LAB/b/private/tls/ca.pem \
  cliP ldap -m password -u "$UB" "$B_DNSDOMAIN=ldaps://$B_FQDN"; r=$?; show
check "password over ldaps:// with the CA" test "$r" = 0
LDAPTLS_REQCERT=demand LDAPTLS_CACERT=/dev/null \
  cliP ldap -m password -u "$UB" "$B_DNSDOMAIN=ldaps://$B_FQDN"; r=$?; show
check "untrusted certificate refused, with a TLS hint" sh -c "[ $r = 1 ] && grep -q 'LDAPTLS_CACERT' '$T/err'"
LDAPTLS_REQCERT=demand LDAPTLS_CACERT=/dev/null \
  cliP ldap -m password -u "$UB" "$B_DNSDOMAIN=$URIB"; r=$?; show
check "untrusted certificate on StartTLS: 'StartTLS failed' with the TLS hint" \
  sh -c "[ $r = 1 ] && grep -q 'StartTLS failed: .*is the server certificate trusted' '$T/err'"

# ---- 4. refusals ----
cliP ldap -m password -N -u "$UA" "$A_DNSDOMAIN=$URIA"; r=$?; show
check "clear-text simple bind refused, one line naming domain and URI" sh -c "[ $r = 1 ] &&
  [ \$(wc -l < '$T/err') = 1 ] && grep -q \"domain '$A_DNSDOMAIN': refusing a clear-text simple bind to '$URIA'\" '$T/err'"
ADT_LDAP_PASSWORD=wrong cli ldap -m password -u "$UA" "$A_DNSDOMAIN=$URIA"; r=$?; show
check "wrong password: LDAP error with diagnostic" sh -c "[ $r = 1 ] &&
  grep -q \"domain '$A_DNSDOMAIN' ($URIA): cannot bind as '$UA': Invalid credentials (49): \" '$T/err'"
check "the password never shows" sh -c "! grep -qF -- '$ADT_LAB_ADMINPASS' '$T/out' '$T/err'"
cliK ldap -m kerberos "$A_DNSDOMAIN=ldaps://$A_FQDN"; r=$?; show
check "GSSAPI inside TLS refused" sh -c "[ $r = 1 ] && grep -q 'GSSAPI' '$T/err'"
cliK ldap -m kerberos "$A_DNSDOMAIN=$URIB"; r=$?; show
check "a DC of the wrong domain is an error" sh -c "[ $r = 1 ] && grep -q 'default naming context' '$T/err'"

# ---- 4b. a server that cannot be reached: one sentence, and no TLS hint ----
cliP ldap -m password -u "$UA" "$A_DNSDOMAIN=ldap://nosuch.$A_DNSDOMAIN"; r=$?; show
check "unknown name over StartTLS: 'name not resolved', no TLS hint" sh -c "[ $r = 1 ] &&
  [ \$(wc -l < '$T/err') = 1 ] &&
  grep -q \"domain '$A_DNSDOMAIN': cannot reach LDAP server 'ldap://nosuch.$A_DNSDOMAIN': name not resolved\" '$T/err' &&
  ! grep -qi -e 'TLS' -e 'certificate' '$T/err'"
cliK ldap -m kerberos "$A_DNSDOMAIN=ldap://nosuch.$A_DNSDOMAIN"; r=$?; show
check "unknown name with GSSAPI: 'name not resolved'" sh -c "[ $r = 1 ] &&
  grep -q \"cannot reach LDAP server 'ldap://nosuch.$A_DNSDOMAIN': name not resolved\" '$T/err'"
lab_stop_dc b >/dev/null
cliP ldap -m password -u "$UB" "$B_DNSDOMAIN=$URIB"; r=$?; show
check "DC B stopped: 'connection refused on port 389 (is the DC down?)', no TLS hint" sh -c "[ $r = 1 ] &&
  grep -q \"domain '$B_DNSDOMAIN': cannot reach LDAP server '$URIB': connection refused on port 389 (is the DC down?)\" '$T/err' &&
  ! grep -qi 'certificate' '$T/err'"
cliP ldap -m password -u "$UB" "$B_DNSDOMAIN=ldaps://$B_FQDN"; r=$?; show
check "DC B stopped, ldaps://: 'connection refused on port 636'" sh -c "[ $r = 1 ] &&
  grep -q \"cannot reach LDAP server 'ldaps://$B_FQDN': connection refused on port 636\" '$T/err'"
lab_start_dc b || bad "DC B does not start again"
nsx ip route replace "$BLACKHOLE" dev lo
t=$(now); cliP ldap -t 1500 -m password -u "$UA" "$A_DNSDOMAIN=ldap://10.99.0.2"; r=$?; el=$(since "$t"); show
nsx ip route del "$BLACKHOLE" dev lo
check "a server that drops packets: 'timed out' in ${el}s, no TLS hint" sh -c "[ $r = 1 ] &&
  grep -q \"cannot reach LDAP server 'ldap://10.99.0.2': connection to port 389 timed out after 1500 ms\" '$T/err' &&
  ! grep -qi 'certificate' '$T/err'"

# ---- 5. a server that never answers: each domain times out, concurrently ----
# accepts and never answers; writes its own PID (ip netns exec may fork) and quits after 20 s
nsx python3 -c '
import os, socket, sys, time
open(sys.argv[1], "w").write(str(os.getpid()))
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 38999)); s.listen(8); s.settimeout(0.5); c = []; end = time.time() + 20
while time.time() < end:
    try: c.append(s.accept()[0])
    except socket.timeout: pass' "$T/sink.pid" &
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -s "$T/sink.pid" ] && break; sleep 0.1; done
SINK=$(cat "$T/sink.pid" 2>/dev/null)
t=$(now)
cli ldap -t 1500 "x.test=ldap://127.0.0.1:38999" "y.test=ldap://127.0.0.1:38999"; r=$?
el=$(since "$t"); show
check "timeout reported for the silent server" sh -c "[ $r = 1 ] && grep -q \"domain 'x.test'.*Timed out\" '$T/err'"
check "concurrent: 2 silent domains in ${el}s (1.5s timeout each, < 2.8s)" \
  awk -v e="$el" 'BEGIN{exit !(e < 2.8)}'
kill "$SINK" 2>/dev/null; SINK=

# ---- 6. snapshot exported with ldapsearch reads back the same as LDAP ----
for x in A B; do
  eval "dn=\$${x}_DN"; l=${x,,}
  ldap_simple "$x" ldapsearch -L -b "" -s base defaultNamingContext rootDomainNamingContext \
    domainFunctionality vendorName > "$T/snap/$l-rootdse.ldif" &&
  { ldap_simple "$x" ldapsearch -LLL -b "$dn" -s base;
    ldap_simple "$x" ldapsearch -LLL -b "CN=System,$dn"; } > "$T/snap/$l-domain.ldif" &&
  ldap_simple "$x" ldapsearch -LLL -b "CN=Partitions,CN=Configuration,$dn" \
    '(objectClass=crossRef)' > "$T/snap/$l-partitions.ldif" || bad "ldapsearch export of $x"
done
"$CLI" snapshot "$T/snap" "$A_DNSDOMAIN" "$B_DNSDOMAIN" >"$T/out" 2>"$T/err"; r=$?; show
check "snapshot of the live export" test "$r" = 0
check "snapshot and LDAP agree (digests too)" diff <(strip "$T/krb-ab") <(strip "$T/out")

# ---- 7. trust gone: no TDOs ----
lab_reset >/dev/null || bad "lab_reset"
cliK ldap -m kerberos "$A_DNSDOMAIN=$URIA"; r=$?; show
check "no TDOs after the trust is deleted" sh -c "[ $r = 0 ] && grep -qx '  tdos 0' '$T/out'"

echo "t_10: $PASS passed, $FAIL failed in $(since "$T0") s"
[ "$FAIL" = 0 ]
