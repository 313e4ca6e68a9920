#!/usr/bin/env bash
# Prints a TCP port on 127.0.0.1 that nothing listens on, from the range given (default 20000-29999).
set -euo pipefail
low="${1:-20000}" high="${2:-29999}"
for _ in $(seq 1 200); do
  port=$((low + RANDOM % (high - low + 1)))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "$port"
    exit 0
  fi
done
echo "no free port found in $low-$high" >&2
exit 1
