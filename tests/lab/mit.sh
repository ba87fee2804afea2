#!/bin/bash
# The lab's two MIT Kerberos realms (Debian krb5-kdc + krb5-admin-server), next to the Samba forests
# in the same network namespace $NETNS, each with its own address, database and config under $LAB/mit:
#   ATHENA.TEST  kdc.athena.test  127.0.0.4  krb5kdc + kadmind: the MIT realm adtrust manages (kadm5)
#   NA.TEST      kdc.na.test      127.0.0.5  krb5kdc only: plays the AD domain's part in Kerberos
#                                            tests (the tests create its cross-realm principals with
#                                            the shared trust password, as an AD DC derives them)
# Source it (after env.sh) for the variables and helpers, or run it:
#   mit.sh up      create (first time) and start both realms; idempotent; by PID files
#   mit.sh down    stop the daemons we started (PID files, checked against /proc) and remove $LAB/mit
#   mit.sh status  exit 0 when both KDCs and kadmind answer
# Passwords: ADT_LAB_ADMINPASS for admin/admin@ATHENA.TEST and the lab users; given to the tools on
# stdin, never on argv.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	. "$(cd "$(dirname "$0")" && pwd)/env.sh"
fi
ATHENA_REALM=ATHENA.TEST ATHENA_IP=127.0.0.4 ATHENA_KDC=kdc.athena.test
NA_REALM=NA.TEST NA_IP=127.0.0.5 NA_KDC=kdc.na.test
MIT=$LAB/mit
export ATHENA_REALM ATHENA_IP ATHENA_KDC NA_REALM NA_IP NA_KDC MIT

# kadmin.local on realm x (athena|na), commands on stdin: kadmin.local reads the database directly.
mit_local() { # x [kadmin.local args...] <commands
	local x=$1; shift
	KRB5_KDC_PROFILE=$MIT/$x/kdc.conf kadmin.local -r "$(mit_realm "$x")" "$@"
}
mit_realm() { if [ "$1" = athena ]; then echo "$ATHENA_REALM"; else echo "$NA_REALM"; fi; }
mit_ip() { if [ "$1" = athena ]; then echo "$ATHENA_IP"; else echo "$NA_IP"; fi; }

# PID of daemon d (krb5kdc|kadmind) of realm x if alive and ours (its exe, and its pid file under $MIT)
mit_pid() { # x d
	local pid
	pid=$(cat "$MIT/$1/$2.pid" 2>/dev/null) && [ -n "$pid" ] || return 1
	case $(readlink "/proc/$pid/exe" 2>/dev/null) in */"$2") ;; *) return 1 ;; esac
	tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qxF "KRB5_KDC_PROFILE=$MIT/$1/kdc.conf" || return 1
	echo "$pid"
}

# the KDC answers: an AS request for a lab user of realm x gets a ticket
mit_kdc_ok() { # x
	printf '%s\n' "$ADT_LAB_ADMINPASS" |
		KRB5CCNAME=FILE:$MIT/$1/probe.cc nsx timeout 5 kinit "user@$(mit_realm "$1")" >/dev/null 2>&1
}
# kadmind answers and lets admin/admin in
mit_kadmin_ok() {
	printf '%s\n' "$ADT_LAB_ADMINPASS" |
		KRB5CCNAME=FILE:$MIT/athena/probe.cc nsx timeout 5 kadmin -r "$ATHENA_REALM" -s "$ATHENA_KDC" \
			-p "admin/admin@$ATHENA_REALM" -q "getprinc -terse krbtgt/$ATHENA_REALM" >/dev/null 2>&1
}
mit_healthy() { mit_pid athena krb5kdc >/dev/null && mit_pid athena kadmind >/dev/null &&
	mit_pid na krb5kdc >/dev/null && mit_kdc_ok athena && mit_kdc_ok na && mit_kadmin_ok; }

mit_conf() { # x: kdc.conf of realm x
	local x=$1 realm ip
	realm=$(mit_realm "$x") ip=$(mit_ip "$x")
	cat >"$MIT/$x/kdc.conf" <<EOF
[kdcdefaults]
    kdc_listen = $ip:88
    kdc_tcp_listen = $ip:88
[realms]
    $realm = {
        database_name = $MIT/$x/principal
        key_stash_file = $MIT/$x/stash
        acl_file = $MIT/$x/kadm5.acl
        kdc_listen = $ip:88
        kdc_tcp_listen = $ip:88
        kadmind_listen = $ip:749
        kpasswd_listen = $ip:464
        max_life = 10h
        max_renewable_life = 7d
        master_key_type = aes256-cts-hmac-sha1-96
        supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
    }
[logging]
    kdc = FILE:$MIT/$x/kdc.log
    admin_server = FILE:$MIT/$x/kadmind.log
EOF
	# admin/admin may do everything; noset/admin all but set keys ('s'); noadmin nothing
	printf '%s\n' "admin/admin@$realm *" "noset/admin@$realm adilmc" >"$MIT/$x/kadm5.acl"
}

