#!/usr/bin/env bash
# Stops a server started by infra/postgres/start.sh DIR (fast shutdown; data stays in DIR).
set -euo pipefail
dir="$1"
[[ -f $dir/data/postmaster.pid ]] || exit 0
as_owner=()
[[ $(id -u) -eq 0 ]] && as_owner=(runuser -u postgres --)
"${as_owner[@]}" /usr/lib/postgresql/15/bin/pg_ctl -D "$dir/data" -m fast -w stop >/dev/null
