#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests (issue #18: the PostgreSQL storage backend).
#
#   eval "$(bash Scripts/postgres.sh start [--watch PID])"   # prints `export ...` lines
#   bash Scripts/postgres.sh env DIR                         # the same lines again
#   bash Scripts/postgres.sh stop DIR                        # stops it (by PID) and deletes DIR
#   eval "$(bash Scripts/postgres.sh start-replica DIR [--watch PID])"  # a streaming replica of DIR
#   bash Scripts/postgres.sh halt DIR | restart DIR          # stops DIR's server, keeping DIR;
#                                                            # starts it again on its port
#
# `start` makes a new cluster in a temp dir, listening on a free port of 127.0.0.1 only (its
# Unix socket in the same dir), with password (SCRAM) authentication for the user `kvstore` and a
# database `kvstore`, and prints:
#   KVSTORE_POSTGRES_DIR                  the dir to pass to `stop`
#   KVSTORE_TEST_POSTGRES_URL             postgres://kvstore@127.0.0.1:PORT/kvstore
#   KVSTORE_TEST_POSTGRES_PASSWORD_FILE   the file holding the password (never in the URL)
# `start-replica DIR` makes a hot standby of the cluster in DIR (pg_basebackup -R over the
# replication connection that initdb's pg_hba.conf allows from 127.0.0.1; the user `kvstore` is
# the superuser, so it may replicate) in a temp dir of its own, on another free port, and prints:
#   KVSTORE_POSTGRES_REPLICA_DIR          the dir to pass to `stop`
#   KVSTORE_TEST_POSTGRES_REPLICA_URL     postgres://kvstore@127.0.0.1:PORT/kvstore (read only)
# (the password is the primary's; its file is copied into the replica's dir).
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

# new_cluster_dir: a temp dir with data/ and run/ for the cluster's owner; prints it.
new_cluster_dir() {
    local dir
    dir="$(mktemp -d "${TMPDIR:-/tmp}/kvstore-pg.XXXXXX")"
    # The owner must traverse dir; only it reads data/ (initdb insists on 0700).
    chmod 711 "$dir"
    mkdir "$dir/data" "$dir/run"
    if [ "$(id -u)" -eq 0 ]; then
        local user="${PG_USER:-nobody}"
        id "$user" >/dev/null 2>&1 || die "user $user does not exist (set PG_USER)"
        chown "$user:$(id -gn "$user")" "$dir/data" "$dir/run"
    fi
    chmod 700 "$dir/data"
    echo "$dir"
}

# start_postmaster BIN DIR: starts DIR/data's server on a free port of 127.0.0.1; prints the port.
start_postmaster() {
    local bin="$1" dir="$2"
    # A free port can be taken between the probe and the bind: try a few.
    local attempt port
    for attempt in 1 2 3 4 5; do
        port="$(free_port)"
        if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/run/postgres.log" -w -t 30 \
                -o "-p $port" start >/dev/null 2>&1; then
            echo "$port"
            return 0
        fi
        log "start on port $port failed (attempt $attempt)"
    done
    cat "$dir/run/postgres.log" >&2 || true
    return 1
}

# stop_unfinished DIR: stops and deletes a dir whose start failed (its `url` not written yet).
stop_unfinished() {
    local dir="$1"
    [ -f "$dir/url" ] || echo "unfinished" >"$dir/url"
    stop_cluster "$dir"
}

# watch_owner PID DIR: a detached watcher stops DIR's server once PID exits.
watch_owner() {
    # Detached, and with no handle on our stdout, so that `$(postgres.sh start)` returns.
    setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; bash "$2" stop "$3"' \
        watcher "$1" "$0" "$2" </dev/null >/dev/null 2>&1 &
}

# halt_server DIR: stops DIR's server (fast shutdown, by PID) and keeps DIR, for `restart`.
halt_server() {
    local dir="$1" pid
    [ -f "$dir/url" ] || die "$dir is not a cluster made by postgres.sh"
    pid="$(postmaster_pid "$dir")" || die "no server runs in $dir"
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$dir/data" || die "no server runs in $dir"
    kill -INT "$pid"
    local i
    for i in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    die "postmaster $pid still running after 10 s"
}

