#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests (issue #18: the PostgreSQL storage backend).
#
#   eval "$(bash Scripts/postgres.sh start [--watch PID])"   # prints `export ...` lines
#   bash Scripts/postgres.sh env DIR                         # the same lines again
#   bash Scripts/postgres.sh stop DIR                        # stops it (by PID) and deletes DIR
#
# `start` makes a new cluster in a temp dir, listening on a free port of 127.0.0.1 only (its
# Unix socket in the same dir), with password (SCRAM) authentication for the user `kvstore` and a
# database `kvstore`, and prints:
#   KVSTORE_POSTGRES_DIR                  the dir to pass to `stop`
#   KVSTORE_TEST_POSTGRES_URL             postgres://kvstore@127.0.0.1:PORT/kvstore
#   KVSTORE_TEST_POSTGRES_PASSWORD_FILE   the file holding the password (never in the URL)
# Diagnostics go to stderr. With --watch PID, a detached watcher stops the cluster once PID
# exits (the Swift tests pass their own PID, so that no cluster outlives `swift test`).
#
# initdb refuses to run as root: as root, the cluster runs as the unprivileged user `nobody`
# (PG_USER overrides). The binaries come from PATH, PG_BIN, or Debian's /usr/lib/postgresql/*/bin.
# The cluster trades durability for speed (fsync off): it is for tests only.
set -euo pipefail

log() { printf 'postgres.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

find_bin_dir() {
    if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        # Through symlinks (/usr/local/bin -> /usr/lib/postgresql/15/bin), where psql also lives.
        dirname "$(readlink -f "$(command -v pg_ctl)")"; return
    fi
    local dir
    # Debian keeps the server binaries off PATH, one folder per major version: the newest wins.
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return; fi
    done
    die "initdb/pg_ctl not found (install Debian's postgresql package, or set PG_BIN)"
}

# as_owner CMD...: runs CMD as the cluster's owner (root hands over to an unprivileged user).
as_owner() {
    if [ "$(id -u)" -ne 0 ]; then "$@"; return; fi
    local user="${PG_USER:-nobody}" group
    group="$(id -gn "$user")"
    setpriv --reuid="$user" --regid="$group" --clear-groups -- "$@"
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

print_env() {
    local dir="$1"
    [ -f "$dir/url" ] || die "$dir is not a cluster made by postgres.sh"
    printf 'export KVSTORE_POSTGRES_DIR=%q\n' "$dir"
    printf 'export KVSTORE_TEST_POSTGRES_URL=%q\n' "$(cat "$dir/url")"
    printf 'export KVSTORE_TEST_POSTGRES_PASSWORD_FILE=%q\n' "$dir/password"
}

postmaster_pid() {
    local dir="$1"
    [ -f "$dir/data/postmaster.pid" ] || return 1
    head -n 1 "$dir/data/postmaster.pid"
}

stop_cluster() {
    local dir="$1" pid
    [ -f "$dir/url" ] || die "$dir is not a cluster made by postgres.sh"
    if pid="$(postmaster_pid "$dir")" && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        # Only a postmaster of this very data dir: a recycled PID must not be signalled.
        if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$dir/data"; then
            # SIGINT: fast shutdown (clients are disconnected, not waited for).
            kill -INT "$pid" 2>/dev/null || true
            local i
            for i in $(seq 1 100); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
            done
            if kill -0 "$pid" 2>/dev/null; then
                log "postmaster $pid still running after 10 s: SIGKILL"
                kill -KILL "$pid" 2>/dev/null || true
            fi
        fi
    fi
    rm -rf -- "$dir"
}

start_cluster() {
    local watch=""
    while [ $# -gt 0 ]; do
        case "$1" in
            --watch) watch="${2:-}"; shift 2 ;;
            *) die "unknown option $1" ;;
        esac
    done
    local bin
    bin="$(find_bin_dir)"
    local dir
    dir="$(mktemp -d "${TMPDIR:-/tmp}/kvstore-pg.XXXXXX")"
    # The owner must traverse dir; only it reads data/ (initdb insists on 0700).
    chmod 711 "$dir"
    mkdir "$dir/data" "$dir/run"
    head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$dir/password"
    chmod 600 "$dir/password"
    if [ "$(id -u)" -eq 0 ]; then
        local user="${PG_USER:-nobody}"
        id "$user" >/dev/null 2>&1 || die "user $user does not exist (set PG_USER)"
        chown "$user:$(id -gn "$user")" "$dir/data" "$dir/run" "$dir/password"
    fi
    chmod 700 "$dir/data"
    if ! as_owner "$bin/initdb" -D "$dir/data" -U kvstore --pwfile="$dir/password" \
            --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 --no-sync \
            >"$dir/run/initdb.log" 2>&1; then
        cat "$dir/run/initdb.log" >&2
        rm -rf -- "$dir"
        die "initdb failed"
    fi
    cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/run'
max_connections = 200
shared_buffers = 64MB
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
    # A free port can be taken between the probe and the bind: try a few.
    local attempt port started=0
    for attempt in 1 2 3 4 5; do
        port="$(free_port)"
        if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/run/postgres.log" -w -t 30 \
                -o "-p $port" start >/dev/null 2>&1; then
            started=1
            break
        fi
        log "start on port $port failed (attempt $attempt)"
    done
    if [ "$started" -ne 1 ]; then
        cat "$dir/run/postgres.log" >&2 || true
        stop_cluster "$dir"
        die "the cluster did not start"
    fi
    echo "postgres://kvstore@127.0.0.1:$port/kvstore" >"$dir/url"
    local psql="$bin/psql"
    [ -x "$psql" ] || psql="psql"
    PGPASSWORD="$(cat "$dir/password")" "$psql" -X -q -h 127.0.0.1 -p "$port" -U kvstore \
        -d postgres -c 'CREATE DATABASE kvstore' >&2 \
        || { stop_cluster "$dir"; die "CREATE DATABASE failed"; }
    log "cluster in $dir on 127.0.0.1:$port (postmaster $(postmaster_pid "$dir"))"
    if [ -n "$watch" ]; then
        # Detached, and with no handle on our stdout, so that `$(postgres.sh start)` returns.
        setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; bash "$2" stop "$3"' \
            watcher "$watch" "$0" "$dir" </dev/null >/dev/null 2>&1 &
    fi
    print_env "$dir"
}

case "${1:-}" in
    start) shift; start_cluster "$@" ;;
    stop) [ $# -eq 2 ] || die "usage: $0 stop DIR"; stop_cluster "$2" ;;
    env) [ $# -eq 2 ] || die "usage: $0 env DIR"; print_env "$2" ;;
    *) die "usage: $0 start [--watch PID] | stop DIR | env DIR" ;;
esac
