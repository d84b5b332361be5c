FROM alpine
RUN if [ -f x ]; then echo missing fi
RUN echo "unterminated
RUN echo ok
