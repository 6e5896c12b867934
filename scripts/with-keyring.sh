#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring, so keychain code talks to
# a real Secret Service (as on a Linux desktop) without touching the user's own keyring.
set -euo pipefail
if [ -n "${FERRY_KEYRING_SESSION:-}" ]; then exec "$@"; fi
exec dbus-run-session -- bash -c '
  echo -n ferry-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
  export FERRY_KEYRING_SESSION=1
  exec "$@"' bash "$@"
