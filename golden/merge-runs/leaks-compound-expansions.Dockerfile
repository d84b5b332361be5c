FROM debian
RUN case "$1" in ${MODE:=dev}) echo dev;; esac
RUN echo "mode=[$MODE]"
RUN { echo log; } > ${LOG:=/tmp/build.log}
RUN echo "log=[$LOG]"
