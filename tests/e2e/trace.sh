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
# A script without "#!" runs as execvp runs it: by /bin/sh, found in PATH too.
mkdir "$T/bin"
printf 'echo "no shebang: $1"\n' >"$T/bin/noshebang"
chmod +x "$T/bin/noshebang"
expect_exit 0 "$CONCLAB" trace --no-check --trace "$T/ns.clt" -- "$T/bin/noshebang" one
contains "$T/out" '^no shebang: one$' "a script without #! runs under the shell"
expect_exit 0 env PATH="$T/bin:$PATH" "$CONCLAB" trace --no-check --trace "$T/ns.clt" -- noshebang two
contains "$T/out" '^no shebang: two$' "a script without #! found in PATH"
expect_exit 2 env CONCLAB_PRELOAD="$T/no-such.so" "$CONCLAB" trace "$D/preload-abba"
contains "$T/err" 'no preload library' "a missing preload library is named"

# The programs pass on their own: what they check is the C library's
# behaviour, which conclab trace must keep.
for p in abba prodcons philosophers recursive errors spin detach \
	misuse-unlock misuse-destroy misuse-condnomutex misuse-condtwo \
	misuse-reinit misuse-barrier0 misuse-exitholding named cancel exec \
	forklock forkrec forkcrash forkstuck mainexit exitholding-rw semsignal \
	remade; do
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
contains "$T/out" '^  FAIL lock order .*abba.c:28' "abba: analyze runs the generic checks"
contains "$T/out" '^lab checks not run: the trace names no lab' "abba: analyze says why no lab checks ran"
# conclab check without --lab: the generic checks, and the lab checks left out.
expect_exit 1 "$CONCLAB" check "$T/preload-abba.clt"
contains "$T/out" '^checks \(no lab preload-abba\):' "abba: check without --lab, a trace of no lab"
contains "$T/out" '^  FAIL lock order .*requesting a at tests/preload/abba.c:28' "abba: check fails the lock order"
for p in 'no deadlock' 'no misuse' 'all threads ended' 'starvation' 'busy waiting' 'locks held at exit'; do
	contains "$T/out" "^  ok   $p " "abba: check runs '$p'"
done
contains "$T/out" '^lab checks not run: the trace names no lab' "abba: check says which checks were not run"
expect_exit 1 "$CONCLAB" check --format json "$T/preload-abba.clt"
contains "$T/err" '^lab checks not run' "abba: the note goes to stderr beside JSON"
grep -q 'lab checks not run' "$T/out" && fail "abba: the note is inside the JSON" ||
	pass "abba: the JSON report is only JSON"
# With --lab, the lab's checks, and no note.
expect_exit 1 "$CONCLAB" check --lab lockorder "$T/preload-abba.clt"
contains "$T/out" "^  FAIL worker-1's rounds" "abba: --lab runs the lab's checks"
grep -q 'lab checks not run' "$T/out" && fail "abba: --lab still says no lab checks ran" ||
	pass "abba: --lab, no note"

# within START WHAT: at most 10 s since START (date +%s)
within() {
	took=$(($(date +%s) - $1))
	[ "$took" -le 10 ] && pass "$2 in ${took}s" || fail "$2: took ${took}s"
}

# A real deadlock: the watchdog's report within seconds, exit 3, trace saved.
start=$(date +%s)
expect_exit 3 "$CONCLAB" trace --trace "$T/dl.clt" "$D/preload-deadlock"
within "$start" "deadlock: reported"
contains "$T/err" '^conclab: deadlock: threads wait for each other in a cycle' "deadlock: the watchdog's report"
contains "$T/err" 'waits on mutex m\[1\] at tests/preload/deadlock.c:18, held by thread-[12]$' "deadlock: what each waits for, where"
contains "$T/err" '^  the held locks were all taken at tests/preload/deadlock.c:16$' "deadlock: where the held locks were taken"
contains "$T/err" '^conclab: trace saved to .*dl.clt' "deadlock: trace saved"
contains "$T/out" '^  FAIL no deadlock' "deadlock: the check fails"
grep -q '^no deadlock?' "$T/out" && fail "deadlock: the program went on" ||
	pass "deadlock: the program did not go on"
# The watchdog's report in the traced program folds as conclab's own do.
expect_exit 3 env CONCLAB_TEXT_WIDTH=40 "$CONCLAB" trace --trace "$T/dl40.clt" "$D/preload-deadlock"
contains "$T/err" '^  thread-1 waits on mutex m\[1\] at$' "deadlock: the report folds at CONCLAB_TEXT_WIDTH"
contains "$T/err" '^           held by thread-2$' "deadlock: a folded line goes on under its message"
expect_exit 1 "$CONCLAB" analyze "$T/dl.clt"
contains "$T/out" "^deadlock at record [0-9]+ \\(the watchdog's report\\)" "deadlock: in the saved trace"

# --stacks: the waits' call stacks, from the function the program called.
expect_exit 3 "$CONCLAB" trace --stacks --no-check --trace "$T/dls.clt" "$D/preload-deadlock"
"$CONCLAB" dump "$T/dls.clt" >"$T/dump" 2>&1
contains "$T/dump" '^# stack [0-9]+: pthread_mutex_lock \([^)]*\) <- worker \(tests/preload/deadlock.c:18\)' "--stacks: a lock's call stack"
contains "$T/dump" 'mutex\.request +m\[1\]#[0-9]+ +how=block stack=[0-9]+ @ tests/preload/deadlock.c:18' "--stacks: the request carries it"

# Producer and consumer on condition variables with static initializers.
expect_exit 0 "$CONCLAB" trace --trace "$T/pc.clt" "$D/preload-prodcons"
contains "$T/out" '^7 of 7 properties hold; score [0-9]+ of [0-9]+$' "prodcons: every check holds"
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
grep -q '^child [0-9]' "$T/out" && fail "recursive: a program that does not fork, a child named" ||
	pass "recursive: a program that does not fork, no child named"
contains "$T/out" '^recursive: 0 failures' "recursive: the program's checks hold"
contains "$T/out" '^7 of 7 properties hold; score [0-9]+ of [0-9]+$' "recursive: no misuse"

# Spin locks, as mutexes: a thread that would spin waits instead.
expect_exit 0 "$CONCLAB" trace --trace "$T/spin.clt" "$D/preload-spin"
contains "$T/out" '^spin: total 20000, trylock busy 1$' "spin: every add, EBUSY for another's lock"
"$CONCLAB" dump "$T/spin.clt" >"$T/dump" 2>&1
contains "$T/dump" 'mutex\.acquire +spin#[0-9]+ .*@ tests/preload/spin.c:20 adder' "spin: recorded as the mutex 'spin'"

# Detached threads (by attribute, by themselves), a stack size kept.
# Joining a detached thread: EINVAL, as from the C library; misuse when
# conclab still knows the thread (one that has ended may be gone).
"$CONCLAB" trace --trace "$T/det.clt" "$D/preload-detach" >"$T/out" 2>"$T/err"
rc=$?
contains "$T/out" '^detach: 0 failures' "detach: EINVAL for a join of a detached thread"
case $rc in
0) pass "detach: the detached threads were gone before the joins" ;;
1) contains "$T/out" '^  FAIL no misuse .*\(bad-object: detached\).* at tests/preload/detach\.c:[0-9]+' \
	"detach: the join of a detached thread is misuse, at its line" ;;
*) fail "detach: conclab trace exited $rc" ;;
esac
"$CONCLAB" dump "$T/det.clt" >"$T/dump" 2>&1
[ "$(count_lines "$T/dump" 'thread\.detach ')" -eq 2 ] &&
	pass "detach: both detaches recorded" || fail "detach: $(count_lines "$T/dump" 'thread\.detach ') detaches recorded, not 2"

# The errors the program expects; its misuse recorded with sites.
expect_exit 1 "$CONCLAB" trace --trace "$T/err.clt" "$D/preload-errors"
contains "$T/out" '^errors: 0 failures' "errors: every error code as the C library's"
contains "$T/out" '^  FAIL no misuse +4 diagnostic' "errors: the misuse recorded (two on ec, two relocks of rw)"
contains "$T/out" 'unlock-unlocked.* on ec at tests/preload/errors.c:' "errors: the misuse's site"
"$CONCLAB" dump "$T/err.clt" >"$T/err.dump"
contains "$T/err.dump" 'diag +rw#[0-9]+ +relock @ tests/preload/errors.c' "errors: the writer's relock of rw recorded"

# Misuse, one program each: the diagnostic, at the program's own line (found
# by its comment), and the error the C library gives (the program checks it
# and says so).  S is the programs' sources.
S=$(dirname "$0")/../preload
# The line of the comment "/* TEXT" in a program (0, which no site has, if none).
line() {
	n=$(grep -n "/\\* $2" "$S/$1.c" | head -1 | cut -d: -f1)
	echo "${n:-0}"
}
# as_plain NAME EXIT [OPTIONS...]: preload-NAME under conclab trace (with
# OPTIONS, its trace NAME.clt) exits EXIT, and the lines it prints that
# start "NAME:" are those it prints without conclab.
as_plain() {
	n=$1 x=$2
	shift 2
	"$D/preload-$n" >"$T/$n.plain" 2>&1
	expect_exit "$x" timeout 120 "$CONCLAB" trace "$@" --trace "$T/$n.clt" "$D/preload-$n"
	grep "^$n:" "$T/out" | cmp -s - "$T/$n.plain" &&
		pass "$n: every result as without conclab" ||
		fail "$n: $(grep "^$n:" "$T/out" | tr '\n' ' ') where plain gave $(tr '\n' ' ' <"$T/$n.plain")"
}
# ended_zero PID TEXT: the run in the background ends with exit 0.
ended_zero() {
	wait "$1"
	rc_=$?
	[ "$rc_" = 0 ] && pass "$2 (exit 0)" || fail "$2: exit $rc_, not 0"
}
# ctrl_c LABEL NAME EXIT OUT|ERR PATTERN PROG [ARGS...]: conclab trace of
# PROG in a session of its own (trace, output and errors $T/NAME.clt, .out,
# .err), and once its OUT or ERR says PATTERN, Ctrl-C to its process group
# as a terminal sends it: it ends with EXIT.
ctrl_c() {
	l_=$1 n_=$2 x_=$3 f_=$4 p_=$5
	shift 5
	rm -f "$T/$n_.out" "$T/$n_.err"
	setsid timeout 60 "$CONCLAB" trace --trace "$T/$n_.clt" "$@" >"$T/$n_.out" 2>"$T/$n_.err" &
	pg_=$!
	until_said "$T/$n_.$f_" "$p_"
	kill -INT -"$pg_"
	wait "$pg_"
	rc_=$?
	[ "$rc_" = "$x_" ] && pass "$l_: Ctrl-C, exit $x_" || fail "$l_: exit $rc_ after Ctrl-C, not $x_"
}
# child_ended PID TEXT: the child of a reported deadlock was ended (gone,
# or a zombie its new parent has not reaped yet).
child_ended() {
	sleep 0.2
	if [ -n "$1" ] && [ -r "/proc/$1/stat" ] &&
		! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat"; then
		fail "$2: the child $1 is still there"
	else
		pass "$2: the child was ended"
	fi
}
# The clock forms (pthread_mutex_clocklock, pthread_rwlock_clock*lock):
# their timeouts and acquisitions recorded at their lines.
at() { # TEXT: the line after the comment "/* TEXT" in errors.c
	echo $(($(line errors "$1") + 1))
}
contains "$T/err.dump" "mutex.timeout +m#[0-9]+ +@ tests/preload/errors.c:$(at 'clocklock times out') " "errors: clocklock's timeout"
contains "$T/err.dump" "rwlock.timeout +rw#[0-9]+ +write=0 .*@ tests/preload/errors.c:$(at 'clockrdlock times out') " "errors: clockrdlock's timeout"
contains "$T/err.dump" "rwlock.timeout +rw#[0-9]+ +write=1 .*@ tests/preload/errors.c:$(at 'clockwrlock times out') " "errors: clockwrlock's timeout"
contains "$T/err.dump" "mutex.acquire +m#[0-9]+ +how=timed .*@ tests/preload/errors.c:$(at 'clocklock takes it') " "errors: clocklock's acquisition"
contains "$T/err.dump" "rwlock.read-acquire +rw#[0-9]+ .*@ tests/preload/errors.c:$(at 'clockrdlock takes it') " "errors: clockrdlock's acquisition"
contains "$T/err.dump" "rwlock.write-acquire +rw#[0-9]+ .*@ tests/preload/errors.c:$(at 'clockwrlock takes it') " "errors: clockwrlock's acquisition"
[ "$(grep -c 'mutex.timeout  *m#' "$T/err.dump")" = 3 ] ||
	fail "errors: timedlock and two clocklocks time out, and another clock's is refused before it waits"

