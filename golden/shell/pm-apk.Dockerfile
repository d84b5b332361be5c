FROM alpine:3.20
RUN apk add --no-cache --virtual .build-deps gcc musl-dev \
    && make \
    && apk del .build-deps
RUN apk update && apk upgrade && apk add curl && rm -rf /var/cache/apk/*
RUN apk --update add bash && apk cache clean
