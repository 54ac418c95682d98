#!/bin/sh
# libconclab.so exports exactly what the installed headers declare: every
# function (the clab__ ones that their macros call included) and every
# variable, and no other symbol.  The declarations
# come from the compiler (GCC's -aux-info), the exports from nm -D.
#
# usage: sh tests/lib-exports.sh LIBCONCLAB.so HEADER...
# Exit 77 (skip) where the compiler is not GCC or nm is missing.
set -u
LIB=${1:?usage: $0 LIBCONCLAB.so HEADER...}
shift
CC=${CC:-cc}
T=$(mktemp -d "${TMPDIR:-/tmp}/conclab-exports.XXXXXX")
trap 'rm -rf "$T"' EXIT
command -v nm >/dev/null || { echo "no nm: skipped"; exit 77; }
if ! "$CC" --version 2>/dev/null | grep -q 'Free Software Foundation' ||
	"$CC" --version 2>/dev/null | grep -q clang; then
	echo "the compiler is not GCC (no -aux-info): skipped"
	exit 77
fi

# One file that includes every installed header, from a copy laid out as
# installed (<conclab/X.h>).
mkdir -p "$T/include/conclab"
for h in "$@"; do
	cp "$h" "$T/include/conclab/" || exit 1
	printf '#include <conclab/%s>\n' "$(basename "$h")" >>"$T/all.c"
done
"$CC" -std=gnu11 -D_GNU_SOURCE -I"$T/include" -fsyntax-only \
	-aux-info "$T/aux" "$T/all.c" || { echo "FAIL: the headers"; exit 1; }
# Functions declared (not defined: static inline ones are) in the headers.
grep -F "/* $T/include/conclab/" "$T/aux" |
	grep -v ':[A-Z]*F[A-Z]* \*/' |
	sed -n 's/.*[ *]\(clab_[A-Za-z0-9_]*\) (.*/\1/p' >"$T/declared"
# Variables: extern declarations, and the definitions a header makes.
cat "$@" | sed -n \
	-e 's/^extern [^(;]*[ *]\(clab_[A-Za-z0-9_]*\);$/\1/p' \
	-e 's/^const [a-z ]*[ *]\(clab_[A-Za-z0-9_]*\) = .*;$/\1/p' \
	>>"$T/declared"
sort -u "$T/declared" -o "$T/declared"
nm -D --defined-only "$LIB" | awk '{ print $NF }' | sed 's/@.*//' |
	sort -u >"$T/exported"

fails=0
n=$(wc -l <"$T/declared")
[ "$n" -ge 50 ] || { echo "FAIL: only $n declarations found"; fails=1; }
comm -23 "$T/declared" "$T/exported" >"$T/missing"
comm -13 "$T/declared" "$T/exported" >"$T/extra"
if [ -s "$T/missing" ]; then
	echo "FAIL: declared in the headers, not exported:"
	sed 's/^/  /' "$T/missing"
	fails=1
fi
if [ -s "$T/extra" ]; then
	echo "FAIL: exported, declared in no installed header:"
	sed 's/^/  /' "$T/extra"
	fails=1
fi
[ "$fails" -eq 0 ] || exit 1
echo "ok: the $n symbols the headers declare, and nothing else"