# restart_server DIR: starts DIR's server again on the port of its URL.
restart_server() {
    local dir="$1" bin port
    [ -f "$dir/url" ] || die "$dir is not a cluster made by postgres.sh"
    bin="$(find_bin_dir)"
    port="$(sed -E 's|.*:([0-9]+)/.*|\1|' "$dir/url")"
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/run/postgres.log" -w -t 30 -o "-p $port" start >/dev/null 2>&1 \
        || { tail -n 20 "$dir/run/postgres.log" >&2; die "restart on port $port failed"; }
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
    dir="$(new_cluster_dir)"
    head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$dir/password"
    chmod 600 "$dir/password"
    if [ "$(id -u)" -eq 0 ]; then
        chown "${PG_USER:-nobody}:$(id -gn "${PG_USER:-nobody}")" "$dir/password"
    fi
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
    local port
    if ! port="$(start_postmaster "$bin" "$dir")"; then
        stop_unfinished "$dir"
        die "the cluster did not start"
    fi
    echo "postgres://kvstore@127.0.0.1:$port/kvstore" >"$dir/url"
    local psql="$bin/psql"
    [ -x "$psql" ] || psql="psql"
    PGPASSWORD="$(cat "$dir/password")" "$psql" -X -q -h 127.0.0.1 -p "$port" -U kvstore \
        -d postgres -c 'CREATE DATABASE kvstore' >&2 \
        || { stop_cluster "$dir"; die "CREATE DATABASE failed"; }
    log "cluster in $dir on 127.0.0.1:$port (postmaster $(postmaster_pid "$dir"))"
    if [ -n "$watch" ]; then watch_owner "$watch" "$dir"; fi
    print_env "$dir"
}

start_replica() {
    local primary="${1:-}" watch=""
    [ -n "$primary" ] && [ -f "$primary/url" ] || die "usage: $0 start-replica DIR [--watch PID] (DIR made by start)"
    shift
    while [ $# -gt 0 ]; do
        case "$1" in
            --watch) watch="${2:-}"; shift 2 ;;
            *) die "unknown option $1" ;;
        esac
    done
    local bin primary_port dir
    bin="$(find_bin_dir)"
    primary_port="$(sed -E 's|.*:([0-9]+)/.*|\1|' "$primary/url")"
    dir="$(new_cluster_dir)"
    cp "$primary/password" "$dir/password"
    chmod 600 "$dir/password"
    # A base backup of the primary with standby.signal and primary_conninfo (-R): the server
    # started on it streams the primary's WAL and answers read-only queries (hot standby).
    if ! PGPASSWORD="$(cat "$primary/password")" as_owner "$bin/pg_basebackup" -h 127.0.0.1 \
            -p "$primary_port" -U kvstore -D "$dir/data" -R -X stream --checkpoint=fast --no-sync \
            >"$dir/run/basebackup.log" 2>&1; then
        cat "$dir/run/basebackup.log" >&2
        stop_unfinished "$dir"
        die "pg_basebackup failed"
    fi
    # The copy has the primary's settings: a socket dir of its own (the port is given at start).
    printf "unix_socket_directories = '%s'\nhot_standby = on\n" "$dir/run" >>"$dir/data/postgresql.conf"
    local port
    if ! port="$(start_postmaster "$bin" "$dir")"; then
        stop_unfinished "$dir"
        die "the replica did not start"
    fi
    echo "postgres://kvstore@127.0.0.1:$port/kvstore" >"$dir/url"
    log "replica of $primary in $dir on 127.0.0.1:$port (postmaster $(postmaster_pid "$dir"))"
    if [ -n "$watch" ]; then watch_owner "$watch" "$dir"; fi
    printf 'export KVSTORE_POSTGRES_REPLICA_DIR=%q\n' "$dir"
    printf 'export KVSTORE_TEST_POSTGRES_REPLICA_URL=%q\n' "$(cat "$dir/url")"
}

case "${1:-}" in
    start) shift; start_cluster "$@" ;;
    start-replica) shift; start_replica "$@" ;;
    stop) [ $# -eq 2 ] || die "usage: $0 stop DIR"; stop_cluster "$2" ;;
    halt) [ $# -eq 2 ] || die "usage: $0 halt DIR"; halt_server "$2" ;;
    restart) [ $# -eq 2 ] || die "usage: $0 restart DIR"; restart_server "$2" ;;
    env) [ $# -eq 2 ] || die "usage: $0 env DIR"; print_env "$2" ;;
    *) die "usage: $0 start [--watch PID] | start-replica DIR [--watch PID] | stop DIR | halt DIR | restart DIR | env DIR" ;;
esac
