FROM debian:trixie
RUN set -eux; apt-get install --update -y curl; apt-get dist-clean