misuse() { # NAME EXIT OUTPUT-LINE
	expect_exit "$2" "$CONCLAB" trace --trace "$T/$1.clt" "$D/preload-$1"
	contains "$T/out" "^$3\$" "$1: the program's own result"
	"$CONCLAB" dump "$T/$1.clt" >"$T/dump" 2>&1
}
misuse misuse-unlock 1 'unlock by another thread: EPERM, of an unlocked one: EPERM'
contains "$T/out" "^  FAIL no misuse +2 diagnostic.*unlock-not-owner.* in thread-1 on m at tests/preload/misuse-unlock.c:$(line misuse-unlock 'not the owner')" "unlock: not the owner, its site"
contains "$T/dump" "unlock-unlocked .*@ tests/preload/misuse-unlock.c:$(line misuse-unlock 'nobody holds it')" "unlock: of an unlocked mutex, its site"
misuse misuse-destroy 1 'destroy of a held mutex: EBUSY, of a fresh one: 0'
contains "$T/out" "^  FAIL no misuse +3 diagnostic.*destroy-held.* on m at tests/preload/misuse-destroy.c:$(line misuse-destroy 'held')" "destroy: a held mutex, EBUSY"
contains "$T/dump" "bad-object why=never-initialised want=mutex @ tests/preload/misuse-destroy.c:$(line misuse-destroy 'never initialised')" "destroy: a mutex never initialised"
contains "$T/dump" "bad-object why=destroyed want=mutex @ tests/preload/misuse-destroy.c:$(line misuse-destroy 'destroyed already')" "destroy: a mutex destroyed twice"
misuse misuse-condnomutex 1 'wait without the mutex: EPERM'
contains "$T/out" "^  FAIL no misuse +1 diagnostic.*cond-without-mutex.* on c at tests/preload/misuse-condnomutex.c:$(line misuse-condnomutex 'not holding m')" "cond without its mutex: EPERM, recorded"
misuse misuse-condtwo 1 'waits: ETIMEDOUT, ETIMEDOUT'
contains "$T/out" "^  FAIL no misuse +1 diagnostic.*cond-two-mutexes.* on c at tests/preload/misuse-condtwo.c:$(line misuse-condtwo 'waits')" "one condition, two mutexes"
contains "$T/dump" "cond-two-mutexes.*@ tests/preload/misuse-condtwo.c:.* wait_on" "cond two: in the function that waits"
misuse misuse-reinit 1 'init of a held mutex: 0, of a barrier in use: 0'
contains "$T/dump" "diag +m#[0-9]+ +bad-object why=initialised-twice want=mutex found=mutex @ tests/preload/misuse-reinit.c:$(line misuse-reinit 'held')" "reinit: a held mutex"
contains "$T/dump" "diag +b#[0-9]+ +bad-object why=initialised-twice want=barrier found=barrier @ tests/preload/misuse-reinit.c:$(line misuse-reinit 'in use')" "reinit: a barrier in use"
contains "$T/out" "^  FAIL no misuse +3 diagnostic.*bad-object: initialised-twice" "reinit: the report says why the object is bad; a mutex not held and a barrier not waited at made again are fine"
misuse misuse-barrier0 1 'barrier of 0: EINVAL, of 1: serial'
contains "$T/out" "^  FAIL no misuse +1 diagnostic.*bad-value.* at tests/preload/misuse-barrier0.c:$(line misuse-barrier0 'count 0')" "barrier of 0: EINVAL, recorded"
misuse misuse-exitholding 1 'exiting with b held'
contains "$T/dump" "diag +a#[0-9]+ +exit-holding @ tests/preload/misuse-exitholding.c:$(line misuse-exitholding 'worker keeps it') worker" "exit holding: a thread's end, where it took the lock"
contains "$T/dump" "T0 .*diag +b#[0-9]+ +exit-holding @ tests/preload/misuse-exitholding.c:$(line misuse-exitholding 'main keeps it') main" "exit holding: main's exit"
contains "$T/out" "^  FAIL locks held at exit +2 lock\(s\) still held when the trace ended; first: a \(mutex\), held by thread-1 since tests/preload/misuse-exitholding.c:$(line misuse-exitholding 'worker keeps it')" "exit holding: locks held at exit"
# A read lock never released, a write lock and a lock-like semaphore's
# permit held at a thread's end: each a diagnostic where it was taken.
misuse exitholding-rw 1 'read and write locks and a permit kept; value 0'
for k in 'r#[0-9]+ +exit-holding detail=1 @ tests/preload/exitholding-rw.c:'"$(line exitholding-rw 'reader keeps it') reader" \
	'w#[0-9]+ +exit-holding detail=2 @ tests/preload/exitholding-rw.c:'"$(line exitholding-rw 'writer keeps it') writer" \
	'lock#[0-9]+ +exit-holding detail=3 @ tests/preload/exitholding-rw.c:'"$(line exitholding-rw 'taker keeps it') taker"; do
	contains "$T/dump" "diag +$k" "exit holding: $(echo "$k" | cut -d' ' -f1), where it was taken"
done
contains "$T/out" "^  FAIL locks held at exit +3 lock\(s\) still held when the trace ended; first: r \(read lock\), held by thread-1 since tests/preload/exitholding-rw.c:$(line exitholding-rw 'reader keeps it')" "exit holding: a read lock, a write lock and a permit"
expect_exit 1 "$CONCLAB" check "$T/exitholding-rw.clt"
contains "$T/out" "^  FAIL locks held at exit +3 lock\(s\)" "exit holding: conclab check says it too"
# Semaphores used as signals (taken by one thread, given by another): no
# permit is held, though main ends having taken two.
misuse semsignal 0 'signalled twice'
lacks "$T/dump" 'exit-holding' "signal semaphores: no exit-holding diagnostic"
contains "$T/out" "^  ok   locks held at exit +no mutex, reader-writer lock or semaphore permit was held" "signal semaphores: nothing held at exit"
# One address made into a mutex, a spin lock, a mutex again on its first
# lock, and made again while held (remade.c): every call names the object
# of its time, never one that a thread's memo of its mutexes kept.
misuse remade 1 'remade: 0'
made_at() { # TEXT: the object made at the line of "/* TEXT" in remade.c
	sed -n -E "s@^#   ([0-9]+) mutex u(\[0\])? \(T0 at tests/preload/remade\.c:$(line remade "$1")\)\$@\1@p" "$T/dump" | head -1
}
for c in 'first lock=a mutex' 'first unlock=a mutex' 'spin lock=a spin lock' \
	'spin unlock=a spin lock' 'made on first use=made on first use' \
	'its unlock=made on first use' 'kept=made on first use' \
	'the fresh one=made again, held' "the fresh one's unlock=made again, held"; do
	at=${c%%=*} made=${c#*=}
	id=$(made_at "$made")
	contains "$T/dump" "mutex\.(acquire|release) +u(\[0\])?#${id:-none} .*@ tests/preload/remade\.c:$(line remade "$at") main" "remade: '$at' names the object made at '$made'"
done
contains "$T/out" "^  FAIL locks held at exit +1 lock\(s\) .*held by main since tests/preload/remade\.c:$(line remade 'kept')" "remade: the mutex made again while held is held at exit"
# The programs that misuse nothing pass "no misuse" and "locks held at exit".
for p in pc rec; do
	"$CONCLAB" check "$T/$p.clt" >"$T/out" 2>&1
	contains "$T/out" '^  ok   no misuse ' "$p: no misuse"
	contains "$T/out" '^  ok   locks held at exit ' "$p: no lock held at exit"
done

# Named semaphores: sem_open's semaphore recorded under its name, the
# second open of the name the same one.
expect_exit 0 "$CONCLAB" trace --trace "$T/named.clt" "$D/preload-named"
contains "$T/out" '^named: count 2000, value 1, same 1$' "named: the program's checks hold"
"$CONCLAB" dump "$T/named.clt" >"$T/dump" 2>&1
# (AddressSanitizer intercepts sem_open: the call the library sees is its.)
case ${3:-none} in
*address*) at='.*sem_open' ;;
*) at="tests/preload/named.c:$(line named 'exclusive')" ;;
esac
contains "$T/dump" "create +/conclab-named-[0-9]+#[0-9]+ .*@ $at" "named: made by sem_open, named after it"
contains "$T/dump" 'sem\.acquire +/conclab-named-[0-9]+#[0-9]+ .*@ tests/preload/named.c:[0-9]+ adder' "named: its waits recorded"
contains "$T/dump" "destroy +/conclab-named-[0-9]+#[0-9]+ .*@ tests/preload/named.c:$(line named 'last close')" "named: gone at the last sem_close, not the first"
[ "$(count_lines "$T/dump" 'create +/conclab-named')" -eq 1 ] &&
	pass "named: one semaphore for both opens" || fail "named: $(count_lines "$T/dump" 'create +/conclab-named') semaphores made"

# pthread_cancel: the request recorded, the thread's end, PTHREAD_CANCELED.
expect_exit 0 "$CONCLAB" trace --trace "$T/cancel.clt" "$D/preload-cancel"
contains "$T/out" '^cancel: PTHREAD_CANCELED$' "cancel: the joiner gets PTHREAD_CANCELED"
"$CONCLAB" dump "$T/cancel.clt" >"$T/dump" 2>&1
contains "$T/dump" "T0 +main +thread\.cancel +T1\(thread-1\) +@ tests/preload/cancel.c:$(line cancel 'cancel')" "cancel: the request, at its site"
contains "$T/dump" 'T1 +thread-1 +thread\.exit +T1' "cancel: the thread's end"

# exec: the trace is closed whole before the program replaces itself; the
# new program is not traced.
expect_exit 0 "$CONCLAB" trace --trace "$T/exec.clt" "$D/preload-exec"
contains "$T/out" '^exec: count 200$' "exec: the program before the exec"
contains "$T/out" '^exec: replaced$' "exec: the program it became (execlp)"
contains "$T/out" '^then it ran echo \(exec\), not traced$' "exec: conclab trace says what it ran"
expect_exit 0 "$CONCLAB" check "$T/exec.clt"
contains "$T/out" '^7 of 7 properties hold; score [0-9]+ of [0-9]+$' "exec: the trace is whole (check refuses a cut one)"
expect_exit 0 "$CONCLAB" trace --trace "$T/exec2.clt" "$D/preload-exec" "$D/preload-abba"
contains "$T/out" '^shared = 2$' "exec: execvp ran the other program"
"$CONCLAB" dump "$T/exec2.clt" >"$T/dump" 2>&1
grep -q 'abba\.c' "$T/dump" && fail "exec: the new program was traced into the same file" ||
	pass "exec: the new program is not traced"
contains "$T/dump" 'mutex\.acquire +m#[0-9]+ .*exec\.c' "exec: execvp's trace holds the program before it"
# A child of vfork shares the program's memory: its exec leaves the trace.
expect_exit 0 "$CONCLAB" trace --trace "$T/vfork.clt" "$D/preload-exec" --vfork
contains "$T/out" '^exec: vforked$' "vfork: the child's exec"
contains "$T/out" '^it started echo, not traced: conclab trace follows one program' "vfork: conclab trace says what the child ran"
contains "$T/out" '^exec: count 300 after the child$' "vfork: the program goes on"
"$CONCLAB" dump "$T/vfork.clt" >"$T/dump" 2>&1
contains "$T/dump" "mutex\\.acquire +m#[0-9]+ .*@ tests/preload/exec.c:[0-9]+ adder" "vfork: recorded"
count_is "$T/dump" 'mutex\.acquire +m#' 300 "vfork: the locks after the child's exec recorded too"

# Execs that cannot start anything fail at once, as without conclab, and
# leave the trace open: what the program does after them is recorded, and
# the report does not say that it ran something.
printf 'not executable\n' >"$T/noexec"
chmod 0644 "$T/noexec"
expect_exit 0 "$CONCLAB" trace --trace "$T/miss.clt" "$D/preload-exec" --missing "$T/noexec"
contains "$T/out" '^exec: ENOENT ENOENT EACCES EACCES, count 300 after them$' "failed execs: the C library's errors, and the program goes on"
lacks "$T/out" 'then it ran' "failed execs: conclab trace does not say it ran them"
"$CONCLAB" dump "$T/miss.clt" >"$T/dump" 2>&1
contains "$T/dump" '^# content checksum ok' "failed execs: the trace is whole"
count_is "$T/dump" 'mutex\.acquire +m#' 300 "failed execs: the locks after them recorded"

# posix_spawnp, system and popen: the programs are not traced, and the
# report says so; so does a shell's (it runs a command by vfork and exec,
# and ends by _exit).
expect_exit 0 "$CONCLAB" trace --trace "$T/spawn.clt" "$D/preload-exec" --spawn
contains "$T/out" '^exec: spawned 3$' "spawn: the program ran them"
contains "$T/out" '^it started 3 programs, not traced, the first true: conclab trace follows one program and its forks; give it the program to trace$' "spawn: conclab trace counts them"
expect_exit 0 "$CONCLAB" trace --trace "$T/sh.clt" sh -c "$D/preload-abba; true"
contains "$T/out" "^it started $D/preload-abba, not traced: " "sh -c: the program the shell ran is named"
lacks "$T/err" 'cut short' "sh -c: the shell's trace is whole"

# fork: the parent's trace records it; the child goes on with the objects
# as they were (a mutex another thread held stays held, main's is main's, a
# semaphore keeps its count), as without conclab, and ends by _exit, which
# leaves the parent's trace whole.
expect_exit 0 "$CONCLAB" trace --trace "$T/fork.clt" "$D/preload-forklock"
contains "$T/out" '^child: m EBUSY, own unlocked 0, sem 1$' "fork: the child sees the objects as the plain program's child does"
contains "$T/out" '^parent: child exited 0$' "fork: the parent goes on"
"$CONCLAB" dump "$T/fork.clt" >"$T/dump" 2>&1
contains "$T/dump" "T0 +main +note .*fork=[0-9]+ @ tests/preload/forklock.c:$(line forklock 'fork')" "fork: recorded with the child's pid, at its site"
contains "$T/dump" '^# content checksum ok' "fork: the parent's trace whole after the child's _exit"

# A forked child records into a trace of its own, with its own writer
# thread.  GCC's AddressSanitizer takes no allocator lock across a fork,
# so such a child of a program with threads can wait for ever on a lock
# another thread held at the fork (1 run in about 30): not in its build.
case ${3:-none} in
*address*)
	echo "SKIP: forked children's traces, in an AddressSanitizer build" ;;
