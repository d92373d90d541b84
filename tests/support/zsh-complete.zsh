# Completes a command line in an interactive zsh and writes the candidates offered, one a
# line, to a file: zsh -f zsh-complete.zsh OUT SCRIPT LINE
# The completion system runs in a zsh of its own on a pseudo-terminal (zsh/zpty), with the
# script sourced; compadd is wrapped to note every candidate it is given that matches, and
# the run waits for the completion system to say it is done.
zmodload zsh/zpty
out=$1 script=$2 line=$3
rm -f -- $out $out.done
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
# The completion system calls comppostfuncs once it is done: the mark the wait below looks for.
zpty -w completing "_noted_done() { : > ${(q)out}.done }; comppostfuncs=(_noted_done)"
zpty -w completing 'print READY'
zpty -r -m completing ignored '*READY*'
zpty -w -n completing "$line"$'\t'
# Wait until the completion system is done (at most 30 s, for a loaded machine), then end it.
for i in {1..300}; do
    [[ -e $out.done ]] && break
    sleep 0.1
done
zpty -d completing
[[ -e $out.done ]] || { print -u2 "zsh did not finish completing: $line"; exit 1 }
