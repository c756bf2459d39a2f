#!/usr/bin/env bash
# Installs what is missing, builds Roomlink (release) and runs it on SQLite at
# http://127.0.0.1:3000 (settings: Leptos.toml, ROOMLINK_* variables).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
exec ./target/release/roomlink