*)
# fork, then lock in both: the children (one ends by exit, its exit
# handlers run; one execs) leave the parent's trace whole, with the
# parent's 100 acquisitions only, and conclab trace names each child.
expect_exit 0 "$CONCLAB" trace --trace "$T/forkrec.clt" "$D/preload-forkrec"
contains "$T/out" '^forkrec: child locked 70 times$' "forkrec: the child locks"
contains "$T/out" "^forkrec: exec'd child 70$" "forkrec: the exec'd child locks"
contains "$T/out" '^forkrec: parent 100$' "forkrec: the parent goes on"
# (a sanitizer may warn about the child's threads: only conclab's lines count)
grep -q "^conclab" "$T/err" && fail "forkrec: stderr: $(grep "^conclab" "$T/err" | head -3)" ||
	pass "forkrec: the trace whole, conclab says nothing on stderr"
kid_a=$(sed -n 's/^forkrec: children \([0-9]*\) [0-9]* exited 0 0$/\1/p' "$T/out")
kid_b=$(sed -n 's/^forkrec: children [0-9]* \([0-9]*\) exited 0 0$/\1/p' "$T/out")
[ -n "$kid_a" ] && [ -n "$kid_b" ] && pass "forkrec: the children's pids" || fail "forkrec: no children's pids"
contains "$T/out" "^child ${kid_a:-none} \\(forked at tests/preload/forkrec.c:$(line forkrec 'fork a')\\): trace $T/forkrec\\.${kid_a:-none}\\.clt, [0-9]+ records\$" "forkrec: conclab trace names the child that exits, with its trace"
contains "$T/out" "^child ${kid_b:-none} \\(forked at tests/preload/forkrec.c:$(line forkrec 'fork b')\\): trace $T/forkrec\\.${kid_b:-none}\\.clt, [0-9]+ records; then it ran /proc/self/exe, not traced\$" "forkrec: conclab trace names the child that execs, and its exec"
[ "$(count_lines "$T/out" '^child [0-9]+ ')" -eq 2 ] &&
	pass "forkrec: two children named" ||
	fail "forkrec: $(count_lines "$T/out" '^child [0-9]+ ') children named, not 2"
expect_exit 0 "$CONCLAB" check "$T/forkrec.clt"
contains "$T/out" '^  ok   no misuse' "forkrec: conclab check on the parent's trace"
"$CONCLAB" dump "$T/forkrec.clt" >"$T/family" 2>&1
[ "$(count_lines "$T/family" 'mutex\.acquire +m#')" -eq 170 ] &&
	pass "forkrec: the family's dump: the parent's 100 acquisitions and the child's 70" ||
	fail "forkrec: $(count_lines "$T/family" 'mutex\.acquire +m#') acquisitions in the family's dump, not 170"
contains "$T/family" "^ +[0-9]+ +[0-9.]+ T[0-9]+ +pid ${kid_a:-none} / main " "forkrec: the child's thread named by its pid"
"$CONCLAB" dump --alone "$T/forkrec.clt" >"$T/dump" 2>&1
[ "$(count_lines "$T/dump" 'mutex\.acquire +m#')" -eq 100 ] &&
	pass "forkrec: the parent's 100 acquisitions, none of the children's" ||
	fail "forkrec: $(count_lines "$T/dump" 'mutex\.acquire +m#') acquisitions in the parent's trace, not 100"
[ "$(count_lines "$T/dump" ' note .*fork=[0-9]+ @')" -eq 2 ] &&
	pass "forkrec: both forks recorded" ||
	fail "forkrec: $(count_lines "$T/dump" ' note .*fork=[0-9]+ @') forks recorded, not 2"
contains "$T/dump" "^# meta process\\.child\\.${kid_a:-none}=[0-9a-f]{32} forkrec\\.${kid_a:-none}\\.clt\$" "forkrec: the parent's metadata names the child and its trace"
# _exit and _Exit (no exit handlers, no destructors: a shell ends so) close
# the trace whole too: the parent's and its forked child's.
expect_exit 1 "$CONCLAB" trace --trace "$T/qe.clt" "$D/preload-quickexit"
contains "$T/out" '^quickexit: 600, child exited 0$' "quickexit: the program's own output"
contains "$T/out" 'preload-quickexit exited with status 3$' "quickexit: its _exit status"
lacks "$T/err" 'cut short' "quickexit: the trace is not cut short"
"$CONCLAB" dump --alone "$T/qe.clt" >"$T/dump" 2>&1
contains "$T/dump" '^# content checksum ok' "quickexit: the trace is whole"
[ "$(count_lines "$T/dump" 'mutex\.acquire +m#')" -eq 600 ] &&
	pass "quickexit: the 600 acquisitions before _exit" ||
	fail "quickexit: $(count_lines "$T/dump" 'mutex\.acquire +m#') acquisitions, not 600"
kid=$(sed -n 's/^child \([0-9]*\) (forked at .*/\1/p' "$T/out")
"$CONCLAB" dump "$T/qe.${kid:-none}.clt" >"$T/dump" 2>&1
contains "$T/dump" '^# content checksum ok' "quickexit: the child's trace (_Exit) is whole"
[ "$(count_lines "$T/dump" 'mutex\.acquire +m#')" -eq 70 ] &&
	pass "quickexit: the child's 70 acquisitions" ||
	fail "quickexit: $(count_lines "$T/dump" 'mutex\.acquire +m#') acquisitions in the child's trace, not 70"
"$CONCLAB" dump "$T/qe.clt" >"$T/dump" 2>&1
[ "$(count_lines "$T/dump" 'mutex\.acquire +m#')" -eq 670 ] &&
	pass "quickexit: the family's 670 acquisitions" ||
	fail "quickexit: $(count_lines "$T/dump" 'mutex\.acquire +m#') acquisitions in the family, not 670"
# _exit from a signal handler, wherever it lands (in a lock or not): no
# hang, the trace is readable, and what it holds is a consistent cut.
for i in 1 2 3 4 5; do
	expect_exit 1 timeout 60 "$CONCLAB" trace -q --trace "$T/qs.clt" "$D/preload-quickexit" signal
	contains "$T/out" 'exited with status 4$' "quickexit signal $i: the handler's _exit status"
	expect_exit 0 "$CONCLAB" dump "$T/qs.clt"
done
# A program that takes its signal with sigwait in a thread of its own: the
# signal goes to that thread, not to conclab's writer (whose default action
# killed the program, before the writer blocked the program's signals).
expect_exit 0 "$CONCLAB" trace --trace "$T/sw.clt" "$D/preload-sigwait"
contains "$T/out" '^sigwait: took signal SIGUSR1$' "sigwait: the program's thread took the signal"
expect_exit 0 "$CONCLAB" dump "$T/sw.clt"
# Threads that go on after the trace's end (a failed exec): a lock taken
# while it was recorded is given back and taken again as before.
expect_exit 0 timeout 60 "$CONCLAB" trace --no-check -q --trace "$T/ae.clt" "$D/preload-afterend"
contains "$T/out" '^afterend: m held by one thread at a time$' "afterend: the lock held across the end"
expect_exit 0 "$CONCLAB" dump "$T/ae.clt"
# A program that closes descriptors it did not open (as a daemon does):
# the trace's file stays the trace's, the program's own file its own.
for how in loop closefrom range dup2; do
	rm -f "$T/ca.txt"
	expect_exit 0 "$CONCLAB" trace --no-check -q --trace "$T/ca.clt" "$D/preload-closeall" "$T/ca.txt" "$how"
	contains "$T/out" "^closeall $how: the file holds: count 300000\$" "closeall $how: the program's file is its own"
	lacks "$T/err" 'could not write|cut short' "closeall $how: the trace written whole"
	expect_exit 0 "$CONCLAB" dump "$T/ca.clt"
done
# glibc's waits with a time limit (sem_clockwait, pthread_tryjoin_np,
# pthread_timedjoin_np, pthread_clockjoin_np): what they return is the C
# library's, and they are recorded as the waits they are.
as_plain timedjoin 1
contains "$T/out" '^timedjoin: sem_clockwait got 100, past ETIMEDOUT, other clock EINVAL, join 0$' "timedjoin: sem_clockwait takes the posts"
contains "$T/out" '^  ok   all threads ended' "timedjoin: the joins are joins"
contains "$T/out" '^  FAIL busy waiting +main failed [0-9]+ non-blocking attempts in a row' "timedjoin: tryjoin in a loop is a spin"
"$CONCLAB" dump "$T/timedjoin.clt" >"$T/dump" 2>&1
count_is "$T/dump" ' thread\.join +T[0-9]' 4 "timedjoin: four joins recorded"
[ "$(count_lines "$T/dump" ' thread\.join-timeout +T3\(')" -ge 200 ] &&
	pass "timedjoin: the busy tries recorded" ||
	fail "timedjoin: $(count_lines "$T/dump" ' thread\.join-timeout +T3\(') busy tries recorded"
contains "$T/dump" 'thread\.join-timeout +T2\(thread-2\) .*timedjoin\.c' "timedjoin: the timed joins that ran out, at their site"

# C11 threads (<threads.h>): glibc calls its pthread functions inside
# itself, past the preload library, so mtx_*, cnd_* and thrd_* are
# defined in it too.  Each result as without conclab; the lock-order
# cycle of mtx_lock calls found, at the program's sites; the threads
# and their joins, the condition waits and the sleeps recorded.
as_plain c11 1
contains "$T/out" "a -> b: main held a \\(taken at tests/preload/c11.c:$(line c11 'main takes a')\\) and requested b at tests/preload/c11.c:$(line c11 'then b')" "c11: the cycle's edge a -> b, at main's sites"
contains "$T/out" "b -> a: thread-6 held b \\(taken at tests/preload/c11.c:$(line c11 'ba takes b')\\)" "c11: the cycle's edge b -> a, in the thread"
contains "$T/out" '^  ok   all threads ended' "c11: every thread's end and join"
"$CONCLAB" dump "$T/c11.clt" >"$T/dump" 2>&1
count_is "$T/dump" ' thread\.create ' 7 "c11: 7 threads made"
count_is "$T/dump" ' thread\.join +T' 6 "c11: 6 joined"
contains "$T/dump" ' cond\.wait +items#[0-9]+ .*c11\.c:[0-9]+ consumer' "c11: cnd_wait recorded, at its site"
contains "$T/dump" ' cond\.wake +never#[0-9]+ +cause=timeout' "c11: cnd_timedwait's time out recorded"
contains "$T/dump" ' mutex\.busy +held#' "c11: mtx_trylock's failure recorded"
contains "$T/dump" ' mutex\.timeout +held#' "c11: mtx_timedlock's time out recorded"

# pthread_cancel of threads waiting at cancellation points (a condition
# wait, sem_wait, sem_timedwait, pthread_join): their waits end, the
# cleanup handlers run, the joins get PTHREAD_CANCELED; a thread whose
# cancellation is disabled waits on.  Before, conclab's waits did not end:
# the program hung and conclab trace reported a deadlock.
as_plain cancelwait 0
contains "$T/out" '^  ok   no deadlock' "cancelwait: no deadlock"
"$CONCLAB" dump "$T/cancelwait.clt" >"$T/dump" 2>&1
contains "$T/dump" ' cond\.wake +c#[0-9]+ +cause=cancel ' "cancelwait: the condition wait ended by the cancellation"
contains "$T/dump" ' wait\.cancel +never#' "cancelwait: sem_wait's"
contains "$T/dump" ' wait\.cancel +timed#' "cancelwait: sem_timedwait's"
contains "$T/dump" ' wait\.cancel +T1\(thread-1\)' "cancelwait: pthread_join's"
contains "$T/dump" ' wait\.cancel +/conclab-cancel-[0-9]+#' "cancelwait: a named semaphore's (the C library's wait)"
lacks "$T/dump" ' wait\.cancel +later#' "cancelwait: not the wait of a thread whose cancellation is disabled"
count_is "$T/dump" ' thread\.exit ' 7 "cancelwait: seven threads ended"
# A sleep is a cancellation point too, on the controlled scheduler's
# virtual clock as well: the sleeper ends at once.  Before, its sleep ran
# its full virtual time first, and main's shorter wait for the cleanup
# timed out ("at once 0").
as_plain cancelsleep 0
as_plain cancelsleep 0 --sched random --seed 1
contains "$T/out" '^cancelsleep: cancelled 1, at once 1$' "cancelsleep: --sched: the sleep ends for the cancellation"

# Process-shared objects (PTHREAD_PROCESS_SHARED, sem_init's pshared) in
# memory shared with a forked child: the C library's, so that they exclude
# the other process (every count as without conclab), named in the report
# and not recorded; a private mutex beside them is.  Before, each process
# had conclab objects of its own: the counts came out short, and the
# barrier hung, reported as a deadlock (score 0).
as_plain pshared 0
contains "$T/out" "^it made 7 objects that stay the C library's, the first a process-shared mutex at tests/preload/pshared\\.c:$(line pshared 'the shared mutex'): they are not recorded$" "pshared: the report names them"
contains "$T/out" '^  ok   no deadlock' "pshared: no deadlock"
"$CONCLAB" dump "$T/pshared.clt" >"$T/dump" 2>&1
count_is "$T/dump" ' mutex\.acquire ' 1000 "pshared: the private mutex recorded, the shared ones not"
count_is "$T/dump" ' thread-1 +thread\.exit ' 1 "pshared: the thread of the private condition ended"

# Robust mutexes: a thread ends holding one, and the next locker gets
# EOWNERDEAD, makes it consistent or leaves it unusable (ENOTRECOVERABLE),
# as without conclab; they stay the C library's, named in the report.
# Before, the mutex stayed held by the ended thread: a deadlock reported.
as_plain robust 0
contains "$T/out" "^it made 2 objects that stay the C library's, the first a robust mutex at tests/preload/robust\\.c:$(line robust 'robust'): they are not recorded$" "robust: the report names them"

