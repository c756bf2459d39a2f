#!/usr/bin/env bash
# Installs what is missing and runs every test: the Rust tests (real server,
# real SQLite file), then the release build driven by Playwright in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --for-tests
export PATH="$PWD/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"

echo "==> Rust tests"
cargo test --features ssr,bench --lib

echo "==> Release build"
start=$(date +%s)
cargo leptos build --release
echo "build took $(( $(date +%s) - start )) s"
wasm=target/site/pkg/roomlink.wasm
echo "wasm bundle: $(stat -c %s "$wasm") bytes raw, $(gzip -9 -c "$wasm" | wc -c) bytes gzip"

echo "==> Browser tests (Playwright, Chromium)"
cd end2end
npx playwright test
