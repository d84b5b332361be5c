FROM python:3.12-alpine
RUN apk add --no-cache --virtual .build-deps gcc musl-dev
RUN pip install --no-cache-dir psutil
