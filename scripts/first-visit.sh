#!/usr/bin/env bash
# The first-visit benchmark: builds the release as scripts/run.sh serves it,
# starts it on a fresh SQLite file and prints what a phone (Lighthouse's
# mobile profile) downloads and waits, cold and warm, on the join page, a
# room (as a member) and an instant chat, and each WebAssembly chunk's size
# raw, gzip and brotli (end2end/scripts/first-visit.mjs): the median of
# FIRST_VISIT_ROUNDS rounds (5), each about a minute, after the build.
# Usage: scripts/first-visit.sh [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --for-tests
[ "${1:-}" = "--no-build" ] || bash scripts/build.sh

port=${FIRST_VISIT_PORT:-3299}
data=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$data"' EXIT
# The set-up fills a room with 30 messages at once and signs several people
# up from this machine: no per-socket line budget or sign-up limit here.
ROOMLINK_ADDRESS=127.0.0.1:$port ROOMLINK_DATABASE_URL="sqlite://$data/bench.db" ROOMLINK_DATA_DIR="$data" \
  ROOMLINK_LIVE_LINES_PER_SECOND=0 ROOMLINK_SIGN_UPS_PER_ADDRESS_PER_HOUR=0 \
  RUST_LOG=warn ./target/release/roomlink &
server=$!
for _ in $(seq 1 100); do
  curl -fs -o /dev/null "http://127.0.0.1:$port/" && break
  kill -0 "$server" 2>/dev/null || { echo "the server did not start" >&2; exit 1; }
  sleep 0.2
done
node end2end/scripts/first-visit.mjs "http://127.0.0.1:$port" target/site/pkg "${FIRST_VISIT_ROUNDS:-5}"
