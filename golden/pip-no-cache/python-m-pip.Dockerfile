FROM python:3.12-slim
RUN python -m pip install --upgrade pip && python3 -m pip install gunicorn
