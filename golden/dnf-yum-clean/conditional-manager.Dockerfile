FROM centos:7
RUN if command -v dnf; then dnf install -y httpd; else yum install -y httpd; fi
