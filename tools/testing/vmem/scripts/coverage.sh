#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Line and branch coverage of the core (the files given as arguments,
# vmem/*.c) reached by the KUnit suites in userspace and by the fuzzer's corpus: the
# repository's seed corpus plus whatever `make fuzz` and `make check` added
# to the build directory's corpus.  Clang source-based coverage
# (-fprofile-instr-generate -fcoverage-mapping), reported by llvm-cov.
#
# Environment: O (build directory with vmem_kunit-cov and vmem_fuzz-cov),
# SEED, LLVM_PROFDATA, LLVM_COV, CORPUS (the seed corpus directory).
set -euo pipefail

O=${O:?O must name the build directory}
SEED=${SEED:-}
LLVM_PROFDATA=${LLVM_PROFDATA:-llvm-profdata}
LLVM_COV=${LLVM_COV:-llvm-cov}
CORPUS=${CORPUS:?CORPUS must name the seed corpus}
cov="$O/cov"

if [ $# -eq 0 ]; then
	echo "coverage: no source files given" >&2
	exit 2
fi
rm -rf "$cov"
mkdir -p "$cov" "$O/corpus"

seed_args=()
if [ -n "$SEED" ]; then
	seed_args=(-s "$SEED")
fi
# A failing test still yields coverage: report it, go on.
if ! LLVM_PROFILE_FILE="$cov/user-%p.profraw" "$O/vmem_kunit-cov" \
	"${seed_args[@]}" > "$cov/user.log" 2>&1; then
	echo "coverage: vmem_kunit failed; see $cov/user.log" >&2
fi
tail -n 1 "$cov/user.log"
if ! LLVM_PROFILE_FILE="$cov/fuzz-%p.profraw" "$O/vmem_fuzz-cov" -runs=0 \
	"$O/corpus" "$CORPUS" > "$cov/fuzz.log" 2>&1; then
	echo "coverage: the corpus replay failed; see $cov/fuzz.log" >&2
fi
echo "corpus: $(find "$O/corpus" "$CORPUS" -type f | wc -l) inputs"

"$LLVM_PROFDATA" merge -sparse "$cov"/*.profraw -o "$cov/vmem.profdata"
objs=("$O/vmem_kunit-cov" -object "$O/vmem_fuzz-cov")

echo
"$LLVM_COV" report "${objs[@]}" -instr-profile="$cov/vmem.profdata" "$@"

# Uncovered lines, as file:line: text.
echo
echo "Lines not executed:"
"$LLVM_COV" show "${objs[@]}" -instr-profile="$cov/vmem.profdata" \
	-show-line-counts "$@" > "$cov/show.txt"
awk -v file="$1" '
	/^\/.*:$/ { file = substr($0, 1, length($0) - 1); next }
	/^ *[0-9]+\| *0\|/ {
		split($0, f, "|")
		line = f[1]; gsub(/ /, "", line)
		text = substr($0, length(f[1]) + length(f[2]) + 3)
		sub(/^[ \t]+/, "", text)
		n++
		printf "  %s:%s: %s\n", file, line, text
	}
	END { if (!n) print "  none" }
' "$cov/show.txt"
echo
echo "Per-line and per-branch detail: $LLVM_COV show ${objs[*]} -instr-profile=$cov/vmem.profdata -show-branches=count <file>"
