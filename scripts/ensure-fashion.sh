#!/usr/bin/env bash
# Make sure Debian's dataset-fashion-mnist is installed (about 30 MB): the Docker image offers it
# to training runs as "fashion-mnist", and tests/training/test_datasets.py reads the package's
# files where the image has them (/usr/share/datasets/fashion-mnist).
exec "$(dirname "$0")/ensure-deb.sh" dataset-fashion-mnist "test -d /usr/share/datasets/fashion-mnist" \
  "the Debian Fashion-MNIST dataset test"
