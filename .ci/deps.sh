#!/bin/sh
# Installs the Debian 12 packages adtrust needs to build and to run its
# tests (the Samba AD lab, slapd, MIT KDC).  --if-missing: only when a
# build dependency is absent (what `make demo` uses).
set -eu
BUILD="build-essential pkg-config libyaml-dev libcyaml-dev libldap-dev
 libsasl2-dev libkrb5-dev libgit2-dev libjansson-dev libcriterion-dev
 libgnutls28-dev samba-dev libtalloc-dev libtevent-dev"
TEST="samba samba-ad-dc samba-ad-provision samba-dsdb-modules samba-vfs-modules
 winbind python3-samba smbclient krb5-user krb5-kdc krb5-admin-server
 ldap-utils slapd libsasl2-modules-gssapi-mit libsasl2-modules
 bind9-dnsutils iproute2 procps attr ldb-tools jq util-linux git clang-format
 python3-yaml systemd graphviz python3-jsonschema"
if [ "${1:-}" = --if-missing ]; then
	missing=
	for p in $BUILD; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing="$missing $p"
	done
	[ -z "$missing" ] && exit 0
	PKGS=$BUILD
else
	PKGS="$BUILD $TEST"
fi
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# Samba and slapd must not start their own daemons from the package
# scripts: the tests start their own, in their own namespaces.
added=
if [ ! -e /usr/sbin/policy-rc.d ]; then
	$SUDO sh -c 'printf "#!/bin/sh\nexit 101\n" >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d'
	added=1
fi
rc=0
$SUDO apt-get install -y -q --no-install-recommends $PKGS || rc=$?
[ -z "$added" ] || $SUDO rm -f /usr/sbin/policy-rc.d
exit $rc
