FROM fedora:40
RUN dnf -y install --setopt=install_weak_deps=False httpd mod_ssl && dnf clean all
RUN dnf makecache && dnf -y upgrade && dnf remove -y vim-minimal && dnf autoremove -y
