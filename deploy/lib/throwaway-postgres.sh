# Sourced by deploy/test: a PostgreSQL 15 cluster in a temporary folder,
# listening only on a Unix socket there, run as an unprivileged user (initdb
# refuses root). Exports SPROUT_TEST_PG_DSN for the backend tests, and
# SPROUT_TEST_PG_CTL: a script running pg_ctl on this cluster (e.g.
# "$SPROUT_TEST_PG_CTL stop -m fast", "$SPROUT_TEST_PG_CTL start"), so the
# restart tests can stop and start the server under load.

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
  cat >"$PG_DIR/pg_ctl.sh" <<SCRIPT
#!/bin/sh
# pg_ctl for the throwaway cluster in $PG_DIR (as the postgres user when run as root).
if [ "\$(id -u)" -eq 0 ]; then set -- runuser -u postgres -- "$PG_BIN/pg_ctl" "\$@"; else set -- "$PG_BIN/pg_ctl" "\$@"; fi
exec "\$@" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -o "-k $PG_DIR -c listen_addresses='' -c fsync=on"
SCRIPT
  chmod 755 "$PG_DIR/pg_ctl.sh"
  "$PG_DIR/pg_ctl.sh" start >/dev/null
  "${run_as[@]}" "$PG_BIN/createdb" -h "$PG_DIR" -U sprout sprout_test
  export SPROUT_TEST_PG_DSN="host=$PG_DIR user=sprout dbname=sprout_test"
  export SPROUT_TEST_PG_DIR="$PG_DIR"
  export SPROUT_TEST_PG_CTL="$PG_DIR/pg_ctl.sh"
  echo "throwaway-postgres: running in $PG_DIR"
}

stop_throwaway_postgres() {
  [ -n "${PG_DIR:-}" ] || return 0
  "$PG_DIR/pg_ctl.sh" stop -m fast >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
  PG_DIR=
  unset SPROUT_TEST_PG_DSN SPROUT_TEST_PG_DIR SPROUT_TEST_PG_CTL
}
