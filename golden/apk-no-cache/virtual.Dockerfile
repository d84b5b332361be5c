FROM alpine:3.19
RUN apk add --virtual .build-deps gcc musl-dev && make && apk del .build-deps
