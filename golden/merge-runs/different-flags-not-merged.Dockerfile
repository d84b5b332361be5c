FROM debian:bookworm
RUN --mount=type=cache,target=/root/.cache make
RUN make install
