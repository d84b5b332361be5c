FROM alpine:3.19 AS build
RUN apk add gcc
FROM alpine:3.19
COPY --from=build /usr/bin/gcc /gcc
