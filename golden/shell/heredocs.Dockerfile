# syntax=docker/dockerfile:1
FROM debian
# The heredoc is the whole script (BuildKit runs its content).
RUN <<EOF
set -e
apt-get update
apt-get install -y --no-install-recommends curl
rm -rf /var/lib/apt/lists/*
EOF
# <<- strips the leading tabs.
RUN <<-EOT
	echo tabbed
	EOT
# A shebang for a shell is still parsed.
RUN <<EOF
#!/bin/bash
echo "from bash"
EOF
# The line is a command whose stdin is the heredoc: line + "\n" + body + name.
RUN <<EOT bash
  set -ex
  pip install --no-cache-dir flask
EOT
RUN cat <<EOF > /etc/motd && cat <<'RAW' > /etc/raw
Hello $USER
EOF
keep $this literal
RAW
# A shell heredoc inside the RUN line itself.
RUN cat <<"EOF" | sh
echo inner
EOF
