# Completes a command line in an interactive zsh and writes the candidates offered, one a
# line, to a file: zsh -f zsh-complete.zsh OUT SCRIPT LINE
# The completion system runs in a zsh of its own on a pseudo-terminal (zsh/zpty), with the
# script sourced; compadd is wrapped to note every candidate it is given that matches.
zmodload zsh/zpty
out=$1 script=$2 line=$3
rm -f -- $out
zpty completing 'zsh -f -i'
zpty -w completing 'PROMPT=; unsetopt beep'
zpty -w completing 'autoload -U compinit; compinit -u -D'
zpty -w completing "source ${(q)script}"
zpty -w completing "compadd() {
    local -a __hits
    if (( \${@[(I)-(O|A|D)]} )); then builtin compadd \"\$@\"; return; fi
    builtin compadd -O __hits \"\$@\"
    (( \$#__hits )) && print -rl -- \$__hits >> ${(q)out}
    builtin compadd \"\$@\"
}"
zpty -w completing 'print READY'
zpty -r -m completing ignored '*READY*'
zpty -w -n completing "$line"$'\t'
# The candidates are noted while zsh completes; give it time, then end it.
sleep 1
zpty -d completing
