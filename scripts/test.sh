#!/usr/bin/env bash
# Every check CI runs: formatting, lints, then all tests (unit, integration, crash-safety) on a
# real SQLite file and the real `vigie` binary. Installs whatever the tests need first, so it
# passes on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v cargo >/dev/null || { echo "cargo not found: install Rust from https://rustup.rs" >&2; exit 1; }
rustup component add rustfmt clippy >/dev/null 2>&1 || true

# The report tests read the PDF's text with pdftotext (poppler-utils).
if ! command -v pdftotext >/dev/null; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq && $sudo apt-get install -y -qq poppler-utils >/dev/null
fi

cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
