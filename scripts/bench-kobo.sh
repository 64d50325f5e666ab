#!/usr/bin/env bash
# KoBo imports at scale (issue 13's benchmark; not a test, not in CI): generated violations
# written as a KoBo XLSX export of Vigie's own form (one submission per incident, one victim
# entry per violation, `/` paths, the 0/1 column per subtype KoBo adds), then imported into a new
# SQLite store with `vigie import kobo --stats` in a release build, timed with its peak memory;
# then imported again (nothing changes). Also runs the point-in-polygon benchmark (1 M random
# points against the 701 communes; target ≥ 1 M points/s).
#
#   scripts/bench-kobo.sh     # VIGIE_BENCH_VIOLATIONS=191500: about 100 000 submissions
set -euo pipefail
cd "$(dirname "$0")/.."

violations=${VIGIE_BENCH_VIOLATIONS:-191500}
cargo build --release -q -p vigie
vigie=$PWD/target/release/vigie
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== point-in-polygon"
cargo bench -q -p vigie-place --bench locate 2>/dev/null | grep -E "indexed|points|run"

echo "== the export"
"$vigie" generate --out "$work/g" --violations "$violations" --kobo xlsx | tail -1
ls -l "$work/g/kobo/vigie_violations.xlsx" | awk '{printf "vigie_violations.xlsx: %.1f MB\n", $5 / 1e6}'

echo "== import (then again: nothing to change)"
for run in 1 2; do
    /usr/bin/time -f "wall %e s, peak RSS %M kB" \
        "$vigie" --db "sqlite://$work/k.db" import kobo "$work/g/kobo/vigie_violations.xlsx" --stats 2>&1 \
        | grep -vE "^warning: " | grep -E "stats|wall|total"
done
echo "store: $("$vigie" --db "sqlite://$work/k.db" status)"
