#!/usr/bin/env bash
# Stops a server started by infra/redis/start.sh DIR.
set -euo pipefail
dir="$1"
[[ -f $dir/redis.pid ]] || exit 0
pid="$(cat "$dir/redis.pid")"
kill "$pid" 2>/dev/null || true
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.1; done
kill -9 "$pid" 2>/dev/null || true
