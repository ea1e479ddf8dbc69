#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run one command inside a build chroot made by kernel.sh, with /proc mounted (objtool reads it).
# The mount lives in a private mount namespace: it goes away with the command, on failure and on
# a signal too, and concurrent runs in the same chroot do not see each other's mounts.
set -euo pipefail
# Usage: chroot-run.sh CHROOT COMMAND [ARG...]   (as root)
# Exit: COMMAND's status. The environment inside is PATH and HOME only: the host's TMPDIR, locale
# or MAKEFLAGS mean nothing in the chroot.

me=${0##*/}
die() { echo "$me: error: $*" >&2; exit 1; }

[ $# -ge 2 ] || { echo "usage: $me CHROOT COMMAND [ARG...]" >&2; exit 2; }
dir=$1
shift
[ "$(id -u)" -eq 0 ] || die "needs root (chroot, mount)"
if [ ! -d "$dir/proc" ] || [ ! -x "$dir/bin/sh" ]; then
	die "'$dir' is not a chroot"
fi

# shellcheck disable=SC2016 # expanded by the inner sh
exec unshare --mount --propagation private -- /bin/sh -c '
	mount -t proc proc "$1/proc" || exit 1
	dir=$1
	shift
	exec chroot "$dir" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"
' sh "$dir" "$@"
