#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"   # `make lab-up` runs us with sh
# Bring up the two-forest Samba AD lab (A.TEST/dca 127.0.0.2, B.TEST/dcb 127.0.0.3) in netns $NETNS.
# Idempotent: a healthy lab is left alone (exit 0); a half-up one is torn down and rebuilt.
# Exit 77 when not root (network + mount namespaces need it).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/env.sh"
[ "$(id -u)" = 0 ] || { echo "up.sh: the Samba lab needs root (network/mount namespaces) - not starting" >&2; exit 77; }
lab_lock
T0=$(now)

if lab_healthy; then
  echo "lab already up ($LAB, netns $NETNS), healthy - checked in $(since "$T0") s"
  "$HERE/mit.sh" up
  exit 0
fi
# provisioned, but a DC is down (e.g. a test stopped it): just start it again
if [ -e "$LAB/provisioned" ] && [ -e "/run/netns/$NETNS" ]; then
  echo "lab provisioned but not healthy: (re)starting DCs"
  if lab_start_dc a b && lab_healthy; then echo "lab up again: $(since "$T0") s"; "$HERE/mit.sh" up; exit 0; fi
  echo "restart did not help"
fi
if [ -e "$LAB" ] || [ -e "/run/netns/$NETNS" ] || [ -e "/etc/netns/$NETNS" ]; then
  echo "lab is half-up: tearing it down first"
  "$HERE/down.sh"
fi
mkdir -p "$LAB/tmp"

# ---- network namespace; `ip netns exec` bind-mounts /etc/netns/$NETNS/* over /etc/* ----
ip netns add "$NETNS"
nsx ip link set lo up
nsx ip addr add "$A_IP/8" dev lo     # Samba binds only addresses that exist on an interface
nsx ip addr add "$B_IP/8" dev lo
mkdir -p "/etc/netns/$NETNS"
# DC A's internal DNS answers a.test and forwards the rest to DC B (B has no forwarder: no loop)
printf 'nameserver %s\noptions timeout:2 attempts:2\n' "$A_IP" > "/etc/netns/$NETNS/resolv.conf"
# own hostname here, else every libldap/krb5 client spends ~1.4 s resolving it via the lab DNS
cat > "/etc/netns/$NETNS/hosts" <<EOF
127.0.0.1 localhost $(hostname)
$A_IP $A_FQDN $A_HOST
$B_IP $B_FQDN $B_HOST
EOF

# ---- krb5.conf for clients (kinit/kvno, GSSAPI LDAP binds from adtrust, samba-tool) ----
cat > "$KRB5_CONFIG" <<EOF
[libdefaults]
    default_realm = $A_REALM
    dns_lookup_kdc = false
    dns_lookup_realm = false
    dns_canonicalize_hostname = false
    rdns = false
    forwardable = true
[realms]
    $A_REALM = {
        kdc = $A_IP
        admin_server = $A_IP
    }
    $B_REALM = {
        kdc = $B_IP
        admin_server = $B_IP
    }
[domain_realm]
    .$A_DNSDOMAIN = $A_REALM
    $A_DNSDOMAIN = $A_REALM
    .$B_DNSDOMAIN = $B_REALM
    $B_DNSDOMAIN = $B_REALM
EOF
echo "network + config: $(since "$T0") s"

# ---- provision both DCs in parallel ----
provision() { # x REALM DOMAIN HOST IP [DNS-FORWARDER]
  local d=$LAB/$1 t; t=$(now)
  mkdir -p "$d/run" "$d/log"
  if ! nsx samba-tool domain provision --targetdir="$d" \
        --realm="$2" --domain="$3" --host-name="$4" --host-ip="$5" \
        --domain-sid="$(eval echo "\$${1^^}_SID")" \
        --server-role=dc --dns-backend=SAMBA_INTERNAL --adminpass="$ADT_LAB_ADMINPASS" \
        --option="interfaces = $5" --option="bind interfaces only = yes" \
        --option="disable netbios = yes" \
        --option="pid directory = $d/run" --option="ncalrpc dir = $d/run/ncalrpc" \
        --option="winbindd socket directory = $d/run/winbindd" \
        --option="ntp signd socket directory = $d/run/ntp_signd" \
        --option="log file = $d/log/log.%m" --option="log level = 1" \
        ${6:+--option="dns forwarder = $6"} > "$d/provision.log" 2>&1 ||
     ! nsx samba-tool domain passwordsettings set --max-pwd-age=0 \
        -H "$d/private/sam.ldb" -s "$d/etc/smb.conf" >> "$d/provision.log" 2>&1; then
    echo "provision $2 FAILED; last lines of $d/provision.log:" >&2
    tail -20 "$d/provision.log" >&2
    return 1
  fi
  echo "provision $2: $(since "$t") s"
}
provision a "$A_REALM" "$A_DOMAIN" "$A_HOST" "$A_IP" "$B_IP" & pa=$!
provision b "$B_REALM" "$B_DOMAIN" "$B_HOST" "$B_IP" & pb=$!
rc=0; wait $pa || rc=1; wait $pb || rc=1
[ $rc = 0 ] || exit 1
touch "$LAB/provisioned"

# ---- start both (own mount namespaces, see lab_start_dc in env.sh) ----
T1=$(now)
lab_start_dc a b
echo "DCs answering LDAP after $(since "$T1") s (pids $(dc_pid a) $(dc_pid b))"

# ---- sanity: DNS (incl. forwarding A -> B) and kinit in both realms ----
for x in A B; do
  eval "realm=\$${x}_REALM dns=\$${x}_DNSDOMAIN"
  nsx host -t SRV "_ldap._tcp.$dns" >/dev/null || { echo "DNS: no _ldap._tcp.$dns SRV via $A_IP" >&2; exit 1; }
  printf '%s\n' "$ADT_LAB_ADMINPASS" | KRB5CCNAME=FILE:$LAB/tmp/cc.up nsx kinit "administrator@$realm" >/dev/null ||
    { echo "kinit administrator@$realm failed" >&2; exit 1; }
done
rm -f "$LAB/tmp/cc.up"
lab_healthy || { echo "lab not healthy after start" >&2; exit 1; }
"$HERE/mit.sh" up    # the MIT realms ATHENA.TEST and NA.TEST (tests/lab/mit.sh)
echo "lab up: $(since "$T0") s total (LAB=$LAB NETNS=$NETNS)"
