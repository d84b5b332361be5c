ARG GO=1.22
ARG BASE=debian:bookworm-slim
FROM golang:${GO} AS Build
WORKDIR /src
ENV CGO_ENABLED=0 GOFLAGS="-mod=vendor" P=$GOPATH/x
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/root/.cache/go-build go mod download
COPY . .
WORKDIR cmd/../app
RUN go build -o /out/app ./cmd/app

FROM build AS test
RUN go test ./...

FROM ${BASE}
ARG GO
ARG VERSION=v1
COPY --from=build /out/app /usr/local/bin/app
COPY --from=alpine:3 /etc/ssl/certs /etc/ssl/certs
USER 65532
CMD ["app"]
