#!/bin/bash
# Man pages and shell completion (no servers needed): both pages render
# with man -l, bash registers and completes adtrust, zsh loads and
# completes it, and every option of every command (the getopt tables in
# cmd/cmd_<verb>.c) is in main.c's table, both completions and adtrust(1).
# Prints "completion: N passed, N failed".
set -uo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; [ -s "$T/err" ] && sed 's/^/    /' "$T/err" | head -20; }
check() { local name=$1; shift; : >"$T/err"; if "$@"; then ok "$name"; else ko "$name"; fi; }

# --- man pages: one source each (scdoc), rendered by man -l ---
for src in docs/man/*.scd; do
	page=$(basename "$src" .scd)
	check "scdoc $page" eval 'scdoc <"$src" >"$T/$page" 2>"$T/err"'
	check "man -l $page renders" eval \
		'MANWIDTH=80 man --warnings -l "$T/$page" >"$T/$page.txt" 2>"$T/err" && [ ! -s "$T/err" ] &&
		 grep -q "^NAME" "$T/$page.txt" && grep -q "^SEE ALSO" "$T/$page.txt"'
done
MAN1=$T/adtrust.1.txt

# --- every option of every command, everywhere it is listed ---
for c in cmd/cmd_*.c; do
	verb=$(basename "$c" .c); verb=${verb#cmd_}
	opts=$(grep -oE '\{"[a-z-]+", (no|required|optional)_argument' "$c" | sed -E 's/\{"([a-z-]+)".*/\1/')
	spec=$(grep -A3 "{\"$verb\", cmd_$verb" cmd/main.c | tr -d '\n')
	bash_opts=$(grep -E "^	$verb\) opts=" contrib/completion/adtrust.bash)
	zsh_part=$(awk -v v="	$verb)" '$0 == v {on = 1; next} on {print} on && /;;/ {exit}' contrib/completion/_adtrust)
	[[ $zsh_part == *'$file_opt'* ]] && zsh_part+=" --file"  # file_opt: -f, --file
	man_part=$(awk -v v="adtrust $verb" 'index($0, v) == 4 {on = 1; next} on && /^   [a-z]/ {exit} on' "$MAN1")
	missing=
	for o in $opts; do
		[[ $spec == *"$o"* ]] || missing+=" main.c:--$o"
		[[ $bash_opts == *"--$o"* ]] || missing+=" bash:--$o"
		[[ $zsh_part == *"--$o"* ]] || missing+=" zsh:--$o"
		[ "$o" = help ] || [[ $man_part == *"--$o"* ]] || missing+=" adtrust.1:--$o"
	done
	check "options of '$verb' in main.c, completions and adtrust(1)" eval '[ -z "$missing" ] || { echo "missing:$missing" >"$T/err"; false; }'
done

# --- bash ---
if [ -f /usr/share/bash-completion/bash_completion ]; then bc=/usr/share/bash-completion/bash_completion; else bc=/dev/null; fi
comp() { # comp WORDS...: what bash completes the last word to
	bash -c 'source "$1" 2>/dev/null; source contrib/completion/adtrust.bash; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_adtrust adtrust; printf "%s\n" "${COMPREPLY[@]}"' _ "$bc" "$@"
}
check "bash: complete -p adtrust after sourcing" eval \
	'bash -c "source contrib/completion/adtrust.bash; complete -p adtrust" | grep -qx "complete -F _adtrust adtrust"'
check "bash: commands" eval '[ "$(comp adtrust pl)" = plan ]'
check "bash: did-you-mean-free option prefix" eval '[ "$(comp adtrust plan --det)" = --detailed-exitcode ]'
check "bash: global options after the command" eval 'comp adtrust drift --no | grep -qx -- --no-color'
check "bash: -v/--verbose before and after the command" eval \
	'[ "$(comp adtrust --verb)" = --verbose ] && [ "$(comp adtrust plan --verb)" = --verbose ]'
check "bash: domain names from the -f file" eval \
	'[ "$(comp adtrust export -f examples/demo.yaml --domain eng)" = engineering.contoso.com ]'
check "bash: trust pairs for --trust" eval \
	'comp adtrust verify -f examples/netdom/two-way.yaml --trust mar | grep -qx marketing.contoso.com:engineering.contoso.com'
check "bash: YAML files for -f" eval 'comp adtrust validate -f examples/dem | grep -qx examples/demo.yaml'

# --- zsh ---
if command -v zsh >/dev/null; then
	mkdir -p "$T/zfunc" && cp contrib/completion/_adtrust "$T/zfunc/"
	check "zsh: compinit registers _adtrust" eval \
		'zsh -fc "fpath=($T/zfunc \$fpath); autoload -Uz compinit; compinit -u -d $T/zcd; [[ \${_comps[adtrust]} == _adtrust ]] && autoload -Uz +X _adtrust" 2>"$T/err"'
	zc() { timeout 30 zsh -f tests/cli/zcomplete.zsh "$T/zfunc" "$1" >"$T/z" 2>&1; grep -q -- "$2" "$T/z"; }
	check "zsh: commands" zc "adtrust pl" "adtrust plan"
	check "zsh: options" zc "adtrust plan --det" "plan --detailed-exitcode"
	check "zsh: domain names from the -f file" zc "adtrust export -f examples/demo.yaml --domain eng" "domain engineering.contoso.com"
else
	ko "zsh is not installed (sh .ci/deps.sh --if-missing --test)"
fi

echo "completion: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