# An OpenMP program: libgomp keeps the threads of its teams, idle, until
# the process exits; they are the library's, not the program's to end, and
# "all threads ended" holds.  A thread of the program's own still running
# at the end fails it.  Before, the pool's threads failed it, and the
# report gave the run no points ("did not complete").
if [ -x "$D/preload-openmp" ]; then
	as_plain openmp 0
	contains "$T/out" '^  ok   all threads ended +every thread the program made ended; [0-9]+ thread\(s\) a library made for' "openmp: libgomp's pool is not the program's to end"
	contains "$T/out" '^7 of 7 properties hold; score 9 of 9$' "openmp: full marks"
	expect_exit 1 "$CONCLAB" trace --trace "$T/openmp-own.clt" "$D/preload-openmp" own
	contains "$T/out" '^  FAIL all threads ended +1 thread\(s\) never ended' "openmp: a thread of the program's own left running fails it"
fi

# A thread created that never started (under the scheduler its turn never
# came before main returned) did not end: "all threads ended" fails and
# says so.  Before, only started threads were counted: it held.
expect_exit 1 "$CONCLAB" trace --sched random --seed 1 --trace "$T/nr.clt" "$D/preload-neverran"
contains "$T/out" '^  FAIL all threads ended +1 thread\(s\) never ended, 1 of them never started, first thread-1' "neverran: a thread that never started did not end"
"$CONCLAB" dump "$T/nr.clt" >"$T/dump" 2>&1
count_is "$T/dump" ' thread\.create ' 1 "neverran: its creation recorded"
count_is "$T/dump" ' thread\.start +T1' 0 "neverran: no start"
expect_exit 1 "$CONCLAB" trace --trace "$T/nr2.clt" "$D/preload-neverran"
contains "$T/out" '^  FAIL all threads ended +1 thread\(s\) never ended' "neverran: run freely, it fails too"

# pthread_atfork handlers that take a mutex around each fork (the
# textbook way to fork with threads) run as the program's calls, on the
# mutex its thread uses, in POSIX's order; every child finds it free.
# Before, glibc ran them inside conclab's fork, on its own mutex: a child
# could start with the mutex held for good (a deadlock reported).
as_plain atfork 0
contains "$T/out" '^  ok   no deadlock' "atfork: no deadlock"
count_is "$T/out" '^child [0-9]+ \(forked at tests/preload/atfork\.c:[0-9]+\): trace .*, 5 records$' 20 "atfork: twenty children, each with its five records"
kid=$(ls "$T"/atfork.*.clt | head -1)
"$CONCLAB" dump "$kid" >"$T/dump" 2>&1
contains "$T/dump" 'T0 +main +mutex\.acquire +m#[0-9]+ .*depth=1 oseq=[0-9]+ @ ' "atfork: a child begins holding the mutex the prepare handler took"
contains "$T/dump" 'T0 +main +mutex\.release +m#' "atfork: and its handler gives it back"

# Named semaphores between processes: a forked child counts with the
# program under one, and a program the child execs (not traced) echoes the
# program's posts on two more (the dump has the child's records too: the
# program's are T0's).  Each is the C library's count, which the
# other processes share; the program's waits and posts are recorded.
# Before, the count was the process's own: the posts of the others never
# came (the program hung, or the watchdog reported a deadlock).
as_plain namedipc 0
contains "$T/out" '^  ok   no deadlock' "namedipc: no deadlock"
contains "$T/out" 'then it ran /proc/self/exe, not traced' "namedipc: the echo, not traced"
"$CONCLAB" dump "$T/namedipc.clt" >"$T/dump" 2>&1
count_is "$T/dump" ' T0 +main +sem\.release +/conclab-ipc-[0-9]+-guard#' 20000 "namedipc: the program's posts of the lock recorded"
count_is "$T/dump" ' T0 +main +sem\.acquire +/conclab-ipc-[0-9]+-guard#' 20000 "namedipc: its waits too"
contains "$T/dump" " sem\\.acquire +/conclab-ipc-[0-9]+-guard#.*@ tests/preload/namedipc\\.c:$(line namedipc 'enter') main" "namedipc: at their site"
count_is "$T/dump" ' T0 +main +sem\.release +/conclab-ipc-[0-9]+-ping#' 200 "namedipc: the posts to the echo"
count_is "$T/dump" ' T0 +main +sem\.acquire +/conclab-ipc-[0-9]+-pong#' 200 "namedipc: the echoes taken"
contains "$T/dump" ' T0 +main +sem\.acquire +/conclab-ipc-[0-9]+-done#' "namedipc: the child's post taken"

# Threads named after they were made (pthread_setname_np by the thread
# or by its creator, prctl's PR_SET_NAME): the reports, the dump and the
# watchdog call them by those names; the kernel has the names too, and a
# name pthread_setname_np refuses changes nothing.
expect_exit 1 "$CONCLAB" trace --trace "$T/nm.clt" "$D/preload-names"
contains "$T/out" '^worker 2 is right-hand-of-t$' "names: the kernel has the name prctl gave, cut to 15 bytes"
contains "$T/out" "^  b -> a: right-hand-of-t held b \\(taken at tests/preload/names\\.c:[0-9]+\\) and requested a" "names: the lock-order report names a thread that named itself"
contains "$T/out" '^    step  left-hand +right-hand-of-t$' "names: the interleaving's columns, by name"
"$CONCLAB" dump "$T/nm.clt" >"$T/dump" 2>&1
contains "$T/dump" '^#   T0 boss \(object 1, ' "names: main renamed itself"
contains "$T/dump" '^#   T1 left-hand \(object [0-9]+, ' "names: the creator renamed its thread"
count_is "$T/dump" '^# meta name\.' 3 "names: one rename each, the refused one not recorded"
count_is "$T/dump" ' thread-[0-9]' 0 "names: no record shows a thread's first name"
expect_exit 3 timeout 60 "$CONCLAB" trace --trace "$T/nm2.clt" "$D/preload-names" deadlock
contains "$T/err" '^  boss +waits on thread left-hand at tests/preload/names\.c:[0-9]+, until left-hand ends$' "names: the watchdog names the joined thread by its new name"
contains "$T/err" '^  cycle: left-hand -> right-hand-of-t -> left-hand$' "names: the deadlock's cycle, by name"

# A deadlock over named semaphores in one process: with their names
# unlinked no other process can post them, and the watchdog reports it.
# With the names still there, a program that opens them could post: said
# once, and the run goes on; another program's posts end it as they
# would without conclab.  Before, the waits were the C library's, which
# the watchdog counted as running: the program hung with no word.
expect_exit 3 timeout 60 "$CONCLAB" trace --trace "$T/nd.clt" "$D/preload-nameddead"
contains "$T/err" '^conclab: deadlock: every live thread is blocked and none can wake another$' "nameddead: the deadlock reported"
contains "$T/err" "^  main +waits on sem /conclab-nd-b-[0-9]+ at tests/preload/nameddead\\.c:$(line nameddead 'BUG')$" "nameddead: main's wait"
count_is "$T/err" '^    named, count 0, and no other process has it open: none can post it$' 2 "nameddead: why nobody can post"
timeout 60 "$CONCLAB" trace --trace "$T/ndl.clt" "$D/preload-nameddead" linked >"$T/ndl.out" 2>"$T/ndl.err" &
ndl=$!
until_said "$T/ndl.err" 'a deadlock, unless another program'
contains "$T/ndl.err" '^  ends a wait below: it opens a named semaphore or the shared memory$' "nameddead linked: the notice"
count_is "$T/ndl.err" '^    named, count 0: no other process has it open now; one that opens it could post$' 2 "nameddead linked: why it goes on"
name=$(sed -n 's/^nameddead: main waits on //p' "$T/ndl.out")
"$D/preload-nameddead" post "$name"
ended_zero $ndl "nameddead linked: another program's post ends the waits"
contains "$T/ndl.out" '^nameddead: both waits ended$' "nameddead linked: as without conclab"
lacks "$T/ndl.err" 'deadlock: every' "nameddead linked: no deadlock reported"

# Deadlocks between processes that only the kernel sees (read or write on
# a pipe, waitpid): the watchdog reads /proc, reports the cycle with a line
# for each process's wait, and ends the other processes of the cycle
# (exit 3).  Before, such a program hung with no word.
for m in waitpid full threads fifo; do
	expect_exit 3 timeout 60 "$CONCLAB" trace --trace "$T/pdd-$m.clt" "$D/preload-procdead" $m
	contains "$T/err" '^conclab: deadlock: processes wait for each other in a cycle$' "procdead $m: the processes' deadlock"
	contains "$T/err" '^  main +waits in the kernel \(below\)$' "procdead $m: main waits in the kernel"
	contains "$T/err" '^  pid [0-9]+ \(preload-procdea\) waits for pid [0-9]+ \(preload-procdea\) to end$' "procdead $m: the parent's waitpid"
	contains "$T/out" '^  FAIL no deadlock ' "procdead $m: the check fails"
	"$CONCLAB" analyze "$T/pdd-$m.clt" >"$T/an" 2>&1
	contains "$T/an" '^deadlock at record [0-9]+ \(the watchdog.s report\):$' "procdead $m: analyze says where the watchdog stopped it"
	kid=$(sed -n 's/^  pid [0-9]* ([^)]*) waits for pid \([0-9]*\) .*/\1/p' "$T/err")
	child_ended "$kid" "procdead $m"
done
expect_exit 3 timeout 60 "$CONCLAB" trace --trace "$T/pdd-w.clt" "$D/preload-procdead" waitpid
tr '\n' ' ' <"$T/err" | grep -qE 'pid [0-9]+ \(preload-procdea\) reads from a pipe \(fd 3\) that only pid [0-9]+ \(preload-procdea\) could +write to' &&
	pass "procdead waitpid: the child's read" || fail "procdead waitpid: the child's read not said"
expect_exit 3 timeout 60 "$CONCLAB" trace --trace "$T/pdd-f.clt" "$D/preload-procdead" full
tr '\n' ' ' <"$T/err" | grep -qE 'writes to a full pipe \(fd 4\) that only pid [0-9]+ \(preload-procdea\) could +read from' &&
	pass "procdead full: the child's write" || fail "procdead full: the child's write not said"
