#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The kernel matrix, read from tests/kernels.conf: which flavors exist, and where each one's
# kernel comes from. kernel.sh reads a flavor from here; make check loops over the list.
set -euo pipefail
# Usage: kernels.sh list [gating|canary]   the flavors (of that role), one a line
#        kernels.sh show FLAVOR            SUITE= BUILD= IMAGE_META= HEADERS_META= ROLE=
#                                          DESCRIPTION=, one a line, shell-evaluable
#        kernels.sh table                  the matrix as a Markdown table (for the README)

me=${0##*/}
conf=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/kernels.conf
die() { echo "$me: error: $*" >&2; exit 1; }
usage() { echo "usage: $me list [gating|canary] | show FLAVOR | table" >&2; exit 2; }

[ -f "$conf" ] || die "$conf not found"

# The table's rows, checked: "flavor suite build image headers role description".
rows() {
	local flavor suite build image headers role desc n=0

	while read -r flavor suite build image headers role desc; do
		n=$((n + 1))
		case $flavor in '' | '#'*) continue ;; esac
		[ -n "$desc" ] || die "$conf:$n: expected 7 columns (flavor ... description)"
		case $build in host | chroot) ;; *) die "$conf:$n: build '$build' is not host or chroot" ;; esac
		case $role in gating | canary) ;; *) die "$conf:$n: role '$role' is not gating or canary" ;; esac
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$flavor" "$suite" "$build" "$image" "$headers" \
			"$role" "$desc"
	done <"$conf"
}

[ $# -ge 1 ] || usage
case $1 in
list)
	[ $# -le 2 ] || usage
	case ${2:-} in '' | gating | canary) ;; *) usage ;; esac
	rows | awk -F '\t' -v role="${2:-}" 'role == "" || $6 == role { print $1 }'
	;;
show)
	[ $# -eq 2 ] || usage
	row=$(rows | awk -F '\t' -v f="$2" '$1 == f')
	[ -n "$row" ] || die "unknown flavor '$2' (known: $(rows | cut -f1 | paste -sd" "))"
	IFS=$'\t' read -r _ suite build image headers role desc <<<"$row"
	printf 'SUITE=%q\nBUILD=%q\nIMAGE_META=%q\nHEADERS_META=%q\nROLE=%q\nDESCRIPTION=%q\n' \
		"$suite" "$build" "$image" "$headers" "$role" "$desc"
	;;
table)
	[ $# -eq 1 ] || usage
	echo '| kernel | Debian package | role | |'
	echo '|---|---|---|---|'
	rows | awk -F '\t' '{ printf "| %s | `%s` (%s) | %s | %s |\n", $1, $4, $2, $6, $7 }'
	;;
*) usage ;;
esac
