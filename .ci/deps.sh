#!/bin/sh
# Installs the Debian 12 packages adtrust needs to build and to run its
# tests (the Samba AD lab, slapd, MIT KDC).  No argument: every list.
#   --if-missing  only when a package of the chosen lists is absent
#   --test        the build and test lists (what `make check` uses with
#                 --if-missing; `make demo` uses --if-missing alone)
#   --deb         the build and packaging lists (`make deb`)
set -eu
BUILD="build-essential pkg-config libyaml-dev libcyaml-dev libldap-dev
 libsasl2-dev libkrb5-dev libgit2-dev libjansson-dev libcriterion-dev
 libgnutls28-dev samba-dev libtalloc-dev libtevent-dev scdoc"
TEST="samba samba-ad-dc samba-ad-provision samba-dsdb-modules samba-vfs-modules
 winbind python3-samba smbclient krb5-user krb5-kdc krb5-admin-server
 ldap-utils slapd libsasl2-modules-gssapi-mit libsasl2-modules
 bind9-dnsutils iproute2 procps attr ldb-tools jq util-linux git clang-format
 python3-yaml systemd python3-jsonschema prometheus zsh bash-completion man-db"
DEB="debhelper devscripts lintian fakeroot dpkg-dev"
if_missing= PKGS=
for a in "$@"; do
	case $a in
	--if-missing) if_missing=1 ;;
	--test) PKGS="$PKGS $TEST" ;;
	--deb) PKGS="$PKGS $DEB" ;;
	*) echo "usage: sh .ci/deps.sh [--if-missing] [--test] [--deb]" >&2; exit 64 ;;
	esac
done
if [ $# -eq 0 ]; then
	PKGS="$BUILD $TEST $DEB"
else
	PKGS="$BUILD$PKGS"
fi
# Tests of this logic: ADT_DEPS_ASSUME_MISSING=PKG reports PKG missing,
# ADT_DEPS_DRY_RUN=1 prints what would be installed instead.
if [ -n "$if_missing" ]; then
	installed=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' $PKGS 2>/dev/null |
		awk '$1 == "ii" {print $2}')
	missing=
	for p in $PKGS; do
		if [ "$p" = "${ADT_DEPS_ASSUME_MISSING:-}" ] ||
			! printf '%s\n' "$installed" | grep -qx "$p"; then
			missing="$missing $p"
		fi
	done
	[ -z "$missing" ] && exit 0
	echo "adtrust: installing the missing packages:$missing" >&2
fi
if [ -n "${ADT_DEPS_DRY_RUN:-}" ]; then
	echo "apt-get update; apt-get install" $PKGS
	exit 0
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
