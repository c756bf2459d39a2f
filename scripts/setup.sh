#!/usr/bin/env bash
# Installs whatever Roomlink's build and tests need and is missing; skips the
# rest, so it is quick on a machine that has everything. Debian, as root or
# with sudo. Usage: scripts/setup.sh [--for-tests]
#
# Pinned by ../shared/BUILDING.md: cargo-leptos 0.3.10 (newer needs a newer
# rustc), the wasm-bindgen CLI at exactly the version in Cargo.lock, binaryen
# 132 from npm for wasm-opt (Debian's is too old), Debian's Chromium for
# Playwright. Nothing here downloads from GitHub.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
for_tests=false
[ "${1:-}" = "--for-tests" ] && for_tests=true

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=false
apt_install() {
  $apt_updated || { as_root apt-get update -qq; apt_updated=true; }
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

# Rust (rustup) and the C toolchain some crates build with.
if ! command -v cargo >/dev/null; then
  say "Installing Rust (rustup from Debian)"
  apt_install rustup build-essential pkg-config
  rustup default stable
fi
command -v cc >/dev/null || apt_install build-essential pkg-config
command -v node >/dev/null && command -v npm >/dev/null || { say "Installing Node.js"; apt_install nodejs npm; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "Adding the wasm32 target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(cargo leptos --version 2>/dev/null || true)" != "cargo-leptos 0.3.10" ]; then
  say "Installing cargo-leptos 0.3.10 (about 11 minutes on 2 cores)"
  cargo install cargo-leptos --version 0.3.10 --locked
fi

wb_version=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/"/, "", $3); print $3; exit}' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wb_version" ]; then
  say "Installing wasm-bindgen-cli $wb_version (matches Cargo.lock)"
  cargo install wasm-bindgen-cli --version "$wb_version"
fi

if [ ! -x "$root/.tools/node_modules/.bin/wasm-opt" ]; then
  say "Installing wasm-opt (binaryen 132 from npm) into .tools/"
  mkdir -p .tools
  npm install --prefix .tools --no-audit --no-fund --silent binaryen@132
fi

if $for_tests; then
  if [ ! -x /usr/bin/chromium ]; then
    say "Installing Chromium (Debian) for the browser tests"
    apt_install chromium
  fi
  if [ ! -d bench/peers/socketio/node_modules/socket.io ]; then
    say "Installing the Socket.IO reference server the load client is compared with"
    (cd bench/peers/socketio && npm ci --no-audit --no-fund --silent)
  fi
  if ! python3 -c 'import aiosmtpd' 2>/dev/null; then
    # The SMTP server the tests of recovery by email send their mail to.
    say "Installing aiosmtpd (PyPI), the tests' SMTP server"
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore aiosmtpd==1.4.6
  fi
  if [ ! -d end2end/node_modules/@playwright/test ] || [ ! -d end2end/node_modules/axe-core ]; then
    say "Installing Playwright's test runner (no browser download) and axe-core"
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent)
  fi
fi
