FROM a
RUN echo ok
FROB x
