#!/usr/bin/env bash
# Runs the whole test suite from a fresh clone. Installs what the tests need first (PostgreSQL 15, Redis
# and Node.js from Debian's packages, the OpenAI SDK from npm); the tests start private servers of their
# own on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."

configuration="${CONFIGURATION:-Release}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

bash infra/install-servers.sh
# The AI gateway tests' client: the official OpenAI SDK, at the version package-lock.json pins.
npm ci --prefix tests/ai-sdk --no-audit --no-fund --loglevel=error
# The Manager's vendored chart library must be the npm package its package-lock.json pins, byte for byte.
bash Edge/Manager/vendor.sh --check
dotnet build Cluster.sln -c "$configuration" -warnaserror -nologo -v quiet
# The code style of .editorconfig, as dotnet format applies it: a change it would make fails the run.
dotnet format Cluster.sln --verify-no-changes --no-restore -v quiet
set +e
dotnet test Cluster.sln -c "$configuration" --no-build --nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One plain summary line: "N passed, N failed".
summary=$(grep -Eo 'Failed: +[0-9]+, Passed: +[0-9]+' "$log" | tail -n 1 || true)
if [[ -n "$summary" ]]; then
  failed=$(sed -E 's/Failed: +([0-9]+).*/\1/' <<<"$summary")
  passed=$(sed -E 's/.*Passed: +([0-9]+)/\1/' <<<"$summary")
  echo "tests: $passed passed, $failed failed"
fi
exit "$status"
