#!/bin/sh
# Installs the Debian 12 packages adtrust needs to build and to run its
# tests (the Samba AD lab, slapd, MIT KDC).  No list argument: every list.
#   --if-missing   only when a package of the chosen lists is absent
#   --test         the build and test lists (what `make check` uses with
#                  --if-missing; `make demo` uses --if-missing alone: the
#                  build list)
#   --deb          the build and packaging lists (`make deb`)
#   --samba=4.17   Debian 12's own Samba (the default)
#   --samba=4.22   Samba 4.22 from bookworm-backports: adds the suite as a
#                  deb822 source (/etc/apt/sources.list.d/adtrust-backports.
#                  sources, same mirror as the system's) and installs the
#                  Samba packages, samba-dev and its talloc/tevent/ldb from it
# The environment variable ADTRUST_SAMBA (4.17 or 4.22) does the same as
# --samba; `make deps ADTRUST_SAMBA=4.22` passes it on.
# Tests of this logic: ADT_DEPS_ASSUME_MISSING=PKG reports PKG missing,
# ADT_DEPS_DRY_RUN=1 prints what would be installed instead.
set -eu
BUILD="build-essential pkg-config libyaml-dev libcyaml-dev libldap-dev
 libsasl2-dev libkrb5-dev libgit2-dev libjansson-dev libcriterion-dev
 libgnutls28-dev scdoc"
TEST="krb5-user krb5-kdc krb5-admin-server
 ldap-utils slapd libsasl2-modules-gssapi-mit libsasl2-modules
 bind9-dnsutils iproute2 procps attr jq util-linux git clang-format
 python3-yaml systemd graphviz python3-jsonschema prometheus zsh
 bash-completion man-db"
DEB="debhelper devscripts lintian fakeroot dpkg-dev"
# Built from Samba's source: one version of all of them at a time.
SAMBA_BUILD="samba-dev libtalloc-dev libtevent-dev"
SAMBA_TEST="samba samba-ad-dc samba-ad-provision samba-dsdb-modules
 samba-vfs-modules winbind python3-samba smbclient ldb-tools"
# 4.22 also replaces these, which 4.17 installs as dependencies.
SAMBA_422_MORE="samba-common samba-common-bin samba-libs python3-ldb"
BACKPORTS=/etc/apt/sources.list.d/adtrust-backports.sources

if_missing= lists= test= deb= samba=${ADTRUST_SAMBA:-4.17}
for a in "$@"; do
	case $a in
	--if-missing) if_missing=1 ;;
	--test) lists=1 test=1 ;;
	--deb) lists=1 deb=1 ;;
	--samba=*) samba=${a#--samba=} ;;
	*)
		echo "usage: sh .ci/deps.sh [--if-missing] [--test] [--deb]" \
			"[--samba=4.17|4.22]" >&2
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
# no list named (make deps, CI): every list
if [ -z "$lists" ] && [ -z "$if_missing" ]; then
	test=1 deb=1
fi
PKGS=$BUILD SAMBA_PKGS=$SAMBA_BUILD
[ -z "$test" ] || PKGS="$PKGS $TEST" SAMBA_PKGS="$SAMBA_PKGS $SAMBA_TEST"
[ -z "$deb" ] || PKGS="$PKGS $DEB"

if [ -n "$if_missing" ]; then
	installed=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' \
		$PKGS $SAMBA_PKGS 2>/dev/null | awk '$1 == "ii" {print $2}')
	missing=
	for p in $PKGS $SAMBA_PKGS; do
		if [ "$p" = "${ADT_DEPS_ASSUME_MISSING:-}" ] ||
			! printf '%s\n' "$installed" | grep -qx "$p"; then
			missing="$missing $p"
		fi
	done
	[ -z "$missing" ] && exit 0
	echo "adtrust: installing the missing packages:$missing" >&2
fi
if [ -n "${ADT_DEPS_DRY_RUN:-}" ]; then
	echo "apt-get update; apt-get install" $PKGS $SAMBA_PKGS
	exit 0
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
