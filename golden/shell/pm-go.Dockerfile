FROM golang:1.22
ENV GOPATH=/go
COPY go.mod go.sum ./
RUN go mod download
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /bin/app ./cmd/app
RUN go install golang.org/x/tools/cmd/goimports@latest && go clean -modcache -cache
