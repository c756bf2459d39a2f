#!/usr/bin/env bash
# Runs Roomlink's benchmarks side by side with the Socket.IO 4.8 reference
# (bench/peers/socketio) and prints the table; the same figures go to
# bench/results.json. On two or more cores the servers run on core 0 and
# the load client on core 1, so neither steals from the other.
# Usage: scripts/bench.sh [--scale small|full] (default full, ~20 minutes)
#        [--two-nodes postgres://user@host/db] (also S2 on two Roomlink nodes
#        on PostgreSQL; a fresh database is made beside that one and dropped)
#        [--only s1,s2,fanout,large,s3,s5,nodes] [--nodes-rate <msg/s>] (see bench/src/cli.rs)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --for-tests
export PATH="$PWD/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"

echo "==> Building the server and the load client (release)"
cargo build --release --features ssr --bin roomlink
cargo build --release -p roomlink-bench

echo "==> Running the scenarios"
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
  exec taskset -c 1 target/release/bench --pin "$@"
else
  exec target/release/bench "$@"
fi
