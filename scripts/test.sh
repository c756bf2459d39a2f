#!/usr/bin/env bash
# Installs what is missing and runs every test: the Rust tests (real server,
# real SQLite file), again on PostgreSQL when ROOMLINK_TEST_DATABASE_URL names
# one (e.g. postgres://postgres@127.0.0.1:5432/test; each test makes its own
# database there), then the release build driven by Playwright in Chromium.
# ROOMLINK_REQUIRE_POSTGRES=1 (set by CI) fails the run if PostgreSQL is not set.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --for-tests
export PATH="$PWD/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"

pg_url=${ROOMLINK_TEST_DATABASE_URL:-}
if [ -z "$pg_url" ] && [ -n "${ROOMLINK_REQUIRE_POSTGRES:-}" ]; then
  echo "ROOMLINK_REQUIRE_POSTGRES is set but ROOMLINK_TEST_DATABASE_URL is not: the PostgreSQL tests would be skipped" >&2
  exit 1
fi

# A pass takes 1-2 minutes; one that runs past this has a test stuck, and
# stopping it says so instead of holding CI until its own limit.
pass_limit=900
# A server under test that panics fails the run, even when tokio kept it
# going and no test noticed (src/server/panics.rs writes here).
export ROOMLINK_PANIC_LOG="$PWD/target/test-panics.log"
rm -f "$ROOMLINK_PANIC_LOG" "$ROOMLINK_PANIC_LOG.late-reads"
no_panics() {
  if [ -s "$ROOMLINK_PANIC_LOG.late-reads" ]; then
    # Leptos reading a page's signals after its load was cut off (see
    # src/server/panics.rs): counted and shown, not a failure.
    echo "note: $(grep -c '^panicked at' "$ROOMLINK_PANIC_LOG.late-reads") late read(s) of cut-off page loads so far ($1); first:" >&2
    head -3 "$ROOMLINK_PANIC_LOG.late-reads" >&2
  fi
  if [ -s "$ROOMLINK_PANIC_LOG" ]; then
    echo "a server under test panicked ($1):" >&2
    cat "$ROOMLINK_PANIC_LOG" >&2
    exit 1
  fi
}
# The Rust tests: the unit tests beside their code, the integration tests
# (tests/integration/, one binary against the real server) and the load
# client's own crate (bench/).
rust_tests() {
  cargo test --features ssr --lib --test integration && cargo test -p roomlink-bench
}
cargo test --features ssr --lib --tests --no-run
cargo test -p roomlink-bench --no-run
echo "==> The layers: modules import only downward and server-only code in whole modules (tests/architecture/)"
cargo test --features ssr --test architecture
echo "==> Rust tests on SQLite"
export -f rust_tests
env -u ROOMLINK_TEST_DATABASE_URL timeout --kill-after=10 "$pass_limit" bash -c rust_tests \
  || { echo "the SQLite pass failed or ran past ${pass_limit} s" >&2; exit 1; }
no_panics "Rust tests on SQLite"

if [ -n "$pg_url" ]; then
  echo "==> Rust tests on PostgreSQL"
  ROOMLINK_TEST_DATABASE_URL="$pg_url" timeout --kill-after=10 "$pass_limit" bash -c rust_tests \
    || { echo "the PostgreSQL pass failed or ran past ${pass_limit} s" >&2; exit 1; }
  no_panics "Rust tests on PostgreSQL"
else
  echo "==> PostgreSQL tests skipped (set ROOMLINK_TEST_DATABASE_URL to run them)"
fi

echo "==> Release build (split, precompressed, hashed names)"
bash scripts/build.sh

echo "==> Browser tests (Playwright, Chromium)"
(cd end2end && npx playwright test)
no_panics "browser tests"

