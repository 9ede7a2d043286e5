# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Helpers shared by the vmem build and test scripts.  Sourced, not run.
#
# Layout of what the scripts produce:
#   $VMEM_CACHE (~/.cache/vmem)   kernel source, test kernel builds, Debian
#                                 kernel images: outside the repo, survives
#                                 `make clean`, keyed so that a stale entry
#                                 is never reused.
#   $VMEM_BUILD (<repo>/build)    module builds per kernel, initramfs
#                                 images, and $VMEM_LOGDIR (build/logs):
#                                 every build log and serial console log.

VMEM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VMEM_SCRIPTS=$VMEM_ROOT/scripts
VMEM_CACHE=${VMEM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmem}
VMEM_BUILD=${VMEM_BUILD:-$VMEM_ROOT/build}
VMEM_LOGDIR=${VMEM_LOGDIR:-$VMEM_BUILD/logs}
export VMEM_ROOT VMEM_SCRIPTS VMEM_CACHE VMEM_BUILD VMEM_LOGDIR

# Debian's linux-source package for the test kernel.
VMEM_SRC_PKG=linux-source-6.12
VMEM_SRC_TARBALL=/usr/src/linux-source-6.12.tar.xz
export VMEM_SRC_PKG VMEM_SRC_TARBALL

log() {
	printf '==> %s\n' "$*" >&2
}

warn() {
	printf 'warning: %s\n' "$*" >&2
}

die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

# result RC MESSAGE [LOG]: count one check of a tier in $passed or
# $failed (RC 0: passed) and print it; a failure points at LOG if given.
passed=0
failed=0
result() {
	if (($1)); then
		echo "  FAILED  $2${3:+; see $3}"
		failed=$((failed + 1))
	else
		echo "  ok      $2"
		passed=$((passed + 1))
	fi
}

# tier_report NAME PASSED FAILED
#
# The one line by which a tier reports its counts; scripts/check.sh adds
# these lines up into the final "N passed, N failed".
tier_report() {
	printf 'TIER %s: %d passed, %d failed\n' "$1" "$2" "$3"
}

# Missing Debian packages among "$@" (by package name, as dpkg knows them).
missing_pkgs() {
	local p status

	for p in "$@"; do
		status=$(dpkg-query -W -f='${db:Status-Status}' "$p" \
			2>/dev/null) || status=
		[[ $status == installed ]] || printf '%s\n' "$p"
	done
}

# need_pkgs PKG...
#
# Install the Debian packages that are missing: with apt-get when running
# as root (updating the package lists once if an install fails), otherwise
# print the exact command and fail.
need_pkgs() {
	local -a missing

	mapfile -t missing < <(missing_pkgs "$@")
	((${#missing[@]})) || return 0
	if ((EUID != 0)); then
		printf 'error: missing Debian packages; install them with:\n' >&2
		printf '  sudo apt-get install -y %s\n' "${missing[*]}" >&2
		exit 1
	fi
	log "installing ${missing[*]}"
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends "${missing[@]}" >&2; then
		log "apt-get install failed; updating the package lists"
		apt-get update -q >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends "${missing[@]}" >&2 ||
			die "could not install ${missing[*]}"
	fi
}

# Packages every VM run needs on the host.
# shellcheck disable=SC2034 # used by the scripts that source this file
VMEM_VM_PKGS=(qemu-system-x86 busybox-static python3 gcc make libc6-dev)

# deb_headers_release META
#
# The kernel release (e.g. 6.1.0-56-amd64) of the headers package that the
# Debian metapackage META (linux-headers-amd64, linux-headers-6.12-amd64)
# depends on.  The headers and the kernel image are then taken at exactly
# that release, so the module is built for the kernel it is loaded into.
deb_headers_release() {
	local dep

	dep=$(dpkg-query -W -f='${Depends}' "$1" 2>/dev/null) ||
		die "package $1 is not installed"
	dep=${dep%%[ ,]*}
	[[ $dep == linux-headers-* ]] ||
		die "cannot tell the kernel release from $1 (Depends: $dep)"
	printf '%s\n' "${dep#linux-headers-}"
}

# stage_sources DEST
#
# Copy the module sources into DEST so that builds against several kernels
# do not share object files and never write into the repo.  Sources that
# were removed from the repo are removed from DEST; objects are kept only
# when the caller wants an incremental build (see build_modules).
stage_sources() {
	local dest=$1 d

	mkdir -p "$dest"
	for f in Kbuild Makefile vmem.mk dkms.conf; do
		rm -f "${dest:?}/$f"
		[[ -f $VMEM_ROOT/$f ]] && cp -a "$VMEM_ROOT/$f" "$dest/$f"
	done
	for d in include vmem debugfs kunit samples; do
		rm -rf "${dest:?}/$d"
		[[ -d $VMEM_ROOT/$d ]] && cp -a "$VMEM_ROOT/$d" "$dest/$d"
	done
}

# build_modules KDIR DEST LOG [MAKE ARGS...]
#
# A clean build in DEST (staged from the repo) against KDIR: vmem.ko and
# the KUnit module in one M= run, then the samples in a second one against
# its Module.symvers, as clients are built.  Clean, because a warning is
# only printed when a file is compiled: an incremental build would hide
# the warnings of files built before.
build_modules() {
	local kdir=$1 dest=$2 logf=$3

	shift 3
	rm -rf "$dest"
	stage_sources "$dest"
	mkdir -p "$(dirname "$logf")"
	make -C "$kdir" M="$dest" -j"$(nproc)" "$@" modules >"$logf" 2>&1 &&
		make -C "$kdir" M="$dest/samples" -j"$(nproc)" "$@" modules \
			>>"$logf" 2>&1
}

# Count the warning lines of a build log: compiler, modpost and kbuild
# warnings all contain "warning:" in one case or another.
count_warnings() {
	grep -ciE '(^|[^a-z])warning:' "$1" || true
}

# A timestamp for log file names.
stamp() {
	date +%Y%m%d-%H%M%S
}
