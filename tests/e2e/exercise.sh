#!/bin/sh
# conclab exercise: each lab's correct solution passes, the classic
# mistakes fail with the property they break, the starters compile and
# run, a file that does not compile exits 2 with the compiler's message,
# and a solution that crashes ends with a report and a trace in time.
X=$(cd "$(dirname "$0")/../exercises" && pwd)
. "$(dirname "$0")/lib.sh"
command -v "${CC:-cc}" >/dev/null 2>&1 || { echo "no C compiler: skipped"; exit 77; }

# ex CODE LAB FILE [ARGS...]: run an exercise quietly, check its exit code
ex() {
	want=$1 lab=$2 file=$3
	shift 3
	expect_exit "$want" "$CONCLAB" exercise "$lab" -q --time-limit 60 \
		--trace "$T/$lab.clt" "$@" "$X/$file"
}

# Correct solutions pass, and the trace grades the same with check.
for lab in philosophers prodcons timer; do
	ex 0 $lab $lab-good.c
	contains "$T/out" "^checks \\($lab exercise\\):" "$lab: report names the exercise"
	contains "$T/out" '^[0-9]+ of [0-9]+ properties hold' "$lab: summary line"
	expect_exit 0 "$CONCLAB" check "$T/$lab.clt"
	"$CONCLAB" dump "$T/$lab.clt" >"$T/dump" 2>&1
	contains "$T/dump" '^# meta exercise=1' "$lab: trace says exercise=1"
	contains "$T/dump" "^# meta lab=$lab" "$lab: trace names the lab"
	contains "$T/dump" "@ [^ ]*$lab-good.c:[0-9]+ " "$lab: records attributed to the student's file and line"
	"$CONCLAB" check --format gradescope "$T/$lab.clt" >"$T/gs" 2>&1
	contains "$T/gs" '^\{"score":[0-9]+,' "$lab: gradescope results"
done

# philosophers: left then right deadlocks.
ex 3 philosophers philosophers-naive.c
contains "$T/out" '^  FAIL no deadlock' "philosophers naive: 'no deadlock' fails"
contains "$T/err" 'deadlock' "philosophers naive: the watchdog's report"

# philosophers: left then right, but a waiter with one seat too few: the
# detector sees the cycle, and that the seats gate it; every property holds.
ex 0 philosophers philosophers-waiter.c
contains "$T/out" '^  ok   lock order ' "philosophers waiter: 'lock order' holds"
contains "$T/out" 'gated lock-order cycle, 5 locks' "philosophers waiter: the cycle is shown, gated"
contains "$T/out" 'a permit of seats, which lets at most 4' "philosophers waiter: gated by the seats"
expect_exit 0 "$CONCLAB" check "$T/philosophers.clt"
"$CONCLAB" exercise philosophers -q --trace "$T/waiter6.clt" --philosophers 6 \
	"$X/philosophers-waiter.c" >"$T/out" 2>&1
contains "$T/out" '^([0-9]+) of \1 properties hold' "philosophers waiter, 6 at the table: every property holds"

# prodcons: `if` around the wait over-consumes (a slow producer, three
# eager consumers woken by a broadcast).
ex 1 prodcons prodcons-ifwait.c --producers 1 --consumers 3 --items 8 \
	--produce_ms 20 --consume_ms 0
contains "$T/out" '^  FAIL (consumed once|buffer depth)' "prodcons if-wait: an item property fails"

# prodcons: one condition variable and signal: everyone sleeps (or items
# go wrong).
"$CONCLAB" exercise prodcons -q --time-limit 60 --trace "$T/scv.clt" \
	--producers 4 --consumers 4 --items 500 --capacity 1 --produce_ms 0 \
	--consume_ms 0 "$X/prodcons-singlecv.c" >"$T/out" 2>"$T/err"
rc=$?
case $rc in
1 | 3) pass "prodcons single-cv exited $rc" ;;
*) fail "prodcons single-cv exited $rc, expected 3 (or 1)" ;;
esac
contains "$T/out" '^  FAIL ' "prodcons single-cv: a property fails"

# timer: signal instead of broadcast misses ticks.
ex 1 timer timer-notify.c
contains "$T/out" '^  FAIL (countdown|countup) saw every tick +missed' "timer notify-one: missed ticks"

# The starters compile and run: they may fail properties, never crash or
# hang (0, 1 or 3).
for lab in philosophers prodcons timer; do
	"$CONCLAB" exercise $lab --init "$T/start-$lab" >"$T/out" 2>&1 ||
		fail "$lab --init"
	for f in $lab.c $lab.h README.md; do
		[ -s "$T/start-$lab/$f" ] || fail "$lab --init wrote no $f"
	done
	contains "$T/start-$lab/README.md" "conclab exercise $lab $lab.c" "$lab: README has the command"
	(cd "$T/start-$lab" && "$CONCLAB" exercise $lab -q --time-limit 60 $lab.c \
		>"$T/out" 2>"$T/err")
	rc=$?
	case $rc in
	0 | 1 | 3) pass "$lab starter runs (exit $rc)" ;;
	*) fail "$lab starter exited $rc"; tail -n 20 "$T/err" ;;
	esac
	[ -s "$T/start-$lab/$lab-exercise.clt" ] || fail "$lab starter: no trace"
