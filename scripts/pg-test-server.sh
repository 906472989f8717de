#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests of the pg state backend.
#
#   eval "$(scripts/pg-test-server.sh start)"   # exports SKYFORM_TEST_PG_URL and SKYFORM_TEST_PG_DIR
#   scripts/pg-test-server.sh stop "$SKYFORM_TEST_PG_DIR"
#
# Uses the PostgreSQL binaries under /usr/lib/postgresql/*/bin (installing Debian's
# `postgresql` package when they are absent and we are root), creates a cluster in a temporary
# directory owned by a non-root user (`postgres`, or `skyform-pg`, created when missing), and
# listens only on 127.0.0.1 on a free port. Nothing outside the temporary directory is changed
# besides that package and user.
set -euo pipefail

find_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

as_user() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u "$PG_USER" -- "$@"
  else
    "$@"
  fi
}

start() {
  local bin
  bin="$(find_bin)"
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    if [ "$(id -u)" != 0 ]; then
      echo "pg-test-server: PostgreSQL is not installed and we are not root; install Debian's postgresql package" >&2
      exit 1
    fi
    echo "pg-test-server: installing PostgreSQL from Debian's packages" >&2
    # The package's own cluster is not used; keep it from starting where that is possible.
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2
    apt-get install -y --no-install-recommends postgresql >&2
    bin="$(find_bin)"
    [ -n "$bin" ] || { echo "pg-test-server: PostgreSQL binaries not found after installing" >&2; exit 1; }
  fi

  PG_USER="$(id -un)"
  if [ "$(id -u)" = 0 ]; then
    if id postgres >/dev/null 2>&1; then
      PG_USER=postgres
    else
      id skyform-pg >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin skyform-pg
      PG_USER=skyform-pg
    fi
  fi

  local dir port
  dir="$(mktemp -d /tmp/skyform-pg.XXXXXX)"
  chmod 755 "$dir"
  mkdir -p "$dir/data"
  if [ "$(id -u)" = 0 ]; then chown -R "$PG_USER" "$dir"; fi
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"

  as_user "$bin/initdb" -D "$dir/data" -U skyform -A trust -E UTF8 --no-instructions >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2; exit 1; }
  as_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300" start >&2 || {
    cat "$dir/server.log" >&2; exit 1; }
  echo "$bin" >"$dir/bin"
  echo "$PG_USER" >"$dir/user"
  echo "export SKYFORM_TEST_PG_URL=postgres://skyform@127.0.0.1:$port/postgres"
  echo "export SKYFORM_TEST_PG_DIR=$dir"
}

stop() {
  local dir="${1:-${SKYFORM_TEST_PG_DIR:-}}"
  [ -n "$dir" ] && [ -d "$dir" ] || { echo "pg-test-server: no server directory to stop" >&2; exit 1; }
  PG_USER="$(cat "$dir/user")"
  as_user "$(cat "$dir/bin")/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: $0 start | stop [DIR]" >&2; exit 2 ;;
esac
