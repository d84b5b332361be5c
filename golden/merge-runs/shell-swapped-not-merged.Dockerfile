FROM debian:bookworm-slim

# Make "source" and other bash-isms work in RUN
RUN rm /bin/sh && ln -s /bin/bash /bin/sh
RUN source /etc/os-release && echo "built on ${PRETTY_NAME}" > /etc/build-info
RUN [[ -f /etc/build-info ]] && echo "arch=$(dpkg --print-architecture)" >> /etc/build-info

CMD ["cat", "/etc/build-info"]
