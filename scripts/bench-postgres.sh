#!/usr/bin/env bash
# PostgreSQL next to SQLite (issue 14's benchmark; not a test, not in CI), with 1 M generated
# violations and a release build, for each store:
#   1. the import: violations/s (first import, then a re-import that changes nothing);
#   2. the aggregation layer's cold load: `vigie tables` for a month from a cold process, and
#      `vigie serve` from start to its first answer, with the server's resident memory;
#   3. GET /api/v1/tables through the API with wrk on loopback (64 connections): the month
#      asked again and again (cached), then random filters that defeat the cache.
# PostgreSQL runs as a throwaway server of scripts/postgres.sh with its durable defaults
# (fsync on, Debian's shared_buffers of 128 MB), on this same machine.
# Everything runs twice, on databases of its own each: with the build of an earlier revision
# ("before", see bench-lib.sh) and with this checkout's ("after"); the figures are then printed
# side by side.
#
#   scripts/bench-postgres.sh            # VIGIE_BENCH_ROWS=1000000 VIGIE_BENCH_SECONDS=10
#                                        # VIGIE_BENCH_BEFORE=aeeef82 (or none)
set -euo pipefail
cd "$(dirname "$0")/.."

rows=${VIGIE_BENCH_ROWS:-1000000}
seconds=${VIGIE_BENCH_SECONDS:-10}

if ! command -v wrk >/dev/null; then
    echo "installing wrk (Debian's package)" >&2
    apt-get install -y -qq wrk >/dev/null || { echo "needs: apt-get install wrk" >&2; exit 1; }
fi
source scripts/bench-lib.sh
bench_builds

VIGIE_PG_SETTINGS="" source scripts/postgres.sh
work=$(mktemp -d)
server=
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    rm -rf "$work"
    stop_postgres
}
trap cleanup EXIT

echo "== $rows generated violations (2021) =="
"$vigie_after" generate --out "$work/data" --year 2021 --violations "$rows" >/dev/null
ls -l "$work/data/violations.csv" | awk '{printf "violations.csv: %.0f MB\n", $5/1e6}'

psql_admin() { psql "$VIGIE_TEST_POSTGRES" -qAtc "$1"; }

seconds_of() { awk -v s="$1" -v e="$2" 'BEGIN { printf "%.2f", (e - s) / 1e9 }'; }

cat > "$work/random.lua" <<'EOF'
local regions = {"ML01","ML02","ML03","ML04","ML05","ML06","ML07","ML08","ML09","ML10"}
local others = {"category=A","category=B","category=C","category=D","category=E","category=F",
  "sex=F","sex=M","age_group=CHILD","age_group=ADULT","population=IDP","population=RESIDENT"}
math.randomseed(os.time())
request = function()
  return wrk.format("GET", string.format("/api/v1/tables?month=2021-11&region=%s&%s&to=2021-11-%02d",
    regions[math.random(#regions)], others[math.random(#others)], math.random(1, 30)))
end
EOF

# Every measure of one build ($1, named $2) on one store (its URL: $3).
measure() {
    local vigie=$1 build=$2 url=$3
    local store=${url%%:*}
    export VIGIE_DB=$url
    echo
    echo "== $build, $store =="
    "$vigie" import violations "$work/data/violations.csv" --stats | grep -E "^stats|rows:" | tee "$work/import.out"
    figure "$store: import (rows/s)" "$(sed -n 's/.*(\([0-9]*\) rows\/s.*/\1/p' "$work/import.out")"
    "$vigie" import alerts "$work/data/alerts.csv" >/dev/null
    "$vigie" import risk "$work/data/risk_answers.csv" >/dev/null
    start=$(date +%s%N)
    "$vigie" import violations "$work/data/violations.csv" >/dev/null
    echo "re-import, nothing to change: $(seconds_of "$start" "$(date +%s%N)") s"
    figure "$store: re-import, nothing to change (s)" "$(seconds_of "$start" "$(date +%s%N)")"

    start=$(date +%s%N)
    "$vigie" tables --month 2021-11 >/dev/null
    echo "vigie tables --month 2021-11 (cold process: load + tables): $(seconds_of "$start" "$(date +%s%N)") s"
    figure "$store: vigie tables, cold process (s)" "$(seconds_of "$start" "$(date +%s%N)")"

    echo "a long enough password" | "$vigie" user add "bench-$store" --role im_officer >/dev/null
    token=$("$vigie" token create "bench-$store")
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    start=$(date +%s%N)
    "$vigie" serve --addr "127.0.0.1:$port" > "$work/serve.log" 2>&1 &
    server=$!
    until curl -sf "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1; do sleep 0.05; done
    echo "vigie serve, start to first answer: $(seconds_of "$start" "$(date +%s%N)") s; RSS $(rss_mb) MB"
    figure "$store: vigie serve, start to first answer (s)" "$(seconds_of "$start" "$(date +%s%N)")"
    figure "$store: server memory at start (MB)" "$(rss_mb)"
    # The month counted once before the load, as in bench-serve.sh: "cached" measures answers
    # from memory, not 64 connections waiting for the first one.
    curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/tables?month=2021-11" >/dev/null
    for what in cached random; do
        script=()
        [ "$what" = random ] && script=(-s "$work/random.lua")
        echo "GET /api/v1/tables, $what:"
        measured_wrk "$store: GET /api/v1/tables, $what" -t2 -c64 -d"${seconds}s" --timeout 10s --latency \
            -H "Authorization: Bearer $token" "${script[@]}" "http://127.0.0.1:$port/api/v1/tables?month=2021-11"
    done
    echo "server RSS after the load: $(rss_mb) MB"
    figure "$store: server memory after the load (MB)" "$(rss_mb)"
    kill "$server" && wait "$server" 2>/dev/null || true
    server=
}

for build in $builds; do
    vigie=$vigie_after
    [ "$build" = before ] && vigie=$vigie_before
    psql_admin "CREATE DATABASE bench_$build"
    measure "$vigie" "$build" "sqlite://$work/$build.db"
    measure "$vigie" "$build" "${VIGIE_TEST_POSTGRES%/*}/bench_$build"
    # PostgreSQL's rates as a share of SQLite's, in the same run.
    awk -F'\t' -v build="$build" '$1 == build && $2 ~ /req\/s$/ { rate[$2] = $3 } END {
        for (what in rate) if (what ~ /^sqlite/) {
            pg = what; sub(/^sqlite/, "postgres", pg)
            if (rate[pg] != "" && rate[what] > 0) printf "%s\t%s\t%.2f\n", build, "PostgreSQL / SQLite, " substr(what, 9), rate[pg] / rate[what]
        } }' "$work/figures" >> "$work/figures"
    du -sh "$work/$build.db" | awk '{print "SQLite file: " $1}'
    psql_admin "SELECT 'PostgreSQL database: ' || pg_size_pretty(pg_database_size('bench_$build'))"
done
side_by_side
