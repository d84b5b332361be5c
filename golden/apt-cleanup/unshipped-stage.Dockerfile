FROM debian:bookworm AS build
RUN apt-get update && apt-get install -y gcc
FROM debian:bookworm-slim
COPY --from=build /usr/bin/gcc /usr/local/bin/
