FROM python:3.12-slim
RUN uv pip install --system -r requirements.txt && uv sync --frozen --no-cache && uv cache clean
