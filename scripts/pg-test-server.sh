#!/usr/bin/env bash
# pg-test-server.sh — a throw-away PostgreSQL 15 cluster for tests.
#
#   scripts/pg-test-server.sh start DIR   # prints the TCP port (127.0.0.1) on stdout
#   scripts/pg-test-server.sh stop DIR    # stops the cluster and removes DIR
#
# Both commands are idempotent: `start` on a running cluster prints its port again, `stop` on
# a missing DIR does nothing. Connect with "host=127.0.0.1 port=PORT user=postgres
# dbname=postgres" (trust authentication, loopback only). When run as root the cluster runs as
# the `postgres` user (PostgreSQL refuses to run as root), so DIR must be reachable by it.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

die() {
    echo "pg-test-server: $*" >&2
    exit 1
}

usage() {
    echo "usage: $0 start|stop DIR" >&2
    exit 2
}

# Runs a command as the cluster owner: ourselves, or postgres when we are root.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

is_running() {
    [ -f "$1/data/postmaster.pid" ] && as_owner "$PG_BIN/pg_ctl" -D "$1/data" status >/dev/null 2>&1
}

port_in_use() {
    # Bash's /dev/tcp connects; success means something is listening already.
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

cmd_start() {
    local dir=$1
    if is_running "$dir" && [ -f "$dir/port" ]; then
        cat "$dir/port"
        return 0
    fi
    [ -x "$PG_BIN/initdb" ] || die "PostgreSQL 15 binaries not found in $PG_BIN"

    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [ "$(id -u)" -eq 0 ]; then
        id postgres >/dev/null 2>&1 || die "user postgres does not exist"
        chown postgres: "$dir"
        runuser -u postgres -- test -w "$dir" ||
            die "$dir is not reachable by user postgres (check the parent directories' modes)"
    fi
    chmod 700 "$dir"

    if [ ! -f "$dir/data/PG_VERSION" ]; then
        rm -rf "$dir/data"
        as_owner "$PG_BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C \
            --no-instructions >"$dir/initdb.log" 2>&1 ||
            {
                cat "$dir/initdb.log" >&2
                die "initdb failed"
            }
        # Loopback TCP and the private socket directory only; nothing else may connect.
        as_owner sh -c "cat >'$dir/data/pg_hba.conf'" <<'EOF'
local all all trust
host all all 127.0.0.1/32 trust
EOF
    fi

    local attempt port
    for attempt in $(seq 1 20); do
        port=$((20000 + RANDOM % 40000))
        port_in_use "$port" && continue
        # Another process may grab the port between the probe and the bind; pg_ctl then fails
        # and we try the next one.
        if as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
            -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c unix_socket_permissions=0700" \
            start >/dev/null 2>&1; then
            echo "$port" >"$dir/port.tmp"
            mv "$dir/port.tmp" "$dir/port"
            # pg_ctl -w returned, but wait for the TCP listener explicitly so callers can
            # connect at once.
            local _
            for _ in $(seq 1 100); do
                if as_owner "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port"; then
                    echo "$port"
                    return 0
                fi
                sleep 0.1
            done
            die "server started but is not accepting connections (see $dir/server.log)"
        fi
    done
    [ -f "$dir/server.log" ] && tail -n 20 "$dir/server.log" >&2
    die "could not start PostgreSQL after $attempt attempts"
}

cmd_stop() {
    local dir=$1
    [ -e "$dir" ] || return 0
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
}

[ $# -eq 2 ] || usage
[ -n "$2" ] || usage
case "$1" in
start) cmd_start "$2" ;;
stop) cmd_stop "$2" ;;
*) usage ;;
esac
