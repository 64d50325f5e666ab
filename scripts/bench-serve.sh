#!/usr/bin/env bash
# The server under load (issue 11's benchmark; not a test, not in CI): a 1 M-violation SQLite
# store, `vigie serve` in a release build, and wrk in a second process on loopback at 64
# connections, for
#   1. GET /api/v1/tables for the current month, cached (one filter, asked again and again);
#   2. the same with random filters that defeat the cache (a random region, one other dimension
#      and an end date each request: 5 100 combinations against a cache of 256 answers);
#   2b. the same with a random commune: most requests find nothing computed before;
#   4. the dashboard page (key figures, every chart and map) for the month, cached view;
#   5. the whole list downloaded as CSV (target ≥ 1 M rows/s) and as XLSX;
#   6. random month × region dashboards (uncached views), and 7. 50-row list pages of a random
#      region, each at 64 connections;
#   8. a mix at 200 connections for 60 s (50 % cached tables, 30 % filtered tables, 15 % list
#      pages, 5 % dashboards) with a 100 k-row import in the middle, the server's memory
#      sampled every second;
#   3. the cached request while a second process imports another 1 M violations (then the
#      server's figures for the imported year are checked against `vigie tables`);
#   9. `vigie duplicates` for a month of the store (target < 2 s).
# Memory: the server's resident size is printed after the runs, and its peak during the mix.
# Targets: (1) ≥ 3 000 req/s, p99 ≤ 50 ms; (2) ≥ 300 req/s, p99 ≤ 100 ms; (3) p99 reported.
# Everything runs twice, on a store of its own each: with the build of an earlier revision
# ("before", see bench-lib.sh) and with this checkout's ("after"); the figures are then printed
# side by side.
#
#   scripts/bench-serve.sh            # VIGIE_BENCH_ROWS=1000000 VIGIE_BENCH_SECONDS=20
#                                     # VIGIE_BENCH_BEFORE=aeeef82 (or none)
set -euo pipefail
cd "$(dirname "$0")/.."

rows=${VIGIE_BENCH_ROWS:-1000000}
seconds=${VIGIE_BENCH_SECONDS:-20}
port=${VIGIE_BENCH_PORT:-18080}

if ! command -v wrk >/dev/null; then
    echo "installing wrk (Debian's package)" >&2
    apt-get install -y -qq wrk >/dev/null || { echo "needs: apt-get install wrk" >&2; exit 1; }
fi
source scripts/bench-lib.sh
work=$(mktemp -d)
server=
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
bench_builds

echo "== $rows generated violations a year (2021, 2020; 100 000 of 2019 for the mix) =="
"$vigie_after" generate --out "$work/2021" --year 2021 --violations "$rows" >/dev/null
"$vigie_after" generate --out "$work/2020" --year 2020 --violations "$rows" >/dev/null
"$vigie_after" generate --out "$work/2019" --year 2019 --violations 100000 >/dev/null

cat > "$work/random.lua" <<'EOF'
-- A random filter each request: a region, one other dimension (a category, or a victim's sex,
-- age group or population: the last three need the rows, not the month cube) and an end date.
local regions = {"ML01","ML02","ML03","ML04","ML05","ML06","ML07","ML08","ML09","ML10"}
local others = {"category=A","category=B","category=C","category=D","category=E","category=F",
  "sex=F","sex=M","age_group=CHILD","age_group=ADULT","age_group=ELDER","age_group=UNKNOWN",
  "population=RESIDENT","population=IDP","population=RETURNEE","population=REFUGEE","population=UNKNOWN"}
math.randomseed(os.time())
request = function()
  local path = string.format("/api/v1/tables?month=2021-11&region=%s&%s&to=2021-11-%02d",
    regions[math.random(#regions)], others[math.random(#others)], math.random(1, 30))
  return wrk.format("GET", path)
end
EOF

# The same with a random commune instead of a region: 703 × 17 places and attributes, so that
# most requests find neither their answer nor their whole months counted before.
communes=$(tail -n +2 reference/geography/mli-2015/communes.csv | cut -d, -f5 | sed 's/.*/"&"/' | paste -sd,)
sed -e "s/local regions = {.*}/local regions = {$communes}/" -e 's/region=%s/commune=%s/' \
    "$work/random.lua" > "$work/random-commune.lua"

measure() {
build=$1
vigie=$2
echo
echo "######## $build: $vigie ########"
export VIGIE_DB="sqlite://$work/$build.db"
"$vigie" import violations "$work/2021/violations.csv" --stats
"$vigie" import alerts "$work/2021/alerts.csv" >/dev/null
"$vigie" import risk "$work/2021/risk_answers.csv" >/dev/null
echo "a long enough password" | "$vigie" user add bench --role im_officer >/dev/null
token=$("$vigie" token create bench)

"$vigie" serve --addr "127.0.0.1:$port" > "$work/serve.log" 2>&1 &
server=$!
base="http://127.0.0.1:$port/api/v1"
for _ in $(seq 1 600); do
    curl -sf "$base/health" >/dev/null 2>&1 && break
    sleep 0.1
done
echo "server up, RSS $(rss_mb) MB"
figure "server memory at start (MB)" "$(rss_mb)"

# wrk at 64 connections for the run's length, with the bench account's token.
load() {
    local what=$1
    shift
    measured_wrk "$what" -t2 -c64 -d"${seconds}s" --timeout 10s --latency -H "Authorization: Bearer $token" "$@"
}

echo "== 1. cached: GET tables?month=2021-11, 64 connections, ${seconds} s =="
curl -sf -H "Authorization: Bearer $token" "$base/tables?month=2021-11" >/dev/null
load "1. cached tables" "$base/tables?month=2021-11"

echo "== 2. uncached: random region × (category | sex | age group | population) × end date, 64 connections, ${seconds} s =="
load "2. random tables" -s "$work/random.lua" "$base/tables"

echo "== 2b. uncached and cold: random commune × (category | sex | age group | population) × end date =="
load "2b. random commune tables" -s "$work/random-commune.lua" "$base/tables"

echo "== 4. the dashboard page for the month (cached view), signed in, 64 connections, ${seconds} s =="
cookie=$(curl -s -i -d "name=bench&password=a+long+enough+password" "http://127.0.0.1:$port/login" \
    | grep -i '^set-cookie: vigie_session=' | sed 's/^[^:]*: //; s/;.*//')
curl -sf -H "Cookie: $cookie" "http://127.0.0.1:$port/dashboard?month=2021-11" -o "$work/dashboard.html"
echo "page: $(wc -c < "$work/dashboard.html") bytes, $(grep -o '<svg' "$work/dashboard.html" | wc -l) charts and maps"
figure "4. dashboard page (bytes)" "$(wc -c < "$work/dashboard.html")"
# Server time alone: one request at a time, time to the first byte; the first views of months
# (cold: nothing of the month counted) and then the same view again (cached).
one_at_a_time() {
    sort -n | awk '{t[NR] = $1 * 1000} END {printf "%.1f %.1f %.1f\n", t[int(NR * 0.5) + 1], t[int(NR * 0.99) + 1], t[NR]}'
}
for month in 01 02 03 04 05 06 07 08 09 10; do
    curl -s -o /dev/null -w "%{time_starttransfer}\n" -H "Cookie: $cookie" "http://127.0.0.1:$port/dashboard?month=2021-$month"
done | one_at_a_time > "$work/times"
read -r p50 p99 max < "$work/times"
echo "first view of a month, one at a time: p50 $p50 ms, max $max ms"
figure "4. first view of a month, server time p50 (ms)" "$p50"
figure "4. first view of a month, server time max (ms)" "$max"
for _ in $(seq 300); do
    curl -s -o /dev/null -w "%{time_starttransfer}\n" -H "Cookie: $cookie" "http://127.0.0.1:$port/dashboard?month=2021-11"
done | one_at_a_time > "$work/times"
read -r p50 p99 max < "$work/times"
echo "the same view again, one at a time: p50 $p50 ms, p99 $p99 ms, max $max ms"
figure "4. a view seen, server time p50 (ms)" "$p50"
for region in ML01 ML02 ML03 ML04 ML05 ML06 ML07 ML08 ML09 ML10; do
    curl -s -o /dev/null -w "%{time_starttransfer}\n" -H "Cookie: $cookie" "http://127.0.0.1:$port/dashboard?month=2021-11&region=$region"
done | one_at_a_time > "$work/times"
read -r p50 p99 max < "$work/times"
echo "a new filter in a month seen (a region), one at a time: p50 $p50 ms, max $max ms"
figure "4. a new filter in a month seen, server time p50 (ms)" "$p50"
measured_wrk "4. cached dashboard" -t2 -c64 -d"${seconds}s" --timeout 10s --latency -H "Cookie: $cookie" \
    "http://127.0.0.1:$port/dashboard?month=2021-11"

# The server's peak resident size while "$@" runs, recorded as `what`.
peak_rss() {
    local what=$1 peak=0 rss
    shift
    "$@" &
    local job=$!
    while kill -0 "$job" 2>/dev/null; do
        rss=$(ps -o rss= -p "$server" | tr -d ' ')
        [ "${rss:-0}" -gt "$peak" ] && peak=$rss
        sleep 0.5
    done
    wait "$job"
    echo "server peak RSS during the run: $((peak / 1024)) MB"
    figure "$what: server peak memory (MB)" "$((peak / 1024))"
}

cat > "$work/dashboards.lua" <<'EOF'
-- A random month of 2021 and a random region: a view no one asked for before, most times.
local regions = {"ML01","ML02","ML03","ML04","ML05","ML06","ML07","ML08","ML09","ML10"}
math.randomseed(os.time())
request = function()
  return wrk.format("GET", string.format("/dashboard?month=2021-%02d&region=%s", math.random(1, 11),
    regions[math.random(#regions)]))
end
EOF
cat > "$work/lists.lua" <<'EOF'
local regions = {"ML01","ML02","ML03","ML04","ML05","ML06","ML07","ML08","ML09","ML10"}
math.randomseed(os.time())
request = function()
  return wrk.format("GET", string.format("/api/v1/violations?limit=50&region=%s&offset=%d",
    regions[math.random(#regions)], 50 * math.random(0, 20)))
end
EOF
cat > "$work/mix.lua" <<'EOF'
-- 50 % the cached month, 30 % filtered tables, 15 % list pages, 5 % dashboards.
local regions = {"ML01","ML02","ML03","ML04","ML05","ML06","ML07","ML08","ML09","ML10"}
local categories = {"A","B","C","D","E","F"}
math.randomseed(os.time())
request = function()
  local r, region = math.random(100), regions[math.random(#regions)]
  if r <= 50 then return wrk.format("GET", "/api/v1/tables?month=2021-11") end
  if r <= 80 then
    return wrk.format("GET", string.format("/api/v1/tables?month=2021-%02d&region=%s&category=%s",
      math.random(1, 11), region, categories[math.random(#categories)]))
  end
  if r <= 95 then return wrk.format("GET", "/api/v1/violations?limit=50&region=" .. region) end
  return wrk.format("GET", string.format("/dashboard?month=2021-%02d&region=%s", math.random(1, 11), region))
end
EOF

echo "== 6. random month × region dashboards (most of them first views), signed in, 64 connections, ${seconds} s =="
dashboards() {
    measured_wrk "6. random dashboards" -t2 -c64 -d"${seconds}s" --timeout 10s --latency -H "Cookie: $cookie" \
        -s "$work/dashboards.lua" "http://127.0.0.1:$port/dashboard"
}
peak_rss "6. random dashboards" dashboards
echo "== 6b. the same again (every view seen) =="
measured_wrk "6b. random dashboards, seen" -t2 -c64 -d"${seconds}s" --timeout 10s --latency -H "Cookie: $cookie" \
    -s "$work/dashboards.lua" "http://127.0.0.1:$port/dashboard"
echo "server RSS: $(rss_mb) MB"

echo "== 7. 50-row list pages of a random region, 64 connections, ${seconds} s =="
lists() { load "7. list pages" -s "$work/lists.lua" "$base/violations"; }
peak_rss "7. list pages" lists

echo "== 8. the mix, 200 connections, 60 s, a 100 k-row import after 20 s =="
(sleep 20; /usr/bin/time -f "import: %e s" "$vigie" import violations "$work/2019/violations.csv" \
    > "$work/mix-import.log" 2>&1; echo "import exit: $?" >> "$work/mix-import.log") &
mix_import=$!
mix() {
    measured_wrk "8. mix, 200 connections" -t2 -c200 -d60s --timeout 10s --latency -H "Cookie: $cookie" \
        -H "Authorization: Bearer $token" -s "$work/mix.lua" "http://127.0.0.1:$port/"
}
peak_rss "8. mix, 200 connections" mix
wait "$mix_import"
tail -n 2 "$work/mix-import.log"
figure "8. mix: the import's exit status" "$(awk '/import exit/ {print $3}' "$work/mix-import.log")"

echo "== 5. the filtered list downloaded whole: violations.csv and violations.xlsx, one request =="
download() {
    local start end lines
    start=$(date +%s%N)
    curl -sf -H "Cookie: $cookie" "http://127.0.0.1:$port/$1" -o "$work/download"
    end=$(date +%s%N)
    lines=$(($(wc -l < "$work/download") - 1))
    awk -v what="$1" -v bytes="$(wc -c < "$work/download")" -v rows="$lines" -v ns="$((end - start))" 'BEGIN {
        s = ns / 1e9; printf "%s: %d bytes in %.2f s", what, bytes, s
        if (what ~ /csv/) printf ", %d rows, %.2f M rows/s", rows, rows / s / 1e6
        printf "\n" }'
    figure "5. $1 (s)" "$(awk -v ns="$((end - start))" 'BEGIN {printf "%.2f", ns / 1e9}')"
}
download "violations.csv"
download "violations.csv?region=ML05"
download "violations.xlsx"
echo "server RSS after the downloads: $(rss_mb) MB"
figure "5. server memory after the downloads (MB)" "$(rss_mb)"

echo "== 3. cached, while another process imports $rows violations (2020) =="
(sleep 2; /usr/bin/time -f "import: %e s, peak RSS %M KB" "$vigie" import violations "$work/2020/violations.csv" \
    > "$work/import.log" 2>&1) &
importer=$!
load "3. cached tables during an import" "$base/tables?month=2021-11"
wait "$importer"
tail -n 3 "$work/import.log"
# The server took the import in without a restart: its 2020 total is the command line's.
total() { python3 -c 'import json,sys; print(next(c["value"] for c in json.load(sys.stdin)["tables"] if c["table"]=="category_by_region" and c["row"]=="TOTAL" and c["column"]=="TOTAL"))'; }
sleep 1
echo "November 2020 total: server $(curl -sf -H "Authorization: Bearer $token" "$base/tables?month=2020-11" | total)," \
    "vigie tables $("$vigie" tables --month 2020-11 --format json | total)"
echo "server RSS after: $(rss_mb) MB"
figure "server memory at the end (MB)" "$(rss_mb)"
grep -i "error" "$work/serve.log" || true

echo "== 9. duplicate candidates for a month (vigie duplicates --month 2021-11), one process =="
if "$vigie" duplicates --help >/dev/null 2>&1; then
    start=$(date +%s%N)
    pairs=$("$vigie" duplicates --month 2021-11 --format csv | tail -n +2 | wc -l)
    took=$(awk -v ns="$(($(date +%s%N) - start))" 'BEGIN {printf "%.2f", ns / 1e9}')
    echo "$pairs pairs in $took s"
    figure "9. duplicate candidates for a month (s)" "$took"
else
    echo "(this build has no duplicate detection)"
fi
kill "$server" && wait "$server" 2>/dev/null || true
server=
}

[ -n "${vigie_before:-}" ] && measure before "$vigie_before"
measure after "$vigie_after"
side_by_side
