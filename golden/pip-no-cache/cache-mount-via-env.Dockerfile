FROM python:3.12-slim
ENV PIP_CACHE_DIR=/cache/pip
RUN --mount=type=cache,target=/cache/pip pip install flask
