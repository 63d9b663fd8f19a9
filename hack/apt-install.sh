# Sourced by the hack/ensure-*.sh scripts: apt_install PACKAGE... installs
# Debian packages when the machine can (root, apt-get), else says what is
# missing (the rest of the arguments after --, a sentence) and exits 1.
apt_install() {
	local packages=() why
	while [ "$1" != "--" ]; do packages+=("$1"); shift; done
	shift
	why="$*"
	if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
		echo "$why" >&2
		exit 1
	fi
	echo "installing ${packages[*]} (apt-get install)" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq "${packages[@]}" >/dev/null
}
