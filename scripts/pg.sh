# shellcheck shell=bash
# Private PostgreSQL for ./run and ./test: created from the installed server binaries, owned by the
# `postgres` user when we are root (PostgreSQL refuses to run as root), listening on loopback only.
# Source this file; it defines pg_ensure_binaries, pg_start DIR PORT and pg_stop.

pg_bindir() {
    local d
    for d in /usr/lib/postgresql/*/bin; do
        [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
    done
    command -v pg_ctl >/dev/null 2>&1 && { dirname "$(command -v pg_ctl)"; return 0; }
    return 1
}

pg_ensure_binaries() {
    if PG_BIN=$(pg_bindir); then export PG_BIN; return 0; fi
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "PostgreSQL server binaries not found; installing Debian's postgresql package..." >&2
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-contrib >/dev/null
        PG_BIN=$(pg_bindir) && { export PG_BIN; return 0; }
    fi
    echo "PostgreSQL server binaries (initdb, pg_ctl, postgres) are missing." >&2
    echo "Install them, e.g. as root: apt-get install postgresql postgresql-contrib" >&2
    echo "or set ConnectionStrings__Portal to an existing database." >&2
    return 1
}

# Run a PostgreSQL binary as the cluster's owner.
pg_as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# pg_start DATA_DIR PORT: creates the cluster the first time, starts it, waits until it answers.
pg_start() {
    PG_DATA=$1; PG_PORT=$2
    export PG_DATA PG_PORT
    mkdir -p "$PG_DATA"
    if [ "$(id -u)" = 0 ]; then
        chown postgres: "$PG_DATA"
        if ! runuser -u postgres -- test -x "$PG_DATA"; then
            echo "The postgres user cannot enter $PG_DATA (a parent folder is closed to it)." >&2
            return 1
        fi
    fi
    if [ ! -f "$PG_DATA/PG_VERSION" ]; then
        pg_as_owner "$PG_BIN/initdb" -D "$PG_DATA" -U portal --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
        cat >>"$PG_DATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_connections = 200
shared_buffers = 256MB
CONF
    fi
    pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" -o "-p $PG_PORT" -l "$PG_DATA/server.log" -w -t 60 start >/dev/null \
        || { echo "PostgreSQL did not start; see $PG_DATA/server.log" >&2; tail -20 "$PG_DATA/server.log" >&2; return 1; }
}

pg_stop() {
    [ -n "${PG_DATA:-}" ] && [ -f "$PG_DATA/postmaster.pid" ] && \
        pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1
    return 0
}

pg_connection_string() {
    echo "Host=127.0.0.1;Port=$PG_PORT;Username=portal;Database=$1"
}

# pg_createdb NAME: creates the database if missing.
pg_createdb() {
    pg_as_owner "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U portal -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$1'" | grep -q 1 || \
        pg_as_owner "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U portal -d postgres -qc "CREATE DATABASE \"$1\"" >/dev/null
}