expect_exit 3 timeout 60 "$CONCLAB" trace --trace "$T/pdd-t.clt" "$D/preload-procdead" threads
contains "$T/err" "^  thread-1 +waits on cond c at tests/preload/procdead\\.c:$(line procdead 'nobody signals')$" "procdead threads: the thread's wait for good"
expect_exit 3 timeout 60 "$CONCLAB" trace --trace "$T/pdd-s.clt" "$D/preload-procdead" self
contains "$T/err" '^conclab: deadlock: the process waits in the kernel for itself$' "procdead self: its own deadlock"
contains "$T/out" '^  FAIL no deadlock +deadlock detected: 1 thread' "procdead self: the check fails"
# A process that reads a pipe its own signal handler writes to, for a
# signal another program sends (kill -USR1): not reported; said once, and
# the signal ends the wait.  Before, it was killed as a deadlock.  The same
# in a child whose SIGTERM handler replaced conclab's (which saves the
# trace and ends the program): conclab's handler is no reason, the child's
# own is; the child's watchdog publishes which are conclab's.
for m in usr1:USR1:u term:TERM:t; do
	mode=${m%%:*} sig=${m#*:} byte=${m##*:}
	sig=${sig%:*}
	rm -f "$T/pd.out" "$T/pd.err"
	timeout 60 "$CONCLAB" trace --trace "$T/pdd-$mode.clt" "$D/preload-procdead" $mode >"$T/pd.out" 2>"$T/pd.err" &
	pd=$!
	until_said "$T/pd.err" "catches SIG$sig"
	contains "$T/pd.err" "^  pid [0-9]+ \\(preload-procdea\\) catches SIG$sig: another program.s signal could end its wait\$" "procdead $mode: the notice names the handler"
	kill -$sig "$(sed -n "s/^procdead: pid \\([0-9]*\\) waits for SIG$sig\$/\\1/p" "$T/pd.out")"
	ended_zero $pd "procdead $mode: the signal ends the wait"
	contains "$T/pd.out" "^procdead: the handler.s byte, 1 $byte\$" "procdead $mode: as without conclab"
	lacks "$T/pd.err" 'deadlock: ' "procdead $mode: no deadlock reported"
done
# system() ignores SIGINT and SIGQUIT while its command runs, past the
# preload library, then puts conclab's handlers back: the child's watchdog
# sees them again, and the deadlock is reported.  With a mask that only
# lost signals, it was a notice and the run went on.
expect_exit 3 timeout 60 "$CONCLAB" trace --trace "$T/pdd-sys.clt" "$D/preload-procdead" system
contains "$T/err" '^conclab: deadlock: processes wait for each other in a cycle$' "procdead system: conclab's handlers again after system()"
expect_exit 3 timeout 60 "$CONCLAB" trace --trace "$T/pdd-so.clt" "$D/preload-procdead" socket
count_is "$T/err" '^  pid [0-9]+ \(preload-procdea\) reads from a socket \(fd [34]\) whose other end only pid [0-9]+' 2 "procdead socket: both reads of the socketpair, by the other end's holder"
expect_exit 0 timeout 60 "$CONCLAB" trace --trace "$T/pdd-talk.clt" "$D/preload-procdead" talk
contains "$T/out" '^procdead: they talked, c$' "procdead talk: a socketpair used in turn is no deadlock"
expect_exit 0 timeout 60 "$CONCLAB" trace --trace "$T/pdd-slow.clt" "$D/preload-procdead" slow
contains "$T/out" '^procdead: the child ended with 0$' "procdead slow: a child that takes its time is no deadlock"
sleep 2 | timeout 60 "$CONCLAB" trace --trace "$T/pdd-in.clt" "$D/preload-procdead" stdin >"$T/out" 2>"$T/err"
contains "$T/out" '^procdead: read 0$' "procdead stdin: a pipe another program writes to is no deadlock"
expect_exit 0 timeout 60 "$CONCLAB" trace --trace "$T/pdd-al.clt" "$D/preload-procdead" alarm
contains "$T/out" '^procdead: the handler.s byte, 1 a$' "procdead alarm: a timer's handler may write the pipe: no deadlock"

# A parent and its child that each wait first over what the C library
# keeps in shared memory: named semaphores (the classic exercise gone
# wrong), process-shared mutexes in anonymous shared memory.  The futex
# waits are read in /proc, with who maps the memory: a deadlock when only
# the stuck processes do (exit 3, the child ended); with the names still
# there, a notice, and the run goes on until another program posts.
# Before, each hung with no word.
expect_exit 3 timeout 60 "$CONCLAB" trace --trace "$T/sd.clt" "$D/preload-shmdead"
contains "$T/err" '^conclab: deadlock: processes wait for each other in a cycle$' "shmdead: the processes' deadlock"
contains "$T/err" "^  main +waits on sem /conclab-sd-a-[0-9]+ at tests/preload/shmdead\\.c:$(line shmdead 'the parent waits')$" "shmdead: main's wait, on its semaphore"
count_is "$T/err" '^  pid [0-9]+ \(preload-shmdead\) waits on a named semaphore \(its name unlinked\), which only pid' 2 "shmdead: both processes' waits"
contains "$T/out" '^  FAIL no deadlock ' "shmdead: the check fails"
child_ended "$(sed -n 's/^child \([0-9]*\) (forked at.*/\1/p' "$T/out")" shmdead
expect_exit 3 timeout 60 "$CONCLAB" trace --trace "$T/sdp.clt" "$D/preload-shmdead" pshared
count_is "$T/err" '^  pid [0-9]+ \(preload-shmdead\) waits on a process-shared lock or semaphore in anonymous shared' 2 "shmdead pshared: both processes' waits"
expect_exit 0 timeout 60 "$CONCLAB" trace --trace "$T/sdpp.clt" "$D/preload-shmdead" pingpong
contains "$T/out" '^shmdead: 100 rounds$' "shmdead pingpong: a hundred rounds, no deadlock"
timeout 60 "$CONCLAB" trace --trace "$T/sdl.clt" "$D/preload-shmdead" linked >"$T/sdl.out" 2>"$T/sdl.err" &
sdl=$!
until_said "$T/sdl.err" 'a deadlock, unless another program'
count_is "$T/sdl.err" '^  pid [0-9]+ \(preload-shmdead\) waits on named semaphore /conclab-sd-[ab]-[0-9]+, which only pid' 2 "shmdead linked: the notice names both semaphores"
name=$(sed -n 's/^shmdead: the parent waits on //p' "$T/sdl.out")
"$D/preload-shmdead" post "$name"
ended_zero $sdl "shmdead linked: another program's post ends the waits"
contains "$T/sdl.out" '^shmdead: 1 rounds$' "shmdead linked: as without conclab"
# the notice is in the trace, in a lane of the watchdog's, and no misuse
"$CONCLAB" dump "$T/sdl.clt" >"$T/sdl.dump" 2>&1
contains "$T/sdl.dump" ' watchdog +diag +- +stuck-elsewhere blocked=[0-9]+ @ -$' "shmdead linked: the watchdog's notice recorded"
contains "$T/sdl.out" '^  ok   no misuse ' "shmdead linked: the notice is no misuse"
contains "$T/sdl.out" '^  ok   no deadlock +the run ended without a deadlock' "shmdead linked: a run another program ended: no deadlock"
# Ctrl-C after the notice (which says it ends the run): both processes'
# traces saved, the child's read once it has saved it.  Before, both were
# cut short, and the report said "score 9 of 9".
ctrl_c "shmdead linked" sdc 130 err 'a deadlock, unless another program' "$D/preload-shmdead" linked
contains "$T/sdc.out" '^incomplete: stopped by SIGINT while 1 thread ran$' "shmdead linked: Ctrl-C: the report says what stopped the run"
contains "$T/sdc.out" '^  ok   no deadlock +no deadlock recorded until the run stopped, but' "shmdead linked: Ctrl-C: no deadlock recorded, but its threads were all blocked"
contains "$T/sdc.out" '^child [0-9]+ \(forked at tests/preload/shmdead\.c:[0-9]+\): trace .*, 2 records; SIGINT stopped it$' "shmdead linked: Ctrl-C: the child's trace saved"
# the names the stopped run left in /dev/shm
name=$(sed -n 's/^shmdead: the parent waits on //p' "$T/sdc.out")
"$D/preload-shmdead" unlink "$name" "$(echo "$name" | sed 's/-a-/-b-/')"
[ -n "$name" ] && [ ! -e "/dev/shm/sem.${name#/}" ] && pass "shmdead linked: Ctrl-C: its semaphores unlinked after" || fail "shmdead linked: Ctrl-C: its semaphore '$name' is still in /dev/shm"

# A signal handler (no SA_RESTART) ends sem_wait and sem_timedwait with
# EINTR, as the C library's; with SA_RESTART the wait goes on.  An alarm
# still to come is no deadlock yet; once it has fired, waiting again with
# nobody to post is.  Before, the wait went on (a deadlock reported, or
# ETIMEDOUT at the time limit).
for m in intr timed restart; do
	"$D/preload-sigsem" $m >"$T/ss.plain" 2>&1
	expect_exit 0 timeout 60 "$CONCLAB" trace --trace "$T/ss-$m.clt" "$D/preload-sigsem" $m
	grep '^sigsem:' "$T/out" | cmp -s - "$T/ss.plain" &&
		pass "sigsem $m: as without conclab ($(cat "$T/ss.plain"))" ||
		fail "sigsem $m: $(grep '^sigsem:' "$T/out") where plain gave $(cat "$T/ss.plain")"
done
contains "$T/ss.plain" 'restart returned 0' "sigsem restart: the wait went on"
"$CONCLAB" dump "$T/ss-intr.clt" >"$T/dump" 2>&1
contains "$T/dump" ' sem\.timeout +s#' "sigsem intr: the interrupted wait recorded as one that ended without a permit"
expect_exit 3 timeout 60 "$CONCLAB" trace --trace "$T/ss-again.clt" "$D/preload-sigsem" again
contains "$T/err" "^  main waits on sem s at tests/preload/sigsem\\.c:$(line sigsem 'BUG')\$" "sigsem again: after the alarm, the wait is for good"

# A program's own descriptors are numbered as without conclab (a pipe
# gives 3 and 4): conclab's are from 1000 up, on a first run and on a
# rerun, whose old trace is open until the writer closes it.
as_plain fdnum 0 --no-check -q
as_plain fdnum 0 --no-check -q
# A program that changes its directory before it forks (as a daemon
# does), traced with a relative path: the child's trace is beside the
# parent's, not in the directory the program went to.
mkdir -p "$T/cdtrace" "$T/elsewhere"
(cd "$T/cdtrace" && "$CONCLAB" trace --no-check --trace rel.clt "$D/preload-chdirfork" "$T/elsewhere") >"$T/out" 2>"$T/err"
cpid=$(sed -n 's/^chdirfork: child \([0-9]*\) exited 0$/\1/p' "$T/out")
[ -n "$cpid" ] && [ -f "$T/cdtrace/rel.$cpid.clt" ] &&
	pass "chdirfork: the child's trace beside the parent's" ||
	fail "chdirfork: no $T/cdtrace/rel.${cpid:-?}.clt: $(ls "$T/cdtrace" "$T/elsewhere" | tr '\n' ' ')"
contains "$T/out" "^child ${cpid:-none} \\(forked at .*\\): trace rel\\.${cpid:-none}\\.clt, [0-9]+ records" "chdirfork: conclab trace names the child's trace"
expect_exit 0 "$CONCLAB" dump "$T/cdtrace/rel.clt"
# Debug information kept apart from the program (objcopy
# --only-keep-debug, then a .gnu_debuglink to it): found beside the
# program and in its .debug folder, and a file of that name from another
# program is not taken for it.
if command -v objcopy >/dev/null 2>&1; then
	mkdir -p "$T/split/.debug"
	cp "$D/preload-abba" "$T/split/abba"
	objcopy --only-keep-debug "$T/split/abba" "$T/split/abba.dbg" &&
		objcopy --strip-debug --add-gnu-debuglink="$T/split/abba.dbg" "$T/split/abba" ||
		fail "objcopy: the debug information kept apart"
	expect_exit 1 "$CONCLAB" trace --trace "$T/split.clt" "$T/split/abba"
	contains "$T/out" 'held a \(taken at tests/preload/abba.c:16\) and requested b at tests/preload/abba.c:17' "split debug: found beside the program"
	mv "$T/split/abba.dbg" "$T/split/.debug/abba.dbg"
	expect_exit 1 "$CONCLAB" trace --trace "$T/split.clt" "$T/split/abba"
	contains "$T/out" 'held a \(taken at tests/preload/abba.c:16\) and requested b at tests/preload/abba.c:17' "split debug: found in .debug"
	objcopy --only-keep-debug "$D/preload-prodcons" "$T/split/.debug/abba.dbg"
	expect_exit 1 "$CONCLAB" trace --trace "$T/split.clt" "$T/split/abba"
	lacks "$T/out" 'abba\.c|prodcons' "split debug: another program's not taken"
	contains "$T/out" 'held a \(taken at ' "split debug: the sites named without it"
	# Without a build ID, the file is known by the link's checksum.
	rm -f "$T/split/.debug/abba.dbg"
	objcopy --remove-section .note.gnu.build-id "$D/preload-abba" "$T/split/abba" &&
		objcopy --only-keep-debug "$T/split/abba" "$T/split/abba.dbg" 2>/dev/null &&
		objcopy --strip-debug --add-gnu-debuglink="$T/split/abba.dbg" "$T/split/abba" ||
		fail "objcopy: a program without a build ID"
	expect_exit 1 "$CONCLAB" trace --trace "$T/split.clt" "$T/split/abba"
	contains "$T/out" 'held a \(taken at tests/preload/abba.c:16\) and requested b at tests/preload/abba.c:17' "split debug: no build ID, the checksum matches"
	objcopy --remove-section .note.gnu.build-id --only-keep-debug "$D/preload-prodcons" "$T/split/abba.dbg" 2>/dev/null
	expect_exit 1 "$CONCLAB" trace --trace "$T/split.clt" "$T/split/abba"
	lacks "$T/out" 'abba\.c|prodcons' "split debug: no build ID, another program's not taken"
else
	echo "SKIP: split debug information: no objcopy"
fi
# A program without debug information, with DEBUGINFOD_URLS set (as
# Ubuntu's login shells have it): its sites are named without asking a
# debug information server, which would block the program's thread for
# as long as the server takes (the client makes its cache directory first).
cp "$D/preload-abba" "$T/nodebug"
strip -g "$T/nodebug" 2>/dev/null || objcopy --strip-debug "$T/nodebug" 2>/dev/null ||
	echo "SKIP: no strip: the program keeps its debug information"
expect_exit 1 env DEBUGINFOD_URLS=http://127.0.0.1:9 DEBUGINFOD_CACHE_PATH="$T/dcache" \
	DEBUGINFOD_TIMEOUT=5 timeout 120 "$CONCLAB" trace --trace "$T/nd.clt" "$T/nodebug"
contains "$T/out" '^lock-order cycle 1: potential deadlock, 2 locks' "no debug information: the cycle"
[ ! -e "$T/dcache" ] && pass "no debug information: no debuginfod server asked" ||
	fail "no debug information: the debuginfod client ran ($T/dcache made)"

# The child that exits: its trace is whole, linked to the parent's, with
# the 70 acquisitions of its own thread and none of the parent's.
ta="$T/forkrec.${kid_a:-none}.clt"
"$CONCLAB" dump "$ta" >"$T/dump" 2>&1
contains "$T/dump" '^# content checksum ok' "forkrec child: its trace is whole"
[ "$(count_lines "$T/dump" 'mutex\.acquire +m#')" -eq 70 ] &&
	pass "forkrec child: its 70 acquisitions, none of the parent's" ||
	fail "forkrec child: $(count_lines "$T/dump" 'mutex\.acquire +m#') acquisitions, not 70"
contains "$T/dump" "^# meta process\\.pid=${kid_a:-none}\$" "forkrec child: process.pid"
contains "$T/dump" '^# meta process\.parent_trace=forkrec\.clt$' "forkrec child: process.parent_trace"
contains "$T/dump" '^# meta process\.fork_thread=0$' "forkrec child: forked by main"
contains "$T/dump" '^# meta process\.fork_seq=[0-9]+$' "forkrec child: the fork's position"
contains "$T/dump" '^ +0 +[0-9.]+ T0 +main +thread\.start ' "forkrec child: main is its thread 0"
expect_exit 0 "$CONCLAB" check "$ta"
contains "$T/out" '^  ok   all threads ended' "forkrec child: conclab check on the child's trace"
# Its parent's process.id is the child's process.parent_id, its own in the
# parent's metadata; the fork record is at process.fork_seq of main.
"$CONCLAB" dump "$T/forkrec.clt" >"$T/pdump" 2>&1
pid_id=$(sed -n 's/^# meta process\.id=//p' "$T/pdump")
kid_id=$(sed -n 's/^# meta process\.id=//p' "$T/dump")
contains "$T/dump" "^# meta process\\.parent_id=${pid_id:-none}\$" "forkrec child: process.parent_id is the parent's process.id"
contains "$T/pdump" "^# meta process\\.child\\.${kid_a:-none}=${kid_id:-none} " "forkrec: the parent names the child's process.id"
# A file of that name that is not the child's trace (another process's,
# its process.id tells) is not taken for it.
cp "$ta" "$T/kid-a.clt"
cp "$T/forkrec.${kid_b:-none}.clt" "$ta"
expect_exit 0 "$CONCLAB" check "$T/forkrec.clt"
contains "$T/out" "^child ${kid_a:-none} .*: not traced: $T/forkrec\\.${kid_a:-none}\\.clt is the trace of another process; its fork is in $T/forkrec\\.clt\$" "forkrec: another process's trace under the child's name is refused"
mv "$T/kid-a.clt" "$ta"
seq=$(sed -n 's/^# meta process\.fork_seq=//p' "$T/dump")
nth=$(grep -E '^ +[0-9]+ +[0-9.]+ T0 ' "$T/pdump" | sed -n "$((${seq:-0} + 1))p")
case $nth in
*" note "*"fork=${kid_a:-none} @"*) pass "forkrec: process.fork_seq is the fork record's position on main" ;;
*) fail "forkrec: main's record $seq is not the fork: $nth" ;;
esac

