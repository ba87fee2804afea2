#!/bin/sh
# Installs the Debian 12 packages adtrust needs to build and to run its
# tests (the Samba AD lab, slapd, MIT KDC).
#   --if-missing   only when a build dependency is absent (what `make demo`
#                  uses)
#   --samba=4.17   Debian 12's own Samba (the default)
#   --samba=4.22   Samba 4.22 from bookworm-backports: adds the suite as a
#                  deb822 source (/etc/apt/sources.list.d/adtrust-backports.
#                  sources, same mirror as the system's) and installs the
#                  Samba packages, samba-dev and its talloc/tevent/ldb from it
# The environment variable ADTRUST_SAMBA (4.17 or 4.22) does the same as
# --samba; `make deps ADTRUST_SAMBA=4.22` passes it on.
set -eu
BUILD="build-essential pkg-config libyaml-dev libcyaml-dev libldap-dev
 libsasl2-dev libkrb5-dev libgit2-dev libjansson-dev libcriterion-dev
 libgnutls28-dev"
TEST="krb5-user krb5-kdc krb5-admin-server
 ldap-utils slapd libsasl2-modules-gssapi-mit libsasl2-modules
 bind9-dnsutils iproute2 procps attr jq util-linux git clang-format
 python3-yaml systemd graphviz python3-jsonschema"
# Built from Samba's source: one version of all of them at a time.
SAMBA_BUILD="samba-dev libtalloc-dev libtevent-dev"
SAMBA_TEST="samba samba-ad-dc samba-ad-provision samba-dsdb-modules
 samba-vfs-modules winbind python3-samba smbclient ldb-tools"
# 4.22 also replaces these, which 4.17 installs as dependencies.
SAMBA_422_MORE="samba-common samba-common-bin samba-libs python3-ldb"
BACKPORTS=/etc/apt/sources.list.d/adtrust-backports.sources

if_missing= samba=${ADTRUST_SAMBA:-4.17}
for a in "$@"; do
	case $a in
	--if-missing) if_missing=1 ;;
	--samba=*) samba=${a#--samba=} ;;
	*)
		echo "usage: deps.sh [--if-missing] [--samba=4.17|4.22]" >&2
		exit 64
		;;
	esac
done
case $samba in
4.17 | 4.22) ;;
*)
	echo "deps.sh: Samba '$samba' is not supported (4.17 or 4.22)" >&2
	exit 64
	;;
esac

if [ -n "$if_missing" ]; then
	missing=
	for p in $BUILD $SAMBA_BUILD; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing="$missing $p"
	done
	[ -z "$missing" ] && exit 0
	PKGS=$BUILD SAMBA_PKGS=$SAMBA_BUILD
else
	PKGS="$BUILD $TEST" SAMBA_PKGS="$SAMBA_BUILD $SAMBA_TEST"
fi
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive

if [ "$samba" = 4.22 ]; then
	# the system's Debian mirror (deb822 or one-line sources), else the
	# default one
	mirror=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\/debian\)\/*$/\1/p' \
		/etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
	[ -n "$mirror" ] || mirror=$(sed -n \
		's/^deb[[:space:]]\{1,\}\([^[:space:]]*\/debian\)\/*[[:space:]].*/\1/p' \
		/etc/apt/sources.list 2>/dev/null | head -n 1)
	[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
	printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
		"$mirror" | $SUDO tee "$BACKPORTS.tmp" >/dev/null
	$SUDO mv "$BACKPORTS.tmp" "$BACKPORTS"
	[ -n "$if_missing" ] || SAMBA_PKGS="$SAMBA_PKGS $SAMBA_422_MORE"
fi

$SUDO apt-get update -q
# Samba and slapd must not start their own daemons from the package
# scripts: the tests start their own, in their own namespaces.
added=
if [ ! -e /usr/sbin/policy-rc.d ]; then
	$SUDO sh -c 'printf "#!/bin/sh\nexit 101\n" >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d'
	added=1
fi
rc=0
if [ "$samba" = 4.22 ]; then
	# backports are never chosen on their own: -t for Samba's packages
	# only, so nothing else moves to backports
	$SUDO apt-get install -y -q --no-install-recommends $PKGS || rc=$?
	[ $rc -ne 0 ] || $SUDO apt-get install -y -q --no-install-recommends \
		-t bookworm-backports $SAMBA_PKGS || rc=$?
else
	$SUDO apt-get install -y -q --no-install-recommends $PKGS $SAMBA_PKGS ||
		rc=$?
fi
[ -z "$added" ] || $SUDO rm -f /usr/sbin/policy-rc.d
exit $rc
