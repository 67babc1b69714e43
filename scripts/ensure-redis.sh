#!/usr/bin/env bash
# Make sure Debian's redis-server is installed: the tests of the Redis backend of the shared
# store (app/store/redis.py) start their own server on a free loopback port.
set -euo pipefail
if command -v redis-server >/dev/null; then exit 0; fi
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "ensure-redis: installing Debian's redis-server with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq redis-server >/dev/null
  # the package starts a system service; the tests run their own servers
  (systemctl disable --now redis-server || service redis-server stop) >/dev/null 2>&1 || true
  exit 0
fi
cat >&2 <<MSG
ensure-redis: the tests need Debian's redis-server. Install it as root:
  sudo apt-get install redis-server
MSG
exit 1
