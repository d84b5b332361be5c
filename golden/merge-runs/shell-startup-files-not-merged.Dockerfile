FROM debian:bookworm-slim
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
ENV BASH_ENV=/root/.bash_env
RUN touch "${BASH_ENV}"
RUN echo "export GREETING=hi" >> "${BASH_ENV}"
RUN echo "$GREETING" > /greeting

FROM debian:bookworm-slim AS login
SHELL ["/bin/bash", "-l", "-c"]
RUN echo "export X=1" >> /root/.bash_profile
RUN echo "$X" > /x
