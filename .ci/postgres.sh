#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the registry tests (sourced by .ci/run, usable by hand):
#   . .ci/postgres.sh && pg_test_start   → exports DYSTONIA_TEST_PG_URL
#   pg_test_stop                         → stops the server and removes its directory
# Runs as root in CI: the server itself must not, so it runs as 'postgres' (or 'nobody').
# Installs Debian's postgresql package when no server binaries are found.

pg_test_bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$d" ] && [ -x "$d/initdb" ] && echo "$d"
}

pg_test_start() {
  local bin user port
  bin=$(pg_test_bindir) || true
  if [ -z "$bin" ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian package: postgresql"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null \
      || echo "warning: apt-get install postgresql failed; PostgreSQL registry tests will skip"
    bin=$(pg_test_bindir) || true
  fi
  if [ -z "$bin" ]; then
    echo "PostgreSQL server binaries not found; PostgreSQL registry tests will skip"
    return 0
  fi
  PG_TEST_DIR=$(mktemp -d /tmp/dystonia-pg.XXXXXX)
  export PG_TEST_DIR
  user=$(id -un)
  if [ "$(id -u)" = "0" ]; then
    user=postgres; id postgres >/dev/null 2>&1 || user=nobody
    chown "$user" "$PG_TEST_DIR"
  fi
  PG_TEST_BIN=$bin PG_TEST_USER=$user
  export PG_TEST_BIN PG_TEST_USER
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  _pg_as() { if [ "$(id -u)" = "0" ]; then runuser -u "$user" -- "$@"; else "$@"; fi; }
  _pg_as "$bin/initdb" -D "$PG_TEST_DIR/data" -U postgres -A trust -E UTF8 --no-sync >"$PG_TEST_DIR/initdb.log" 2>&1 \
    || { echo "initdb failed:"; cat "$PG_TEST_DIR/initdb.log"; return 1; }
  _pg_as "$bin/pg_ctl" -D "$PG_TEST_DIR/data" -l "$PG_TEST_DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_TEST_DIR -c max_connections=200 -c fsync=on" start >/dev/null \
    || { echo "PostgreSQL did not start:"; cat "$PG_TEST_DIR/server.log"; return 1; }
  "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres dystonia_test
  export DYSTONIA_TEST_PG_URL="postgresql://postgres@127.0.0.1:$port/dystonia_test"
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') for the registry tests: $DYSTONIA_TEST_PG_URL"
}

pg_test_stop() {
  [ -n "${PG_TEST_DIR:-}" ] || return 0
  if [ -d "$PG_TEST_DIR/data" ] && [ -n "${PG_TEST_BIN:-}" ]; then
    if [ "$(id -u)" = "0" ]; then
      runuser -u "$PG_TEST_USER" -- "$PG_TEST_BIN/pg_ctl" -D "$PG_TEST_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    else
      "$PG_TEST_BIN/pg_ctl" -D "$PG_TEST_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
  fi
  rm -rf "$PG_TEST_DIR"
  unset PG_TEST_DIR DYSTONIA_TEST_PG_URL
}
