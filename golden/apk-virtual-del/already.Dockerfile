FROM python:3.12-alpine
RUN apk add --no-cache --virtual .build-deps gcc && pip install psutil && apk del .build-deps
