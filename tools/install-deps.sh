#!/bin/bash
# Installs the Debian 12 packages trafficd needs to build and test, when
# they are missing, and configures and builds the tree in ./build.
# Usage: tools/install-deps.sh   (as root, or with sudo available)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential meson ninja-build pkg-config gettext
  libglib2.0-dev libglib2.0-bin libjson-glib-dev libiperf-dev iperf3
  libsqlite3-dev libpolkit-gobject-1-dev libnm-dev
  dbus dbus-daemon python3-gi python3-dbusmock
  iproute2 procps psmisc util-linux
  libgtk-4-dev libadwaita-1-dev xvfb xauth imagemagick desktop-file-utils appstream
  polkitd libxml2-utils libdbus-1-dev systemd passwd network-manager
)
# polkitd: the real polkitd and pkttyagent (test_system_real, trafficctl);
# libxml2-utils: xmllint; libdbus-1-dev: the D-Bus introspection DTD
# (validate-xml); systemd: systemd-analyze security; passwd: useradd;
# network-manager: NetworkManager and nmcli for test_interfaces_nm, which
# runs its own NetworkManager in a namespace. Installing the package starts
# the host's NetworkManager too; when this script installed it, the host's
# is stopped and disabled again so the machine's networking stays as it was.

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing: ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
  if [[ " ${missing[*]} " == *" network-manager "* ]] && [ -d /run/systemd/system ]; then
    echo "==> network-manager was installed for the tests only: disabling the host's NetworkManager"
    $SUDO systemctl disable --now NetworkManager.service || true
  fi
fi

# test_hooks builds an inert fault hook into the runner that the
# supervision tests switch on; a production build leaves it out.
if [ ! -f build/build.ninja ]; then
  meson setup build -Dtest_hooks=true
else
  meson configure build -Dtest_hooks=true >/dev/null
fi
meson compile -C build
