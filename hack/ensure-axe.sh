#!/usr/bin/env bash
# Makes sure the accessibility test has axe-core, pinned: the package's
# axe.min.js unpacked into bin/axe-core-<version>/ by npm, itself installed
# from Debian when missing. SLRT_TEST_AXE names another axe.min.js.
set -euo pipefail

version="${AXE_VERSION:-4.14.1}"
dir="${1:-bin}/axe-core-${version}"

if [ -n "${SLRT_TEST_AXE:-}" ] && [ -f "$SLRT_TEST_AXE" ]; then
	exit 0
fi
if [ -f "$dir/axe.min.js" ]; then
	exit 0
fi
if ! command -v npm >/dev/null; then
	. "$(dirname "$0")/apt-install.sh"
	apt_install npm -- "npm is missing, needed once to fetch axe-core $version: install it (Debian: apt-get install npm), or set SLRT_TEST_AXE to an axe.min.js"
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "axe-core@${version}" >/dev/null)
tar -xzf "$tmp"/axe-core-"${version}".tgz -C "$tmp"
mkdir -p "$dir"
cp "$tmp/package/axe.min.js" "$tmp/package/LICENSE" "$dir/"
echo "axe-core $version in $dir" >&2
