FROM rust:1.79
RUN cargo fetch && cargo build --release --locked && cargo install ripgrep && rm -rf /usr/local/cargo/registry
