#!/usr/bin/env bash
# Make sure Debian's redis-server is installed: the tests of the Redis backend of the shared
# store (app/store/redis.py) start their own server on a free loopback port.
set -euo pipefail
command -v redis-server >/dev/null && exit 0
"$(dirname "$0")/ensure-deb.sh" redis-server "command -v redis-server" "the Redis store tests"
# the package starts a system service; the tests run their own servers
(systemctl disable --now redis-server || service redis-server stop) >/dev/null 2>&1 || true
