FROM debian
RUN ./configure --prefix=/usr && make -j"$(nproc)" && make install && make -C tools -f Build.mk all
