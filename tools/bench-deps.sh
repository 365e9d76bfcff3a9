#!/usr/bin/env bash
# What `make bench` needs from Debian, installed where missing: wrk, the load generator in C that
# bench.http measures fileComplaint and the cached timeline with beside its own asyncio client
# (bench/outside.py). `make test` does not need it. Needs root or passwordless apt.
set -euo pipefail
if ! command -v wrk >/dev/null; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo -n"
    $SUDO apt-get install -y -q wrk >/dev/null \
        || { $SUDO apt-get update -q && $SUDO apt-get install -y -q wrk >/dev/null; }
fi
