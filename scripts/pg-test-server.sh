#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 on 127.0.0.1 for the test suite, installing it from Debian if
# needed, and prints its URL. PostgreSQL refuses to run as root, so the cluster belongs to `postgres`.
#   eval "$(bash scripts/pg-test-server.sh start)"   → exports TEST_DATABASE_URL
#   bash scripts/pg-test-server.sh stop
set -euo pipefail
PORT="${GRIDWATCH_TEST_PG_PORT:-54329}"
DIR="${GRIDWATCH_TEST_PG_DIR:-/tmp/gridwatch-pg15}"
BIN=/usr/lib/postgresql/15/bin

case "${1:-start}" in
  start)
    if [ ! -x "$BIN/pg_ctl" ]; then
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15; } >&2
    fi
    id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql postgres
    if [ -f "$DIR/postmaster.pid" ]; then
      su postgres -s /bin/sh -c "$BIN/pg_ctl -D $DIR -m immediate stop" >&2 || true
    fi
    rm -rf "$DIR" && mkdir -p "$DIR" && chown postgres "$DIR"
    su postgres -s /bin/sh -c "$BIN/initdb -D $DIR -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
    # Loopback only; fsync off because the cluster is thrown away after the run.
    su postgres -s /bin/sh -c "$BIN/pg_ctl -D $DIR -l $DIR/server.log -w -o \"-c listen_addresses=127.0.0.1 -p $PORT -c fsync=off -c max_connections=200 -k /tmp\" start" >&2
    echo "export TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$PORT/postgres"
    ;;
  stop)
    su postgres -s /bin/sh -c "$BIN/pg_ctl -D $DIR -m fast stop" >&2 || true
    ;;
esac
