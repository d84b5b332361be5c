FROM debian:bookworm
# each first RUN leaves a variable the next one reads
RUN : "${MODE:=release}"
RUN echo "${MODE:-unset}"

FROM debian:bookworm AS b
RUN echo $((N=5))
RUN echo "n=${N:-none}"

FROM debian:bookworm AS c
RUN FOO=bar :
RUN echo "foo=${FOO:-none}"

FROM debian:bookworm AS d
RUN set -eux; for v in 1 2; do echo $v; done; true
RUN set -eux; echo "v=${v:-none}"

FROM debian:bookworm AS e
RUN flags=e; set -$flags; false; echo after
RUN echo next
