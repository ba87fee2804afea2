#!/bin/bash
# Installs the Debian package $1 (from make deb) on this machine, runs
# adtrust --version and the demo from the installed files only, checks
# the helper, man pages and completions are where Debian looks, then
# removes the package again.  Root; refuses if adtrust is installed
# already (it would be replaced, then removed).
set -uo pipefail
DEB=$(realpath "$1")
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; [ -s "$T/err" ] && sed 's/^/    /' "$T/err" | head -20; }
check() { local name=$1; shift; : >"$T/err"; if "$@"; then ok "$name"; else ko "$name"; fi; }
[ "$(id -u)" -eq 0 ] || { echo "SKIP tests/pkg/deb.sh: needs root (it installs a package)"; exit 0; }
if dpkg-query -W -f='${Status}' adtrust 2>/dev/null | grep -q 'ok installed'; then
	echo "FAIL adtrust is installed already: not replacing it"; exit 1
fi
T=$(mktemp -d)
cleanup() {
	DEBIAN_FRONTEND=noninteractive apt-get purge -y -q adtrust >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
export DEBIAN_FRONTEND=noninteractive
check "the package installs (apt-get install ./adtrust_*.deb)" eval \
	'apt-get install -y -q --no-install-recommends "$DEB" >"$T/err" 2>&1'
cd "$T"  # nothing of the source tree from here on
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
want=$(dpkg-deb -f "$DEB" Version)
check "adtrust is /usr/bin/adtrust" eval '[ "$(command -v adtrust)" = /usr/bin/adtrust ]'
check "adtrust --version" eval 'adtrust --version >"$T/out" 2>"$T/err" && grep -qE "^adtrust [^ ]+$" "$T/out"'
check "the helper is in /usr/libexec/adtrust and adtrust looks for it there" eval \
	'[ -x /usr/libexec/adtrust/adtrust-lsa ] && grep -qa /usr/libexec/adtrust/adtrust-lsa /usr/bin/adtrust'
EX=/usr/share/doc/adtrust/examples
check "the demo from the installed files" eval \
	'cd $EX && adtrust plan -f demo.yaml --snapshot snapshots/demo >"$T/out" 2>"$T/err" &&
	 grep -q "^Plan: 2 to create, 1 to update, 0 to replace, 1 to delete" "$T/out"'
check "every installed netdom example validates" eval \
	'for f in $EX/netdom/*.yaml; do adtrust validate -f "$f" >/dev/null 2>>"$T/err" || exit 1; done'
check "man adtrust and man adtrust-yaml" eval \
	'[ "$(man -w adtrust)" = /usr/share/man/man1/adtrust.1.gz ] && [ "$(man -w 5 adtrust-yaml)" = /usr/share/man/man5/adtrust-yaml.5.gz ] &&
	 MANWIDTH=80 man adtrust 2>"$T/err" | grep -q "adtrust validate" && [ ! -s "$T/err" ]'
check "bash completion where bash-completion loads it" eval \
	'[ -f /usr/share/bash-completion/completions/adtrust ] &&
	 bash -c "source /usr/share/bash-completion/completions/adtrust; complete -p adtrust" | grep -q _adtrust'
check "zsh completion in Debian's vendor-completions (in fpath)" eval \
	'[ -f /usr/share/zsh/vendor-completions/_adtrust ] && ! command -v zsh >/dev/null ||
	 zsh -fc "autoload -Uz compinit; compinit -u -d $T/zcd; [[ \${_comps[adtrust]} == _adtrust ]]"'
check "the JSON Schema in /usr/share/adtrust" eval 'python3 -c "import json; json.load(open(\"/usr/share/adtrust/adtrust.schema.json\"))"'
check "the package removes cleanly" eval \
	'apt-get purge -y -q adtrust >"$T/err" 2>&1 && [ ! -e /usr/bin/adtrust ] && [ ! -e /usr/libexec/adtrust ]'
echo "deb: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
