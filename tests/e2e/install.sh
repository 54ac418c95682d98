#!/bin/sh
# The installed conclab, as a new user meets it, without its source tree:
# a copy of this tree is built and installed into a temporary prefix with
# meson and ninja, the copy is deleted, and then, with PKG_CONFIG_PATH at
# the installed conclab.pc, pkg-config finds the headers and the starters,
# `conclab exercise --init` writes a starter, the installed conclab builds
# and grades solutions, a solution built by hand with the compiler line of
# docs/exercises.md is loaded and graded, a student's own program is built
# with the line of docs/runtime.md against the installed libconclab,
# `conclab bench --whole` finds its installed programs, `conclab trace`
# its preload library, and `conclab demo` its scripts.
#
# usage: sh tests/e2e/install.sh CONCLAB (the build's, for its version)
SRC=$(cd "$(dirname "$0")/../.." && pwd)
X=$SRC/tests/exercises
. "$(dirname "$0")/lib.sh"
BUILD_CONCLAB=$CONCLAB
# A timeout (SIGTERM), Ctrl-C or a closed pipe still removes the
# temporary directory (the EXIT trap of lib.sh).
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 141' PIPE
trap 'exit 143' TERM
start=$(date +%s)

copy=$T/src
build=$T/build
prefix=$T/prefix
mkdir "$copy" "$T/sol" || exit 1
cp "$X/philosophers-good.c" "$X/philosophers-naive.c" "$T/sol/" || exit 1

# The source tree as a user gets it: the files git knows (tracked, and new
# ones not ignored; none of the build directories), else everything but
# .git and the build directories (those with a build.ninja).
if git -C "$SRC" ls-files --cached --others --exclude-standard \
	>"$T/files" 2>/dev/null && grep -qx meson.build "$T/files"; then
	while IFS= read -r f; do
		[ -f "$SRC/$f" ] && printf '%s\n' "$f"
	done <"$T/files" >"$T/present"
	tar -C "$SRC" -cf "$T/src.tar" --verbatim-files-from -T "$T/present" ||
		{ fail "archive the files git lists"; finish; }
	pass "copying $(wc -l <"$T/present") files git lists"
else
	tar -C "$SRC" -cf "$T/src.tar" --exclude=./.git \
		--exclude-tag-all=build.ninja . ||
		{ fail "archive the source tree"; finish; }
	pass "no git: copying the tree without .git and build directories"
fi
tar -C "$copy" -xf "$T/src.tar" || { fail "extract the copy"; finish; }
rm -f "$T/src.tar"

# Build and install it, offline, without the test suites.
if ! meson setup "$build" "$copy" --prefix="$prefix" \
	-Dbuildtype=debugoptimized -Dtests=false --wrap-mode=nodownload \
	>"$T/setup.log" 2>&1; then
	fail "meson setup"
	tail -n 30 "$T/setup.log"
	finish
fi
if ! ninja -C "$build" install >"$T/install.log" 2>&1; then
	fail "ninja install"
	tail -n 30 "$T/install.log"
	finish
fi
built=$(date +%s)
pass "built and installed into the prefix in $((built - start)) s"
CONCLAB=$prefix/bin/conclab
[ -x "$CONCLAB" ] || { fail "no $CONCLAB"; finish; }
# The binary knows the copy as its source tree: delete it, and the build.
grep -q -a -F "$copy" "$CONCLAB" || fail "the copy's path is not in conclab"
rm -rf "$copy" "$build"
[ ! -e "$copy" ] && [ ! -e "$build" ] || { fail "the copy is still there"; finish; }
pass "the source tree and the build are gone"

# Without conclab.pc, conclab cannot find its headers: exit 5.
expect_exit 5 env PKG_CONFIG_PATH= PKG_CONFIG_LIBDIR="$T/nowhere" \
	"$CONCLAB" exercise philosophers -q --trace "$T/none.clt" \
	"$T/sol/philosophers-good.c"
contains "$T/err" "cannot find conclab's headers" "no headers without conclab.pc"

