#!/usr/bin/env bash
# Make sure Debian's Chromium (and CJK fonts for the Japanese interface) are installed:
# the browser tests drive it through Playwright with executable_path set to it.
set -euo pipefail
bin=${CONVSCOPE_CHROMIUM:-/usr/bin/chromium}
if [[ -x $bin ]] && fc-list 2>/dev/null | grep -qi 'noto.*cjk'; then exit 0; fi
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "ensure-chromium: installing Debian's chromium and fonts-noto-cjk with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  exit 0
fi
cat >&2 <<MSG
ensure-chromium: the browser tests need Debian's Chromium at $bin and CJK fonts.
Install them as root:   sudo apt-get install chromium fonts-noto-cjk
or point CONVSCOPE_CHROMIUM at another Chromium binary.
MSG
exit 1
