# adtrust integration lab: settings + helpers. Source it from bash:  . tests/lab/env.sh
# Two Samba AD DC forests (A.TEST on 127.0.0.2, B.TEST on 127.0.0.3) in one network namespace;
# each DC has its own mount namespace with $LAB/<a|b>/run bind-mounted on /run/samba.
# Background and verified facts: /work/shared/notes/samba-lab.md
LAB=${LAB:-/tmp/adtrust-lab}            # all lab state (removed by down.sh)
NETNS=${NETNS:-adtrust-lab}             # network namespace holding both DCs
# Administrator password of both lab DCs. Throwaway, lab-only value. Tests hand it to adtrust via
# the environment (ADT_LAB_ADMINPASS), never via argv.
ADT_LAB_ADMINPASS=${ADT_LAB_ADMINPASS:-'Lab-only.Adtrust-1'}

# Fixed domain SIDs (provision --domain-sid), so examples/lab/*.yaml can name them.
A_SID=S-1-5-21-3786509767-1364254546-2713417761
B_SID=S-1-5-21-2611617361-1180431453-2953370917
A_REALM=A.TEST A_DNSDOMAIN=a.test A_DOMAIN=A A_HOST=dca A_FQDN=dca.a.test A_IP=127.0.0.2 A_DN=DC=a,DC=test
B_REALM=B.TEST B_DNSDOMAIN=b.test B_DOMAIN=B B_HOST=dcb B_FQDN=dcb.b.test B_IP=127.0.0.3 B_DN=DC=b,DC=test
export LAB NETNS ADT_LAB_ADMINPASS A_SID B_SID \
  A_REALM A_DNSDOMAIN A_DOMAIN A_HOST A_FQDN A_IP A_DN B_REALM B_DNSDOMAIN B_DOMAIN B_HOST B_FQDN B_IP B_DN

export KRB5_CONFIG=$LAB/krb5.conf       # MIT tools, libldap/SASL GSSAPI and Samba's Heimdal all honour it
export KRB5CCNAME=FILE:$LAB/krb5cc      # never touch the caller's default ccache
export LDAPTLS_REQCERT=never            # Samba's self-signed cert; CA: $LAB/<a|b>/private/tls/ca.pem

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}'; }

# run a command inside the lab network namespace (environment is preserved)
nsx() { ip netns exec "$NETNS" "$@"; }

# samba-tool against DC A / DC B (local side via ncalrpc/ldb, using the DC's own smb.conf)
stA() { nsx samba-tool "$@" -s "$LAB/a/etc/smb.conf"; }
stB() { nsx samba-tool "$@" -s "$LAB/b/etc/smb.conf"; }
# same, authenticated to the *other* forest as its administrator (password via env PASSWD, not argv)
stA_peer() { PASSWD=$ADT_LAB_ADMINPASS stA "$@" -U "administrator@$B_REALM"; }
stB_peer() { PASSWD=$ADT_LAB_ADMINPASS stB "$@" -U "administrator@$A_REALM"; }

# PID of DC x (a|b) if it is alive and really ours: a samba process holding files under $LAB/x/
# open (its command line is rewritten to "samba: root process", so that cannot be checked)
dc_pid() {
  local pid
  pid=$(cat "$LAB/$1/run/samba.pid" 2>/dev/null) && [ -n "$pid" ] || return 1
  case $(readlink "/proc/$pid/exe" 2>/dev/null) in */samba) ;; *) return 1 ;; esac
  ls -l "/proc/$pid/fd" 2>/dev/null | grep -qF -- "-> $LAB/$1/" || return 1
  echo "$pid"
}

# wbinfo against a DC's winbindd: it only exists inside that DC's mount namespace
wbA() { nsenter -m -n -t "$(dc_pid a)" wbinfo "$@"; }
wbB() { nsenter -m -n -t "$(dc_pid b)" wbinfo "$@"; }
# Drop winbindd's cached netlogon secure channel to the partner. Needed after a trust is deleted,
# otherwise the next trust with the same partner fails validation with TRUST[WERR_ACCOUNT_DISABLED].
# --check-secret "fails" when there is no trust; that is expected.
flushA() { wbA --check-secret --domain="$B_DOMAIN" >/dev/null 2>&1 || true; }
flushB() { wbB --check-secret --domain="$A_DOMAIN" >/dev/null 2>&1 || true; }
lab_flush() { flushA; flushB; }

# LDAP as administrator of realm A|B: simple bind over StartTLS, password via a pipe (not argv)
ldap_simple() { # A|B ldapsearch|ldapdelete|ldapmodify [args...]
  local x=$1 tool=$2; shift 2
  local fqdn realm; eval "fqdn=\$${x}_FQDN realm=\$${x}_REALM"
  nsx "$tool" -x -ZZ -H "ldap://$fqdn" -D "administrator@${realm,,}" \
      -y <(printf %s "$ADT_LAB_ADMINPASS") "$@"
}