# fork while holding a read lock, a write lock and a permit: the child's
# trace begins with them, at the lines where they were taken, in that
# order; a lock released before the fork is not among them.  The child's
# lock order sees them: a mutex taken under them, then before them, makes
# two cycles; the lock released before the fork makes none.
expect_exit 0 "$CONCLAB" trace --trace "$T/fh.clt" "$D/preload-forkhold"
contains "$T/out" '^child: 0 failures$' "forkhold: the child releases what it held at the fork"
contains "$T/out" '^parent: child exited 0$' "forkhold: the parent goes on"
kid=$(sed -n 's/^child \([0-9]*\) (forked at .*$/\1/p' "$T/out")
"$CONCLAB" dump --alone "$T/fh.${kid:-none}.clt" >"$T/dump" 2>&1
held=$(grep -E '^ +[0-9]+ +[0-9.]+ T0 ' "$T/dump" | sed -n '2,4p' |
	sed -E 's/^.* T0 +main +([a-z.-]+) +([a-z]+)#.* @ tests\/preload\/forkhold\.c:([0-9]+) .*$/\1 \2 \3/' | tr '\n' '|')
want="rwlock.read-acquire rd $(line forkhold 'read')|rwlock.write-acquire wr $(line forkhold 'write')|sem.acquire s $(line forkhold 'permit')|"
[ "$held" = "$want" ] && pass "forkhold child: its trace begins with the read lock, the write lock and the permit held at the fork" ||
	fail "forkhold child: its trace begins with '$held', not '$want'"
contains "$T/dump" 'rwlock\.read-acquire +rd#[0-9]+ +how=block readers=1 ' "forkhold child: the read hold with its readers"
contains "$T/dump" 'sem\.acquire +s#[0-9]+ +how=block value=0 ' "forkhold child: the permit with the value left"
[ "$(count_lines "$T/dump" ' gone#[0-9]+ ')" -eq 2 ] &&
	pass "forkhold child: the lock released before the fork is not held at it (its 2 records are the child's)" ||
	fail "forkhold child: $(count_lines "$T/dump" ' gone#[0-9]+ ') records on gone, not 2"
contains "$T/dump" "rwlock\.write-acquire +gone#[0-9]+ .*forkhold\.c:$(line forkhold 'again') " "forkhold child: the lock released before the fork taken again"
expect_exit 0 "$CONCLAB" check "$T/fh.${kid:-none}.clt"
contains "$T/out" '^  ok   lock order +no lock-order cycle that can deadlock; 2 latent' "forkhold child: conclab check finds the two cycles"
expect_exit 0 "$CONCLAB" analyze "$T/fh.${kid:-none}.clt"
contains "$T/out" '^    wr( \(#[0-9]+\))? -> m -> wr' "forkhold child: the write lock held at the fork, then the mutex"
contains "$T/out" '^    s( \(#[0-9]+\))? -> m -> s' "forkhold child: the permit held at the fork, then the mutex"
contains "$T/out" "held wr( \(#[0-9]+\))? \(taken at tests/preload/forkhold\.c:$(line forkhold 'write')\)" "forkhold child: the write lock taken where the parent took it"
lacks "$T/out" 'gone' "forkhold child: no cycle with the lock released before the fork"

# A fork while another thread sets up the object of a mutex it takes for
# the first time: no child may wait for a half-made object for ever
# (before the fork waited for it, one or two of the 64 children did).
expect_exit 0 "$CONCLAB" trace --no-check --trace "$T/fs.clt" "$D/preload-forkstuck"
contains "$T/out" '^forkstuck: 64 children, 0 hung, 0 ended otherwise$' "forkstuck: every child ends"

# A child that joins a thread of its parent's: refused as a misuse, in the
# child's trace, and the child goes on and ends (it hung at its exit).
expect_exit 1 "$CONCLAB" trace --trace "$T/fj.clt" "$D/preload-forkjoin"
contains "$T/out" '^forkjoin: the child.s join returned an error$' "forkjoin: the child's join refused"
contains "$T/out" '^forkjoin: child exited 0$' "forkjoin: the child ends"
contains "$T/out" "^  FAIL no misuse .*\\(bad-object: of-parent\\).* at tests/preload/forkjoin\\.c:$(line forkjoin "the parent's")" \
	"forkjoin: the misuse, at the child's join"

# A child that crashes holding a lock: its trace has its 2002 records and
# the lock held, with the crash; the parent's is whole and its own.  The
# parent's trace reads with the child's: the family's checks see the lock.
expect_exit 1 "$CONCLAB" trace --trace "$T/fc.clt" "$D/preload-forkcrash"
contains "$T/out" '^forkcrash: child killed by signal 6$' "forkcrash: the child aborted"
kid=$(sed -n 's/^child \([0-9]*\) .*/\1/p' "$T/out")
contains "$T/out" "^  FAIL locks held at exit .*first: m \\(#[0-9]+\\) \\(mutex\\), held by pid ${kid:-none} / main since tests/preload/forkcrash.c:$(line forkcrash 'taken')" "forkcrash: the family's checks: the child's lock"
"$CONCLAB" dump --alone "$T/fc.clt" >"$T/fc.dump" 2>&1
[ "$(count_lines "$T/fc.dump" ' pid [0-9]+ / ')" -eq 0 ] && pass "forkcrash: the parent's trace alone has none of the child's records" ||
	fail "forkcrash: dump --alone shows the child's threads"
contains "$T/out" "^child ${kid:-none} \\(forked at tests/preload/forkcrash.c:$(line forkcrash 'fork')\\): trace $T/fc\\.${kid:-none}\\.clt, 2002 records; it died of SIGABRT\$" "forkcrash: the child's trace, whole, and its crash"
expect_exit 1 "$CONCLAB" check "$T/fc.${kid:-none}.clt"
contains "$T/out" "^  FAIL locks held at exit .*first: m \\(mutex\\), held by main since tests/preload/forkcrash.c:$(line forkcrash 'taken')" "forkcrash: the child's lock, held at its crash"
contains "$T/out" '^forked by process [0-9]+, whose trace is fc\.clt$' "forkcrash: check on the child names its parent"
expect_exit 1 "$CONCLAB" check "$T/fc.clt"
contains "$T/out" "^child ${kid:-none} .*trace $T/fc\\.${kid:-none}\\.clt" "forkcrash: check on the parent names the child's trace"

# Fork from a multithreaded parent while a worker holds x: the child's
# lock order starts clean (main took a, b; the child b, a), and its
# watchdog reports its own thread waiting for x, not the parent's threads.
# The parent's checks read the family: the child's deadlock fails them.
expect_exit 1 "$CONCLAB" trace --time-limit 20 --trace "$T/fm.clt" "$D/preload-forkmt"
contains "$T/out" '^  FAIL no deadlock' "forkmt: the family's checks: the child's deadlock"
contains "$T/out" '^forkmt: child exited 3$' "forkmt: the child's watchdog ended it (exit 3)"
# (the holder is named as the parent's: the child's numbers start again,
# and its thread-1 would not be the parent's)
contains "$T/err" "^  main +waits on mutex x at tests/preload/forkmt.c:[0-9]+, held by the parent process's thread-1( |\$)" "forkmt: the child's report: main waits for x, held by the parent's thread"
contains "$T/err" " when it forked this one\$" "forkmt: the child's report: held since the fork"
contains "$T/err" '^  a fork copies only the thread that calls it' "forkmt: the child's report: why nobody can unlock it"
[ "$(grep -c -E '^  [^ ]+ +(waits|running)' "$T/err")" -eq 1 ] &&
	pass "forkmt: the child's report names its one thread" ||
	fail "forkmt: the child's report: $(grep '^  [^ ]' "$T/err" | tr '\n' '|')"
kid=$(sed -n 's/^child \([0-9]*\) .*/\1/p' "$T/out")
contains "$T/out" "^child ${kid:-none} .*trace $T/fm\\.${kid:-none}\\.clt, [0-9]+ records; the watchdog stopped it \\(deadlock\\)\$" "forkmt: conclab trace says the child deadlocked"
expect_exit 1 "$CONCLAB" check "$T/fm.${kid:-none}.clt"
contains "$T/out" '^  ok   lock order' "forkmt: no lock-order cycle in the child"
contains "$T/out" '^  FAIL no deadlock' "forkmt: the child's deadlock"
;;
esac

# A program that crashes holding a lock: the trace saved, the lock held.
case ${3:-none} in
*address*)
	# The sanitizers report the crash (UndefinedBehaviorSanitizer the null
	# pointer first, with halt_on_error) and end the program with their
	# exit code; their death callback saves the trace.
	expect_exit 1 "$CONCLAB" trace --trace "$T/crash.clt" "$D/preload-crash"
	contains "$T/err" 'SEGV|load of null pointer' "crash: the sanitizer's report" ;;
*)
	expect_exit 139 "$CONCLAB" trace --trace "$T/crash.clt" "$D/preload-crash"
	contains "$T/err" 'killed by signal 11' "crash: the signal" ;;
esac
contains "$T/out" '^crashing$' "crash: the program ran"
contains "$T/out" "^  FAIL locks held at exit +1 lock\(s\) still held .*first: m \(mutex\), held by thread-1 since tests/preload/crash.c:$(line crash 'taken')" "crash: the lock it held, where it was taken"
expect_exit 1 "$CONCLAB" check "$T/crash.clt"
# The same under the controlled scheduler: the crash's wait for the writer
# is on the real clock.  Before, it slept on the virtual one, passed at
# once, and the trace was empty: "score 9 of 9", the lock not named.
case ${3:-none} in
*address*) ;;
*)
	expect_exit 139 "$CONCLAB" trace --sched random --seed 1 --trace "$T/crash-s.clt" "$D/preload-crash"
	contains "$T/out" '^  FAIL run completed +the program crashed \(SIGSEGV\)' "crash --sched: the crash reported"
	contains "$T/out" "^  FAIL locks held at exit +1 lock\(s\) still held .*first: m \(mutex\)" "crash --sched: the lock it held" ;;
esac

# Signals whose default action ends a program (Ctrl-C's SIGINT, SIGTERM,
# an alarm's SIGALRM): the trace is saved whole, says which signal stopped
# the run, and its report judges it as a run that did not end.  Before,
# the trace was cut short and the report said "score 9 of 9".  setsid: the
# SIGINT goes to conclab's process group, as a terminal's Ctrl-C does.
ctrl_c stopsig sg 130 out '^stopsig: pid [0-9]* sleeps$' "$D/preload-stopsig"
contains "$T/sg.out" '^incomplete: stopped by SIGINT while 2 threads ran$' "stopsig: the report says what stopped the run"
contains "$T/sg.out" '^  --   all threads ended +not judged, the run did not end' "stopsig: what needs the end not judged"
contains "$T/sg.out" "^  FAIL locks held at exit +1 lock\(s\) still held .*first: m \(mutex\), held by thread-1 since tests/preload/stopsig.c:$(line stopsig 'taken')" "stopsig: the lock the sleeper held, from the records the signal would have lost"
contains "$T/sg.out" 'score 0 of 9 \(the run did not complete' "stopsig: a stopped run earns nothing"
"$CONCLAB" dump "$T/sg.clt" >"$T/dump" 2>&1
contains "$T/dump" '^# meta end\.signal=SIGINT$' "stopsig: the signal in the trace"
lacks "$T/dump" 'cut short|damaged' "stopsig: the trace whole"
for c in check analyze; do
	"$CONCLAB" $c "$T/sg.clt" >"$T/out" 2>&1
	contains "$T/out" '^incomplete: stopped by SIGINT while 2 threads ran$' "stopsig: conclab $c says so too"
	contains "$T/out" '^  --   all threads ended +not judged' "stopsig: conclab $c does not judge what needs the end"
	contains "$T/out" 'score 0 of 9 \(the run did not complete' "stopsig: conclab $c gives it nothing"
