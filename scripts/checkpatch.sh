#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# `make checkpatch`: the kernel's scripts/checkpatch.pl --strict on every C
# source and header of the modules (vmem/, debugfs/, kunit/, samples/,
# include/, the fixture modules in scripts/ and make bench's bench/; not
# the *.mod.c that kbuild writes).  One check per file: clean means no
# error, no warning and no check.  The checkpatch.pl used is the one of
# the unpacked test-kernel source.

set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

srcdir=$("$VMEM_SCRIPTS/testkernel.sh" --source)
cp=$srcdir/scripts/checkpatch.pl
mkdir -p "$VMEM_LOGDIR"
out=$VMEM_LOGDIR/checkpatch.log
: >"$out"

passed=0
failed=0
cd "$VMEM_ROOT"
mapfile -t files < <(find vmem debugfs kunit samples include scripts/selftest \
	scripts/noimport bench \
	\( -name '*.c' -o -name '*.h' \) ! -name '*.mod.c' \
	-type f 2>/dev/null | sort)
# Two checkpatch.pl at a time (the machine has 2 cores); each file's
# report and status go to a scratch dir, then are read in order.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck disable=SC2016 # the sh -c script expands its own arguments
printf '%s\0' "${files[@]}" |
	xargs -0 -P 2 -I{} sh -c \
		'k=$(printf %s "$2" | tr / _)
		 perl "$1" --no-tree --strict --show-types -q -f "$2" \
			>"$3/$k.log" 2>&1
		 echo $? >"$3/$k.rc"' _ "$cp" {} "$tmp"
for f in "${files[@]}"; do
	k=$(printf %s "$f" | tr / _)
	if [[ $(cat "$tmp/$k.rc") == 0 ]]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "  FAILED  checkpatch $f: $(grep -E '^total:' "$tmp/$k.log")"
		grep -E '^(ERROR|WARNING|CHECK):' "$tmp/$k.log" | head -n 5 |
			sed 's/^/          /'
	fi
	cat "$tmp/$k.log" >>"$out"
done
((failed == 0)) || echo "  full report: $out"
tier_report checkpatch "$passed" "$failed"
((failed == 0))
