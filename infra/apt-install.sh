#!/usr/bin/env bash
# Installs the given Debian packages with apt-get, quietly and without recommends; does nothing when none
# are given. Uses sudo unless already root. Services a package would start (RUNLEVEL=1) are not started:
# the tests and benchmarks start their own servers on loopback ports.
set -euo pipefail
(($# == 0)) && exit 0

sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
echo "installing $* from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive RUNLEVEL=1
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
