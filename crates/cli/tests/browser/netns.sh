#!/bin/bash
# Runs a command in a new network namespace with loopback and one veth
# address, 198.18.0.1 (RFC 2544's benchmarking range). Chromium never
# offers 127.0.0.1 as an ICE candidate, so its peer needs an address like
# this; the namespace has no uplink, so nothing leaves it. Needs root (or
# CAP_SYS_ADMIN) and iproute2.
# usage: netns.sh CMD ARGS...
set -euo pipefail
exec unshare -n bash -c '
  set -e
  ip link set lo up
  ip link add cli0 type veth peer name cli1
  ip addr add 198.18.0.1/24 dev cli0
  ip link set cli0 up
  ip link set cli1 up
  ip route add default via 198.18.0.2 dev cli0   # Chromium skips networks without a route
  exec "$@"' netns "$@"
