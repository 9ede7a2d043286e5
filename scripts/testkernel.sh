#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build the vmem test kernel, or find it in the cache, and print its build
# directory (a KDIR for M= builds, with arch/x86/boot/bzImage).
#
#   testkernel.sh            the build directory
#   testkernel.sh --source   only unpack the kernel source; print its path
#
# The kernel is Debian's linux-source-6.12 with allnoconfig plus
# scripts/testkernel.config, built out of tree:
#
#   ~/.cache/vmem/src/<version>/linux-source-6.12    the unpacked source
#   ~/.cache/vmem/testkernel/<version>-<hash>         the build directory
#
# <version> is the source package's version; <hash> covers the fragment and
# this script's build recipe, so a changed fragment builds a new kernel
# and an unchanged one is reused as is.  The source path is fixed because
# the build directory's Makefile points into it.  Every option of the
# fragment is checked in the final .config, and the build fails, naming
# them, when Kconfig dropped any.  A finished build is pruned of objects
# (M= builds and booting still work: measured) and marked ready; only a
# ready build is reused.

set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

# Bump when the way the kernel is built changes: it is part of the key.
RECIPE=2
FRAGMENT=$VMEM_SCRIPTS/testkernel.config

source_only=0
case ${1:-} in
--source) source_only=1 ;;
"") ;;
*) die "usage: testkernel.sh [--source]" ;;
esac

need_pkgs "$VMEM_SRC_PKG" make gcc libc6-dev flex bison bc libelf-dev \
	libssl-dev cpio xz-utils python3
[[ -f $VMEM_SRC_TARBALL ]] || die "no $VMEM_SRC_TARBALL"

srcver=$(dpkg-query -W -f='${Version}' "$VMEM_SRC_PKG")
srcver=${srcver//[^A-Za-z0-9.+-]/_}
srcdir=$VMEM_CACHE/src/$srcver/linux-source-6.12
hash=$( (echo "recipe $RECIPE"; cat "$FRAGMENT") | sha256sum)
key=$srcver-${hash:0:12}
build=$VMEM_CACHE/testkernel/$key

# Fast path, without the lock: what we need is there and complete.
if [[ -f $srcdir/.vmem-unpacked ]] &&
	{ ((source_only)) || [[ -f $build/.vmem-ready ]]; }; then
	if ((source_only)); then
		printf '%s\n' "$srcdir"
	else
		printf '%s\n' "$build"
	fi
	exit 0
fi

# One builder at a time; a second run waits and then finds the cache.
mkdir -p "$VMEM_CACHE"
exec 9>"$VMEM_CACHE/.lock"
flock 9

if [[ ! -f $srcdir/.vmem-unpacked ]]; then
	log "unpacking $VMEM_SRC_TARBALL into $srcdir"
	# Sources of other versions are 1.7 GB each and no key uses them.
	if [[ -d $VMEM_CACHE/src ]]; then
		find "$VMEM_CACHE/src" -mindepth 1 -maxdepth 1 \
			! -name "$srcver" -exec rm -rf {} +
	fi
	rm -rf "$srcdir" "$srcdir.tmp"
	mkdir -p "$srcdir.tmp"
	tar -xf "$VMEM_SRC_TARBALL" -C "$srcdir.tmp" --strip-components=1
	touch "$srcdir.tmp/.vmem-unpacked"
	mv "$srcdir.tmp" "$srcdir"
fi
if ((source_only)); then
	printf '%s\n' "$srcdir"
	exit 0
fi

if [[ -f $build/.vmem-ready ]]; then
	printf '%s\n' "$build"
	exit 0
fi

mkdir -p "$VMEM_LOGDIR"
blog=$VMEM_LOGDIR/testkernel-build.log
rm -rf "$build"
mkdir -p "$build"
log "configuring the test kernel in $build"
make -C "$srcdir" O="$build" ARCH=x86_64 KCONFIG_ALLCONFIG="$FRAGMENT" \
	allnoconfig >"$blog" 2>&1 || die "configuration failed; see $blog"

# Every line of the fragment must be in .config exactly.
dropped=()
while IFS= read -r line; do
	case $line in
	CONFIG_*=*) opt=${line%%=*} ;;
	"# CONFIG_"*" is not set") opt=${line#\# }; opt=${opt%% *} ;;
	*) continue ;;
	esac
	got=$(grep -E "^($opt=|# $opt is not set)" "$build/.config" ||
		echo "(absent)")
	[[ $got == "$line" ]] || dropped+=("$line  (got: $got)")
done <"$FRAGMENT"
if ((${#dropped[@]})); then
	printf 'error: Kconfig dropped options of %s:\n' "$FRAGMENT" >&2
	printf '  %s\n' "${dropped[@]}" >&2
	die "fix their dependencies in the fragment; .config: $build/.config"
fi

log "building the test kernel ($(nproc) jobs, about 4-5 minutes on 2 cores); log: $blog"
start=$SECONDS
make -C "$build" ARCH=x86_64 -j"$(nproc)" all >>"$blog" 2>&1 ||
	die "test kernel build failed; see $blog"
log "test kernel built in $((SECONDS - start)) s"

# Keep what M= builds and booting need: configs, headers, Module.symvers,
# host tools, bzImage; and vmlinux, whose debug info drgn reads
# (scripts/vmem-drgn.py), with its debug sections compressed.  The other
# objects and vmlinux images are 95% of the size.
objcopy --compress-debug-sections=zlib "$build/vmlinux" "$build/vmlinux.z" ||
	die "objcopy of vmlinux failed"
find "$build" \( -name '*.o' -o -name '*.a' -o -name '.*.cmd' \
	-o -name 'vmlinux*' -o -name '.tmp_vmlinux*' -o -name '*.mod.c' \) \
	! -name vmlinux.z -type f -delete
mv "$build/vmlinux.z" "$build/vmlinux"
[[ -f $build/arch/x86/boot/bzImage && -f $build/Module.symvers ]] ||
	die "test kernel build produced no bzImage or Module.symvers"
cp "$FRAGMENT" "$build/vmem-fragment.config"
touch "$build/.vmem-ready"
printf '%s\n' "$build"
