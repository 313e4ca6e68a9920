#!/usr/bin/env bash
# Installs the load generator the throughput benchmarks drive: wrk from Debian's packages.
# Does nothing when it is already there. Needs root (or sudo) only when something is missing.
set -euo pipefail

command -v wrk >/dev/null 2>&1 && exit 0
sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
echo "installing wrk from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends wrk >/dev/null
