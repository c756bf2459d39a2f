#!/usr/bin/env bash
# The release build that scripts/run.sh serves, the browser tests drive and
# scripts/first-visit.sh measures. Expects the toolchain of scripts/setup.sh.
#
# --split   each page's code is a WebAssembly chunk of its own, loaded when
#           the page is opened (src/pages/routes.rs);
# --precompress  every asset gets .br and .gz copies beside it, served to
#           browsers that accept them (src/server/assets.rs);
# hash-files (Cargo.toml) names each asset by its content, so browsers keep
# it for a year.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
start=$(date +%s)
cargo leptos build --release --precompress --split
echo "build took $(( $(date +%s) - start )) s"
main=$(ls target/site/pkg/roomlink.*.wasm)
count=$(ls target/site/pkg/*.wasm | wc -l)
raw=$(cat target/site/pkg/*.wasm | wc -c)
br=$(cat target/site/pkg/*.wasm.br | wc -c)
echo "wasm: $count chunks, $raw bytes raw and $br brotli in all; the main chunk $(stat -c %s "$main") raw, $(stat -c %s "$main.gz") gzip, $(stat -c %s "$main.br") brotli"
echo "(each chunk's size: bash scripts/first-visit.sh)"
