#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# check-exports.sh: fail if a symbol that our module(s) export is already
# exported by OpenZFS (spl.ko, zfs.ko) or by the distro kernel.
#
# Usage: scripts/check-exports.sh <Module.symvers | module.ko> [more...]
#
# The kernel refuses to load a module that exports a name some loaded module
# (or vmlinux) already exports, so each such name is a load failure waiting
# for the machine that also runs ZFS.  Our exports are read from
#   - a Module.symvers (tab-separated: CRC, symbol, module, export type
#     [, namespace]), or
#   - a .ko (also .ko.xz/.ko.gz/.ko.zst): the __ksymtab_<name> and
#     __kstrtab_<name> symbols, which 6.1 and 6.12 built modules both carry;
#     the __ksymtab_strings section is read if there are none.
# and compared against
#   - scripts/openzfs-exports.txt (the names OpenZFS exports, old and new),
#     and
#   - every /usr/src/linux-headers-*/Module.symvers on this machine (vmlinux
#     and the in-tree modules of each installed Debian kernel).  Set
#     CHECK_EXPORTS_KERNEL_SYMVERS to a space-separated list of files to
#     use instead, or to the empty string to skip this check.
#
# Prints each clash, then "exports: N checked, N clashes".
# Exit status: 0 no clash, 1 clash(es), 2 usage or input error (including
# inputs in which no export at all is found).

set -euo pipefail

SCRIPTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SPL_LIST=${OPENZFS_EXPORTS_LIST:-$SCRIPTS_DIR/openzfs-exports.txt}

usage() {
	printf 'usage: %s <Module.symvers | module.ko> [more...]\n' \
		"${0##*/}" >&2
	exit 2
}

die() {
	printf 'error: %s\n' "$*" >&2
	exit 2
}

warn() {
	printf 'warning: %s\n' "$*" >&2
}

[[ $# -ge 1 ]] || usage
case $1 in -h | --help) usage ;; esac

[[ -r $SPL_LIST ]] || die "cannot read $SPL_LIST"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Names only: one C identifier per line.
ident_filter() {
	grep -E '^[A-Za-z_][A-Za-z0-9_]*$' || true
}

# symvers_exports FILE: the symbol column of a Module.symvers.
symvers_exports() {
	awk -F '\t' 'NF >= 4 && $2 != "" { print $2 }' "$1" | ident_filter
}

# ko_exports FILE: the names a built module exports.
ko_exports() {
	local ko=$1 plain=$1 names

	case $ko in
	*.ko.xz) plain=$tmp/xz.ko; xz -dc "$ko" >"$plain" ;;
	*.ko.gz) plain=$tmp/gz.ko; gzip -dc "$ko" >"$plain" ;;
	*.ko.zst) plain=$tmp/zst.ko; zstd -qdc "$ko" >"$plain" ;;
	esac

	# The export table: __ksymtab_<name> (value) and __kstrtab_<name>
	# (string) per export.  __kstrtabns_<name> is the namespace string.
	names=$({ nm --defined-only "$plain" 2>/dev/null || true; } |
		awk '$3 ~ /^__ksymtab_/ { sub(/^__ksymtab_/, "", $3); print $3 }
		     $3 ~ /^__kstrtab_/ { sub(/^__kstrtab_/, "", $3); print $3 }' |
		ident_filter)
	if [[ -z $names ]]; then
		# No symbols (stripped module): the string table of the
		# export section holds the names (and namespaces, if any).
		names=$({ readelf -p __ksymtab_strings "$plain" 2>/dev/null ||
			true; } | sed -nE 's/^ *\[ *[0-9a-f]+\] +//p' |
			ident_filter)
	fi
	printf '%s\n' "$names" | sed '/^$/d'
}

# Our exports: "name<TAB>source file", one per export.
: >"$tmp/ours"
for f in "$@"; do
	[[ -r $f ]] || die "cannot read $f"
	case $f in
	*.ko | *.ko.xz | *.ko.gz | *.ko.zst) ko_exports "$f" >"$tmp/names" ;;
	*) symvers_exports "$f" >"$tmp/names" ;;
	esac
	if [[ ! -s $tmp/names ]]; then
		warn "no exported symbol found in $f"
		continue
	fi
	awk -v src="$f" '{ print $0 "\t" src }' "$tmp/names" >>"$tmp/ours"
done
sort -u -o "$tmp/ours" "$tmp/ours"

# Taken names: "name<TAB>who exports it".
grep -vE '^[[:space:]]*(#|$)' "$SPL_LIST" | tr -d '[:blank:]' | ident_filter |
	awk '{ print $0 "\tOpenZFS (scripts/openzfs-exports.txt)" }' >"$tmp/taken"

if [[ -v CHECK_EXPORTS_KERNEL_SYMVERS ]]; then
	read -r -a kernel_symvers <<<"$CHECK_EXPORTS_KERNEL_SYMVERS"
else
	shopt -s nullglob
	kernel_symvers=(/usr/src/linux-headers-*/Module.symvers)
	shopt -u nullglob
fi
for ks in ${kernel_symvers[@]+"${kernel_symvers[@]}"}; do
	[[ -r $ks ]] || die "cannot read $ks"
	kname=$(basename "$(dirname "$ks")")
	kname=${kname#linux-headers-}
	# vmlinux or the in-tree module, for the kernel named by the path.
	awk -F '\t' -v k="$kname" 'NF >= 4 && $2 != "" {
		print $2 "\t" $3 " (Linux " k ")" }' "$ks" >>"$tmp/taken"
done

# A name we export that is also ours in a checked symvers is no clash: that
# is the same module (e.g. a Module.symvers of an installed vmem build).
clashes=$(awk -F '\t' '
	NR == FNR { ours[$1] = ours[$1] (ours[$1] == "" ? "" : ", ") $2; next }
	($1 in ours) && $2 !~ /(^|\/)vmem( |$)/ {
		print $1 "\t" ours[$1] "\t" $2
	}' "$tmp/ours" "$tmp/taken" | sort -u)

checked=$(cut -f1 "$tmp/ours" | sort -u | grep -c . || true)
nclash=0
if [[ -n $clashes ]]; then
	while IFS=$'\t' read -r name ours theirs; do
		printf 'clash: %s (exported by %s) is already exported by %s\n' \
			"$name" "$ours" "$theirs"
	done <<<"$clashes"
	nclash=$(cut -f1 <<<"$clashes" | sort -u | grep -c .)
fi

printf 'exports: %d checked, %d clashes\n' "$checked" "$nclash"
# Nothing read is no pass: the inputs were wrong or their format changed.
[[ $checked -gt 0 ]] || die "no exported symbol found in any input"
[[ $nclash -eq 0 ]]
