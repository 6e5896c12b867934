#!/usr/bin/env bash
# Installs Ferry's npm dependencies. Electron's own binary is downloaded by its install script; where that
# download is impossible (offline machines, CI here), install without it: `npm start` then serves the UI to
# a browser through `ferry serve` instead of opening the desktop window.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${ELECTRON_SKIP_BINARY_DOWNLOAD:-}" ] && npm ci --no-audit --no-fund; then
  exit 0
fi
echo "Installing without Electron's binary (npm start will run ferry serve)."
ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund
