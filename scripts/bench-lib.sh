# Sourced by the server benchmarks (bench-serve.sh, bench-postgres.sh): the two builds they
# compare, and the figures they print side by side.
#
#   VIGIE_BENCH_BEFORE=REV   the revision measured as "before" (default: aeeef82, the last
#                            commit before issue 25's work); "none" measures this checkout only.
#
# The "before" build is made once per revision, in a git worktree that shares this checkout's
# target folder (so only Vigie's own crates are compiled again), and kept as
# target/bench-before/REV/vigie.

# Builds this checkout and the "before" revision; sets `builds` to "before after" (or "after").
bench_builds() {
    local rev=${VIGIE_BENCH_BEFORE:-aeeef82}
    builds="after"
    if [ "$rev" != none ]; then
        rev=$(git rev-parse --short "$rev")
        local kept="$PWD/target/bench-before/$rev"
        if [ ! -x "$kept/vigie" ]; then
            echo "building the \"before\" revision $rev (once; kept in $kept)" >&2
            local tree="$PWD/target/bench-before/src"
            git worktree remove --force "$tree" 2>/dev/null || rm -rf "$tree"
            git worktree prune
            git worktree add -q --detach "$tree" "$rev"
            cargo build --release -q -p vigie --manifest-path "$tree/Cargo.toml" --target-dir "$PWD/target"
            mkdir -p "$kept"
            cp "$PWD/target/release/vigie" "$kept/vigie"
            git worktree remove --force "$tree"
        fi
        declare -g vigie_before="$kept/vigie"
        builds="before after"
    fi
    # Built after the "before" one, which left its binary at the same place.
    cargo build --release -q -p vigie
    declare -g vigie_after="$PWD/target/release/vigie"
    echo "before: ${VIGIE_BENCH_BEFORE:-aeeef82} ($([ -n "${vigie_before:-}" ] && echo "$vigie_before" || echo "not measured")); after: $(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo ' with uncommitted changes')"
}

# Records a figure of the build being measured: `figure "what" value`.
figure() {
    printf '%s\t%s\t%s\n' "$build" "$1" "$2" >> "$work/figures"
}

# The server's resident memory now, in MB.
rss_mb() {
    ps -o rss= -p "$server" | awk '{printf "%.0f", $1/1024}'
}

# Runs wrk with "$@", prints its throughput and latency lines, and records them under `what`.
measured_wrk() {
    local what=$1
    shift
    wrk "$@" > "$work/wrk.out"
    grep -E "Requests/sec|Non-2xx|Socket errors|^ +(50|90|99)%|Latency  " "$work/wrk.out" | sed 's/^/    /'
    figure "$what: req/s" "$(awk '/Requests\/sec/ {printf "%.0f", $2}' "$work/wrk.out")"
    figure "$what: p99" "$(awk '$1 == "99%" {print $2}' "$work/wrk.out")"
    local failed
    failed=$(awk '/Non-2xx/ {n += $NF} /Socket errors/ {gsub(",", ""); n += $4 + $6 + $8 + $10} END {print n + 0}' "$work/wrk.out")
    figure "$what: errors and timeouts" "$failed"
}

# Every figure recorded, a line each, before and after side by side.
side_by_side() {
    echo
    echo "== before and after, side by side =="
    awk -F'\t' '
        !($2 in seen) { seen[$2] = 1; order[++n] = $2 }
        { value[$1, $2] = $3 }
        END {
            printf "%-62s %16s %16s\n", "", "before", "after"
            for (i = 1; i <= n; i++) {
                w = order[i]
                b = ((("before", w) in value) ? value["before", w] : "-")
                a = ((("after", w) in value) ? value["after", w] : "-")
                printf "%-62s %16s %16s\n", w, b, a
            }
        }' "$work/figures"
}
