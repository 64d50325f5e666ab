#!/usr/bin/env bash
# Every check CI runs: formatting, lints, then all tests (unit, integration, crash-safety) on a
# real SQLite file and the real `vigie` binary. Installs whatever the tests need first, so it
# passes on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v cargo >/dev/null || { echo "cargo not found: install Rust from https://rustup.rs" >&2; exit 1; }
rustup component add rustfmt clippy >/dev/null 2>&1 || true

cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
