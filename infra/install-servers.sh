#!/usr/bin/env bash
# Installs what the tests need from Debian's packages: PostgreSQL 15 and Redis 7 (servers the tests start
# privately), Node.js with npm (the official OpenAI SDK drives the AI gateway tests), Prometheus (the
# observability tests start one to scrape the edges) and Chromium (the Manager's browser tests drive it headless
# through Playwright; Playwright never downloads a browser of its own), and Python's gRPC client (grpcio) for the
# gRPC tests.
# Does nothing when they are already there. Needs root (or sudo) only when something is missing.
set -euo pipefail

missing=()
[[ -x /usr/lib/postgresql/15/bin/postgres ]] || missing+=(postgresql-15 postgresql-client-15)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
# A gRPC client that is not .NET's (C-core, as Go's and Java's clients read the wire), for the gRPC tests.
/usr/bin/python3 -c "import grpc" >/dev/null 2>&1 || missing+=(python3-grpcio)
# Debian's postinst would start default servers; apt-install.sh keeps them from starting.
bash "$(dirname "$0")/apt-install.sh" "${missing[@]}"
