#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with a fresh, unlocked gnome-keyring (its files in a temp
# folder), so keychain code talks to a real Secret Service, as on a Linux desktop, without touching the
# user's own keyring.
set -euo pipefail
if [ -n "${FERRY_KEYRING_SESSION:-}" ]; then exec "$@"; fi
keyring_dir=$(mktemp -d /tmp/ferry-keyring.XXXXXX)
trap 'rm -rf "$keyring_dir"' EXIT
dbus-run-session -- bash -c '
  echo -n ferry-test | XDG_DATA_HOME="$0" gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
  export FERRY_KEYRING_SESSION=1
  exec "$@"' "$keyring_dir" "$@"
