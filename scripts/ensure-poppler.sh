#!/usr/bin/env bash
# Make sure poppler-utils' pdftoppm is installed: the worksheet browser test prints a worksheet
# to PDF with Chromium and renders its pages to PNG with pdftoppm.
exec "$(dirname "$0")/ensure-deb.sh" poppler-utils "command -v pdftoppm" "the worksheet browser test"
