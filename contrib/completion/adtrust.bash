# bash completion for adtrust(1): commands, options, files, and domain
# names from the desired-state file given with -f (default trusts.yaml).
# The option lists follow cmd/main.c (tests/cli/completion.sh checks them).

_adtrust_domains()
{
	# the name: of each entry under the top-level domains: list
	local f=$1
	[ -r "$f" ] || return 0
	awk '/^[^ #-][^:]*:/ { in_d = ($0 ~ /^domains:/) }
	     in_d && /^[ -]*-? *name: */ {
		sub(/^[ -]*-? *name: */, ""); sub(/[ #].*/, ""); gsub(/["'\'']/, "");
		print }
	     in_d && /\{ *name: */ { s = $0; sub(/.*\{ *name: */, "", s);
		sub(/[ ,}].*/, "", s); gsub(/["'\'']/, "", s); print s }' "$f" 2>/dev/null | sort -u
}

_adtrust()
{
	local cur prev words cword
	if declare -F _init_completion >/dev/null; then
		_init_completion -n : || return
	else
		cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
		words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
	fi
	local globals="--no-color -q --quiet -v --verbose --version -V --help -h"
	local cmds="validate plan apply show drift export verify audit version"
	local cmd= file=trusts.yaml i
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-f | --file) file=${words[i+1]} ;;
		--file=*) file=${words[i]#--file=} ;;
		-*) ;;
		*) [ -z "$cmd" ] && [[ " $cmds " == *" ${words[i]} "* ]] && cmd=${words[i]} ;;
		esac
	done
	if [ -z "$cmd" ]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$globals" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$cmds" -- "$cur"))
		fi
		return 0
	fi
	case $prev in
	-f | --file)
		COMPREPLY=($(compgen -f -X '!*.@(yaml|yml)' -- "$cur") $(compgen -d -- "$cur"))
		return 0 ;;
	--snapshot | --state-dir | --git-dir)
		COMPREPLY=($(compgen -d -- "$cur"))
		return 0 ;;
	-o | --out | --metrics)
		COMPREPLY=($(compgen -f -- "$cur"))
		return 0 ;;
	-d | --domain)
		COMPREPLY=($(compgen -W "$(_adtrust_domains "$file")" -- "$cur"))
		return 0 ;;
	--trust | --rekey)
		local d p= x
		for d in $(_adtrust_domains "$file"); do
			for x in $(_adtrust_domains "$file"); do
				[ "$d" != "$x" ] && p="$p $d:$x"
			done
		done
		COMPREPLY=($(compgen -W "$p" -- "$cur"))
		return 0 ;;
	--timeout | --lock-timeout | --rev)
		return 0 ;;
	esac
	local opts
	case $cmd in
	validate) opts="-f --file --json --help" ;;
	plan) opts="-f --file --snapshot --json -o --out --detailed-exitcode --allow-destroy --git-dir --rev --state-dir --show-unchanged --help" ;;
	apply) opts="-f --file --auto-approve --allow-destroy --timeout --lock-timeout --state-dir --rekey --no-git-check --no-verify --json --help" ;;
	show) opts="--json --show-unchanged --help" ;;
	drift) opts="-f --file --snapshot --json --metrics --state-dir --verify --help" ;;
	export) opts="-d --domain -f --file --snapshot --json -o --out --help" ;;
	verify) opts="-f --file --trust --json --timeout --help" ;;
	audit) opts="-f --file --snapshot --json --sarif --metrics --graph --fail-on --enable --disable --allow --max-secret-age --rules --help" ;;
	version) opts= ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts --no-color -q --quiet -v --verbose" -- "$cur"))
	elif [ "$cmd" = show ] || [ "$cmd" = apply ]; then
		COMPREPLY=($(compgen -f -X '!*.json' -- "$cur") $(compgen -d -- "$cur"))
	fi
	return 0
}
complete -F _adtrust adtrust
