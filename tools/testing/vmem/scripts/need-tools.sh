#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Make sure the tools of the userspace harness are there: install the
# Debian packages that provide them when running as root, or print the
# command to run.  "gcc-m32" (32-bit builds with ASan, from gcc-multilib)
# is optional: without it, the 32-bit run is skipped.
set -euo pipefail

declare -A pkg=(
	[clang]=clang
	[valgrind]=valgrind
	[llvm-profdata]=llvm
	[llvm-cov]=llvm
)
missing=()
optional=()
for tool in "$@"; do
	if [ "$tool" = gcc-m32 ]; then
		if ! echo 'int main(void) { return 0; }' |
		     gcc -m32 -fsanitize=address -x c - -o /dev/null 2>/dev/null; then
			optional+=(gcc-multilib)
		fi
	elif ! command -v "$tool" > /dev/null 2>&1; then
		missing+=("${pkg[$(basename "$tool")]:-$tool}")
	fi
done
# libFuzzer and the sanitizer runtimes come with clang's runtime package.
if command -v clang > /dev/null 2>&1 &&
   ! clang -print-file-name=libclang_rt.fuzzer-x86_64.a | grep -q /; then
	missing+=(libclang-rt-dev)
fi
if [ ! -e /usr/include/valgrind/callgrind.h ]; then
	missing+=(valgrind)
fi
all=("${missing[@]}" "${optional[@]}")
if [ ${#all[@]} -eq 0 ]; then
	exit 0
fi
mapfile -t all < <(printf '%s\n' "${all[@]}" | sort -u)
if [ "$(id -u)" -eq 0 ] && command -v apt-get > /dev/null 2>&1; then
	echo "need-tools: installing ${all[*]}" >&2
	if DEBIAN_FRONTEND=noninteractive apt-get install -y "${all[@]}" >&2; then
		exit 0
	fi
	# a fresh machine's package lists may be stale or empty
	apt-get update >&2 || true
	if DEBIAN_FRONTEND=noninteractive apt-get install -y "${all[@]}" >&2; then
		exit 0
	fi
fi
if [ ${#missing[@]} -eq 0 ]; then
	echo "need-tools: no 32-bit run (apt-get install -y gcc-multilib)" >&2
	exit 0
fi
echo "need-tools: missing tools; run: apt-get install -y ${all[*]}" >&2
exit 1
