#!/usr/bin/env bash
# Early warning, evaluated (issue 28's benchmark; not a test, not in CI): sensitivity to ×2 and ×3
# surges injected in generated cercle × category series shaped like monitoring data (many zero
# months, overdispersed), false alarms per 100 cercle-months on the same series without surges,
# both beside CDC's EARS C2; the signals of each month of the sample data; and the time of a
# month's signals over 10 M loaded violations, in a release build.
#
#   scripts/bench-signals.sh     # VIGIE_BENCH_ROWS=10000000
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench -q -p vigie --bench signals
