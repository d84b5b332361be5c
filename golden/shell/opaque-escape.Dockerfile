# escape=`
# A backtick escape marks a Windows Dockerfile: every RUN is opaque.
FROM mcr.microsoft.com/windows/servercore:ltsc2022
RUN powershell -Command `
    Get-ChildItem C:\
