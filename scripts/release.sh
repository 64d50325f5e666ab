#!/usr/bin/env bash
# Builds Vigie's release archives into dist/: a statically linked Linux x86_64 binary and a
# Windows x86_64 one where this toolchain can make it, each archived with README.md, LICENSE, the
# exchange formats (reference/spec/) and the systemd unit, then SHA256SUMS over the archives.
# The Linux binary is then run in an empty root (no libc, no Rust, no network) to prove it stands
# alone: `--version`, then the demo's whole chain.
#
#   scripts/release.sh        # about 25 minutes on 2 cores; not part of CI
#
# Static Linux: the musl target when rustup has it, else glibc linked statically
# (`+crt-static`), which is as self-contained: Vigie resolves no host names (it listens on
# addresses and makes no outgoing request from the server), the one thing static glibc does less
# well. Windows: the x86_64-pc-windows-gnu target and mingw-w64's linker, when both are here.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
commit=$(git rev-parse --short=12 HEAD)
dist=dist
rm -rf "$dist"
mkdir -p "$dist"
export VIGIE_COMMIT=$commit
say() { printf '\n== %s\n' "$*"; }
have_target() { rustup target list --installed 2>/dev/null | grep -qx "$1"; }

# What every archive holds besides the binary.
bundle() { # DIR
    cp README.md LICENSE "$1/"
    mkdir -p "$1/formats" "$1/deploy"
    cp reference/spec/* "$1/formats/"
    cp deploy/vigie.service "$1/deploy/"
}

# --- Linux x86_64, static --------------------------------------------------------------------
if have_target x86_64-unknown-linux-musl && command -v musl-gcc >/dev/null; then
    linux_target=x86_64-unknown-linux-musl
    linux_flags=""
else
    linux_target=x86_64-unknown-linux-gnu
    linux_flags="-C target-feature=+crt-static"
    say "no musl target in this toolchain (rustup cannot fetch one here): glibc, linked statically"
fi
say "building $linux_target (release)"
# An explicit --target keeps RUSTFLAGS off the build scripts and proc macros (which cannot be
# static) and the release build in a folder of its own.
RUSTFLAGS="$linux_flags" cargo build --release --locked -p vigie --target "$linux_target"
binary=target/$linux_target/release/vigie
file "$binary" | grep -Eq "statically linked|static-pie linked" || { file "$binary"; echo "not static" >&2; exit 1; }

name=vigie-$version-x86_64-linux
mkdir -p "$dist/$name"
cp "$binary" "$dist/$name/vigie"
strip "$dist/$name/vigie"
bundle "$dist/$name"
tar -C "$dist" -czf "$dist/$name.tar.gz" "$name"

say "running the Linux binary in an empty root, without network"
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/tmp"
tar -C "$root" -xzf "$dist/$name.tar.gz"
unshare=$(command -v unshare) chroot=$(command -v chroot)
run_bare() { env -i TMPDIR=/tmp "$unshare" --net "$chroot" "$root" "/$name/vigie" "$@"; }
run_bare --version
run_bare demo --out /demo >"$root/demo.log" 2>&1 || { cat "$root/demo.log"; exit 1; }
tail -3 "$root/demo.log"
ls "$root/demo" | grep -q 'rapport-2021-11.pdf' || { ls -R "$root/demo"; echo "no report" >&2; exit 1; }
echo "the empty root now holds: $(ls "$root" | tr "\n" " ")"

# --- Windows x86_64 ----------------------------------------------------------------------------
if have_target x86_64-pc-windows-gnu && command -v x86_64-w64-mingw32-gcc >/dev/null; then
    say "building x86_64-pc-windows-gnu (release)"
    CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc \
        cargo build --release --locked -p vigie --target x86_64-pc-windows-gnu
    name=vigie-$version-x86_64-windows
    mkdir -p "$dist/$name"
    cp target/x86_64-pc-windows-gnu/release/vigie.exe "$dist/$name/"
    bundle "$dist/$name"
    (cd "$dist" && python3 -m zipfile -c "$name.zip" "$name")
    # Wine 8, the only Wine in Debian 12, cannot run current Rust programs (no
    # bcryptprimitives.dll): the archive's contents are checked, not run.
    python3 -m zipfile -l "$dist/$name.zip"
else
    say "Windows skipped: this toolchain has no x86_64-pc-windows-gnu standard library, and rustup cannot fetch one here"
fi

# --- checksums ---------------------------------------------------------------------------------
for dir in "$dist"/vigie-*/; do rm -rf "$dir"; done
(cd "$dist" && sha256sum vigie-* >SHA256SUMS && cat SHA256SUMS)
say "archives"
for archive in "$dist"/vigie-*.tar.gz; do
    tar -tvzf "$archive"
done
ls -l "$dist"
