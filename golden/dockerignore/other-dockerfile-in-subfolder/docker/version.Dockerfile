FROM alpine/git
WORKDIR /src
COPY . .
RUN hg id -i --always > /version
