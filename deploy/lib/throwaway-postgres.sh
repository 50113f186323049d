# Sourced by deploy/test: a PostgreSQL 15 cluster in a temporary folder,
# listening only on a Unix socket there, run as an unprivileged user (initdb
# refuses root). Exports SPROUT_TEST_PG_DSN for the backend tests.

PG_BIN=/usr/lib/postgresql/15/bin

start_throwaway_postgres() {
  if [ ! -x "$PG_BIN/initdb" ]; then
    echo "throwaway-postgres: $PG_BIN/initdb not found (deploy/install-deps installs postgresql-15)" >&2
    return 1
  fi
  PG_DIR=$(mktemp -d /tmp/sprout-pg.XXXXXX)
  local run_as=()
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$PG_DIR"
    run_as=(runuser -u postgres --)
  fi
  "${run_as[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U sprout --auth=trust -E UTF8 >/dev/null
  "${run_as[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
    -o "-k $PG_DIR -c listen_addresses='' -c fsync=on" start >/dev/null
  "${run_as[@]}" "$PG_BIN/createdb" -h "$PG_DIR" -U sprout sprout_test
  export SPROUT_TEST_PG_DSN="host=$PG_DIR user=sprout dbname=sprout_test"
  export SPROUT_TEST_PG_DIR="$PG_DIR"
  echo "throwaway-postgres: running in $PG_DIR"
}

stop_throwaway_postgres() {
  [ -n "${PG_DIR:-}" ] || return 0
  local run_as=()
  [ "$(id -u)" -eq 0 ] && run_as=(runuser -u postgres --)
  "${run_as[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
  PG_DIR=
}
