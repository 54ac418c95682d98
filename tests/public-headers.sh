#!/bin/sh
# The installed headers hold the API only.  Each one compiles included
# alone (as <conclab/X.h>, strict C11, every warning an error), and the
# only clab__ names they declare are the ones the API needs:
#   - functions that a macro of the headers calls (clab_mutex_lock(m) is
#     clab__mutex_lock(m, CLAB_FOREVER, CLAB_SITE())), never a function
#     nothing but a program could call, nor an inline one;
#   - no clab__ variable;
#   - of the types, only the building blocks that the caller-allocated
#     primitives embed (their fields private), listed below;
#   - CLAB__ macros only where the headers use them (in a macro, or an
#     X-macro table's expansion).
#
# usage: sh tests/public-headers.sh HEADER...
# Exit 77 (skip) where the compiler is not GCC (no -aux-info).
set -u
[ $# -gt 0 ] || { echo "usage: $0 HEADER..."; exit 2; }
CC=${CC:-cc}
T=$(mktemp -d "${TMPDIR:-/tmp}/conclab-headers.XXXXXX")
trap 'rm -rf "$T"' EXIT
if ! "$CC" --version 2>/dev/null | grep -q 'Free Software Foundation' ||
	"$CC" --version 2>/dev/null | grep -q clang; then
	echo "the compiler is not GCC (no -aux-info): skipped"
	exit 77
fi
# What clab_mutex_t and the other value types are made of.
BLOCKS="clab__obj clab__lock_t clab__waitq clab__waiter clab__thr"

fails=0
fail() {
	echo "FAIL: $*"
	fails=1
}

mkdir -p "$T/include/conclab"
for h in "$@"; do
	cp "$h" "$T/include/conclab/" || exit 1
done
for h in "$@"; do
	b=$(basename "$h")
	printf '#include <conclab/%s>\nint main(void) { return 0; }\n' "$b" \
		>"$T/alone.c"
	"$CC" -std=c11 -pedantic -Wall -Wextra -Werror -I"$T/include" \
		-fsyntax-only "$T/alone.c" 2>"$T/err" ||
		{ fail "<conclab/$b> alone does not compile:"; cat "$T/err"; }
done

# Every clab__ function the headers declare or define (GCC's -aux-info:
# an F among the flags is a definition, a static inline one).
for h in "$@"; do
	printf '#include <conclab/%s>\n' "$(basename "$h")"
done >"$T/all.c"
"$CC" -std=gnu11 -D_GNU_SOURCE -I"$T/include" -fsyntax-only \
	-aux-info "$T/aux" "$T/all.c" || { echo "FAIL: the headers"; exit 1; }
grep -F "/* $T/include/conclab/" "$T/aux" >"$T/ours"
grep ':[A-Z]*F[A-Z]* \*/' "$T/ours" |
	sed -n 's/.*[ *]\(clab__[A-Za-z0-9_]*\) (.*/\1/p' >"$T/inline"
grep -v ':[A-Z]*F[A-Z]* \*/' "$T/ours" |
	sed -n 's/.*[ *]\(clab__[A-Za-z0-9_]*\) (.*/\1/p' | sort -u >"$T/funcs"
[ "$(wc -l <"$T/funcs")" -ge 20 ] ||
	fail "only $(wc -l <"$T/funcs") clab__ functions found: the parse broke"
if [ -s "$T/inline" ]; then
	fail "inline internals in the installed headers:"
	sed 's/^/  /' "$T/inline"
fi

# The text of the headers' macros, continuation lines joined.
cat "$@" | sed -e ':a' -e '/\\$/N; s/\\\n//; ta' | grep '^#define' \
	>"$T/macros"
while read -r f; do
	grep -q "[^A-Za-z0-9_]$f[^A-Za-z0-9_]" "$T/macros" ||
		fail "$f is declared, but no macro of the headers calls it"
done <"$T/funcs"

cat "$@" | grep -v '^ *\*\|^/\*' >"$T/code"
vars=$(sed -n 's/^extern [^(;]*[ *]\(clab__[A-Za-z0-9_]*\);$/\1/p' "$T/code")
[ -z "$vars" ] || fail "clab__ variables in the installed headers:" $vars

types=$(grep -o 'struct clab__[A-Za-z0-9_]*\|clab__[A-Za-z0-9_]*_t\b' \
	"$T/code" | sed 's/^struct //' | sort -u)
for t in $types; do
	case " $BLOCKS " in
	*" $t "*) ;;
	*) fail "internal type $t in the installed headers" ;;
	esac
done

for m in $(sed -n 's/^#define \(CLAB__[A-Za-z0-9_]*\).*/\1/p' "$T/macros"); do
	cat "$@" | sed -e ':a' -e '/\\$/N; s/\\\n//; ta' |
		grep -v "^#define $m[ (]\|^#undef $m\b" |
		grep -q "[^A-Za-z0-9_]$m[^A-Za-z0-9_]" ||
		fail "macro $m is defined, but the headers do not use it"
done

[ "$fails" -eq 0 ] || exit 1
echo "ok: $# headers compile alone; $(wc -l <"$T/funcs") clab__ functions," \
	"each called by a macro; only the primitives' building blocks"
