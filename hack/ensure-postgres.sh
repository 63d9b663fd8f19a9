#!/usr/bin/env bash
# Makes sure the tests can start a private PostgreSQL server: the server
# binaries, and as root a postgres user to run them as (PostgreSQL refuses to
# run as root). Installs Debian's postgresql package when either is missing.
# Nothing to do when SLRT_TEST_POSTGRES_URL names a server to use instead.
set -euo pipefail

if [ -n "${SLRT_TEST_POSTGRES_URL:-}" ]; then
	exit 0
fi
have_bin() {
	[ -n "${SLRT_TEST_POSTGRES_BIN:-}" ] && [ -x "$SLRT_TEST_POSTGRES_BIN/postgres" ] && return 0
	compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null && return 0
	command -v postgres >/dev/null
}
have_user() { [ "$(id -u)" != 0 ] || id postgres >/dev/null 2>&1; }

if have_bin && have_user; then
	exit 0
fi
. "$(dirname "$0")/apt-install.sh"
# The tests start their own servers; the package's own cluster is not used.
apt_install postgresql postgresql-contrib -- \
	"PostgreSQL server binaries are missing: install PostgreSQL (15 or newer), or set SLRT_TEST_POSTGRES_BIN or SLRT_TEST_POSTGRES_URL"