done
rm -f "$T/sg.out"
"$D/preload-stopsig" >"$T/sg.out" 2>&1 &
sg=$!
until_said "$T/sg.out" '^stopsig: pid [0-9]* sleeps$'
kill -TERM "$sg"
wait "$sg"
rc_=$?
rm -f "$T/sg.out"
timeout 60 "$CONCLAB" trace --trace "$T/sg.clt" "$D/preload-stopsig" >"$T/sg.out" 2>"$T/sg.err" &
sg=$!
until_said "$T/sg.out" '^stopsig: pid [0-9]* sleeps$'
kill -TERM "$(sed -n 's/^stopsig: pid \([0-9]*\) sleeps$/\1/p' "$T/sg.out")"
wait "$sg"
[ $? = "$rc_" ] && pass "stopsig: SIGTERM ends it as without conclab (exit $rc_)" || fail "stopsig: SIGTERM: not exit $rc_ as without conclab"
contains "$T/sg.out" '^incomplete: stopped by SIGTERM while 2 threads ran$' "stopsig: SIGTERM named"
# A SIGTERM sent to conclab alone (kill, a harness's time limit) goes on
# to the program, whose trace is saved and reported.  Before, conclab
# ended at once, and the program ran on unwatched.
rm -f "$T/sg.out"
"$CONCLAB" trace --trace "$T/sg.clt" "$D/preload-stopsig" >"$T/sg.out" 2>"$T/sg.err" &
sg=$!
until_said "$T/sg.out" '^stopsig: pid [0-9]* sleeps$'
kill -TERM "$sg"
wait "$sg"
rc_=$?
[ "$rc_" = 143 ] && pass "stopsig: conclab's SIGTERM (exit 143)" || fail "stopsig: conclab's SIGTERM: exit $rc_, not 143"
contains "$T/sg.out" '^incomplete: stopped by SIGTERM while 2 threads ran$' "stopsig: conclab's SIGTERM passed on, the run reported"
kid=$(sed -n 's/^stopsig: pid \([0-9]*\) sleeps$/\1/p' "$T/sg.out")
child_ended "$kid" "stopsig: conclab's SIGTERM"
expect_exit 142 timeout 60 "$CONCLAB" trace --trace "$T/sg.clt" "$D/preload-stopsig" alarm
contains "$T/out" '^incomplete: stopped by SIGALRM while 2 threads ran$' "stopsig alarm: an alarm nobody handles ends the run, its trace saved"
# A program that installs its own handler only where the action is the
# default (as Python does for Ctrl-C) is shown the default, and its
# handler gets the signal: the run ends as the program chooses.
for m in own signal bsd; do
	ctrl_c "stopsig $m: its own handler takes it" sg 0 out "^stopsig: pid [0-9]*, SIGINT's action was" "$D/preload-stopsig" $m
	contains "$T/sg.out" "^stopsig: pid [0-9]*, SIGINT's action was the default\$" "stopsig $m: the program sees the default action"
	contains "$T/sg.out" "^stopsig: its own handler's byte, 1 i\$" "stopsig $m: as without conclab"
	lacks "$T/sg.out" '^incomplete' "stopsig $m: a run that ended"
done
# System V's handlers are reset as they run (SA_RESETHAND), so a second
# SIGINT, which timeout sends the group after the first, would end these
# programs as it ends them plainly: one SIGINT, to the program alone.
# xopen is signal() in a program built with gcc -std=c11.
for m in sysv xopen sigset; do
	rm -f "$T/sg.out" "$T/sg.err"
	env --default-signal=INT "$CONCLAB" trace --trace "$T/sg.clt" "$D/preload-stopsig" $m >"$T/sg.out" 2>"$T/sg.err" &
	sg=$!
	until_said "$T/sg.out" "^stopsig: pid [0-9]*, SIGINT's action was"
	kill -INT "$(sed -n 's/^stopsig: pid \([0-9]*\),.*/\1/p' "$T/sg.out")"
	ended_zero $sg "stopsig $m: its own handler takes it"
	contains "$T/sg.out" "^stopsig: pid [0-9]*, SIGINT's action was the default\$" "stopsig $m: the program sees the default action"
	contains "$T/sg.out" "^stopsig: its own handler's byte, 1 i\$" "stopsig $m: as without conclab"
	lacks "$T/sg.out" '^incomplete' "stopsig $m: a run that ended"
done

# A signal handler's sem_post (async-signal-safe) reaches conclab's
# semaphore also when the handler came while its thread ran conclab's
# code: before, it went to the C library's count, and the wait it was for
# hung (sigpost) or was reported as a deadlock (sigpost join).
expect_exit 0 timeout 60 "$CONCLAB" trace --trace "$T/sp.clt" "$D/preload-sigpost"
contains "$T/out" '^sigpost: 1000 waits, each on a post from the handler$' "sigpost: every wait ended by the handler's post"
expect_exit 0 timeout 60 "$CONCLAB" trace --trace "$T/spj.clt" "$D/preload-sigpost" join
contains "$T/out" '^sigpost join: the worker woke, 1 post\(s\)$' "sigpost join: the handler, on main in its join, woke the worker"
"$CONCLAB" dump "$T/spj.clt" >"$T/spj.dump" 2>&1
contains "$T/spj.dump" "T0 +main +sem\.release +s#[0-9]+ .*@ tests/preload/sigpost\.c:$(line sigpost 'the handler posts') on_alarm" "sigpost join: the post recorded, on main, at the handler's line"
for m in join-nocancel nest ending; do
	expect_exit 0 timeout 120 "$CONCLAB" trace --trace "$T/sp-$m.clt" "$D/preload-sigpost" $m
	"$D/preload-sigpost" $m >"$T/sp.plain" 2>&1
	grep '^sigpost' "$T/out" | cmp -s - "$T/sp.plain" &&
		pass "sigpost $m: as without conclab ($(cat "$T/sp.plain"))" ||
		fail "sigpost $m: $(grep '^sigpost' "$T/out") where plain gave $(cat "$T/sp.plain")"
done

# A default mutex locked again by its owner hangs, as it does plainly.
expect_exit 124 timeout 1 "$D/preload-relock"
expect_exit 3 "$CONCLAB" trace --trace "$T/re.clt" "$D/preload-relock"
contains "$T/err" 'main +waits on latch self-deadlock at tests/preload/relock.c:13' "relock: the watchdog shows the hang"
contains "$T/out" '\(relock\) in main on m at tests/preload/relock.c:13' "relock: the misuse recorded"

# Two readers upgrade a pthread rwlock: it hangs plainly; traced, the
# watchdog names both readers and the detector the upgrade.
expect_exit 124 timeout 1 "$D/preload-rwupgrade"
expect_exit 3 "$CONCLAB" trace --trace "$T/rw.clt" "$D/preload-rwupgrade"
contains "$T/err" 'thread-1 +waits on rwlock table at tests/preload/rwupgrade.c:19, held by readers thread-1, thread-2' "rwupgrade: the watchdog names the readers"
contains "$T/err" 'cycle: thread-1 -> thread-2 -> thread-1' "rwupgrade: the wait cycle"
contains "$T/out" 'table -> table: thread-[12] held table \(taken at tests/preload/rwupgrade.c:16\) and requested table at tests/preload/rwupgrade.c:19' "rwupgrade: the upgrade's edge"
contains "$T/out" 'an upgrade' "rwupgrade: explained"

# C++ (std::mutex and friends inline their pthread calls from headers).
CXX=$(command -v c++ || command -v g++ || command -v clang++)
if [ -n "$CXX" ] && "$CXX" -g -O1 -pthread -o "$T/cxx" \
	"$(dirname "$0")/../preload/cxx.cc" >"$T/cxx.log" 2>&1; then
	expect_exit 1 "$CONCLAB" trace --trace "$T/cxx.clt" "$T/cxx"
	contains "$T/out" 'held a \(taken at [^ ]*cxx\.cc:17\) and requested b at [^ ]*cxx\.cc:18' "c++: sites in the program, not in the headers"
	contains "$T/out" '^cxx: done' "c++: the timed wait ends with the notify"
	# thread_local destructors and notify_all_at_thread_exit, after the
	# thread's function: on conclab's objects, before its recorded end
	"$CXX" -g -O1 -pthread -o "$T/cxxdtor" "$(dirname "$0")/../preload/cxxdtor.cc"
	expect_exit 0 timeout 60 "$CONCLAB" trace --trace "$T/cxxdtor.clt" "$T/cxxdtor"
	contains "$T/out" '^cxxdtor: sum 20000$' "c++: thread_local destructors lock the program's mutex (no update lost)"
	"$CONCLAB" dump "$T/cxxdtor.clt" >"$T/dump" 2>&1
	count_is "$T/dump" "mutex\\.acquire .*cxxdtor\\.cc:$(grep -n 'cxxdtor: the destructor' "$(dirname "$0")/../preload/cxxdtor.cc" | cut -d: -f1) " 4 "c++: the four destructors' locks recorded"
else
	echo "no C++ compiler: the C++ program is not tried"
fi

# Memory that held a mutex made a mutex again without pthread_mutex_init
# (a zeroed struct, an initializer assigned, a C++ object's std::mutex):
# a new object, of the new type.  Before, the old one went on: a false
# self-deadlock of the recursive one, a false lock-order cycle.
as_plain reused 0
contains "$T/out" '^  ok   lock order' "reused: no lock-order cycle between the two mutexes"
"$CONCLAB" dump "$T/reused.clt" >"$T/dump" 2>&1
count_is "$T/dump" ' create +slot#[0-9]+ ' 2 "reused: two objects at one address"
contains "$T/dump" ' destroy +slot#[0-9]+ .*tests/preload/reused\.c:' "reused: the first one ends where the second is first used"

# Thread-specific data destructors (pthread_key_create, tss_create) that
# lock the program's mutex and signal its condition (main waits on it
# before any join), one thread ended by pthread_exit: before the thread's
# end, on conclab's objects.  Before, main's wait was reported as a
# deadlock.
as_plain tsddtor 0
"$CONCLAB" dump "$T/tsddtor.clt" >"$T/dump" 2>&1
count_is "$T/dump" "mutex\\.acquire +m#[0-9]+ .*tests/preload/tsddtor\\.c:$(line tsddtor "the destructor's lock") " 4 "tsddtor: the four destructors' locks recorded"

# Replacing a trace removes the traces its run's children left beside it
# (STEM.PID.clt), and only those: a file so named of another process's
# child, or of no child, stays.
# Its children record: not in an AddressSanitizer build (above).
case ${3:-none} in
*address*)
	echo "SKIP: replacing a trace of a program that forks, in an" \
		"AddressSanitizer build" ;;
*)
kids() { sed -n 's/^forkrec: children \([0-9]*\) \([0-9]*\) exited 0 0$/\1 \2/p' "$T/out"; }
expect_exit 0 "$CONCLAB" trace --trace "$T/rep.clt" "$D/preload-forkrec"
old_kids=$(kids)
expect_exit 0 "$CONCLAB" trace --trace "$T/other.clt" "$D/preload-forkrec"
other=$(kids | cut -d' ' -f1)
cp "$T/other.${other:-none}.clt" "$T/rep.999999999.clt" &&
	pass "replace: another process's child beside rep.clt" ||
	fail "replace: no child trace of other.clt"
cp "$T/preload-abba.clt" "$T/rep.999999998.clt"
[ "$(ls "$T" | grep -c '^rep\.[0-9]*\.clt$')" -eq 4 ] &&
	pass "replace: the first run's two children, and two others" ||
	fail "replace: $(ls "$T" | grep -c '^rep\.[0-9]*\.clt$') files rep.PID.clt, not 4"
expect_exit 0 "$CONCLAB" trace --trace "$T/rep.clt" "$D/preload-forkrec"
new_kids=$(kids)
for k in $old_kids; do
	case " $new_kids " in *" $k "*) continue ;; esac # the pid came again
	[ -e "$T/rep.$k.clt" ] && fail "replace: rep.$k.clt of the old run stayed" ||
		pass "replace: rep.$k.clt of the old run removed"
done
for k in $new_kids 999999999 999999998; do
	[ -f "$T/rep.$k.clt" ] && pass "replace: rep.$k.clt stays" ||
		fail "replace: rep.$k.clt was removed"
done
;;
esac

# main ends with pthread_exit: the process ends when the last of its
# threads does (conclab's own threads do not keep it alive), status 0,
# the trace closed whole; or at once when main was the only thread.
expect_exit 0 timeout 30 "$CONCLAB" trace --trace "$T/me.clt" "$D/preload-mainexit"
contains "$T/out" '^main: pthread_exit$' "mainexit: main called pthread_exit"
contains "$T/out" '^worker [12]: the last, count 2000$' "mainexit: the threads ran on after main"
contains "$T/out" '^  ok   all threads ended' "mainexit: every thread's end recorded"
grep -q '^conclab' "$T/err" && fail "mainexit: stderr: $(head -3 "$T/err")" ||
	pass "mainexit: the trace whole, conclab says nothing on stderr"
expect_exit 0 "$CONCLAB" check "$T/me.clt"
grep -q 'incomplete' "$T/out" && fail "mainexit: the run is incomplete" ||
	pass "mainexit: the run complete"
# main's cleanup handler outlasts the workers: the last of them ends
# while main is still in its pthread_exit, and the trace is closed only
# once main's end is recorded (it was closed at once, without it).
for i in 1 2 3; do
	expect_exit 0 timeout 30 "$CONCLAB" trace --trace "$T/me2.clt" \
		"$D/preload-mainexit" slowend
	contains "$T/out" '^  ok   all threads ended' "mainexit slowend $i: every thread's end recorded"
	expect_exit 0 "$CONCLAB" check "$T/me2.clt"
	grep -q 'incomplete' "$T/out" && fail "mainexit slowend $i: the run is incomplete" ||
		pass "mainexit slowend $i: the run complete"
