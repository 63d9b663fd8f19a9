#!/usr/bin/env bash
# Makes (up) or removes (down) the folder the national scale run keeps its
# PostgreSQL servers in: 7,285 tenant databases take about 60 GB as plain
# files, so with 70 GB free it is a plain folder on that disk. Otherwise it is
# a compressed volume, 2.5 times smaller (btrfs with zstd), whose compression
# costs CPU on both sides of the run's comparisons. The volume is a sparse
# file, so it takes on disk only what is written to it; and it is mounted
# with discard, so dropped databases give their space back.
#
#   hack/scale-volume.sh up DIR     prints DIR once it is mounted
#   hack/scale-volume.sh down DIR
set -euo pipefail
cd "$(dirname "$0")/.."
. hack/apt-install.sh

action=${1:?usage: $0 up|down DIR}
dir=${2:?usage: $0 up|down DIR}
image="$dir.img"

case "$action" in
up)
	if mountpoint -q "$dir"; then
		echo "$dir"
		exit 0
	fi
	parent=$(dirname "$dir")
	if [ "$(df --output=avail -B1G "$parent" | tail -1)" -ge "${SCALE_PLAIN_GB:-70}" ]; then
		mkdir -p "$dir"
		echo "$dir"
		exit 0
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "mounting a compressed volume needs root; set SLRT_SCALE_DIR to a folder with 70 GB free instead" >&2
		exit 1
	fi
	command -v mkfs.btrfs >/dev/null || apt_install btrfs-progs -- "mkfs.btrfs is missing and cannot be installed"
	mkdir -p "$dir"
	truncate -s 300G "$image"
	mkfs.btrfs -q -f -m single "$image" >/dev/null
	# Direct I/O on the loop device: without it the image's pages are cached
	# a second time, compressed, and the run spends its time reclaiming them.
	dev=$(losetup --direct-io=on --find --show "$image")
	mount -o compress-force=zstd:1,discard=async,noatime "$dev" "$dir"
	echo "$dir"
	;;
down)
	if mountpoint -q "$dir"; then
		dev=$(findmnt -n -o SOURCE "$dir")
		umount "$dir"
		case "$dev" in /dev/loop*) losetup -d "$dev" 2>/dev/null || true ;; esac
	fi
	rm -f "$image"
	rmdir "$dir" 2>/dev/null || true
	;;
*)
	echo "usage: $0 up|down DIR" >&2
	exit 2
	;;
esac
