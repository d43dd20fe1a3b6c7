#!/usr/bin/env bash
# Installs the Debian packages the build links against, when they are missing.
# Safe to run again: it does nothing when everything is present.
set -euo pipefail
need=()
for pkg in libsqlite3-dev libssl-dev libsecp256k1-dev libmicrohttpd-dev pkg-config curl; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ "${#need[@]}" -gt 0 ]; then
  echo "setup: installing ${need[*]}" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "setup: swift is not on PATH (expected Swift 6 toolchain, e.g. /opt/swift/usr/bin)" >&2; exit 1; }
