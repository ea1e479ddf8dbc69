#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# apt-get / apt-cache on one Debian suite through a private configuration: its own sources list,
# package lists and download cache under the tcptw cache, never the host's sources or state.
# The lists are refreshed when missing or older than a day (TCPTW_APT_MAX_AGE seconds).
set -euo pipefail
# Usage: apt.sh SUITE apt-get|apt-cache ARGS...
#   SUITE = bullseye | bookworm | trixie | trixie-backports | sid
# For trixie-backports, the backports are the default release (the metapackages resolve there).
# Example: tests/qemu/apt.sh trixie-backports apt-cache policy linux-image-amd64

me=${0##*/}
die() { echo "$me: error: $*" >&2; exit 1; }

[ $# -ge 2 ] || { echo "usage: $me SUITE apt-get|apt-cache ARGS..." >&2; exit 2; }
suite=$1
tool=$2
shift 2

mirror=http://deb.debian.org/debian
security=http://deb.debian.org/debian-security
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
default_release=
case $suite in
bullseye | bookworm | trixie) lines=("$mirror $suite main" "$mirror $suite-updates main"
				     "$security $suite-security main") ;;
trixie-backports) lines=("$mirror trixie main" "$mirror trixie-updates main"
			 "$security trixie-security main" "$mirror trixie-backports main")
		  default_release=trixie-backports ;;
sid) lines=("$mirror sid main") ;;
*) echo "$me: unknown suite '$suite' (bullseye, bookworm, trixie, trixie-backports, sid)" >&2
   exit 2 ;;
esac
case $tool in
apt-get | apt-cache) ;;
*) echo "$me: tool must be apt-get or apt-cache, not '$tool'" >&2; exit 2 ;;
esac
[ -f "$keyring" ] || die "$keyring not found (apt-get install debian-archive-keyring)"

dir=${TCPTW_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/tcptw}/apt/$suite
mkdir -p "$dir/lists/partial" "$dir/archives/partial" "$dir/preferences.d"
for l in "${lines[@]}"; do
	echo "deb [signed-by=$keyring] $l"
done >"$dir/sources.list.new"
cmp -s "$dir/sources.list.new" "$dir/sources.list" 2>/dev/null || {
	mv "$dir/sources.list.new" "$dir/sources.list"
	rm -f "$dir/.updated"
}
rm -f "$dir/sources.list.new"

opts=(-o "Dir::Etc::sourcelist=$dir/sources.list" -o Dir::Etc::sourceparts=-
      -o "Dir::Etc::preferencesparts=$dir/preferences.d" -o "Dir::Etc::preferences=$dir/preferences"
      -o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache"
      -o "Dir::Cache::archives=$dir/archives" -o "Dir::State::status=$dir/status"
      -o Debug::NoLocking=1 -o APT::Get::List-Cleanup=0)
# As root, apt drops to the _apt user to download and cannot write our directories.
[ "$(id -u)" -ne 0 ] || opts+=(-o APT::Sandbox::User=root)
[ -z "$default_release" ] || opts+=(-o "APT::Default-Release=$default_release")
: >"$dir/preferences"
[ -f "$dir/status" ] || : >"$dir/status"
mkdir -p "$dir/cache"

# One update at a time per suite; another caller waits for it.
exec 8>"$dir/.lock"
flock 8
age=${TCPTW_APT_MAX_AGE:-86400}
if [ ! -f "$dir/.updated" ] ||
   [ $(($(date +%s) - $(stat -c %Y "$dir/.updated"))) -gt "$age" ]; then
	echo "$me: apt-get update for $suite" >&2
	apt-get -q "${opts[@]}" update >&2 || die "apt-get update for $suite failed"
	touch "$dir/.updated"
fi
exec 8>&-

exec "$tool" "${opts[@]}" "$@"
