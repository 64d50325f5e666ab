#!/usr/bin/env bash
# Bundles Enketo for Chromium into target/enketo/enketo.js (window.VigieEnketo): enketo-transformer
# turns Vigie's XForm into Enketo's HTML form, and enketo-core runs it. The browser test fills the
# form with them as a monitor would and posts the submission to Vigie's OpenRosa server: a real
# client of the form and the server that no one here wrote.
#
# npm packages come from npm's registry at the versions package-lock.json pins, with its
# checksums. enketo-core's own dependencies cannot all be installed (its maps widget depends on a
# git repository), so its tarball alone is fetched and checked against its SHA-256, and bundled
# without its widgets (date pickers, maps: dress only) by esbuild.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=target/enketo
core=enketo-core-9.0.1.tgz
core_sha256=c9fa3d5ce811d4983a081de5c996e73b3bc23e3327300a1a3db9a4968fb0c81c

if [ -f "$out/built" ] && cmp -s scripts/enketo/package-lock.json "$out/package-lock.json" \
    && cmp -s scripts/enketo/entry.js "$out/entry.js"; then
    exit 0
fi
rm -rf "$out" && mkdir -p "$out"
cp scripts/enketo/package.json scripts/enketo/package-lock.json scripts/enketo/entry.js scripts/enketo/nowidgets.js "$out/"
cd "$out"
npm ci --no-audit --no-fund --loglevel=error >/dev/null
npm pack enketo-core@9.0.1 --silent >/dev/null
echo "$core_sha256  $core" | sha256sum --check --quiet
tar xzf "$core" && mv package enketo-core
node_modules/.bin/esbuild entry.js --bundle --format=iife --platform=browser --outfile=enketo.js \
    --log-level=error --external:libxslt \
    --alias:enketo/config=./enketo-core/config.js \
    --alias:enketo/widgets=./nowidgets.js \
    --alias:enketo/translator=./enketo-core/src/js/fake-translator.js \
    --alias:enketo/dialog=./enketo-core/src/js/fake-dialog.js \
    --alias:enketo/file-manager=./enketo-core/src/js/file-manager.js \
    --alias:enketo/xpath-evaluator-binding=./enketo-core/src/js/xpath-evaluator-binding.js
touch built
