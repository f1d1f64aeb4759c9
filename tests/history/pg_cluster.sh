#!/bin/sh
# pg_cluster.sh — a throwaway PostgreSQL server for the history store tests, on a unix socket in a temp
# directory, owned by an unprivileged user (initdb refuses root: as root it runs as 'postgres').
#   tests/history/pg_cluster.sh start DIR   → prints TRITBENCH_TEST_PG=postgresql://…  (exit 0), or why not (1)
#   tests/history/pg_cluster.sh stop DIR
set -eu
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] && [ -x "$bin/initdb" ] || { echo "pg_cluster: PostgreSQL server not installed (Debian: postgresql)" >&2; exit 1; }
as_user() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case $cmd in
start)
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    as_user "$bin/initdb" -D "$dir/data" -A trust -U tritbench >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; exit 1; }
    as_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-k $dir -c listen_addresses='' -c fsync=off" start >/dev/null ||
        { cat "$dir/server.log" >&2; exit 1; }
    as_user "$bin/createdb" -h "$dir" -U tritbench history_test
    echo "TRITBENCH_TEST_PG=postgresql:///history_test?host=$dir&user=tritbench"
    ;;
stop)
    [ -d "$dir/data" ] && as_user "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
