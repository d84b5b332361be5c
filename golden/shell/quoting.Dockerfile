# Quoting edge cases: every word shows its raw text and, when static, its value.
FROM alpine
RUN echo 'single' "double" "with $VAR" $'ansi\t' \$escaped a\ b '' "it's" 'say "hi"'
RUN echo "a\"b" 'it'"'"'s' "\$HOME" "a\nb" $ "$" \' {a} {a,b} *.txt ~/x
RUN echo ${V:-default} ${#V} ${V%%.*} "${V:+set}" $(date +%s) `uname -r` $((1 + 2)) $@ $1 $?
RUN X=1 Y="two words" Z=$(pwd) env && arr=(a b) && echo "${arr[@]}"
RUN echo "$(echo "nested $(echo deep)")" "$(echo ')')" $(case x in x) echo y;; esac)
RUN echo `echo \`date\`` # an escaped backquote is kept unparsed
