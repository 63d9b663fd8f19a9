#!/usr/bin/env bash
# Makes sure the container test (test/container) has a daemonless container
# runtime: podman with runc (crun cannot run on hosts with hybrid cgroups),
# installed from Debian when missing. Where neither is there and they cannot be
# installed, the test skips itself and says why; this script only warns.
set -euo pipefail

if command -v podman >/dev/null && command -v runc >/dev/null; then
	exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
	echo "warning: podman and runc are missing and cannot be installed here (needs root and apt-get): the container test will skip" >&2
	exit 0
fi
. "$(dirname "$0")/apt-install.sh"
apt_install podman runc -- "podman and runc are missing"
