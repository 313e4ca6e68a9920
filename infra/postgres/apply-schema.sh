#!/usr/bin/env bash
# Applies Turnpike's schema (infra/postgres/schema.sql) to a PostgreSQL 15 database. Idempotent: running it
# again on a database that has the schema updates the queries and functions and keeps all data.
#   infra/postgres/apply-schema.sh postgresql://USER@HOST:PORT/DATABASE    (password from PGPASSWORD or ~/.pgpass)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
url="${1:?usage: apply-schema.sh postgresql://user@host:port/database}"
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
psql -X -q -v ON_ERROR_STOP=1 -d "$url" -c "ALTER DATABASE \"$(psql -X -tA -d "$url" -c 'SELECT current_database()')\" SET timezone TO 'UTC'"
psql -X -q -v ON_ERROR_STOP=1 -d "$url" --single-transaction -f "$here/schema.sql"
echo "schema applied to $url"
