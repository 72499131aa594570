#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster.
#
#   scripts/with-test-postgres.sh CMD [ARGS...]
#
# Starts a private cluster on a free 127.0.0.1 port, exports
#   TEST_DATABASE_URL_POSTGRESQL=postgresql+psycopg://postgres@127.0.0.1:<port>/postgres
# runs CMD, then stops the server and deletes the cluster directory (always,
# including on failure or interrupt). Exits with CMD's exit code.
#
# PostgreSQL refuses to run as root, so when invoked as root the server
# commands run as the `postgres` OS user.
set -euo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi

log() { echo "with-test-postgres: $*" >&2; }

# --- locate the server binaries (newest /usr/lib/postgresql/<ver>/bin) ---------
pg_bin="${PG_BIN:-}"
if [[ -z "$pg_bin" ]]; then
    pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
fi
if [[ -z "$pg_bin" || ! -x "$pg_bin/initdb" || ! -x "$pg_bin/pg_ctl" ]]; then
    log "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)"
    exit 1
fi

# --- how to run server commands ------------------------------------------------
if [[ "$(id -u)" -eq 0 ]]; then
    if ! id -u postgres >/dev/null 2>&1; then
        log "running as root but there is no 'postgres' OS user"
        exit 1
    fi
    as_pg() {
        # cd somewhere postgres can read, so it does not warn about root's cwd.
        if command -v runuser >/dev/null 2>&1; then
            (cd "$tmpdir" && runuser -u postgres -- "$@")
        else
            (cd "$tmpdir" && su postgres -s /bin/sh -c "$(printf '%q ' "$@")")
        fi
    }
else
    as_pg() { "$@"; }
fi

free_port() {
    local py
    py="$(command -v python3 || command -v python || true)"
    if [[ -z "$py" ]]; then
        log "python3 is needed to pick a free port"
        return 1
    fi
    "$py" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# --- cluster directory and cleanup -------------------------------------------------
# Under /tmp (not $TMPDIR) so the postgres user can always traverse to it.
tmpdir="$(mktemp -d /tmp/mild-test-pg.XXXXXXXX)"
datadir="$tmpdir/data"
logfile="$tmpdir/postgres.log"
started=0

cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    if [[ "$started" -eq 1 && -f "$datadir/postmaster.pid" ]]; then
        local pid i
        pid="$(head -n 1 "$datadir/postmaster.pid" 2>/dev/null || true)"
        if ! as_pg "$pg_bin/pg_ctl" -D "$datadir" -m immediate -w -t 30 stop >/dev/null 2>&1; then
            if [[ -n "$pid" ]]; then
                kill -KILL "$pid" 2>/dev/null || true
            fi
        fi
        # pg_ctl returns once postmaster.pid is gone; wait for the process itself.
        if [[ -n "$pid" ]]; then
            for i in {1..100}; do
                [[ -e "/proc/$pid" ]] || break
                [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" == Z ]] && break
                sleep 0.1
            done
        fi
    fi
    rm -rf "$tmpdir"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

if [[ "$(id -u)" -eq 0 ]]; then
    chown postgres: "$tmpdir"
fi
chmod 700 "$tmpdir"

# --- initdb + start ------------------------------------------------------------
if ! as_pg "$pg_bin/initdb" -D "$datadir" -A trust -U postgres --no-sync -E UTF8 \
    >"$tmpdir/initdb.log" 2>&1; then
    log "initdb failed:"
    cat "$tmpdir/initdb.log" >&2
    exit 1
fi

port=""
for attempt in 1 2 3; do
    port="$(free_port)"
    # Fresh log per attempt (truncate in place: the file belongs to the server user).
    if [[ -f "$logfile" ]]; then : >"$logfile"; fi
    started=1
    if as_pg "$pg_bin/pg_ctl" -D "$datadir" -l "$logfile" -w -t 60 \
        -o "-p $port -k $tmpdir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" \
        start >/dev/null 2>&1; then
        break
    fi
    started=0
    log "PostgreSQL failed to start on port $port (attempt $attempt); server log:"
    cat "$logfile" >&2 || true
    # Make sure nothing half-started survives before retrying.
    if [[ -f "$datadir/postmaster.pid" ]]; then
        as_pg "$pg_bin/pg_ctl" -D "$datadir" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    if [[ "$attempt" -eq 3 ]]; then
        exit 1
    fi
done

export TEST_DATABASE_URL_POSTGRESQL="postgresql+psycopg://postgres@127.0.0.1:${port}/postgres"
log "PostgreSQL $("$pg_bin/pg_ctl" --version | awk '{print $3}') running at $TEST_DATABASE_URL_POSTGRESQL"

# --- run the command; cleanup happens in the EXIT trap ----------------------------
set +e
"$@"
rc=$?
set -e
exit "$rc"
