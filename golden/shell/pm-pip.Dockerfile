FROM python:3.12-slim
ENV PIP_NO_CACHE_DIR=1
COPY requirements.txt constraints.txt ./
RUN pip install -r requirements.txt -c constraints.txt
RUN pip3 install --no-cache-dir -e . && pip3.12 install "flask==3.*" && python3 -m pip install --upgrade pip
FROM python:3.12-slim AS second
RUN pip install gunicorn && pip uninstall -y setuptools && pip cache purge && rm -rf /root/.cache/pip