# krb5.conf (clients in the netns, adtrust, kadmin) and the netns hosts file learn both realms
mit_client_conf() {
	grep -q "^ *$ATHENA_REALM = {" "$KRB5_CONFIG" 2>/dev/null || {
		local tmp=$KRB5_CONFIG.mit
		awk -v a="$ATHENA_REALM" -v aip="$ATHENA_IP" -v n="$NA_REALM" -v nip="$NA_IP" '
			{ print }
			/^\[realms\]/ { printf "    %s = {\n        kdc = %s\n        admin_server = %s\n    }\n", a, aip, aip
			                printf "    %s = {\n        kdc = %s\n    }\n", n, nip }
			/^\[domain_realm\]/ { printf "    .athena.test = %s\n    athena.test = %s\n    .na.test = %s\n    na.test = %s\n", a, a, n, n }
		' "$KRB5_CONFIG" >"$tmp" && mv "$tmp" "$KRB5_CONFIG"
	}
	grep -qw "$ATHENA_KDC" "/etc/netns/$NETNS/hosts" ||
		printf '%s %s\n%s %s\n' "$ATHENA_IP" "$ATHENA_KDC" "$NA_IP" "$NA_KDC" >>"/etc/netns/$NETNS/hosts"
}

mit_create() { # x: database + lab principals (the realm's own; no cross-realm principal)
	local x=$1 realm
	realm=$(mit_realm "$x")
	mkdir -p "$MIT/$x"
	mit_conf "$x"
	# the master key is a throwaway lab value, stashed in $MIT/x
	printf '%s\n%s\n' "$ADT_LAB_ADMINPASS" "$ADT_LAB_ADMINPASS" |
		KRB5_KDC_PROFILE=$MIT/$x/kdc.conf kdb5_util -r "$realm" create -s >"$MIT/$x/create.log" 2>&1 ||
		{ cat "$MIT/$x/create.log" >&2; return 1; }
	{
		# a user of the realm (kinit/kvno in the tests) and a service to ask tickets for
		printf 'addprinc -clearpolicy user\n%s\n%s\n' "$ADT_LAB_ADMINPASS" "$ADT_LAB_ADMINPASS"
		printf 'addprinc -randkey host/svc.%s\n' "${realm,,}"
		if [ "$x" = athena ]; then
			printf 'addprinc -clearpolicy admin/admin\n%s\n%s\n' "$ADT_LAB_ADMINPASS" "$ADT_LAB_ADMINPASS"
			# a principal kadmind knows but whose ACL grants nothing (preflight refusals)
			printf 'addprinc -clearpolicy noadmin\n%s\n%s\n' "$ADT_LAB_ADMINPASS" "$ADT_LAB_ADMINPASS"
			printf 'addprinc -clearpolicy noset/admin\n%s\n%s\n' "$ADT_LAB_ADMINPASS" "$ADT_LAB_ADMINPASS"
		fi
	} | mit_local "$x" >"$MIT/$x/principals.log" 2>&1 || { cat "$MIT/$x/principals.log" >&2; return 1; }
}

mit_start() { # x [daemons...]: start what is not running, then wait for it to answer
	local x=$1 d i; shift
	local addrs; addrs=$(nsx ip addr show dev lo)
	grep -qF " $(mit_ip "$x")/" <<<"$addrs" || nsx ip addr add "$(mit_ip "$x")/8" dev lo
	for d in "$@"; do
		mit_pid "$x" "$d" >/dev/null && continue
		case $d in
		krb5kdc) nsx env KRB5_KDC_PROFILE="$MIT/$x/kdc.conf" krb5kdc -r "$(mit_realm "$x")" \
			-P "$MIT/$x/krb5kdc.pid" </dev/null >>"$MIT/$x/daemon.log" 2>&1 9>&- || return 1 ;;
		kadmind) nsx env KRB5_KDC_PROFILE="$MIT/$x/kdc.conf" kadmind -r "$(mit_realm "$x")" \
			-P "$MIT/$x/kadmind.pid" </dev/null >>"$MIT/$x/daemon.log" 2>&1 9>&- || return 1 ;;
		esac
	done
	for i in $(seq 1 100); do
		{ [ "$x" != athena ] || [[ " $* " != *" kadmind "* ]] || mit_kadmin_ok; } && mit_kdc_ok "$x" && return 0
		sleep 0.1
	done
	echo "MIT realm $x does not answer; logs in $MIT/$x" >&2
	return 1
}

# Stop daemon(s) of realm x by their PID files (only ours: mit_pid checks exe and environment)
mit_stop() { # x [daemons...]
	local x=$1 d pid i; shift
	for d in "$@"; do
		pid=$(mit_pid "$x" "$d") || continue
		kill -TERM "$pid" 2>/dev/null || true
		for i in $(seq 1 50); do [ -e "/proc/$pid" ] || break; sleep 0.1; done
		[ -e "/proc/$pid" ] && kill -KILL "$pid" 2>/dev/null
		rm -f "$MIT/$x/$d.pid"
		echo "stopped $d of $(mit_realm "$x") (pid $pid)"
	done
	return 0
}

mit_up() {
	local t0; t0=$(now)
	mit_client_conf
	[ -e "$MIT/athena/principal" ] || mit_create athena || return 1
	[ -e "$MIT/na/principal" ] || mit_create na || return 1
	mit_start athena krb5kdc kadmind && mit_start na krb5kdc || return 1
	echo "MIT realms up: $ATHENA_REALM (kdc+kadmind pids $(mit_pid athena krb5kdc) $(mit_pid athena kadmind))," \
		"$NA_REALM (kdc pid $(mit_pid na krb5kdc)): $(since "$t0") s"
}

mit_down() {
	mit_stop athena kadmind krb5kdc
	mit_stop na krb5kdc
	rm -rf "$MIT"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	case ${1:-} in
	up) mit_up ;;
	down) mit_down ;;
	status) mit_healthy ;;
	*) echo "usage: mit.sh up|down|status" >&2; exit 64 ;;
	esac
fi
