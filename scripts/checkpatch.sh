#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# `make checkpatch`: the kernel's scripts/checkpatch.pl --strict on every C
# source and header of the modules (vmem/, debugfs/, kunit/, samples/,
# include/, and the runner's fixture module).  One check per file: clean
# means no error, no warning and no check.  The checkpatch.pl used is the
# one of the unpacked test-kernel source.

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
	\( -name '*.c' -o -name '*.h' \) -type f 2>/dev/null | sort)
for f in "${files[@]}"; do
	if perl "$cp" --no-tree --strict --show-types -q -f "$f" \
		>"$out.one" 2>&1; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "  FAILED  checkpatch $f: $(grep -E '^total:' "$out.one")"
		grep -E '^(ERROR|WARNING|CHECK):' "$out.one" | head -n 5 |
			sed 's/^/          /'
	fi
	cat "$out.one" >>"$out"
done
rm -f "$out.one"
((failed == 0)) || echo "  full report: $out"
tier_report checkpatch "$passed" "$failed"
((failed == 0))
