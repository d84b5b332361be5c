# SHELL switches to a non-POSIX shell: the RUNs after it are opaque.
FROM mcr.microsoft.com/powershell:lts-alpine-3.17
RUN apk add --no-cache curl
SHELL ["pwsh", "-Command", "$ErrorActionPreference = 'Stop';"]
RUN Invoke-WebRequest -Uri https://example.com/x.zip -OutFile x.zip; Expand-Archive x.zip
SHELL ["/bin/sh", "-c"]
RUN echo back to sh
