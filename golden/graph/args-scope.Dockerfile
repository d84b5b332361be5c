ARG BASE=debian
ARG TAG
ARG UNUSED=1
FROM ${BASE}:${TAG:-bookworm} AS base
ARG BASE
ARG LOCAL=${BASE}-x
ENV HOME_DIR=/home/app PATH=/opt/bin:$PATH
ENV OLD_FORM value with spaces
WORKDIR $HOME_DIR
WORKDIR sub/dir
WORKDIR ../other
USER ${UNDEFINED_USER:-app}
RUN echo $LOCAL $HOME_DIR '$NOT_A_USE'

FROM base
COPY --from=0 /etc/passwd /etc/passwd
RUN --mount=type=bind,from=base,source=/opt,target=/mnt ls /mnt
RUN --mount=type=bind,source=scripts,target=/s /s/run.sh
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
ONBUILD COPY . /app
ADD https://example.com/x.tar.gz /tmp/
ADD --checksum=sha256:abc git@github.com:o/r.git /src
COPY <<EOF /etc/motd
hello
EOF
