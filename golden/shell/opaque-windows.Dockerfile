# A Windows base image runs RUN with cmd by default.
FROM mcr.microsoft.com/windows/nanoserver:ltsc2022 AS win
RUN dir C:\
FROM win AS child
RUN echo still cmd
FROM alpine
RUN echo posix again
