//! Roomlink's load client against Roomlink and the Socket.IO reference:
//! `cargo run --release --features bench --example bench -- [options]`
//! (see `roomlink::bench::cli`; `scripts/bench.sh` is the one command).

#[tokio::main]
async fn main() -> std::process::ExitCode {
    roomlink::bench::cli::main().await
}
