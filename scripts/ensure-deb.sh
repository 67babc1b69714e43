#!/usr/bin/env bash
# ensure-deb.sh PACKAGE CHECK WHY: make sure a Debian package the tests need is installed.
# CHECK is a shell condition that holds once it is (e.g. "command -v pdftoppm"). As root with
# apt-get, the package is installed; otherwise the command to run is printed and the exit is 1.
set -euo pipefail
package=$1 check=$2 why=$3
if eval "$check" >/dev/null 2>&1; then exit 0; fi
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "ensure-deb: installing Debian's $package with apt-get ($why)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "$package" >/dev/null
  exit 0
fi
cat >&2 <<MSG
ensure-deb: $why needs Debian's $package. Install it as root:
  sudo apt-get install $package
MSG
exit 1