# (a) pkg-config conclab, from the installed conclab.pc.
find "$prefix" -name conclab.pc >"$T/pc"
[ "$(wc -l <"$T/pc")" -eq 1 ] || { fail "conclab.pc installed $(wc -l <"$T/pc") times"; finish; }
PKG_CONFIG_PATH=$(dirname "$(cat "$T/pc")")
export PKG_CONFIG_PATH
expect_exit 0 pkg-config --cflags conclab
case " $(cat "$T/out") " in
" -I$prefix/include "*) pass "Cflags start with -I$prefix/include" ;;
*) fail "Cflags are '$(cat "$T/out")', not -I$prefix/include first" ;;
esac
[ -f "$prefix/include/conclab/runtime.h" ] || fail "no conclab/runtime.h"
# Libs: the library, for students' own programs (solutions take --cflags)
libdir=$(pkg-config --variable=libdir conclab)
case $libdir in
"$prefix"/*) pass "libdir $libdir is in the prefix" ;;
*) fail "libdir is '$libdir', outside $prefix" ;;
esac
expect_exit 0 pkg-config --libs conclab
case " $(cat "$T/out") " in
*" -L$libdir -lconclab "*) pass "Libs link -lconclab from $libdir" ;;
*) fail "Libs are '$(cat "$T/out")', not -L$libdir -lconclab" ;;
esac
for f in libconclab.so libconclab.a; do
	[ -e "$libdir/$f" ] && pass "$f installed" || fail "no $libdir/$f"
done
expect_exit 0 pkg-config --variable=startersdir conclab
starters=$(cat "$T/out")
[ "$starters" = "$prefix/share/conclab/starters" ] ||
	fail "startersdir is '$starters'"
expect_exit 0 pkg-config --modversion conclab
[ "conclab $(cat "$T/out")" = "$("$CONCLAB" --version)" ] ||
	fail "conclab.pc's version is not conclab's"
[ "$("$BUILD_CONCLAB" --version)" = "$("$CONCLAB" --version)" ] ||
	fail "the installed conclab's version is not the build's"

# (b) the starters, from the installed conclab.
expect_exit 0 "$CONCLAB" exercise philosophers --init "$T/phil"
for f in philosophers.c philosophers.h; do
	cmp -s "$starters/$f" "$T/phil/$f" || fail "--init: $f differs from $starters/$f"
done
[ -s "$T/phil/README.md" ] || fail "--init wrote no README.md"
(cd "$T/phil" && "$CONCLAB" exercise philosophers -q philosophers.c \
	>"$T/out" 2>"$T/err")
rc=$?
case $rc in
0 | 1 | 3) pass "the starter builds and runs (exit $rc)" ;;
*) fail "the starter exited $rc"; tail -n 20 "$T/err" ;;
esac

# (c) the installed conclab builds and grades solutions.
expect_exit 0 "$CONCLAB" exercise philosophers -q --trace "$T/good.clt" \
	"$T/sol/philosophers-good.c"
contains "$T/out" '^checks \(philosophers exercise\):' "good: graded"
contains "$T/out" '^([0-9]+) of \1 properties hold' "good: every property holds"
expect_exit 3 "$CONCLAB" exercise philosophers -q --trace "$T/naive.clt" \
	"$T/sol/philosophers-naive.c"
contains "$T/out" '^  FAIL no deadlock' "naive: 'no deadlock' fails"
contains "$T/err" 'deadlock' "naive: the watchdog's report"

# (d) by hand, with the compiler line of docs/exercises.md, then loaded.
cd "$T/sol" || exit 1
cp philosophers-good.c philosophers.c
if cc -std=gnu11 -g -O0 -fPIC -shared $(pkg-config --cflags conclab) \
	-I"$(pkg-config --variable=startersdir conclab)" \
	-o philosophers.so philosophers.c >"$T/cc" 2>&1; then
	pass "the documented compiler line builds philosophers.so"
else
	fail "the documented compiler line"
	cat "$T/cc"
fi
# only the flags: the solution needs no library, and must not have one
if readelf -d philosophers.so 2>/dev/null | grep -q 'NEEDED.*libconclab'; then
	fail "the solution built with --cflags links libconclab"
else
	pass "the solution built with --cflags links no libconclab"
fi
expect_exit 0 "$CONCLAB" exercise philosophers --trace "$T/so.clt" \
	philosophers.so
contains "$T/out" '^conclab: philosophers.so is built already' "the .so is loaded, not compiled"
contains "$T/out" '^([0-9]+) of \1 properties hold' "the .so: every property holds"
expect_exit 0 "$CONCLAB" check "$T/so.clt"
cp philosophers-naive.c philosophers.c
cc -std=gnu11 -g -O0 -fPIC -shared $(pkg-config --cflags conclab) \
	-I"$(pkg-config --variable=startersdir conclab)" \
	-o philosophers.so philosophers.c || fail "naive: compiler line"
expect_exit 3 "$CONCLAB" exercise philosophers -q --trace "$T/so.clt" \
	philosophers.so
contains "$T/out" '^  FAIL no deadlock' "the naive .so: 'no deadlock' fails"

# (e) a student's own program (its own main()), built with the compiler
# line of docs/runtime.md against the installed libconclab, and run as a
# user runs it: the library is found without LD_LIBRARY_PATH, and the
# trace of a program that aborts holds every pair it made.
cp "$SRC/tests/own/ending.c" "$T/sol/ending.c" || fail "copy ending.c"
if cc -std=gnu11 -g -O2 -o ending ending.c \
	$(pkg-config --cflags --libs conclab) >"$T/cc" 2>&1; then
	pass "the documented line builds an own program"
else
	fail "the documented line does not build an own program"
	cat "$T/cc"
fi
if env -u LD_LIBRARY_PATH ldd ./ending | grep -q "libconclab\.so.* => $libdir/"; then
	pass "the program finds $libdir/libconclab.so"
else
	fail "the program does not find the installed libconclab.so"
	env -u LD_LIBRARY_PATH ldd ./ending | sed 's/^/  /'
fi
for how in close abort; do
	env -u LD_LIBRARY_PATH ./ending "$T/own-$how.clt" $how >/dev/null 2>&1
	"$CONCLAB" dump "$T/own-$how.clt" >"$T/own.txt" 2>&1
	n=$(grep -c -E ' mutex\.(acquire|release) +m#[0-9]+ ' "$T/own.txt")
	[ "$n" -eq 2000 ] && pass "own program, $how: the 1000 pairs" ||
		fail "own program, $how: $n records of the pairs, not 2000"
done

# Headers under a path with a space: pkg-config writes it as "\ ", and
# conclab splits --cflags as a shell would.
sp="$T/with space"
mkdir -p "$sp/pc" && cp -R "$prefix/include" "$prefix/share" "$sp/" ||
	fail "copy the headers under a path with a space"
cat >"$sp/pc/conclab.pc" <<EOF
prefix=$(printf '%s' "$sp" | sed 's/ /\\ /g')
includedir=\${prefix}/include
startersdir=\${prefix}/share/conclab/starters

Name: conclab
Description: conclab's headers, under a path with a space
Version: $(pkg-config --modversion conclab)
Cflags: -I\${includedir}
EOF
rm -rf "$prefix/include/conclab"
expect_exit 0 env PKG_CONFIG_PATH="$sp/pc" "$CONCLAB" exercise philosophers \
	-q --trace "$T/sp.clt" "$T/sol/philosophers-good.c"
contains "$T/out" '^([0-9]+) of \1 properties hold' "headers under a path with a space"

# Sites name conclab's own sources by their path in the tree, however far
# from it the build directory was ($T/build beside $T/src here).
expect_exit 3 "$CONCLAB" run philosophers --variant naive -q --trace "$T/run.clt"
expect_exit 0 "$CONCLAB" dump "$T/run.clt"
contains "$T/out" ' @ labs/philosophers\.c:[0-9]+ ' "sites read labs/philosophers.c"
if grep -q ' @ [^ ]*src/labs/' "$T/out"; then
	fail "a site still carries the build's way to the tree"
else
	pass "no site carries the build's way to the tree"
fi

# (e) conclab bench --whole runs the installed programs, the build gone.
expect_exit 0 "$CONCLAB" bench --case prodcons --scale 0.0001 --reps 1 --json
if python3 -c '
import json, sys
w = json.load(open(sys.argv[1]))["whole"]
assert w["programs"] == sys.argv[2] + "/libexec/conclab/bench", w["programs"]
assert "plain" in w["cases"]["prodcons"]["variants"]
assert "conclab" in w["cases"]["prodcons"]["variants"]
' "$T/out" "$prefix"; then
	pass "bench --whole runs the programs in <libexecdir>/conclab/bench"
else
	fail "bench --whole did not run the installed programs"
	head -c 1500 "$T/out"
fi

# (f) conclab trace loads the installed preload library into a program.
find "$prefix" -name libconclab-preload.so >"$T/pl"
grep -q '/conclab/libconclab-preload.so$' "$T/pl" ||
	fail "libconclab-preload.so not installed in <libdir>/conclab"
if cc -g -pthread -o "$T/abba" "$SRC/tests/preload/abba.c" >"$T/cc" 2>&1; then
	expect_exit 1 "$CONCLAB" trace --trace "$T/abba.clt" "$T/abba"
	contains "$T/out" 'requested a at .*abba\.c:28' "trace: the installed preload library records the program"
else
	fail "build tests/preload/abba.c"
	cat "$T/cc"
fi

# (g) conclab demo finds the installed scripts, the source tree gone.
expect_exit 0 "$CONCLAB" demo --check
contains "$T/out" '^ok .*/share/conclab/demos/philosophers-naive\.demo: philosophers/naive' \
	"demo --check plays the scripts in <datadir>/conclab/demos"
[ "$(grep -c '^ok ' "$T/out")" -eq "$(ls "$SRC"/labs/demos/*.demo | wc -l)" ] &&
	pass "every script of labs/demos is installed" ||
	fail "$(grep -c '^ok ' "$T/out") installed demos, $(ls "$SRC"/labs/demos/*.demo | wc -l) in labs/demos"

echo "took $(($(date +%s) - start)) s ($((built - start)) s to build and install)"
finish
