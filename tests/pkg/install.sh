#!/bin/bash
# make install PREFIX=/usr after make all (PREFIX=/usr/local) installs a
# binary that looks for its helper under /usr/libexec/adtrust, along with
# the man pages, completions and schema.  Builds in a directory of its own.
set -uo pipefail
cd "$(dirname "$0")/../.."
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
make -s -j2 B="$T/b" all >"$T/log" 2>&1 || { cat "$T/log"; exit 1; }
grep -qa /usr/local/libexec/adtrust/adtrust-lsa "$T/b/adtrust" || { echo "FAIL make all: not /usr/local"; fail=1; }
make -s -j2 B="$T/b" PREFIX=/usr DESTDIR="$T/root" install >"$T/log" 2>&1 || { cat "$T/log"; exit 1; }
R=$T/root
grep -qa /usr/libexec/adtrust/adtrust-lsa "$R/usr/bin/adtrust" &&
	! grep -qa /usr/local/libexec "$R/usr/bin/adtrust" ||
	{ echo "FAIL make install PREFIX=/usr: the binary does not look in /usr/libexec/adtrust"; fail=1; }
for f in usr/libexec/adtrust/adtrust-lsa usr/share/man/man1/adtrust.1 usr/share/man/man5/adtrust-yaml.5 \
	usr/share/bash-completion/completions/adtrust usr/share/zsh/vendor-completions/_adtrust \
	usr/share/adtrust/adtrust.schema.json; do
	[ -f "$R/$f" ] || { echo "FAIL make install: no /$f"; fail=1; }
done
[ $fail -eq 0 ] && echo "install: all passed"
exit $fail
