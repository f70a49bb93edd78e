#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests and the benchmark: a fresh
# cluster in a folder of its own, listening only on 127.0.0.1 (and a socket
# in that folder) on a free port, gone when stopped.
#
#   eval "$(bash .ci/postgres.sh start DIR [PORT] [--durable])"
#       installs the Debian `postgresql` package if initdb is missing,
#       creates the cluster in DIR (must be empty or absent), starts it and
#       prints `export TRACKER_TEST_POSTGRES=postgres://…` (the admin URL
#       the test suite and bench/run.sh read). PORT: the first port to try
#       (default 55433); the next free one is taken. Without --durable the
#       server skips fsync (a test cluster that dies is thrown away anyway);
#       --durable keeps PostgreSQL's defaults, for benchmark figures.
#   bash .ci/postgres.sh stop DIR
#       stops the server and removes DIR.
#
# Run as root (as CI does), the server runs as the `postgres` OS user, as
# initdb refuses root. Messages go to stderr; only the export line goes to
# stdout.
set -euo pipefail

say() { echo "postgres.sh: $*" >&2; }

# The folder of initdb/pg_ctl: on PATH, else the newest Debian install.
pg_bindir() {
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
        return
    fi
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then
        echo "$dir"
    fi
}

install_postgres() {
    say "installing the Debian postgresql package (initdb not found)"
    local sudo=
    if [ "$(id -u)" != 0 ]; then sudo=sudo; fi
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        postgresql >&2
}

# Runs a command as the server's owner: `postgres` when we are root.
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start() {
    local dir=$1 port=${2:-55433} durable=$3
    local bindir
    bindir=$(pg_bindir)
    if [ -z "$bindir" ]; then
        install_postgres
        bindir=$(pg_bindir)
        [ -n "$bindir" ] || { say "no initdb even after installing postgresql"; exit 1; }
    fi
    if [ -e "$dir" ] && [ -n "$(ls -A "$dir")" ]; then
        say "$dir is not empty; choose a new folder or stop the server using it"
        exit 1
    fi
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    local password
    password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
    printf '%s\n' "$password" >"$dir/pwfile"
    chmod 600 "$dir/pwfile"
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || { say "no postgres OS user to run the server as"; exit 1; }
        chown postgres: "$dir" "$dir/pwfile"
    fi
    # Password (SCRAM) over TCP, so the tests exercise real authentication;
    # the socket in DIR (owner only) trusts its owner.
    as_owner "$bindir/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pwfile" \
        --auth-host=scram-sha-256 --auth-local=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    rm -f "$dir/pwfile"
    local settings="-c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c max_connections=200"
    if [ -z "$durable" ]; then
        settings="$settings -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    fi
    local tries=0
    while :; do
        if ! port_in_use "$port"; then
            if as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
                -o "-p $port $settings" start >/dev/null; then
                break
            fi
            say "could not start on port $port (see below); trying the next"
            tail -n 5 "$dir/server.log" >&2 || true
        fi
        tries=$((tries + 1))
        port=$((port + 1))
        [ "$tries" -lt 20 ] || { say "no free port found"; exit 1; }
    done
    echo "$bindir" >"$dir/bindir"
    say "PostgreSQL $("$bindir/pg_ctl" --version | awk '{print $3}') on 127.0.0.1:$port, data in $dir/data"
    echo "export TRACKER_TEST_POSTGRES=postgres://postgres:$password@127.0.0.1:$port/postgres"
}

stop() {
    local dir=$1
    [ -d "$dir" ] || return 0
    if [ -f "$dir/bindir" ] && [ -d "$dir/data" ]; then
        as_owner "$(cat "$dir/bindir")/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
}

case "${1:-}" in
start)
    [ $# -ge 2 ] || { say "usage: $0 start DIR [PORT] [--durable]"; exit 2; }
    dir=$2 port=55433 durable=
    shift 2
    for arg in "$@"; do
        case "$arg" in
        --durable) durable=1 ;;
        *) port=$arg ;;
        esac
    done
    start "$dir" "$port" "$durable"
    ;;
stop)
    [ $# -eq 2 ] || { say "usage: $0 stop DIR"; exit 2; }
    stop "$2"
    ;;
*)
    say "usage: $0 start DIR [PORT] [--durable] | stop DIR"
    exit 2
    ;;
esac
