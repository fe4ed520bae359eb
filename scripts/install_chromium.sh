#!/usr/bin/env bash
# Headless Chromium for the dashboard's browser test (tests/test_dashboard.py), from Debian's packages:
# installs it if missing and prints its path. Playwright (a dev dependency) drives this browser; its own
# browser downloads are not used. Usage: scripts/install_chromium.sh
set -euo pipefail
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v chromium >/dev/null 2>&1; then
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
command -v chromium
