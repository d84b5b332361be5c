FROM debian
SHELL ["/bin/bash","-c"]
RUN [[ -n ${V:=1.0} ]] && printf -v T %s x
RUN echo "V=[$V] T=[$T]"
