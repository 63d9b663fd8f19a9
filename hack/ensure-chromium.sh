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
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
	echo "Chromium is missing: install it (Debian: apt-get install chromium), or set SLRT_TEST_CHROMIUM to a Chromium binary" >&2
	exit 1
fi
echo "installing Chromium for the browser tests (apt-get install chromium)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
