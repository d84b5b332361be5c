FROM python:3.12-slim
RUN poetry install --no-root --only main && poetry add requests && rm -rf ~/.cache/pypoetry
