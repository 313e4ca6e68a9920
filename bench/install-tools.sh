#!/usr/bin/env bash
# Installs what the throughput benchmarks drive and compare against, from Debian's packages:
# wrk (load generator) and nginx (upstream and reference reverse proxy). Does nothing when both are there.
# Needs root (or sudo) only when something is missing. Debian's nginx service is not started: the
# benchmarks start their own nginx processes on loopback ports.
set -euo pipefail

missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
((${#missing[@]} == 0)) && exit 0

sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
echo "installing ${missing[*]} from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive RUNLEVEL=1
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
