#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests and benchmarks (issue #12).
#
#   scripts/pg.sh start [DIR]   install Debian's postgresql if missing, initdb, start; print the URL
#   scripts/pg.sh stop  [DIR]   stop the cluster and remove DIR
#   scripts/pg.sh url   [DIR]   print the URL of a running cluster
#
# The cluster runs as the `postgres` user (initdb refuses root), listens on no TCP port, only on a
# unix socket in DIR/sock, and trusts local connections: a test cluster, never a server.
# DIR defaults to $JIKENBO_PG_DIR or /tmp/jikenbo-pg. Tests run without fsync (a throw-away
# cluster); JIKENBO_PG_DURABLE=1 keeps PostgreSQL's defaults (fsync, synchronous commit: benchmarks).
set -euo pipefail
cmd=${1:-}
dir=${2:-${JIKENBO_PG_DIR:-/tmp/jikenbo-pg}}

bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
  [ -n "$d" ] && [ -x "$d/initdb" ] && echo "$d"
}

as_pg() {  # run a command as the cluster's owner
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

url() { echo "postgresql://postgres@/jikenbo_test?host=$dir/sock"; }

case "$cmd" in
  start)
    if [ -z "$(bindir)" ]; then
      if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "pg.sh: installing Debian's postgresql package" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2 \
          || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2; }
      else
        echo "pg.sh: no PostgreSQL server binaries (/usr/lib/postgresql/*/bin) and cannot apt-get install them" >&2
        exit 1
      fi
    fi
    bin=$(bindir)
    if [ -f "$dir/data/postmaster.pid" ] && as_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      url; exit 0
    fi
    mkdir -p "$dir/sock"
    if [ "$(id -u)" = 0 ]; then chown -R postgres "$dir"; fi
    chmod 700 "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    opts="-c listen_addresses='' -k $dir/sock -c max_connections=100 -c shared_buffers=256MB"
    if [ -z "${JIKENBO_PG_DURABLE:-}" ]; then
      opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    fi
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "$opts" \
      start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    as_pg "$bin/psql" -h "$dir/sock" -U postgres -d postgres -qtAc \
      "SELECT 1 FROM pg_database WHERE datname = 'jikenbo_test'" | grep -q 1 \
      || as_pg "$bin/createdb" -h "$dir/sock" -U postgres jikenbo_test
    url
    ;;
  stop)
    bin=$(bindir || true)
    if [ -n "$bin" ] && [ -f "$dir/data/postmaster.pid" ]; then
      as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    fi
    rm -rf "$dir"
    ;;
  url) url ;;
  *) echo "usage: scripts/pg.sh start|stop|url [DIR]" >&2; exit 2 ;;
esac
