#!/usr/bin/env bash
# Installs what the tests need from Debian's packages: PostgreSQL 15 and Redis 7 (servers the tests start
# privately), and Node.js with npm (the official OpenAI SDK drives the AI gateway tests).
# Does nothing when they are already there. Needs root (or sudo) only when something is missing.
set -euo pipefail

missing=()
[[ -x /usr/lib/postgresql/15/bin/postgres ]] || missing+=(postgresql-15 postgresql-client-15)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
((${#missing[@]} == 0)) && exit 0

sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
echo "installing ${missing[*]} from Debian's packages" >&2
# Debian's postinst would start a default server on port 5432; we only want the binaries.
export DEBIAN_FRONTEND=noninteractive RUNLEVEL=1
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
