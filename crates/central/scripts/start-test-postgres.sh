#!/usr/bin/env bash
# Starts a local PostgreSQL for the central service's tests, idempotently, and creates the
# login role the tests use. Run as root (CI and the development machines are root).
#
#   crates/central/scripts/start-test-postgres.sh
#   export KYOSAI_TEST_PG_URL=postgres://kyosai:kyosai@127.0.0.1:5432/postgres
#
# Installs Debian's `postgresql` package if it is missing and creates a cluster if there is
# none. The role is a superuser because every test creates and drops its own database.
# Test use only: the password is public.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
    echo "start-test-postgres: run this as root (it manages the system PostgreSQL)" >&2
    exit 1
fi

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "start-test-postgres: installing PostgreSQL (apt-get install postgresql)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
fi

# The newest installed major version, e.g. 15.
version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
if [ -z "$version" ]; then
    echo "start-test-postgres: no PostgreSQL server found under /usr/lib/postgresql" >&2
    exit 1
fi

if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$version main$"; then
    echo "start-test-postgres: creating cluster $version/main" >&2
    pg_createcluster "$version" main >/dev/null
fi

if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $4}' | grep -q online; then
    pg_ctlcluster "$version" main start
fi

port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')

# Wait until it accepts connections (a fresh start takes a moment).
for _ in $(seq 1 50); do
    if su postgres -c "psql -p $port -qAtc 'SELECT 1'" >/dev/null 2>&1; then
        break
    fi
    sleep 0.2
done

su postgres -c "psql -p $port -v ON_ERROR_STOP=1 -qAt" >/dev/null <<'SQL'
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'kyosai') THEN
        CREATE ROLE kyosai LOGIN SUPERUSER PASSWORD 'kyosai';
    END IF;
END
$$;
SQL

echo "PostgreSQL $version is running on port $port; tests use:" >&2
echo "  KYOSAI_TEST_PG_URL=postgres://kyosai:kyosai@127.0.0.1:$port/postgres" >&2
