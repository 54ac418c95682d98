#!/bin/sh
# A student's own program (its own main()) on libconclab, built twice: by
# meson (ENDING, tests/own/ending.c) and here by hand with the build's
# conclab-uninstalled.pc, as docs/runtime.md says.  Each makes 1,000
# lock/unlock pairs in four threads and then ends without closing the
# trace: a return from main, exit() (in main or in a thread), abort(), a
# failed assert, a null pointer (in main or in a thread), a division by
# zero, a SIGSEGV that the program's own handler takes, SIGKILL, forked
# children that exit or crash with the trace open, and in a
# sanitizer build a report that ends the program.  Every
# pair must be in the trace (conclab dump counts them), and the program
# must end as it would without conclab.
#
# usage: sh tests/e2e/own.sh CONCLAB ENDING UNINSTALLED_PC_DIR SANITIZE
# (SANITIZE: meson's b_sanitize, "none" or the -fsanitize= list)
. "$(dirname "$0")/lib.sh"
ENDING=${2:?usage: $0 CONCLAB ENDING PCDIR SANITIZE}
PCDIR=${3:?usage: $0 CONCLAB ENDING PCDIR SANITIZE}
SANITIZE=${4:-none}
SRC=$(cd "$(dirname "$0")/.." && pwd)/own/ending.c
case $ENDING in /*) ;; *) ENDING=$OLDPWD/$ENDING ;; esac
case $PCDIR in /*) ;; *) PCDIR=$OLDPWD/$PCDIR ;; esac

# The exit code of a run that a sanitizer ends (its options' exitcode).
case $SANITIZE in
*thread*) san_opts=${TSAN_OPTIONS:-} ;;
*) san_opts=${ASAN_OPTIONS:-} ;;
esac
san_exit=$(printf '%s' "$san_opts" |
	sed -n 's/.*exitcode=\([0-9]*\).*/\1/p')
san_exit=${san_exit:-1}
ubsan_exit=$(printf '%s' "${UBSAN_OPTIONS:-}" |
	sed -n 's/.*exitcode=\([0-9]*\).*/\1/p')
ubsan_exit=${ubsan_exit:-1}

# pairs TRACE: the mutex's acquires and releases, "ACQ REL".
pairs() {
	"$CONCLAB" dump "$1" >"$T/dump" 2>"$T/dumperr"
	echo "$(count_lines "$T/dump" ' mutex\.acquire +m#[0-9]+ ')" \
		"$(count_lines "$T/dump" ' mutex\.release +m#[0-9]+ ')"
}

# ending PROG LABEL HOW CODES...: run PROG's ending HOW; its exit code
# must be one of CODES, and the trace must hold the 1,000 pairs.
ending() {
	prog=$1 label=$2 how=$3
	shift 3
	trace="$T/$label-$how.clt"
	rm -f "$trace"
	"$prog" "$trace" "$how" >"$T/out" 2>"$T/err"
	rc=$?
	ok=0
	for c in "$@"; do
		[ "$rc" -eq "$c" ] && ok=1
	done
	if [ "$ok" -eq 1 ]; then
		pass "$label $how: exit $rc"
	else
		fail "$label $how: exit $rc, expected one of $*"
		sed 's/^/  stderr: /' "$T/err" | tail -n 10
	fi
	got=$(pairs "$trace")
	if [ "$got" = "1000 1000" ]; then
		pass "$label $how: the trace holds the 1000 pairs"
	else
		fail "$label $how: the trace holds '$got' acquires/releases, not 1000 of each"
		sed 's/^/  dump: /' "$T/dumperr" | tail -n 5
	fi
}

# In a sanitizer build, the sanitizer takes a SIGSEGV (conclab's handler
# gives it on) and ends the program with its own exit code.
segv=139
fpe=136
if [ "$SANITIZE" != none ]; then
	segv="139 $san_exit"
	fpe="136 $san_exit"
fi

run_all() {
	prog=$1 label=$2
	ending "$prog" "$label" close 0
	expect_exit 0 "$CONCLAB" dump "$T/$label-close.clt"
	# children that exit or crash leave their parent's trace alone (what
	# the writer's thread had allocated when the process forked is lost
	# in the child: LeakSanitizer would report it at the child's exit)
	saved_asan=${ASAN_OPTIONS-}
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	ending "$prog" "$label" fork 0
	export ASAN_OPTIONS="$saved_asan"
	expect_exit 0 "$CONCLAB" dump "$T/$label-fork.clt"
	ending "$prog" "$label" return 0
	ending "$prog" "$label" exit 0
	ending "$prog" "$label" exit-thread 0
	ending "$prog" "$label" abort 134
	ending "$prog" "$label" assert 134
	contains "$T/err" 'Assertion .* failed' "$label assert: the assertion's message"
	ending "$prog" "$label" segv $segv
	ending "$prog" "$label" segv-thread $segv
	ending "$prog" "$label" fpe $fpe
	# the program's handler, installed before the open, still runs
	ending "$prog" "$label" own-segv 42
	contains "$T/err" '^own handler ran$' "$label own-segv: its own handler ran"
	# SIGKILL: the writer had written the pairs (older than its 500 ms);
	# the trace is cut short and every whole chunk is read
	# a sanitizer's report that ends the program (by _exit)
	case "$SANITIZE ${UBSAN_OPTIONS:-}" in
	*undefined*halt_on_error=1*)
		ending "$prog" "$label" overflow "$ubsan_exit"
		contains "$T/err" 'signed integer overflow' "$label overflow: UBSan's report"
		;;
	esac
	ending "$prog" "$label" kill 137
	expect_exit 2 "$CONCLAB" dump "$T/$label-kill.clt"
	contains "$T/err" 'cut short' "$label kill: the dump says the trace was cut short"
}

# (a) built by meson against libconclab_dep
run_all "$ENDING" meson

# (b) built by hand with conclab-uninstalled.pc, as docs/runtime.md says,
# and run as a user runs it: without meson's LD_LIBRARY_PATH
unset LD_LIBRARY_PATH
export PKG_CONFIG_PATH="$PCDIR"
flags=$(pkg-config --cflags --libs conclab-uninstalled) ||
	{ fail "pkg-config conclab-uninstalled"; finish; }
case $flags in
*-lconclab*) pass "conclab-uninstalled.pc links -lconclab" ;;
*) fail "conclab-uninstalled.pc's flags '$flags' link no libconclab" ;;
esac
san=
[ "$SANITIZE" != none ] && san="-fsanitize=$SANITIZE"
# shellcheck disable=SC2086 # the flags are words
if "${CC:-cc}" -std=gnu11 -g -O2 -Wall -Wextra -Werror $san -o "$T/ending" \
	"$SRC" $flags >"$T/cc" 2>&1; then
	pass "ending.c builds with pkg-config conclab-uninstalled"
	# it runs without LD_LIBRARY_PATH: the library's place is in it
	if ldd "$T/ending" | grep -q 'libconclab\.so.* => .*/runtime/libconclab\.so'; then
		pass "ending finds the build's libconclab.so"
	else
		fail "ending does not find the build's libconclab.so"
		ldd "$T/ending" | sed 's/^/  /'
	fi
	run_all "$T/ending" pkgconfig
else
	fail "ending.c does not build with pkg-config conclab-uninstalled"
	sed 's/^/  /' "$T/cc"
fi
finish
