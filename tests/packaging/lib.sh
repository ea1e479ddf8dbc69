# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shared by tests/packaging.sh and tests/packaging/suite.sh: a throwaway
# overlay on a cached packaging chroot (tests/packaging/chroot.sh), and
# commands run inside it.

TCPTW_ROOT=${TCPTW_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
pkg_root=

# overlay_up BASE RUN: mount an overlay of BASE at RUN/root (changes go to
# RUN/upper) and hold a shared lock on BASE.lock (chroot.sh removes only
# chroots nobody holds). Sets pkg_root. The caller calls overlay_down.
overlay_up() {
	local base=$1 run=$2

	overlay_down_dir=$run
	mkdir -p "$run/upper" "$run/work" "$run/root"
	exec {overlay_lock_fd}>"$base.lock"
	flock -s "$overlay_lock_fd"
	mount -t overlay overlay \
		-o "lowerdir=$base,upperdir=$run/upper,workdir=$run/work" "$run/root" || return
	pkg_root=$run/root
}

# overlay_down: unmount and remove what overlay_up made; safe to call twice.
overlay_down() {
	local run=${overlay_down_dir:-}

	[ -n "$run" ] || return 0
	overlay_umount_under "$run"
	rm -rf --one-file-system "$run"
	overlay_down_dir=
	[ -z "${overlay_lock_fd:-}" ] || exec {overlay_lock_fd}>&-
	overlay_lock_fd=
}

# overlay_umount_under DIR: every mount at or below DIR, deepest first (an
# overlay left by a run that was killed, with whatever was mounted in it).
overlay_umount_under() {
	local dir m

	dir=$(realpath -m "$1")
	awk -v d="$dir" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/self/mounts |
		sort -r | while IFS= read -r m; do
			umount "$m" 2>/dev/null || umount -l "$m"
		done
}

# in_chroot COMMAND...: run COMMAND in pkg_root (with /proc, as root), with
# /usr/local first in PATH (suite.sh's uname shim lives there), C locale and
# no debconf questions.
in_chroot() {
	"$TCPTW_ROOT/tests/qemu/chroot-run.sh" "$pkg_root" /usr/bin/env \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		LC_ALL=C DEBIAN_FRONTEND=noninteractive "$@"
}

# copy_tree DEST: the working tree (tracked files and untracked, not ignored
# ones) copied to DEST.
copy_tree() {
	mkdir -p "$1"
	(cd "$TCPTW_ROOT" && git ls-files -co --exclude-standard -z |
		xargs -0 cp --parents -t "$1")
}
