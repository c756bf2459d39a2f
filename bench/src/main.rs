//! Roomlink's load client against Roomlink and the Socket.IO reference:
//! `cargo run --release -p roomlink-bench -- [options]`
//! (see [`roomlink_bench::cli`]; `scripts/bench.sh` is the one command).

#[tokio::main]
async fn main() -> std::process::ExitCode {
    roomlink_bench::cli::main().await
}