done
expect_exit 0 timeout 30 "$CONCLAB" trace --trace "$T/me1.clt" "$D/preload-mainexit" alone
contains "$T/out" '^main alone: pthread_exit$' "mainexit alone: main called pthread_exit"
contains "$T/out" '^7 of 7 properties hold' "mainexit alone: the checks hold"

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
# A program that leaves no trace: statically linked (the preload library
# never loads), or ended by a signal before the library opened its trace
# (a Ctrl-C right after the start): the message says which it may be.
cat >"$T/static.c" <<'EOF'
#include <signal.h>
#include <string.h>
int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "term") == 0)
		raise(SIGTERM);
	return 0;
}
EOF
if cc -static -o "$T/static" "$T/static.c"; then
	expect_exit 2 "$CONCLAB" trace --trace "$T/static.clt" -- "$T/static"
	contains "$T/err" 'static left no trace: is it dynamically linked against the C library.s threads\?$' "a static program: no trace, and why"
	expect_exit 143 "$CONCLAB" trace --trace "$T/static.clt" -- "$T/static" term
	contains "$T/err" 'static left no trace: the signal came before it opened one, or it is not dynamically linked' "a static program killed by a signal: the signal may have come first"
else
	fail "cc -static: no static C library (libc6-dev)"
fi
expect_exit 4 "$CONCLAB" trace --time-limit 1 --trace "$T/tl.clt" -- sleep 30
contains "$T/err" 'conclab: trace saved to' "time limit: trace saved"

# -q: the results only, the lock-order report in brief; the exit code kept.
expect_exit 1 "$CONCLAB" trace -q --trace "$T/q.clt" "$D/preload-abba"
contains "$T/out" '^lock order: potential deadlock, a -> b -> a' "-q: the cycle in brief"
lacks "$T/out" 'lock order \(conclab analyze\)' "-q: no full lock-order report"
lacks "$T/out" 'A possible interleaving' "-q: no interleaving"
contains "$T/out" '^  FAIL lock order ' "-q: the checks"
contains "$T/out" '^trace: .*q.clt$' "-q: the trace"
expect_exit 0 "$CONCLAB" trace --quiet --trace "$T/q2.clt" "$D/preload-prodcons"
lacks "$T/out" '^no lock-order cycles' "-q: nothing said of a clean lock order"
contains "$T/out" '^7 of 7 properties hold' "-q: a clean run's checks"
expect_exit 3 "$CONCLAB" trace -q --trace "$T/q3.clt" "$D/preload-deadlock"
contains "$T/err" 'conclab: deadlock' "-q: the watchdog's report kept"
# --view without a terminal: a note, and the run as without it.
expect_exit 1 "$CONCLAB" trace --view -q --trace "$T/v.clt" "$D/preload-abba" </dev/null
contains "$T/err" '--view needs a terminal' "--view without a terminal: a note"
contains "$T/out" '^  FAIL lock order ' "--view without a terminal: the report"

# The controlled scheduler.  Wrong inputs first.
expect_exit 2 "$CONCLAB" trace --seed 3 "$D/preload-abba"
contains "$T/err" '--seed N is the controlled scheduler' "--seed without --sched"
expect_exit 2 "$CONCLAB" trace --sched random --seed -1 "$D/preload-abba"
expect_exit 2 "$CONCLAB" trace --sched random --seed three "$D/preload-abba"
expect_exit 2 "$CONCLAB" trace --sched random --seed 99999999999999999999999 "$D/preload-abba"
expect_exit 2 "$CONCLAB" trace --sched fifo "$D/preload-abba"
expect_exit 2 "$CONCLAB" trace --sched replay "$D/preload-abba"
contains "$T/err" '--sched replay wants --replay' "--sched replay without a schedule"
expect_exit 2 "$CONCLAB" trace --replay '1.1.!!' "$D/preload-abba"
contains "$T/err" 'schedule string is malformed' "a malformed schedule string"
expect_exit 2 "$CONCLAB" trace --replay 1.1.AA --sched random "$D/preload-abba"
contains "$T/err" '--replay goes with --sched replay' "--replay with another mode"
expect_exit 2 "$CONCLAB" trace --replay "$T/no-such.clt" "$D/preload-abba"
expect_exit 2 "$CONCLAB" trace --replay "$T/q.clt" "$D/preload-abba"
contains "$T/err" 'has no schedule' "--replay of a trace of a free run"
expect_exit 2 "$CONCLAB" trace --sched pct --pct-depth 0 "$D/preload-abba"
expect_exit 2 "$CONCLAB" trace --sched pct --step-limit 0 "$D/preload-abba"
# A run longer than the step limit: stopped, with the way to give it more.
expect_exit 4 "$CONCLAB" trace --sched random --seed 1 --step-limit 50 --trace "$T/sl.clt" "$D/preload-prodcons"
contains "$T/err" '^conclab trace: a correct program that runs long also takes that many steps: give it more with --step-limit N' "step limit: the way to give a long run more"
# The same seed gives the same run: dumps compared record for record.
same_run() { # NAME PROGRAM [ARGS]: two runs of --seed 5, one dump
	n=$1
	shift
	for k in 1 2; do
		mkdir -p "$T/run$k"
		"$CONCLAB" trace --sched random --seed 5 --time-limit 60 \
			--trace "$T/run$k/$n.clt" "$@" >"$T/$n.$k.out" 2>&1
		echo $? >"$T/$n.$k.rc"
		# a child's pid and the traces' random ids differ run to run
		"$CONCLAB" dump "$T/run$k/$n.clt" 2>&1 |
			sed -E -e "s|$T/run$k/||g" -e 's/[0-9a-f]{16,}/ID/g' \
				-e 's/[0-9]{3,}/PID/g' >"$T/$n.$k.dump"
	done
	# two runs that crash alike are not what this checks
	if cmp -s "$T/$n.1.rc" "$T/$n.2.rc" && cmp -s "$T/$n.1.dump" "$T/$n.2.dump" &&
		[ "$(grep -c ' T[0-9]' "$T/$n.1.dump")" -gt 3 ] &&
		! grep -qE 'crashed|Sanitizer' "$T/$n.1.out" "$T/$n.2.out"; then
		pass "--sched random --seed 5: $n twice, the same dump (exit $(cat "$T/$n.1.rc"))"
	else
		fail "--sched random --seed 5: $n twice, dumps differ or a run crashed"
		diff "$T/$n.1.dump" "$T/$n.2.dump" | head -10
		grep -hE 'crashed|Sanitizer' "$T/$n.1.out" "$T/$n.2.out" | head -4
	fi
}
# (forkrec's children end with exit, which writes their traces whole; a
# child that ends with _exit, as forklock's, leaves what its writer had
# written by then, which timing decides)
for p in abba deadlock philosophers prodcons recursive rwupgrade \
	forkrec mainexit sleepy cancel named c11 cancelwait names cancelsleep tsddtor reused; do
	same_run "$p" "$D/preload-$p"
done
same_run abba-race "$D/preload-abba" race
# abba race (both threads at once) deadlocks on some seeds, not on others.
dl=0 ok=0
for s in 1 2 3 4 5 6 7 8; do
	"$CONCLAB" trace -q --sched random --seed "$s" --trace "$T/ar.clt" \
		"$D/preload-abba" race >"$T/out" 2>"$T/err"
	case $? in 3) dl=$((dl + 1)) ;; 1) ok=$((ok + 1)) ;; esac
done
[ "$dl" -gt 0 ] && [ "$ok" -gt 0 ] &&
	pass "abba race: seeds 1..8 deadlock $dl times, pass $ok times" ||
	fail "abba race: seeds 1..8 deadlock $dl times, pass $ok times"
# A deadlock's schedule replays it; the replay line says how.
expect_exit 3 "$CONCLAB" trace --sched random --seed 2 --trace "$T/ar2.clt" "$D/preload-abba" race
contains "$T/out" "^replay it: conclab trace --seed 2 --replay 1\\.1\\.[A-Za-z0-9_-]+ -- $D/preload-abba race\$" "the replay line"
contains "$T/err" 'deadlock: threads wait for each other in a cycle' "abba race: the deadlock"
expect_exit 3 "$CONCLAB" trace --replay "$T/ar2.clt" --trace "$T/ar3.clt" "$D/preload-abba" race
lacks "$T/out" 'left its schedule' "a replay of the trace follows it"
str=$(sed -n 's/^replay it: conclab trace --seed 2 --replay \([^ ]*\) .*/\1/p' "$T/out")
expect_exit 3 "$CONCLAB" trace --seed 2 --replay "$str" --trace "$T/ar4.clt" "$D/preload-abba" race
lacks "$T/out" 'left its schedule' "a replay of the string follows it"
# Another program under that schedule leaves it, and says so.
expect_exit 1 "$CONCLAB" trace --replay "$T/ar2.clt" --trace "$T/ar5.clt" "$D/preload-abba"
contains "$T/out" 'the replay left its schedule' "another program leaves the schedule"
# The scheduler's options given are in the replay line, and it replays.
expect_exit 3 "$CONCLAB" trace --sched random --seed 2 --step-limit 90000 --spurious 0 --early-timeouts --trace "$T/ar6.clt" "$D/preload-abba" race
contains "$T/out" "^replay it: conclab trace --seed 2 --step-limit 90000 --spurious 0 --early-timeouts --replay 1\\.[0-9]+\\.[A-Za-z0-9_-]+ -- $D/preload-abba race\$" "the replay line names the scheduler's options"
str=$(sed -n 's/^replay it: conclab trace \(.*\) -- .*/\1/p' "$T/out")
# shellcheck disable=SC2086 # the line's words, as a user pastes them
expect_exit 3 "$CONCLAB" trace $str --trace "$T/ar7.clt" "$D/preload-abba" race
lacks "$T/out" 'left its schedule' "the replay line with options follows the schedule"
# Sleeps are on the virtual clock: a second's sleep and 100 ms polls take
# no real time, and the poller hands the turn on.
start=$(date +%s)
expect_exit 0 timeout 60 "$CONCLAB" trace --sched pct --trace "$T/sl.clt" "$D/preload-sleepy"
within "$start" "sleepy: virtual sleeps"
contains "$T/out" '^sleepy: done after some looks$' "sleepy: main polled, the worker ran"
expect_exit 0 "$CONCLAB" dump "$T/sl.clt"
contains "$T/out" ' sleep +- +ms=100 @ tests/preload/sleepy.c:42 main' "sleepy: main's sleeps recorded at its line"
expect_exit 0 timeout 60 "$CONCLAB" trace --sched random --trace "$T/sl30.clt" -- sleep 30
# A thread blocked in read() keeps the turn: the time limit ends the run.
start=$(date +%s)
expect_exit 4 timeout 60 "$CONCLAB" trace --sched random --time-limit 2 --trace "$T/rb.clt" "$D/preload-readblock"
within "$start" "readblock: ended by the time limit"
contains "$T/err" 'exceeded its time limit' "readblock: the watchdog's report"
contains "$T/err" 'keeps the turn' "readblock: why, under --sched"
contains "$T/out" '^  FAIL no deadlock ' "readblock: the run did not end"
# The step limit stops a controlled run as a livelock: exit 4, as run's.
expect_exit 4 "$CONCLAB" trace -q --sched pct --step-limit 50 --trace "$T/stl.clt" "$D/preload-prodcons"
contains "$T/err" 'stopped: 50 scheduling steps' "the step limit: the watchdog's report"
contains "$T/out" '^  FAIL busy waiting .*step cap' "the step limit: the check"
# Without --time-limit a controlled run stops after 60 s, not never: --help says so.
expect_exit 0 "$CONCLAB" trace --help
contains "$T/out" '60 under --sched' "--help: a controlled run's time limit"
# --codec and --buffer-mb, as conclab run has them, through the preload
# library's environment (which it unsets for the programs PROG runs).
expect_exit 0 "$CONCLAB" trace -q --trace buf-def.clt "$D/preload-quiet" 20000
expect_exit 0 "$CONCLAB" dump buf-def.clt
grep '^# records' "$T/out" >buf-def.txt
contains "$T/out" '^# conclab trace, format 1\.8' "trace: zstd records (format 1.8) by default"
expect_exit 0 "$CONCLAB" trace -q --buffer-mb 1 --codec zlib --trace buf-1.clt "$D/preload-quiet" 20000
expect_exit 0 "$CONCLAB" dump buf-1.clt
grep '^# records' "$T/out" >buf-1.txt
contains "$T/out" '^# conclab trace, format 1\.3' "trace --codec zlib: zlib records (format 1.3)"
contains buf-1.txt '^# records [0-9]+, dropped 0$' "trace --buffer-mb 1: no record dropped"
cmp -s buf-def.txt buf-1.txt && pass "trace --buffer-mb 1: every record, as many as with the default buffer" ||
	fail "trace --buffer-mb 1: $(cat buf-1.txt), with the default buffer $(cat buf-def.txt)"
expect_exit 0 "$CONCLAB" trace -q --codec none --trace buf-none.clt "$D/preload-quiet" 2000
expect_exit 0 "$CONCLAB" trace -q --trace buf-zstd.clt "$D/preload-quiet" 2000
[ "$(wc -c <buf-none.clt)" -gt "$(wc -c <buf-zstd.clt)" ] && pass "trace --codec none: a bigger file than zstd's" ||
	fail "trace --codec none: $(wc -c <buf-none.clt) bytes, zstd $(wc -c <buf-zstd.clt)"
for bad in 0 4097 lots; do
	expect_exit 2 "$CONCLAB" trace --buffer-mb "$bad" "$D/preload-quiet"
	contains "$T/err" "--buffer-mb wants megabytes \\(1\\.\\.4096\\), not '$bad'" "trace --buffer-mb $bad refused"
done
expect_exit 2 "$CONCLAB" trace --codec lz4 "$D/preload-quiet"
contains "$T/err" "--codec wants zstd, zlib or none, not 'lz4'" "trace --codec lz4 refused"
expect_exit 0 "$CONCLAB" trace -q --buffer-mb 2 --codec none --trace env.clt -- env
lacks "$T/out" '^CONCLAB_TRACE_(CODEC|BUFFER_MB)=' "the program does not see --codec and --buffer-mb's variables"
finish
