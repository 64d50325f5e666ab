#!/usr/bin/env bash
# Every check CI runs: formatting, lints, then all tests (unit, integration, crash-safety) on a
# real SQLite file and the real `vigie` binary. Installs whatever the tests need first, so it
# passes on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v cargo >/dev/null || { echo "cargo not found: install Rust from https://rustup.rs" >&2; exit 1; }

# rust-toolchain.toml pins the compiler. Where that exact toolchain is not installed but the
# default one is the same release (this project's machines), use it under the pinned name
# instead of downloading it.
pinned=$(sed -n 's/^channel = "\(.*\)"/\1/p' rust-toolchain.toml)
if ! rustup toolchain list | grep -q "^$pinned"; then
    stable_sysroot=$(rustup run stable rustc --print sysroot 2>/dev/null || true)
    if [ -n "$stable_sysroot" ] && rustup run stable rustc --version | grep -q "^rustc $pinned "; then
        rustup toolchain link "$pinned" "$stable_sysroot"
    fi
fi
rustup component add rustfmt clippy >/dev/null 2>&1 || true

# Debian packages the tests need: pdftotext (poppler-utils) reads the report's PDF; kill
# (procps) stops `vigie serve` with SIGTERM; the browser tests drive headless Chromium through
# chromedriver. PostgreSQL is installed (when missing) and started by scripts/postgres.sh below.
need=()
command -v pdftotext >/dev/null || need+=(poppler-utils)
command -v curl >/dev/null || need+=(curl ca-certificates)
command -v chromedriver >/dev/null || need+=(chromium chromium-driver)
# zbarimg (zbar-tools), a QR code reader, scans the device page's code off the browser's screen.
command -v zbarimg >/dev/null || need+=(zbar-tools)
# age and age-keygen (Debian's age) read and write the encrypted backups' format.
command -v age >/dev/null || need+=(age)
# Node.js and npm fetch and bundle Enketo (scripts/enketo/build.sh).
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
[ -x /usr/bin/kill ] || [ -x /bin/kill ] || need+=(procps)
# make and a C compiler build jemalloc (tikv-jemalloc-sys), the binary's allocator, and SQLite.
command -v make >/dev/null || need+=(make)
command -v cc >/dev/null || need+=(gcc libc6-dev)
# python3: pip installs pyxform, and scripts/postgres.sh asks the OS for a free port with it.
command -v python3 >/dev/null || need+=(python3)
python3 -m pip --version >/dev/null 2>&1 || need+=(python3-pip)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then
        apt_get=(apt-get)
    elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
        apt_get=(sudo -n apt-get)
    else
        echo "error: the tests need these Debian packages, and this user cannot install them (not root, no sudo):" >&2
        echo "    apt-get install ${need[*]}" >&2
        exit 1
    fi
    "${apt_get[@]}" update -qq && "${apt_get[@]}" install -y -qq "${need[@]}" >/dev/null
fi

# A Python package for the tests; Debian's own Python refuses pip outside a virtual environment
# (PEP 668) unless told that this machine's packages may be changed.
pip_install() {
    python3 -m pip install --quiet --disable-pip-version-check "$@" 2>/dev/null \
        || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages "$@"
}

# pyxform (PyPI), the XLSForm reference converter, checks Vigie's own form.
if ! command -v xls2xform >/dev/null; then
    command -v python3 >/dev/null || { echo "error: the tests need python3 (for pyxform)" >&2; exit 1; }
    pip_install "pyxform==4.5.0"
    # pip may install the command where the shell does not look yet (pyenv shims).
    command -v pyenv >/dev/null && pyenv rehash || true
    command -v xls2xform >/dev/null || export PATH="$(python3 -m site --user-base)/bin:$PATH"
fi

# Schemathesis (PyPI), a property-based API tester, checks the API against its OpenAPI document.
if ! command -v schemathesis >/dev/null; then
    pip_install "schemathesis==4.32.5"
    command -v pyenv >/dev/null && pyenv rehash || true
    command -v schemathesis >/dev/null || export PATH="$(python3 -m site --user-base)/bin:$PATH"
fi

# libhxl (PyPI), the HXL reference library, reads Vigie's HXL-tagged downloads; geojson (PyPI)
# validates its GeoJSON.
if ! python3 -c "import hxl" 2>/dev/null; then
    pip_install "libhxl==5.2.2"
fi
if ! python3 -c "import geojson" 2>/dev/null; then
    pip_install "geojson==3.3.0"
fi
# prometheus-client (PyPI), the Prometheus Python client, parses the server's metrics.
if ! python3 -c "import prometheus_client" 2>/dev/null; then
    pip_install "prometheus-client==0.26.0"
fi

# Enketo (npm), a web client of ODK forms: the browser test fills Vigie's XForm with it and posts
# the submission to Vigie's OpenRosa server.
scripts/enketo/build.sh
export VIGIE_ENKETO="$PWD/target/enketo/enketo.js"

# axe-core (npm), the accessibility checker, runs in Chromium over every page (the browser
# test). Its one file is taken from npm's registry tarball, checked against its checksum:
# no Node.js needed.
AXE_VERSION=4.14.1
AXE_SHA256=e6b0ce02b84d892e2e33e403485e7f3d6c29e2be6df65daf44d89ba564139745
export VIGIE_AXE_CORE="$PWD/target/axe-core-$AXE_VERSION/axe.min.js"
if [ ! -f "$VIGIE_AXE_CORE" ]; then
    mkdir -p "$(dirname "$VIGIE_AXE_CORE")"
    tarball="$(dirname "$VIGIE_AXE_CORE")/axe-core.tgz"
    curl -fsSL -o "$tarball" "https://registry.npmjs.org/axe-core/-/axe-core-$AXE_VERSION.tgz"
    echo "$AXE_SHA256  $tarball" | sha256sum -c --quiet -
    tar -xzf "$tarball" -C "$(dirname "$VIGIE_AXE_CORE")" --strip-components=1 package/axe.min.js
fi

cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings

# A throwaway PostgreSQL server for this run (VIGIE_TEST_POSTGRES), stopped and deleted on exit.
source scripts/postgres.sh

# The project's reference copies (the spec, the seed tables) are checked against shared/, next
# to the checkout. Without it, say so here: the tests would fail rather than skip in silence.
if [ -z "${VIGIE_SHARED:-}" ] && [ ! -d ../shared ]; then
    echo "warning: ../shared not found: the reference copies are not compared with it (VIGIE_SHARED=none)" >&2
    export VIGIE_SHARED=none
fi

# Every test; the store's behaviour tests and the PostgreSQL ones run on both stores.
cargo test --workspace --locked
# The import, tables, API, authorization and upload tests once more, on PostgreSQL. With
# `--workspace`, as above: the same features for every dependency, so the test binaries built
# above are reused (`-p` alone rebuilt half the dependencies: 10 minutes of CI).
export VIGIE_TEST_STORE=postgres
cargo test --workspace --locked --test it -- import_behaviour:: import_rules:: tables:: kobo::a_newer_export
cargo test --workspace --locked --test api
