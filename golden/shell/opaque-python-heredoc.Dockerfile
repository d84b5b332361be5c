FROM python:3.12-slim
RUN <<EOF
#!/usr/bin/env python3
import sys
print(sys.version)
EOF
RUN ["python3", "-c", "print(1)"]
RUN echo after
