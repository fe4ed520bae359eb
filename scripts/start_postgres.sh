#!/usr/bin/env bash
# A PostgreSQL server on loopback for the shared-study test (tests/test_shared_study.py), from Debian's
# packages: installs it if missing, starts the newest cluster, makes a role and a database for the
# test, and prints the storage URL (without the password: libpq reads PGPASSWORD, set by the caller).
# Usage: export PGPASSWORD=... ; export TJ_POSTGRES_URL="$(scripts/start_postgres.sh)"
set -euo pipefail
: "${PGPASSWORD:?set PGPASSWORD, the password of the test role, first}"
case $PGPASSWORD in *[\"\']*) echo 'PGPASSWORD: no quotes, please' >&2; exit 2 ;; esac
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
version="$(ls /etc/postgresql | sort -n | tail -1)"
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
  as_root pg_ctlcluster "$version" main start >&2
fi
sql() { as_postgres psql -v ON_ERROR_STOP=1 -qtA -c "$1"; }
if [ -z "$(sql "SELECT 1 FROM pg_roles WHERE rolname = 'journeys'")" ]; then
  sql "CREATE ROLE journeys LOGIN" >&2
fi
sql "ALTER ROLE journeys PASSWORD '$PGPASSWORD'" >&2
if [ -z "$(sql "SELECT 1 FROM pg_database WHERE datname = 'journeys_test'")" ]; then
  as_postgres createdb -O journeys journeys_test >&2
fi
echo "postgresql://journeys@127.0.0.1:5432/journeys_test"
