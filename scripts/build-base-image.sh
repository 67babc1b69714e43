#!/usr/bin/env bash
# Build a local Debian bookworm base image (python3 + venv + ca-certificates) without a registry:
# mmdebstrap a minimal rootfs into a tarball, then `docker import` it.
#   scripts/build-base-image.sh [TAG]        (default TAG: convscope-base:bookworm)
# The tarball is cached in $CONVSCOPE_CACHE_DIR (default /var/cache/convscope when writable,
# else ~/.cache/convscope) so CI builds it once per machine. Needs root, mmdebstrap and dockerd.
set -euo pipefail
tag=${1:-convscope-base:bookworm}
cache=${CONVSCOPE_CACHE_DIR:-/var/cache/convscope}
mkdir -p "$cache" 2>/dev/null || cache=$HOME/.cache/convscope
mkdir -p "$cache"
tarball=$cache/base-bookworm-v1.tar

if docker image inspect "$tag" >/dev/null 2>&1; then
  echo "build-base-image: $tag already present"; exit 0
fi
if [[ ! -s $tarball ]]; then
  command -v mmdebstrap >/dev/null || {
    echo "build-base-image: installing mmdebstrap with apt-get"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mmdebstrap >/dev/null; }
  mirror=http://deb.debian.org/debian
  echo "build-base-image: mmdebstrap bookworm -> $tarball"
  # Documentation, man pages and locales are left out: the image only runs Python.
  mmdebstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
    --format=tar --aptopt='Acquire::Retries "3"' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    bookworm "$tarball.part" \
    "deb $mirror bookworm main" "deb $mirror bookworm-updates main" \
    "deb http://deb.debian.org/debian-security bookworm-security main"
  mv "$tarball.part" "$tarball"
fi
docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["python3"]' \
  "$tarball" "$tag" >/dev/null
echo "build-base-image: imported $tag"
