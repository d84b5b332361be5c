FROM alpine:3.19
RUN apk add --no-network --virtual .rundeps so:libc.musl-x86_64.so.1
