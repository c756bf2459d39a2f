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
for wasm in target/site/pkg/*.wasm; do
  printf '%s: %s bytes raw, %s gzip, %s brotli\n' "$(basename "$wasm")" "$(stat -c %s "$wasm")" \
    "$(stat -c %s "$wasm.gz" 2>/dev/null || echo '?')" "$(stat -c %s "$wasm.br" 2>/dev/null || echo '?')"
done
