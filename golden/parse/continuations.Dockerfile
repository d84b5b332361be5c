FROM alpine:3.19 AS base
RUN apk add --no-cache \
# the compiler
      gcc \

      musl-dev \
  && echo done
ENV A=1 \
    B="two words" \
    C=three\ words
LABEL org.opencontainers.image.title="demo" \
      version=1.0
EXPOSE 80 \
       443/udp
HEALTHCHECK --interval=30s --timeout=3s \
  CMD wget -q -O- http://localhost/ || exit 1
CMD ["nginx", "-g", "daemon off;"]
