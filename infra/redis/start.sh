#!/usr/bin/env bash
# Starts a private Redis server for tests or local use: data in DIR, a free port on 127.0.0.1, a password.
#   infra/redis/start.sh DIR
# Prints the StackExchange.Redis configuration string (also written to DIR/connection-string).
# Stop it with: infra/redis/stop.sh DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="$(mkdir -p "$1" && cd "$1" && pwd)"
command -v redis-server >/dev/null || { echo "redis-server is not installed: run infra/install-servers.sh" >&2; exit 1; }

[[ -f $dir/password ]] || od -An -N12 -tx1 /dev/urandom | tr -d ' \n' >"$dir/password"
password="$(cat "$dir/password")"
previous_port="$(cat "$dir/port" 2>/dev/null || true)"
for attempt in 1 2 3 4 5; do
  if [[ -n $previous_port && $attempt -eq 1 ]]; then port="$previous_port"; else port="$("$here/../free-port.sh" 50000 59999)"; fi
  # Append-only file fsynced every second: what Redis acknowledged survives a restart of Redis.
  if redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --requirepass "$password" \
      --appendonly yes --appendfsync everysec --save "" --daemonize yes \
      --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null; then
    for _ in $(seq 1 50); do
      if redis-cli -h 127.0.0.1 -p "$port" -a "$password" --no-auth-warning ping 2>/dev/null | grep -q PONG; then
        echo "$port" >"$dir/port"
        connection="127.0.0.1:$port,password=$password"
        echo "$connection" >"$dir/connection-string"
        echo "$connection"
        exit 0
      fi
      sleep 0.1
    done
  fi
done
cat "$dir/redis.log" >&2
exit 1
