#!/bin/sh
# conclab trace: unmodified pthread programs (tests/preload/) run under the
# preload library, each with the report it must give.
# sh tests/e2e/trace.sh CONCLAB PROGRAMS_DIR SANITIZE
. "$(dirname "$0")/lib.sh"
D=${2:?usage: $0 CONCLAB PROGRAMS_DIR SANITIZE}
case $D in /*) ;; *) D=$OLDPWD/$D ;; esac
case ${3:-none} in
*thread*)
	# ThreadSanitizer's thread start must run before any instrumented code
	# in a new thread; conclab's runtime runs first there (the program's
	# pthread_create goes through ThreadSanitizer's wrapper, then the
	# preload library's): conclab trace refuses to run.
	expect_exit 2 "$CONCLAB" trace -- "$D/preload-abba"
	contains "$T/err" 'not in a ThreadSanitizer build' "TSan: refused, with the reason"
	[ "$failures" -eq 0 ] || finish
	echo "SKIP: conclab trace does not work in a ThreadSanitizer build"
	exit 77 ;;
esac

# --help, and usage errors.
expect_exit 0 "$CONCLAB" trace --help
contains "$T/out" '^usage: conclab trace ' "trace --help: usage"
contains "$T/out" 'Exit codes:' "trace --help: exit codes"
expect_exit 2 "$CONCLAB" trace
contains "$T/err" 'which program' "trace with no program"
expect_exit 2 "$CONCLAB" trace --bogus "$D/preload-abba"
expect_exit 2 "$CONCLAB" trace --time-limit 0 "$D/preload-abba"
expect_exit 2 "$CONCLAB" trace --time-limit soon "$D/preload-abba"
expect_exit 2 "$CONCLAB" trace --trace
expect_exit 2 "$CONCLAB" trace -- "$T/no-such-program"
contains "$T/err" 'cannot run .*no-such-program' "a missing program is named"
expect_exit 2 env CONCLAB_PRELOAD="$T/no-such.so" "$CONCLAB" trace "$D/preload-abba"
contains "$T/err" 'no preload library' "a missing preload library is named"

# The programs pass on their own: what they check is the C library's
# behaviour, which conclab trace must keep.
for p in abba prodcons philosophers recursive errors spin detach; do
	expect_exit 0 "$D/preload-$p"
done

# An ABBA inversion that did not deadlock: a cycle with its four sites.
expect_exit 1 "$CONCLAB" trace "$D/preload-abba"
contains "$T/out" '^lock-order cycle 1: potential deadlock, 2 locks' "abba: the cycle"
contains "$T/out" 'a -> b: .* held a \(taken at tests/preload/abba.c:16\) and requested b at tests/preload/abba.c:17' "abba: edge a -> b, both sites"
contains "$T/out" 'b -> a: .* held b \(taken at tests/preload/abba.c:27\) and requested a at tests/preload/abba.c:28' "abba: edge b -> a, both sites"
contains "$T/out" '^  ok   no deadlock' "abba: did not deadlock"
contains "$T/out" '^shared = 2$' "abba: the program's own output"
[ -s "$T/preload-abba.clt" ] && pass "abba: trace named after the program, here" ||
	fail "abba: no preload-abba.clt in the working directory"
expect_exit 1 "$CONCLAB" analyze "$T/preload-abba.clt"
contains "$T/out" 'tests/preload/abba.c:28' "abba: conclab analyze reads the trace"

# A real deadlock: the watchdog's report within seconds, exit 3, trace saved.
start=$(date +%s)
expect_exit 3 "$CONCLAB" trace --trace "$T/dl.clt" "$D/preload-deadlock"
took=$(($(date +%s) - start))
[ "$took" -le 10 ] && pass "deadlock: reported in ${took}s" ||
	fail "deadlock: took ${took}s"
contains "$T/err" '^conclab: deadlock: threads wait for each other in a cycle' "deadlock: the watchdog's report"
contains "$T/err" 'waits on mutex m\[1\] at tests/preload/deadlock.c:18 .*held by .*taken at tests/preload/deadlock.c:16' "deadlock: what each waits for, where"
contains "$T/err" '^conclab: trace saved to .*dl.clt' "deadlock: trace saved"
contains "$T/out" '^  FAIL no deadlock' "deadlock: the check fails"
grep -q '^no deadlock?' "$T/out" && fail "deadlock: the program went on" ||
	pass "deadlock: the program did not go on"
expect_exit 1 "$CONCLAB" analyze "$T/dl.clt"
contains "$T/out" "^deadlock at record [0-9]+ \\(the watchdog's report\\)" "deadlock: in the saved trace"

# --stacks: the waits' call stacks, from the function the program called.
expect_exit 3 "$CONCLAB" trace --stacks --no-check --trace "$T/dls.clt" "$D/preload-deadlock"
"$CONCLAB" dump "$T/dls.clt" >"$T/dump" 2>&1
contains "$T/dump" '^# stack [0-9]+: pthread_mutex_lock \([^)]*\) <- worker \(tests/preload/deadlock.c:18\)' "--stacks: a lock's call stack"
contains "$T/dump" 'mutex\.request +m\[1\]#[0-9]+ +how=block stack=[0-9]+ @ tests/preload/deadlock.c:18' "--stacks: the request carries it"

# Producer and consumer on condition variables with static initializers.
expect_exit 0 "$CONCLAB" trace --trace "$T/pc.clt" "$D/preload-prodcons"
contains "$T/out" '^6 of 6 properties hold; score [0-9]+ of [0-9]+$' "prodcons: every check holds"
contains "$T/out" '^sum = 2001000' "prodcons: the consumer's pthread_exit value joined"
"$CONCLAB" dump "$T/pc.clt" >"$T/dump" 2>&1
contains "$T/dump" 'cond\.wait +not_empty#[0-9]+ +mutex=lock#[0-9]+ .*@ tests/preload/prodcons.c:39 consumer' "prodcons: waits recorded with their mutex and site"
contains "$T/dump" 'mutex\.release +lock#[0-9]+ +how=cond' "prodcons: a wait releases the mutex"
contains "$T/dump" 'thread\.exit +T1' "prodcons: pthread_exit recorded as the thread's end"
contains "$T/dump" 'thread\.join +T1.*prodcons.c:57' "prodcons: the join recorded"

# Five philosophers on semaphores, with a butler: a cycle it guards.
expect_exit 0 "$CONCLAB" trace --trace "$T/ph.clt" "$D/preload-philosophers"
contains "$T/out" 'fork_\[4\] -> fork_\[0\]' "philosophers: forks named"
contains "$T/out" 'cannot deadlock as long as butler guards it' "philosophers: the butler guards the cycle"
contains "$T/out" '^meals = 1000, butler = 4$' "philosophers: every meal eaten"

# Recursive mutexes (static and from an attribute), EBUSY for another thread.
expect_exit 0 "$CONCLAB" trace --trace "$T/rec.clt" "$D/preload-recursive"
contains "$T/out" '^recursive: 0 failures' "recursive: the program's checks hold"
contains "$T/out" '^6 of 6 properties hold; score [0-9]+ of [0-9]+$' "recursive: no misuse"

# Spin locks, as mutexes: a thread that would spin waits instead.
expect_exit 0 "$CONCLAB" trace --trace "$T/spin.clt" "$D/preload-spin"
contains "$T/out" '^spin: total 20000, trylock busy 1$' "spin: every add, EBUSY for another's lock"
"$CONCLAB" dump "$T/spin.clt" >"$T/dump" 2>&1
contains "$T/dump" 'mutex\.acquire +spin#[0-9]+ .*@ tests/preload/spin.c:20 adder' "spin: recorded as the mutex 'spin'"

# Detached threads (by attribute, by themselves), a stack size kept.
expect_exit 0 "$CONCLAB" trace --trace "$T/det.clt" "$D/preload-detach"
contains "$T/out" '^detach: 0 failures' "detach: EINVAL for a join of a detached thread"
"$CONCLAB" dump "$T/det.clt" >"$T/dump" 2>&1
[ "$(count_lines "$T/dump" 'thread\.detach ')" -eq 2 ] &&
	pass "detach: both detaches recorded" || fail "detach: $(count_lines "$T/dump" 'thread\.detach ') detaches recorded, not 2"

# The errors the program expects; its misuse recorded with sites.
expect_exit 1 "$CONCLAB" trace --trace "$T/err.clt" "$D/preload-errors"
contains "$T/out" '^errors: 0 failures' "errors: every error code as the C library's"
contains "$T/out" '^  FAIL no misuse +2 diagnostic' "errors: the misuse recorded"
contains "$T/out" 'unlock-unlocked.* on ec at tests/preload/errors.c:' "errors: the misuse's site"

# A default mutex locked again by its owner hangs, as it does plainly.
expect_exit 124 timeout 1 "$D/preload-relock"
expect_exit 3 "$CONCLAB" trace --trace "$T/re.clt" "$D/preload-relock"
contains "$T/err" 'main +waits on latch self-deadlock at tests/preload/relock.c:13' "relock: the watchdog shows the hang"
contains "$T/out" '\(relock\) in main on m at tests/preload/relock.c:13' "relock: the misuse recorded"

# C++ (std::mutex and friends inline their pthread calls from headers).
CXX=$(command -v c++ || command -v g++ || command -v clang++)
if [ -n "$CXX" ] && "$CXX" -g -O1 -pthread -o "$T/cxx" \
	"$(dirname "$0")/../preload/cxx.cc" >"$T/cxx.log" 2>&1; then
	expect_exit 1 "$CONCLAB" trace --trace "$T/cxx.clt" "$T/cxx"
	contains "$T/out" 'held a \(taken at [^ ]*cxx\.cc:17\) and requested b at [^ ]*cxx\.cc:18' "c++: sites in the program, not in the headers"
	contains "$T/out" '^cxx: done' "c++: the timed wait ends with the notify"
else
	echo "no C++ compiler: the C++ program is not tried"
fi

# The program is found on PATH and run directly, its status reported.
expect_exit 1 env PATH="$D:$PATH" "$CONCLAB" trace --no-check preload-abba
expect_exit 1 "$CONCLAB" trace --trace "$T/st.clt" -- sh -c 'exit 7'
contains "$T/out" 'sh exited with status 7' "a program's own failure is reported"
# A program's own 3 or 4 is not a deadlock or the time limit.
for st in 3 4; do
	expect_exit 1 "$CONCLAB" trace --trace "$T/st$st.clt" -- sh -c "exit $st"
	contains "$T/out" "sh exited with status $st" "a program's own exit $st"
done
expect_exit 143 "$CONCLAB" trace --trace "$T/sig.clt" -- sh -c 'kill -TERM $$'
contains "$T/err" 'killed by signal 15' "a program killed by a signal"
expect_exit 4 "$CONCLAB" trace --time-limit 1 --trace "$T/tl.clt" -- sleep 30
contains "$T/err" 'conclab: trace saved to' "time limit: trace saved"
finish
