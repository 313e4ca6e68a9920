#!/usr/bin/env bash
# Starts a private PostgreSQL 15 server for tests or local use and applies Turnpike's schema.
#   infra/postgres/start.sh DIR     data directory DIR (created), a free port on 127.0.0.1, password auth
# Prints the ADO.NET connection string on stdout (also written to DIR/connection-string).
# Stop it with: infra/postgres/stop.sh DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="$(mkdir -p "$1" && cd "$1" && pwd)"
bin=/usr/lib/postgresql/15/bin
[[ -x $bin/postgres ]] || { echo "PostgreSQL 15 is not installed: run infra/install-servers.sh" >&2; exit 1; }

# The server refuses to run as root: as root, run it as the postgres user the package created.
as_owner=()
if [[ $(id -u) -eq 0 ]]; then
  chown postgres:postgres "$dir"
  as_owner=(runuser -u postgres --)
fi

password="turnpike-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
if [[ ! -f $dir/data/PG_VERSION ]]; then
  printf '%s\n' "$password" >"$dir/pwfile"
  chown --reference="$dir" "$dir/pwfile"
  "${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U turnpike --pwfile="$dir/pwfile" --auth=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
else
  password="$(cat "$dir/pwfile")"
fi

# A restarted server keeps its port, so running silos and edges find it again.
previous_port="$(cat "$dir/port" 2>/dev/null || true)"
for attempt in 1 2 3 4 5; do
  if [[ -n $previous_port && $attempt -eq 1 ]]; then port="$previous_port"; else port="$("$here/../free-port.sh" 40000 49999)"; fi
  if "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c timezone=UTC -c fsync=on" >/dev/null; then
    break
  fi
  [[ $attempt -eq 5 ]] && { cat "$dir/server.log" >&2; exit 1; }
done
echo "$port" >"$dir/port"

export PGPASSWORD="$password"
psql=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U turnpike)
if ! "${psql[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'turnpike'" | grep -q 1; then
  "${psql[@]}" -d postgres -c "CREATE DATABASE turnpike"
fi
"$here/apply-schema.sh" "postgresql://turnpike@127.0.0.1:$port/turnpike" >/dev/null

connection="Host=127.0.0.1;Port=$port;Database=turnpike;Username=turnpike;Password=$password"
echo "$connection" >"$dir/connection-string"
echo "$connection"
