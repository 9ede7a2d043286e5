#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The `kernel-doc` tier of make check (`make kernel-doc` alone), with the
# scripts/kernel-doc of the test kernel's source:
#
#   - `kernel-doc -none -Wall` finds nothing to warn about in the public
#     headers and in vmem/ and debugfs/;
#   - every function vmem.ko exports has a kernel-doc comment with a
#     Context: section (may it sleep? which locks?);
#   - every constant include/linux/vmem.h defines (VMEM_*, VMC_*) has a
#     kernel-doc comment of its own ("define NAME - ..."), so that the
#     kernel-doc directive of Documentation/vmem.rst renders it.
#
# Prints "ok"/"FAILED" lines and "TIER kernel-doc: N passed, N failed".

set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

srcdir=$("$VMEM_SCRIPTS/testkernel.sh" --source)
kdoc=(perl "$srcdir/scripts/kernel-doc")
cd "$VMEM_ROOT"
mkdir -p "$VMEM_LOGDIR"
out=$VMEM_LOGDIR/kernel-doc.log
mapfile -t files < <(ls include/linux/*.h vmem/*.c vmem/*.h debugfs/*.c)

# 1. No warning.
rc=0
"${kdoc[@]}" -none -Wall "${files[@]}" >"$out" 2>&1 || rc=1
nwarn=$(grep -ci 'warning' "$out" || true)
((nwarn == 0)) || rc=1
result "$rc" "kernel-doc -none -Wall: $nwarn warnings in ${#files[@]} files"
((rc == 0)) || head -n 20 "$out" | sed 's/^/          /'

# 2. Every export documented, with a Context: section.
mapfile -t exported < <(grep -ohE 'EXPORT_SYMBOL[A-Z_]*\([a-z_0-9]+' \
	vmem/*.c debugfs/*.c | sed 's/.*(//' | sort -u)
"${kdoc[@]}" -rst -export vmem/*.c debugfs/*.c 2>>"$out" |
	awk '/^\.\. c:function::/ {
		if (name != "") print name, ctx
		sub(/ *\(.*/, ""); name = $NF; sub(/^\*+/, "", name); ctx = 0
	}
	/^  \*\*Context\*\*$/ { ctx = 1 }
	END { if (name != "") print name, ctx }' >"$VMEM_LOGDIR/kernel-doc.exports"
bad=
for f in "${exported[@]}"; do
	grep -qx "$f 1" "$VMEM_LOGDIR/kernel-doc.exports" || bad="$bad $f"
done
rc=0
[[ -z $bad && ${#exported[@]} -gt 0 ]] || rc=1
result "$rc" "${#exported[@]} exported functions documented with Context:${bad:+; not:$bad}"

# 3. Every constant of vmem.h documented as a define.
mapfile -t consts < <(sed -nE 's/^#define ((VMEM|VMC)_[A-Z_]+)[[:space:]].*/\1/p' \
	include/linux/vmem.h)
bad=
for c in "${consts[@]}"; do
	"${kdoc[@]}" -rst -function "$c" include/linux/vmem.h 2>/dev/null |
		grep -qx ".. c:function:: $c" || bad="$bad $c"
done
rc=0
[[ -z $bad && ${#consts[@]} -gt 0 ]] || rc=1
result "$rc" "${#consts[@]} constants of vmem.h documented as kernel-doc defines${bad:+; not:$bad}"

tier_report kernel-doc "$passed" "$failed"
((failed == 0))
