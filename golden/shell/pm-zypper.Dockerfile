FROM opensuse/leap:15.6
RUN zypper --non-interactive refresh && zypper -n install --no-recommends vim git && zypper clean -a
