FROM rockylinux:9
RUN yum install -y httpd && rpm -e --nodeps yum dnf
