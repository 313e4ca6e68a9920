#!/usr/bin/env bash
# Installs what the throughput benchmarks drive and compare against, from Debian's packages:
# wrk (load generator), nginx (upstream and reference reverse proxy), h2load (HTTP/2 load) and openssl (s_time
# for TLS handshake rates). Does nothing when all are there.
# Needs root (or sudo) only when something is missing. Debian's nginx service is not started: the
# benchmarks start their own nginx processes on loopback ports.
set -euo pipefail

missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
command -v h2load >/dev/null 2>&1 || missing+=(nghttp2-client)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
# Debian's postinst would start default servers; apt-install.sh keeps them from starting.
bash "$(dirname "$0")/../infra/apt-install.sh" "${missing[@]}"
