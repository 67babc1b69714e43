#!/usr/bin/env bash
# Make sure poppler-utils' pdftoppm is installed: the worksheet browser test prints a worksheet
# to PDF with Chromium and renders its pages to PNG with pdftoppm.
set -euo pipefail
if command -v pdftoppm >/dev/null; then exit 0; fi
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "ensure-poppler: installing poppler-utils with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq poppler-utils >/dev/null
  exit 0
fi
cat >&2 <<MSG
ensure-poppler: the worksheet browser test needs pdftoppm (poppler-utils).
Install it as root:   sudo apt-get install poppler-utils
MSG
exit 1
