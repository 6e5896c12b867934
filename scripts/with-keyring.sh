#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with a fresh, unlocked gnome-keyring (its files in a temp
# folder), so keychain code talks to a real Secret Service, as on a Linux desktop, without touching the
# user's own keyring.
#
# The bus starts the keyring by D-Bus activation from a service file of its own, as a desktop session's
# bus does, and starts it again the same way if it exits. gnome-keyring-daemon can abort on a race when a
# client disconnects while its request is in flight (upstream GNOME/gnome-keyring #196; the many short
# `ferry` processes of the CLI tests hit it in about one CI run of seven). A desktop's bus or systemd
# restarts it; here the next keychain call activates it again, on the same keyring files, unlocked with
# the same password, so the secrets stored before the crash are still there.
set -euo pipefail
if [ -n "${FERRY_KEYRING_SESSION:-}" ]; then exec "$@"; fi
keyring_dir=$(mktemp -d /tmp/ferry-keyring.XXXXXX)
trap 'rm -rf "$keyring_dir"' EXIT
mkdir "$keyring_dir/services" "$keyring_dir/data"

cat > "$keyring_dir/start-keyring" <<START
#!/bin/sh
printf '%s' ferry-test | XDG_DATA_HOME='$keyring_dir/data' exec gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1
START
chmod +x "$keyring_dir/start-keyring"

cat > "$keyring_dir/services/org.freedesktop.secrets.service" <<SERVICE
[D-BUS Service]
Name=org.freedesktop.secrets
Exec=$keyring_dir/start-keyring
SERVICE

# The session bus of /usr/share/dbus-1/session.conf, with only this folder's services.
cat > "$keyring_dir/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <keep_umask/>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <servicedir>$keyring_dir/services</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
  <limit name="service_start_timeout">120000</limit>
</busconfig>
CONF

dbus-run-session --config-file="$keyring_dir/bus.conf" -- bash -c '
  # Start the keyring now (and create it), so the first test does not wait for it.
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.StartServiceByName string:org.freedesktop.secrets uint32:0 >/dev/null
  export FERRY_KEYRING_SESSION=1
  exec "$@"' ferry-keyring "$@"
