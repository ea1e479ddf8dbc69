#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The README's table of supported kernels, from what make check proved.
#
#   kernel-matrix.sh record FLAVOR KVER DEBVER RESULTS   (tests/check.sh, per kernel)
#   kernel-matrix.sh readme [README]                      (rewrite the table in README.md)
#
# RESULTS is one word per category, "name=passed/failed" (build, cells, paws,
# nat, kunit, console, all). record keeps one line per flavor in
# $TCPTW_BUILD/kernel-matrix.tsv, so a run on some kernels leaves the others'
# last results; readme renders that file between the markers
# "<!-- kernel-matrix begin -->" and "<!-- kernel-matrix end -->".

set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${TCPTW_BUILD:-$root/build}
tsv=$build/kernel-matrix.tsv
conf=$root/tests/kernels.conf

usage() {
	echo "usage: ${0##*/} record FLAVOR KVER DEBVER RESULTS... | readme [README]" >&2
	exit 2
}

record() {
	local flavor=$1 kver=$2 debver=$3

	shift 3
	mkdir -p "$build"
	touch "$tsv"
	{
		grep -v "^$flavor	" "$tsv" || true
		printf '%s\t%s\t%s\t%s\t%s\n' "$flavor" "$kver" "$debver" \
			"$(date -u +%Y-%m-%d)" "$*"
	} >"$tsv.new"
	mv "$tsv.new" "$tsv"
}

# cell RESULTS NAME: "yes", "**no** (N failed)" or "—" (not run there).
cell() {
	local word p f

	for word in $1; do
		[ "${word%%=*}" = "$2" ] || continue
		p=${word#*=}
		f=${p#*/}
		p=${p%/*}
		if [ "$f" -gt 0 ]; then
			echo "**no** ($f failed)"
		elif [ "$p" -gt 0 ]; then
			echo "yes ($p)"
		else
			echo "—"
		fi
		return
	done
	echo "—"
}

# The Debian package a flavor's kernel comes from, by kernels.conf.
package_of() {
	awk -v f="$1" '!/^#/ && $1 == f { printf "`%s` (%s)", $4, $2 }' "$conf"
}

table() {
	local flavor kver debver day results pkg

	echo "| kernel | Debian package | tested | builds (W=1) | cells == /proc/net/tcp | PAWS == MIB | NAT rule | KUnit | no KASAN/lockdep/BUG | whole run |"
	echo "|---|---|---|---|---|---|---|---|---|---|"
	# kernels.conf order first, then the debug kernels.
	while IFS=$'\t' read -r flavor kver debver day results; do
		pkg=$(package_of "$flavor")
		[ -n "$pkg" ] || pkg="debug build of \`linux-source\` $debver"
		printf '| %s (`%s`) | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
			"$flavor" "$kver" "$pkg" "$day" \
			"$(cell "$results" build)" "$(cell "$results" cells)" \
			"$(cell "$results" paws)" "$(cell "$results" nat)" \
			"$(cell "$results" kunit)" "$(cell "$results" console)" \
			"$(cell "$results" all)"
	done < <(awk 'NR == FNR { if (!/^#/ && NF) o[$1] = ++n; next }
			     { print (($1 in o) ? o[$1] : 100 + FNR) "\t" $0 }' \
			"$conf" "$tsv" | sort -n | cut -f2-)
}

readme() {
	local readme=${1:-$root/README.md}

	[ -s "$tsv" ] || { echo "${0##*/}: no $tsv: run make check first" >&2; exit 1; }
	grep -q '^<!-- kernel-matrix begin -->$' "$readme" ||
		{ echo "${0##*/}: no kernel-matrix markers in $readme" >&2; exit 1; }
	table >"$tsv.table"
	awk -v t="$tsv.table" '
		/^<!-- kernel-matrix begin -->$/ { print; while ((getline l < t) > 0) print l; skip = 1; next }
		/^<!-- kernel-matrix end -->$/ { skip = 0 }
		!skip' "$readme" >"$readme.new"
	mv "$readme.new" "$readme"
	rm -f "$tsv.table"
}

[ $# -ge 1 ] || usage
case $1 in
record) [ $# -ge 4 ] || usage; shift; record "$@" ;;
readme) shift; readme "$@" ;;
*) usage ;;
esac
