#!/usr/bin/env bash
# Installs the servers the tests start privately: PostgreSQL 15 and Redis 7 from Debian's packages.
# Does nothing when they are already there. Needs root (or sudo) only when something is missing.
set -euo pipefail

missing=()
[[ -x /usr/lib/postgresql/15/bin/postgres ]] || missing+=(postgresql-15 postgresql-client-15)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
((${#missing[@]} == 0)) && exit 0

sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
echo "installing ${missing[*]} from Debian's packages" >&2
# Debian's postinst would start a default server on port 5432; we only want the binaries.
export DEBIAN_FRONTEND=noninteractive RUNLEVEL=1
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
