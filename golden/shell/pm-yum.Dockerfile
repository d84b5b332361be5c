FROM centos:7
RUN yum install -y epel-release && yum -y groupinstall "Development Tools" && yum clean all && rm -rf /var/cache/yum
RUN yum -y update && yum localinstall -y /tmp/pkg.rpm
