# Sourced by scripts/test.sh (and the benchmarks): starts a throwaway PostgreSQL server for the
# tests and exports its URL as VIGIE_TEST_POSTGRES. The server listens on a free port of
# 127.0.0.1 and a socket in its own temporary folder, trusts local connections, and is stopped
# and deleted when the calling script exits, however it exits: nothing is left running.
#
# Debian's `postgresql` package provides the server; on a fresh machine it is installed without
# the cluster Debian would otherwise create and start (create_main_cluster = false).

# The newest server installed: its initdb, not just a bin folder (the client packages have one).
newest_pg_bin() { { ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null || true; } | sort -V | tail -n 1 | xargs -r dirname; }
pg_bin=$(newest_pg_bin)
if [ -z "$pg_bin" ]; then
    if [ "$(id -u)" -eq 0 ]; then
        sudo_=()
    elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
        sudo_=(sudo -n)
    else
        echo "error: the tests need PostgreSQL, and this user cannot install it: apt-get install postgresql" >&2
        exit 1
    fi
    "${sudo_[@]}" mkdir -p /etc/postgresql-common
    echo "create_main_cluster = false" | "${sudo_[@]}" tee /etc/postgresql-common/createcluster.conf >/dev/null
    "${sudo_[@]}" apt-get update -qq && "${sudo_[@]}" apt-get install -y -qq postgresql >/dev/null
    pg_bin=$(newest_pg_bin)
fi

pg_dir=$(mktemp -d /tmp/vigie-pg.XXXXXX)
# PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user.
if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$pg_dir"
    as_pg=(runuser -u postgres --)
else
    as_pg=()
fi
pg_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

stop_postgres() {
    "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
}
trap stop_postgres EXIT

"${as_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
# Tests create a database each; fsync off (unless VIGIE_PG_SETTINGS says otherwise: the
# benchmarks run with durable defaults): a crash of this throwaway server loses nothing of value.
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w start \
    -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c max_connections=300 ${VIGIE_PG_SETTINGS--c fsync=off}" >/dev/null
export VIGIE_TEST_POSTGRES="postgres://postgres@127.0.0.1:$pg_port/postgres"
