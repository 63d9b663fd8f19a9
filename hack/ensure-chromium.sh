#!/usr/bin/env bash
# Makes sure the web app's browser tests have a Chromium: Debian's chromium
# package, installed when missing. SLRT_TEST_CHROMIUM names another binary.
set -euo pipefail

if [ -n "${SLRT_TEST_CHROMIUM:-}" ] && [ -x "$SLRT_TEST_CHROMIUM" ]; then
	exit 0
fi
if command -v chromium >/dev/null; then
	exit 0
fi
. "$(dirname "$0")/apt-install.sh"
apt_install chromium -- "Chromium is missing: install it (Debian: apt-get install chromium), or set SLRT_TEST_CHROMIUM to a Chromium binary"
