# zsh -f tests/cli/zcomplete.zsh FPATHDIR WORDS: prints what an
# interactive zsh (compinit, FPATHDIR first in fpath) shows after WORDS<TAB>
# (escape sequences and all): the completed line is in it.
zmodload zsh/zpty
zpty z 'zsh -f -i'
zpty -w z "stty cols 1000; PS1='%% '; fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -d $1/.zcompdump; echo READ''Y"
zpty -r z line '*READY*'
zpty -w -n z "$2"$'\t'
sleep 1
zpty -w -n z $'\C-e; echo LINE-END\n'
out=
for i in {1..50}; do
	zpty -r -t z chunk && out+=$chunk
	[[ $out == *LINE-END$'\r'* ]] && break
	sleep 0.1
done
zpty -d z
print -r -- "$out"
