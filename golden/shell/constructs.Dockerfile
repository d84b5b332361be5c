# Lists, and-or lists, pipelines and compound commands.
FROM debian:bookworm
RUN a; b & c && d || e | f
RUN ! grep -q x /etc/hosts | cat
RUN (cd /src && make) > /tmp/log 2>&1; { echo a; echo b; } | sort
RUN if [ -f /etc/debian_version ]; then \
        echo debian; \
    elif [ -f /etc/alpine-release ]; then \
        echo alpine; \
    else \
        echo other; \
    fi
RUN for f in a b c; do echo "$f"; done && for ((i = 0; i < 3; i++)); do echo $i; done
RUN while read -r line; do echo "$line"; done < /etc/hosts; until false; do break; done
RUN case "$(uname -m)" in \
        x86_64) arch=amd64 ;; \
        aarch64|arm64) arch=arm64 ;; \
        *) echo "unsupported" >&2; exit 1 ;; \
    esac
RUN f() { echo "$1"; }; f hi; function g { :; }
RUN [[ -d /x && ! -L /x ]] && (( n = 1 + 2 ))
RUN sleep 1 & wait
