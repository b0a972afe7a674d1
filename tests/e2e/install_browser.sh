#!/usr/bin/env bash
# Installs what the browser tests need from Debian: chromium and CJK fonts (Hangul).
set -u
if command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  exit 0
fi
if [ "$(id -u)" != "0" ] && ! command -v sudo >/dev/null 2>&1; then
  echo "note: cannot install chromium (not root); browser tests will be skipped." >&2
  exit 0
fi
SUDO=""; [ "$(id -u)" != "0" ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
echo "Installing chromium and fonts-noto-cjk for the browser tests (apt-get)..."
$SUDO apt-get update -qq >/dev/null 2>&1 || true
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null 2>&1 \
  || echo "warning: apt-get could not install chromium/fonts-noto-cjk" >&2
exit 0
