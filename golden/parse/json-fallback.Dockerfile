FROM a
SHELL ["powershell", "-Command"
CMD [ "unterminated
ENTRYPOINT ['single']