# both DCs alive (pid files) and answering LDAP (rootDSE)
lab_healthy() {
  ip netns pids "$NETNS" >/dev/null 2>&1 || return 1
  local x
  for x in a b; do
    dc_pid "$x" >/dev/null || return 1
    nsx timeout 10 ldapsearch -x -H "ldap://$(dc_ip $x)" -b "" -s base namingContexts >/dev/null 2>&1 || return 1
  done
}

# Back to "no trusts": delete every trustedDomain object and every inter-domain trust account
# (uac 0x800) on both DCs over LDAP (deleting both is allowed over LDAP; it is what LSA DeleteObject
# does too), then flush winbindd's secure channels unless ADT_LAB_NOFLUSH is set. Works for
# half-created/one-sided trusts too.
lab_reset() {
  local x base dns
  for x in A B; do
    eval "base=\$${x}_DN"
    dns=$(ldap_simple "$x" ldapsearch -LLL -o ldif-wrap=no -b "$base" \
      '(|(objectClass=trustedDomain)(&(objectClass=user)(userAccountControl:1.2.840.113556.1.4.803:=2048)))' \
      1.1 | sed -n 's/^dn: //p') || { echo "lab_reset: LDAP search on $x failed" >&2; return 1; }
    [ -z "$dns" ] && continue
    printf '%s\n' "$dns" | ldap_simple "$x" ldapdelete >/dev/null \
      || { echo "lab_reset: LDAP delete on $x failed: $dns" >&2; return 1; }
  done
  # Then drop winbindd's secure channels to the trusts deleted here, for tests whose next trust is
  # made by samba-tool or lsa_cli (which do not reset them).  The apply tests set ADT_LAB_NOFLUSH=1:
  # adtrust must reset the channels itself (REDISCOVER), and a flush here would hide it if it did not.
  [ -n "${ADT_LAB_NOFLUSH:-}" ] || lab_flush
}

dc_ip() { if [ "$1" = a ]; then echo "$A_IP"; else echo "$B_IP"; fi; }

# Start provisioned DC(s) x (a|b), each in its own mount namespace with its own /run/samba
# ($LAB/x/run bind-mounted): libwbclient ignores "winbindd socket directory", and with a shared
# /run/samba every SMB session setup fails with NT_STATUS_INTERNAL_ERROR. Then wait for LDAP.
lab_start_dc() {
  local x i
  mkdir -p /run/samba                 # bind-mount target only; never removed (other labs use it)
  for x in "$@"; do
    dc_pid "$x" >/dev/null && continue
    nsx env -u KRB5CCNAME unshare --mount --propagation private sh -c \
      "mount --bind '$LAB/$x/run' /run/samba && exec samba -s '$LAB/$x/etc/smb.conf' -D" 9>&- || return 1
  done
  for x in "$@"; do
    for i in $(seq 1 400); do         # up to ~2 min
      nsx ldapsearch -x -H "ldap://$(dc_ip "$x")" -b "" -s base namingContexts >/dev/null 2>&1 && break
      [ "$i" = 400 ] && { echo "DC $x does not answer LDAP; logs: $LAB/$x/log" >&2; return 1; }
      sleep 0.3
    done
  done
}

# Stop DC(s) x: SIGTERM to the samba master from the pid file (verified by dc_pid), wait for it and
# all its descendants (smbd/winbindd run in their own sessions: found via the parent chain, never by
# name); SIGKILL what is left after 10 s. PID + start time guard against PID reuse.
lab_stop_dc() {
  local x pid masters=() tree="" before left i
  for x in "$@"; do
    pid=$(dc_pid "$x") || continue
    masters+=("$pid")
    tree+=" $(ps -eo pid=,ppid= | awk -v r="$pid" '{p[$1]=$2}
      END {for (x in p) {y=x; while (y>1 && y!=r) y=p[y]; if (y==r) print x}}' | tr '\n' ' ')"
  done
  [ ${#masters[@]} = 0 ] && return 0
  tree=$(echo $tree | tr ' ' ',')
  before=$(ps -o pid=,lstart= -p "$tree" || true)
  kill -TERM "${masters[@]}" 2>/dev/null || true     # samba stops its children itself
  for i in $(seq 1 100); do
    left=$(ps -o pid=,lstart= -p "$tree" | grep -Fxf <(printf '%s\n' "$before") | awk '{print $1}' || true)
    [ -z "$left" ] && break
    [ "$i" = 100 ] && { echo "SIGKILL" $left >&2; kill -KILL $left 2>/dev/null || true; }
    sleep 0.1
  done
  echo "stopped samba ${masters[*]} ($(echo "$before" | wc -l) processes)"
}

# serialize lab users (up/down/run) on this machine; children inherit the lock
lab_lock() {
  [ -n "${ADT_LAB_LOCKED:-}" ] && return 0
  exec 9>"$LAB.lock"
  flock -n 9 || { echo "lab: waiting for lock $LAB.lock (another lab user)" >&2; flock -w 900 9; }
  export ADT_LAB_LOCKED=1
}
