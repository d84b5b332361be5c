FROM alpine
RUN cmd 2>&1 >|out <in <<<"here string" &>/dev/null 3<>file >&2 2>&-
RUN echo hi>out; exec 3>&1; > /tmp/empty
RUN diff <(ls /a) <(ls /b) > /tmp/d || true