done
expect_exit 5 "$CONCLAB" exercise philosophers --init "$T/start-philosophers"
contains "$T/err" 'File exists' "--init does not overwrite"

# A file that does not compile: exit 2 and the compiler's message.
ex 2 philosophers broken.c
contains "$T/err" 'error' "broken: the compiler's message"
contains "$T/err" 'does not compile' "broken: conclab says so"

# A solution that dereferences NULL: a report, the trace, 128+SIGSEGV.
start=$(date +%s)
ex 139 philosophers philosophers-null.c --time-limit 20
took=$(($(date +%s) - start))
[ "$took" -le 60 ] || fail "null: took ${took}s"
contains "$T/err" 'crashed: Segmentation fault' "null: the crash is reported"
contains "$T/out" '^  FAIL (meals eaten|all threads ended)' "null: the trace is checked"
expect_exit 1 "$CONCLAB" check "$T/philosophers.clt"

# An index out of bounds: with GCC, UBSan names the line, the abort saves
# the trace, and it is graded.  (Another compiler builds it without.)
if "${CC:-cc}" --version 2>/dev/null | grep -q 'Free Software Foundation' &&
	! "${CC:-cc}" --version 2>/dev/null | grep -q clang; then
	ex 134 philosophers philosophers-oob.c
	contains "$T/err" 'philosophers-oob\.c:[0-9]+:[0-9]+: runtime error: index -1 out of bounds' "oob: UBSan names the line"
	contains "$T/err" 'crashed: Aborted \(ABRT\); saving the trace' "oob: the abort saves the trace"
	contains "$T/out" '^  FAIL meals eaten' "oob: the trace is graded"
	expect_exit 1 "$CONCLAB" check "$T/philosophers.clt"
else
	pass "oob: the compiler is not GCC, no UBSan to test"
fi

# A solution built by hand into a shared object is loaded as is (here with
# this tree's headers; tests/e2e/install.sh builds one with pkg-config).
S=$(cd "$X/../.." && pwd)
cp "$X/philosophers-good.c" "$T/philosophers.c"
"${CC:-cc}" -std=gnu11 -g -O0 -fPIC -shared -I"$S/runtime/include" \
	-I"$S/tracer/include" -I"$S/labs/starters" -o "$T/philosophers.so" \
	"$T/philosophers.c" || fail "philosophers.so does not build"
# A bare name is a file in the current directory, not a library to look up.
expect_exit 0 "$CONCLAB" exercise philosophers --trace "$T/so.clt" philosophers.so
contains "$T/out" '^conclab: philosophers.so is built already' "so: loaded, not compiled"
contains "$T/out" '^([0-9]+) of \1 properties hold' "so: every property holds"
expect_exit 2 "$CONCLAB" exercise philosophers -q nosuch.so
contains "$T/err" 'cannot read nosuch.so' "so: a missing file"
echo 'not an ELF file' >"$T/junk.so"
expect_exit 2 "$CONCLAB" exercise philosophers -q "$T/junk.so"
contains "$T/err" 'cannot load' "so: not a shared object"
printf '#include <conclab/runtime.h>\nint get_forks_not;\n' >"$T/empty.c"
"${CC:-cc}" -std=gnu11 -fPIC -shared -I"$S/runtime/include" \
	-I"$S/tracer/include" -o "$T/empty.so" "$T/empty.c" || fail "empty.so"
expect_exit 2 "$CONCLAB" exercise philosophers -q "$T/empty.so"
contains "$T/err" 'does not define get_forks' "so: a missing function"
# Built against other headers, or without them: refused, not run.
printf 'void get_forks(void) {}\nvoid put_forks(void) {}\n' >"$T/bare.c"
"${CC:-cc}" -fPIC -shared -o "$T/bare.so" "$T/bare.c" || fail "bare.so"
expect_exit 2 "$CONCLAB" exercise philosophers -q "$T/bare.so"
contains "$T/err" 'carries no conclab layout number' "so: no headers"
printf 'const unsigned clab_abi_built = 1;\n' >>"$T/bare.c"
"${CC:-cc}" -fPIC -shared -o "$T/old.so" "$T/bare.c" || fail "old.so"
expect_exit 2 "$CONCLAB" exercise philosophers -q "$T/old.so"
contains "$T/err" 'built against the headers of another conclab \(layout 1;' \
	"so: other headers"

# Usage errors.
expect_exit 2 "$CONCLAB" exercise
expect_exit 2 "$CONCLAB" exercise nosuchlab x.c
expect_exit 2 "$CONCLAB" exercise philosophers
expect_exit 2 "$CONCLAB" exercise philosophers --meals 0 "$X/philosophers-good.c"
expect_exit 0 "$CONCLAB" exercise --help
contains "$T/out" 'prodcons' "help lists the exercises"
finish
