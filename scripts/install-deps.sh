#!/bin/sh
# Install every Debian package that conclab's build, tests and benchmark need.
# Safe to run again; does nothing that is already done.
# libclang-rt-dev brings libFuzzer (libclang-rt-14-dev) for the fuzzers
# (docs/fuzzing.md) besides the sanitizers' runtimes.  libdebuginfod1 (the
# client libdw would load) is there for the test that conclab never asks a
# debuginfod server (tests/e2e/trace.sh), as on Ubuntu and wherever gdb is.
set -eu
PKGS="meson ninja-build pkg-config gcc clang libclang-rt-dev libncurses-dev \
libunwind-dev libcunit1-dev libdw-dev libelf-dev zlib1g-dev libzstd-dev tmux \
clang-format-14 git libseccomp-dev libsodium-dev libdebuginfod1"
missing=""
for p in $PKGS; do
	dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		SUDO=sudo
	else
		SUDO=
	fi
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends $missing
fi
