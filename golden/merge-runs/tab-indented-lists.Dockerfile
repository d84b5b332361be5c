FROM debian
run apt-get update
run apt-get install -y \
		curl \
		vim
