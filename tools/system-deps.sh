#!/usr/bin/env bash
# Installs the Debian packages the test suite needs (run as root on Debian/Ubuntu).
#   prometheus: the adapters-nvml integration test starts a real Prometheus server on 127.0.0.1.
#   chromium:   the sim report test opens the offline HTML report in headless Chromium.
set -euo pipefail

DEBIAN_PACKAGES=(prometheus chromium)

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "system packages present: ${DEBIAN_PACKAGES[*]}"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "please install: ${missing[*]} (the Prometheus and Chromium tests are skipped without them, outside CI)" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
