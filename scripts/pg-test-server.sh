#!/usr/bin/env bash
# Start a throwaway PostgreSQL server on 127.0.0.1 for the history tests and print its URL.
#   eval "$(bash scripts/pg-test-server.sh)"   # exports VISITPLAN_TEST_PG_URL
# Installs Debian's postgresql package when it is missing (needs root and the package registry).
set -euo pipefail
port="${VISITPLAN_PG_PORT:-}"
if [ -z "$port" ]; then  # the first free port from 54329
  for port in $(seq 54329 54400); do
    (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
  done
fi
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
  else
    echo "echo 'PostgreSQL is not installed and cannot be installed here' >&2"; exit 0
  fi
fi
bin="$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")"
data="$(mktemp -d /tmp/visitplan-pg.XXXXXX)"
run=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$data"
  run=(runuser -u postgres --)
fi
"${run[@]}" "$bin/initdb" -D "$data/db" -A trust -U postgres >&2
"${run[@]}" "$bin/pg_ctl" -D "$data/db" -l "$data/log" -w \
  -o "-p $port -k $data -c listen_addresses=127.0.0.1" start >&2
echo "export VISITPLAN_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
echo "export VISITPLAN_TEST_PG_DATA=$data/db"
