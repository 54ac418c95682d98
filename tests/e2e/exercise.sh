#!/bin/sh
# conclab exercise: each lab's correct solution passes, the classic
# mistakes fail with the property they break, the starters compile and
# run, a file that does not compile exits 2 with the compiler's message,
# a solution that crashes ends with a report and a trace in time, one
# that synchronises where conclab cannot see is refused with the reason,
# and one that ends the run early or never ends is reported.
X=$(cd "$(dirname "$0")/../exercises" && pwd)
. "$(dirname "$0")/lib.sh"
exercise_budget "${2:-none}"
command -v "${CC:-cc}" >/dev/null 2>&1 || { echo "no C compiler: skipped"; exit 77; }

# ex CODE LAB FILE [ARGS...]: run an exercise quietly, check its exit code
ex() {
	want=$1 lab=$2 file=$3
	shift 3
	expect_exit "$want" "$CONCLAB" exercise $BUDGET "$lab" -q --time-limit 60 \
		--trace "$T/$lab.clt" "$@" "$X/$file"
}

# Correct solutions pass, and the trace grades the same with check.
for lab in philosophers prodcons timer race semaphore lockorder barrier rwlock \
	startup stop actor pool coop processes rlock tls; do
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
contains "$T/out" '^lock order: note: gated lock-order cycle, (fork-[0-9] -> ){5}fork-[0-9] ' "philosophers waiter: the cycle is shown, gated"
contains "$T/out" 'a permit of seats, which lets at most 4' "philosophers waiter: gated by the seats"
expect_exit 0 "$CONCLAB" check "$T/philosophers.clt"
"$CONCLAB" exercise $BUDGET philosophers -q --trace "$T/waiter6.clt" --philosophers 6 \
	"$X/philosophers-waiter.c" >"$T/out" 2>&1
contains "$T/out" '^([0-9]+) of \1 properties hold' "philosophers waiter, 6 at the table: every property holds"

# prodcons: `if` around the wait over-consumes (a slow producer, three
# eager consumers woken by a broadcast).
ex 1 prodcons prodcons-ifwait.c --producers 1 --consumers 3 --items 8 \
	--produce_ms 20 --consume_ms 0
contains "$T/out" '^  FAIL (consumed once|buffer depth)' "prodcons if-wait: an item property fails"

# prodcons: one condition variable and signal: everyone sleeps (or items
# go wrong).
"$CONCLAB" exercise $BUDGET prodcons -q --time-limit 60 --trace "$T/scv.clt" \
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

# race: the lock let go between the read and the write loses updates;
# the atomic step is a second right answer; a plain ++ that the macros do
# not record shows no update at all.
ex 1 race race-halflock.c
contains "$T/out" '^  FAIL no lost update +[0-9]+ update\(s\) wrote a value already written' "race half-locked: 'no lost update' fails"
contains "$T/out" '^  FAIL final count +the counter ends at [0-9]+, expected 200' "race half-locked: updates lost from the count"
lacks "$T/out" '^  FAIL (updates made|no deadlock)' "race half-locked: for that reason only"
ex 0 race race-atomic.c
contains "$T/out" '^  ok   no lost update' "race atomic: one atomic step loses nothing"
ex 1 race race-plain.c
contains "$T/out" '^  FAIL updates made +0 updates recorded, expected 200' "race plain ++: no update recorded"
contains "$T/out" '^  ok   final count' "race plain ++: though the count is right"

# semaphore: a wait under `if` with a broadcast lets too many in; a
# release that tells nobody leaves the waiters asleep; a loop that polls
# the count under the lock is busy waiting.
ex 1 semaphore semaphore-ifwait.c
contains "$T/out" '^  FAIL limit kept +[3-6] workers inside at once, limit 2' "semaphore if-wait: 'limit kept' fails"
lacks "$T/out" '^  FAIL (no deadlock|rounds done|busy waiting)' "semaphore if-wait: for that reason only"
ex 3 semaphore semaphore-nosignal.c
contains "$T/out" '^  FAIL no deadlock +deadlock detected' "semaphore without a signal: deadlock"
contains "$T/err" 'csem.lock|deadlock' "semaphore without a signal: the watchdog's report"
ex 1 semaphore semaphore-spin.c
contains "$T/out" '^  FAIL busy waiting +worker-[0-9]+ took csem.lock [0-9]+ times in a row' "semaphore spin: busy waiting, the lock named"
contains "$T/out" 'lock at semaphore-spin\.c:[0-9]+, unlock at semaphore-spin\.c:[0-9]+' "semaphore spin: both sites in the student's file"
lacks "$T/out" '^  FAIL limit kept' "semaphore spin: the limit itself holds"

# lockorder: the richer account's lock first is an order that changes as
# money moves: both orders show up, and the lock-order check fails even
# where nothing deadlocked.
ex 1 lockorder lockorder-balance.c
contains "$T/out" '^  FAIL lock order +worker-[12] requesting lock-[ab] at [^ ]*lockorder-balance\.c:[0-9]+ closed a lock-order cycle' "lockorder by balance: the cycle, at the student's line"
lacks "$T/out" '^  FAIL worker-[12]'"'"'s rounds' "lockorder by balance: every transfer made"

# barrier: a count never reset lets the second step through at once; a
# count reset under waiters that wait for it strands them; a generation
# polled under the lock is busy waiting.
ex 1 barrier barrier-noreset.c
contains "$T/out" '^  FAIL phases in step +[0-9]+ phase\(s\) began before every party finished the one before' "barrier never reset: phases out of step"
lacks "$T/out" '^  FAIL (no deadlock|steps done)' "barrier never reset: for that reason only"
ex 3 barrier barrier-resetcount.c
contains "$T/out" '^  FAIL no deadlock +deadlock detected' "barrier reset under its waiters: deadlock"
ex 4 barrier barrier-spin.c
contains "$T/out" '^  FAIL busy waiting +party-[0-9]+ took bar\.lock [0-9]+ times in a row' "barrier spin: busy waiting, the lock named"

# rwlock: a writer that waits for other writers but not for the readers
# lets a reader see a write half done; the starter, which lets readers in
# while a writer waits, starves the writer.
ex 1 rwlock rwlock-noexclude.c
contains "$T/out" '^  FAIL reads whole +[0-9]+ read\(s\) saw a write half done' "rwlock without exclusion: a torn read"
lacks "$T/out" '^  FAIL (writers not overtaken|rounds done)' "rwlock without exclusion: for that reason only"
ex 1 rwlock ../../labs/starters/rwlock.c
contains "$T/out" '^  FAIL writers not overtaken +[0-9]+ time\(s\) a reader that came after a waiting writer went in first; writer-1 waited' "rwlock starter (readers first): the writer starves"
lacks "$T/out" '^  FAIL reads whole' "rwlock starter: its reads are whole"

# startup: the starter's event_wait() returns at once, so the workers read
# the configuration before it was prepared; a set that signals wakes one
# worker and strands the others; a flag polled under the lock is busy
# waiting.
ex 1 startup ../../labs/starters/startup.c
contains "$T/out" '^  FAIL ready before start +3 worker\(s\) started before the main thread prepared the configuration' "startup starter: the workers start too early"
lacks "$T/out" '^  FAIL (no deadlock|workers started|busy waiting)' "startup starter: for that reason only"
ex 3 startup startup-signal.c
contains "$T/out" '^  FAIL no deadlock +deadlock detected: [0-9]+ thread\(s\) blocked' "startup set by a signal: the other workers stranded"
ex 1 startup startup-spin.c
contains "$T/out" '^  FAIL busy waiting +worker-[0-9]+ took event\.lock [0-9]+ times in a row' "startup spin: busy waiting, the lock named"
lacks "$T/out" '^  FAIL ready before start' "startup spin: for that reason only"

# Checked from what the harness saw: a worker that sleeps until the value
# is there reads it prepared, but waited for nothing; a "prepared" noted by
# the solution moves nothing, the value read is the harness's.
ex 1 startup startup-sleep.c
contains "$T/out" '^  FAIL ready before start +3 worker\(s\) went on without waiting for the event' "startup sleep: the workers waited for nothing"
lacks "$T/out" '^  FAIL (no deadlock|workers started|busy waiting)' "startup sleep: for that reason only"
ex 1 startup startup-forge.c
contains "$T/out" '^  FAIL ready before start +3 worker\(s\) read the configuration unset' "startup forged prepared: the unset value read"

# stop: the starter's pause sleeps its whole length, and a request that
# wakes nobody leaves a timed wait to run out: either way a worker that
# paused when the stop came was not woken by it.
ex 1 stop ../../labs/starters/stop.c
contains "$T/out" '^  FAIL stopped at once +[0-9]+ worker\(s\) paused on through the stop; first worker-[0-9]+ slept' "stop starter: the pause sleeps through the stop"
lacks "$T/out" '^  FAIL (stop asked|no deadlock|busy waiting)' "stop starter: for that reason only"
ex 1 stop stop-nowake.c
contains "$T/out" '^  FAIL stopped at once +[0-9]+ worker\(s\) paused on through the stop' "stop without a wake: the timed wait runs out"

# actor: a stack hands two waiting messages over last first; a mailbox
# that makes its messages up hands them over before they were sent; a
# loop that polls the list under the lock is busy waiting; the starter,
# which takes an empty mailbox for the end, stops the actor early.
ex 1 actor actor-lifo.c
contains "$T/out" '^  FAIL in order +[0-9]+ message\(s\) handled out of order or twice' "actor lifo: 'in order' fails"
lacks "$T/out" '^  FAIL (every actor exited|no deadlock)' "actor lifo: for that reason only"
ex 1 actor actor-madeup.c
contains "$T/out" '^  FAIL in order +message [0-9]+ handled before it was sent' "actor made-up messages: handled before they were sent"
ex 1 actor actor-spin.c
contains "$T/out" '^  FAIL busy waiting +actor-1 took mbox\.lock [0-9]+ times in a row' "actor spin: busy waiting, the lock named"
lacks "$T/out" '^  FAIL (in order|every message handled)' "actor spin: its messages are right"
ex 1 actor ../../labs/starters/actor.c
contains "$T/out" '^  FAIL every message handled +actor-1 handled [0-9] of the 5 message\(s\) published' "actor starter (empty means the end): messages never handled"

# pool: a future whose fut_set() wakes nobody leaves main asleep; a loop
# that polls the value under the lock is busy waiting; the starter, whose
# fut_get() does not wait, reads results before their jobs were done.
ex 3 pool pool-nosignal.c
contains "$T/out" '^  FAIL no deadlock +deadlock detected' "pool without a signal: deadlock"
ex 1 pool pool-spin.c
contains "$T/out" '^  FAIL busy waiting +main took fut\.lock( \(#[0-9]+\))? [0-9]+ times in a row' "pool spin: busy waiting, the lock named"
lacks "$T/out" '^  FAIL (results read after done|every job done)' "pool spin: its results are right"
ex 1 pool ../../labs/starters/pool.c
contains "$T/out" '^  FAIL results read after done +[0-9]+ result\(s\) read before the task was done' "pool starter (no wait): results read too early"
lacks "$T/out" '^  (FAIL|ok  ) (callbacks ran once|callback total)' "pool: no callback properties in the exercise"

# coop: the turn passed backwards breaks the round-robin order; a yield
# that wakes nobody leaves every task asleep; a loop that polls the turn
# under the lock is busy waiting; the starter, whose rr_wait_turn() does
# not wait, lets tasks run outside their turn.
ex 1 coop coop-reverse.c
contains "$T/out" "^  FAIL round-robin order +step 2 was task-2's step 1, expected task-1's step 1" "coop reverse: 'round-robin order' fails"
lacks "$T/out" '^  FAIL (one task at a time|every task done|no deadlock)' "coop reverse: for that reason only"
ex 3 coop coop-nohandoff.c
contains "$T/out" '^  FAIL no deadlock +deadlock detected' "coop without a handoff: deadlock"
ex 4 coop coop-spin.c
contains "$T/out" '^  FAIL busy waiting +task-[0-9]+ took rr\.lock [0-9]+ times in a row' "coop spin: busy waiting, the lock named"
ex 1 coop ../../labs/starters/coop.c
contains "$T/out" '^  FAIL one task at a time +[0-9]+ time\(s\) a task ran outside its turn' "coop starter (no wait): tasks outside their turn"

# processes: reading only part of the pipe and waiting leaves messages
# unread; the starter waits for the child before it reads, and with more
# messages than the pipe holds neither process can go on; with messages
# that fit it ends, but the order still fails.
ex 1 processes processes-partial.c
contains "$T/out" '^  FAIL every message +main read 4 of 8 messages' "processes partial: 'every message' fails"
contains "$T/out" '^  FAIL end of file +main never saw the end of file' "processes partial: no end of file"
lacks "$T/out" '^  FAIL (no deadlock|children exit 0)' "processes partial: the child ended well"
ex 3 processes ../../labs/starters/processes.c
contains "$T/out" '^  FAIL read before waiting +main began to wait for the child before it read the pipe to its end' "processes starter: waits before reading"
contains "$T/out" '^  FAIL no deadlock' "processes starter: deadlock"
contains "$T/err" 'child \(pid [0-9]+\) waits to write to pipe results \(full: 4 of 4 messages\)' "processes starter: the child waits for room"
ex 1 processes ../../labs/starters/processes.c --items 4
contains "$T/out" '^  FAIL read before waiting ' "processes starter, 4 messages: no hang, the order fails"
lacks "$T/out" '^  FAIL (no deadlock|every message)' "processes starter, 4 messages: for that reason only"
# rlock: a lock that knows its owner but counts no levels lets go at the
# inner unlock; a wait that takes back one level of two lets go early
# after it; a wait that gives up one level of two deadlocks; the starter,
# a plain mutex, is refused as a relock.
ex 1 rlock rlock-nodepth.c
contains "$T/out" '^  FAIL re-entry +[0-9]+ time\(s\) a thread went in while the owner still held a level; first user-[12] went in while user-[12] held the lock \(level 1\), after its inner rl_unlock\(\)' "rlock without levels: 're-entry' fails"
lacks "$T/out" '^  FAIL (one holder|counts its own levels|no misuse)' "rlock without levels: for that reason"
ex 1 rlock rlock-restore1.c
contains "$T/out" '^  FAIL levels restored +[0-9]+ time\(s\) a thread went in while one back from rl_wait\(\) still held the lock; first producer went in while consumer held the lock \(level 1\) after its wait' "rlock wait that restores one level: 'levels restored' fails"
lacks "$T/out" '^  FAIL (one holder|re-entry|items taken|no deadlock)' "rlock wait that restores one level: for that reason only"
ex 3 rlock rlock-onelevel.c
contains "$T/out" '^  FAIL no deadlock +deadlock detected' "rlock wait that gives up one level: deadlock"
ex 1 rlock ../../labs/starters/rlock.c
contains "$T/out" '^  FAIL re-entry +[0-9]+ relock\(s\): a thread locked a plain mutex it held' "rlock starter (a plain mutex): relocks"
contains "$T/out" '^  FAIL no misuse ' "rlock starter: the relock is misuse"

# tls: a key (clab_key_*) is a second right answer; a per-thread value
# found through a static cache is shared by mistake; so are one value set
# through a key by every thread, and the starter's one value.
ex 0 tls tls-key.c
contains "$T/out" '^  ok   own counter ' "tls with a key: each thread's own"
contains "$T/out" '^  ok   freed at thread end +each value a thread held when it ended was destroyed then \(3\)' \
	"tls with a key: the destructors ran"
ex 1 tls tls-keyshared.c
contains "$T/out" '^  FAIL own key value +[0-9]+ value\(s\) of a key were set by a thread while another held them; first counter-[0-9] set value 1 of local, which counter-[0-9] holds' \
	"tls one value behind a key: 'own key value' fails"
contains "$T/out" '^  FAIL freed at thread end +3 value\(s\) were not destroyed when their thread ended' \
	"tls one value behind a key: no destructor freed them"
ex 1 tls tls-cache.c
contains "$T/out" '^  FAIL own counter +[0-9]+ read\(s\) saw a value their thread had not written; first counter-[0-9] read [0-9]+ where its own last write was [0-9]+ \(counter-[0-9] wrote it\)' "tls cached pointer: 'own counter' fails"
ex 1 tls ../../labs/starters/tls.c
contains "$T/out" '^  FAIL own counter +[0-9]+ read\(s\) saw a value their thread had not written' "tls starter (one value): 'own counter' fails"
contains "$T/out" '^  FAIL each counted its rounds ' "tls starter: the counts are wrong"

# The starters compile and run: they may fail properties, never crash or
# hang (0, 1 or 3).
for lab in philosophers prodcons timer race semaphore lockorder barrier rwlock \
	startup stop actor pool coop processes rlock tls; do
	"$CONCLAB" exercise $BUDGET $lab --init "$T/start-$lab" >"$T/out" 2>&1 ||
		fail "$lab --init"
	for f in $lab.c $lab.h README.md; do
		[ -s "$T/start-$lab/$f" ] || fail "$lab --init wrote no $f"
	done
	contains "$T/start-$lab/README.md" "conclab exercise $lab $lab.c" "$lab: README has the command"
	(cd "$T/start-$lab" && "$CONCLAB" exercise $BUDGET $lab -q --time-limit 60 $lab.c \
		>"$T/out" 2>"$T/err")
	rc=$?
	case $rc in
	0 | 1 | 3) pass "$lab starter runs (exit $rc)" ;;
	*) fail "$lab starter exited $rc"; tail -n 20 "$T/err" ;;
	esac
	[ -s "$T/start-$lab/$lab-exercise.clt" ] || fail "$lab starter: no trace"
done
expect_exit 5 "$CONCLAB" exercise $BUDGET philosophers --init "$T/start-philosophers"
contains "$T/err" 'File exists' "--init does not overwrite"

# A file that does not compile: exit 2 and the compiler's message, and
# no trace, not even an earlier one.
: >"$T/philosophers.clt"
ex 2 philosophers broken.c
[ -e "$T/philosophers.clt" ] && fail "broken: an earlier trace is left"
contains "$T/err" 'error' "broken: the compiler's message"
contains "$T/err" 'does not compile' "broken: conclab says so"

# A solution that dereferences NULL: a report, the trace, 128+SIGSEGV.
start=$(date +%s)
ex 139 philosophers philosophers-null.c --time-limit 20
took=$(($(date +%s) - start))
[ "$took" -le 60 ] || fail "null: took ${took}s"
contains "$T/err" 'crashed: Segmentation fault' "null: the crash is reported"
contains "$T/out" '^  FAIL run completed +the program crashed \(SIGSEGV\) before the run completed' "null: the trace is checked: the crash fails it"
contains "$T/out" '^incomplete: crashed \(SIGSEGV\) while [0-9]+ threads? ran' "null: the report says the run is incomplete"
expect_exit 1 "$CONCLAB" check "$T/philosophers.clt"

# An index out of bounds: with GCC, UBSan names the line, the abort saves
# the trace, and it is graded.  (Another compiler builds it without.)
if "${CC:-cc}" --version 2>/dev/null | grep -q 'Free Software Foundation' &&
	! "${CC:-cc}" --version 2>/dev/null | grep -q clang; then
	ex 134 philosophers philosophers-oob.c
	contains "$T/err" 'philosophers-oob\.c:[0-9]+:[0-9]+: runtime error: index -1 out of bounds' "oob: UBSan names the line"
	contains "$T/err" 'crashed: Aborted \(ABRT\); saving the trace' "oob: the abort saves the trace"
	contains "$T/out" '^  FAIL run completed +the program crashed \((SIGABRT|sanitizer)\)' "oob: the trace is graded"
	expect_exit 1 "$CONCLAB" check "$T/philosophers.clt"
else
	pass "oob: the compiler is not GCC, no UBSan to test"
fi

# Synchronisation conclab cannot see is refused before the run, with the
# call, why, and what to use instead; so is a solution that starts a
# process.  Exit 1 (a property fails), nothing run, no trace (and the
# trace of an earlier run is gone, not taken for this one's).
[ -e "$T/prodcons.clt" ] || fail "pthread prodcons: no earlier trace to replace"
ex 1 prodcons prodcons-pthread.c
contains "$T/err" '^conclab exercise: prodcons-pthread\.c uses pthread_cond_wait, which conclab cannot see: use clab_cond_wait$' "pthread prodcons: the reason, with the replacement"
contains "$T/err" 'uses pthread_mutex_lock, which conclab cannot see: use clab_mutex_lock$' "pthread prodcons: the mutex too"
contains "$T/err" 'prodcons-pthread\.c is not run' "pthread prodcons: not run"
contains "$T/out" '^  FAIL uses only conclab synchronisation +prodcons-pthread\.c uses pthread_' "pthread prodcons: the property fails"
contains "$T/out" '^1 of 2 properties hold' "pthread prodcons: the summary"
[ -e "$T/prodcons.clt" ] && fail "pthread prodcons: a trace was written"
ex 1 philosophers philosophers-bigmutex.c
contains "$T/err" 'philosophers-bigmutex\.c uses pthread_mutex_lock, which conclab cannot see: use clab_mutex_lock$' "one pthread mutex for the table: refused"
contains "$T/out" '^  FAIL uses only conclab synchronisation' "one pthread mutex for the table: the property fails"
ex 1 philosophers philosophers-system.c
contains "$T/err" 'philosophers-system\.c uses system, which starts or replaces a process$' "system(): refused"
contains "$T/err" 'philosophers-system\.c uses fork, which starts or replaces a process$' "fork(): refused"
contains "$T/out" '^  FAIL runs nothing else +philosophers-system\.c uses system' "system(): the property fails"
contains "$T/out" '^  ok   uses only conclab synchronisation' "system(): its synchronisation is conclab's"
# The same object built by hand is refused too.
S0=$(cd "$X/../.." && pwd)
"${CC:-cc}" -std=gnu11 -g -O0 -fPIC -shared -I"$S0/runtime/include" \
	-I"$S0/tracer/include" -I"$S0/labs/starters" -o "$T/bigmutex.so" \
	"$X/philosophers-bigmutex.c" || fail "bigmutex.so does not build"
expect_exit 1 "$CONCLAB" exercise $BUDGET philosophers -q --trace "$T/p.clt" "$T/bigmutex.so"
contains "$T/err" 'bigmutex\.so uses pthread_mutex_lock' "a prebuilt object: refused"

# A solution that raises SIGINT is stopped as by Ctrl-C: the schedule
# that did it is the one graded, the trace saved and reported, exit 130.
ex 130 prodcons prodcons-sigint.c
contains "$T/out" 'schedule 0 \(pct, seed 1\) failed \(stopped by a signal\)' "raise(SIGINT): the schedule that raised it is graded"
contains "$T/err" '^conclab: interrupted \(Interrupt\); saving the trace' "raise(SIGINT): stopped as by Ctrl-C"
contains "$T/err" '^conclab: trace saved to [^ ]*prodcons.clt' "raise(SIGINT): the trace saved"
contains "$T/out" '^checks \(prodcons exercise\):' "raise(SIGINT): the run reported"
contains "$T/out" '^incomplete: stopped while [0-9]+ threads? ran$' "raise(SIGINT): reported as an incomplete run"
lacks "$T/out" '^  FAIL' "raise(SIGINT): nothing fails"
cat "$T/out" "$T/err" >"$T/both"
lacks "$T/both" 'replay left its schedule' "raise(SIGINT): the stopped run replays quietly"

# A solution that ends the run early: reported with its call and site,
# the trace saved and checked ("run completed" fails), exit 1.
ex 1 prodcons prodcons-exit.c
contains "$T/err" '^conclab: the solution called exit\(0\) in buf_new \(prodcons-exit\.c:16\) before the run completed; saving the trace' "exit(0) in buf_new: reported with its site"
contains "$T/out" '^  FAIL run completed +main called exit\(0\) in buf_new at [^ ]*prodcons-exit\.c:16 before the run completed' "exit(0) in buf_new: 'run completed' fails"
expect_exit 1 "$CONCLAB" check "$T/prodcons.clt"
contains "$T/out" '^  FAIL run completed' "exit(0) in buf_new: check sees it in the trace"
ex 1 philosophers philosophers-exit.c
contains "$T/err" 'the solution called _exit\(0\) in put_forks \(philosophers-exit\.c:24\) before the run completed' "_exit(0) in put_forks: reported with its site"
contains "$T/out" '^  FAIL run completed +phil-2 called _exit\(0\)' "_exit(0): 'run completed' fails, in the thread that called it"
ex 1 prodcons prodcons-pexit.c
contains "$T/err" 'called pthread_exit\(\) in buf_get \(prodcons-pexit\.c:[0-9]+\) before the run completed, which ended a harness thread' "pthread_exit in a consumer: reported"
contains "$T/out" '^  FAIL run completed +cons-[0-9] called pthread_exit' "pthread_exit: 'run completed' fails"
# abort() is named with its site, then saves the trace as a crash does.
ex 134 philosophers philosophers-abort.c
contains "$T/err" '^conclab: the solution called abort\(\) in get_forks \(philosophers-abort\.c:13\)$' "abort(): named with its site"
contains "$T/err" 'crashed: Aborted \(ABRT\); saving the trace' "abort(): the trace is saved"
contains "$T/out" '^  FAIL run completed +the program crashed \(SIGABRT\)' "abort(): the trace is checked"
# clang writes no .debug_aranges: the site is found all the same.
if command -v clang >/dev/null 2>&1; then
	expect_exit 1 env CC=clang "$CONCLAB" exercise $BUDGET prodcons -q \
		--trace "$T/cl.clt" "$X/prodcons-exit.c"
	contains "$T/err" 'called exit\(0\) in buf_new \(prodcons-exit\.c:16\)' "exit(0), built by clang: its site"
else
	pass "no clang: the site in clang's debug information not tested"
fi
# Where the hooks cannot see (a constructor), the missing mark shows it.
ex 1 prodcons prodcons-ctor.c
contains "$T/err" 'the run did not complete: the solution ended the process \(exit status 0\)' "_exit(0) in a constructor: reported"

# Spinning or sleeping forever: stopped at the time limit, reported, 4.
start=$(date +%s)
ex 4 philosophers philosophers-spin.c --time-limit 2
took=$(($(date +%s) - start))
[ "$took" -le 10 ] || fail "spin: took ${took}s for a 2 s limit"
contains "$T/err" 'stopped: the run exceeded its time limit' "spin: the watchdog stops it"
contains "$T/out" '^  FAIL no deadlock +the run hit its time limit' "spin: the trace is checked"
start=$(date +%s)
ex 4 timer timer-sleep.c --time-limit 2
took=$(($(date +%s) - start))
[ "$took" -le 10 ] || fail "sleep: took ${took}s for a 2 s limit"
contains "$T/err" 'stopped: the run exceeded its time limit' "sleep: the watchdog stops it"

# A solution built by hand into a shared object is loaded as is (here with
# this tree's headers; tests/e2e/install.sh builds one with pkg-config).
S=$(cd "$X/../.." && pwd)
cp "$X/philosophers-good.c" "$T/philosophers.c"
"${CC:-cc}" -std=gnu11 -g -O0 -fPIC -shared -I"$S/runtime/include" \
	-I"$S/tracer/include" -I"$S/labs/starters" -o "$T/philosophers.so" \
	"$T/philosophers.c" || fail "philosophers.so does not build"
# A bare name is a file in the current directory, not a library to look up.
expect_exit 0 "$CONCLAB" exercise $BUDGET philosophers --trace "$T/so.clt" philosophers.so
contains "$T/out" '^conclab: philosophers.so is built already' "so: loaded, not compiled"
contains "$T/out" '^([0-9]+) of \1 properties hold' "so: every property holds"
expect_exit 2 "$CONCLAB" exercise $BUDGET philosophers -q nosuch.so
contains "$T/err" 'cannot read nosuch.so' "so: a missing file"
echo 'not an ELF file' >"$T/junk.so"
expect_exit 2 "$CONCLAB" exercise $BUDGET philosophers -q "$T/junk.so"
contains "$T/err" 'cannot load' "so: not a shared object"
printf '#include <conclab/runtime.h>\nint get_forks_not;\n' >"$T/empty.c"
"${CC:-cc}" -std=gnu11 -fPIC -shared -I"$S/runtime/include" \
	-I"$S/tracer/include" -o "$T/empty.so" "$T/empty.c" || fail "empty.so"
expect_exit 2 "$CONCLAB" exercise $BUDGET philosophers -q "$T/empty.so"
contains "$T/err" 'does not define get_forks' "so: a missing function"
# Built against other headers, or without them: refused, not run.
printf 'void get_forks(void) {}\nvoid put_forks(void) {}\n' >"$T/bare.c"
"${CC:-cc}" -fPIC -shared -o "$T/bare.so" "$T/bare.c" || fail "bare.so"
expect_exit 2 "$CONCLAB" exercise $BUDGET philosophers -q "$T/bare.so"
contains "$T/err" 'carries no conclab layout number' "so: no headers"
printf 'const unsigned clab_abi_built = 1;\n' >>"$T/bare.c"
"${CC:-cc}" -fPIC -shared -o "$T/old.so" "$T/bare.c" || fail "old.so"
expect_exit 2 "$CONCLAB" exercise $BUDGET philosophers -q "$T/old.so"
contains "$T/err" 'built against the headers of another conclab \(layout 1;' \
	"so: other headers"

# Usage errors.
expect_exit 2 "$CONCLAB" exercise
expect_exit 2 "$CONCLAB" exercise $BUDGET nosuchlab x.c
expect_exit 2 "$CONCLAB" exercise $BUDGET philosophers
expect_exit 2 "$CONCLAB" exercise $BUDGET philosophers --meals 0 "$X/philosophers-good.c"
# An exercise always has a time limit.
expect_exit 2 "$CONCLAB" exercise $BUDGET philosophers --time-limit 0 "$X/philosophers-good.c"
contains "$T/err" "--time-limit wants seconds \\(1\.\.86400; an exercise always has a limit\\), not '0'" "--time-limit 0 refused"
expect_exit 0 "$CONCLAB" exercise $BUDGET --help
contains "$T/out" 'prodcons' "help lists the exercises"

# Graded under the controlled scheduler: the grade is a function of the
# solution and the seed.  An if-wait buffer fails for every seed, a
# correct one passes for every seed, and the same seed gives the same
# report, to the byte.
for seed in 1 2 3 4 5; do
	ex 1 prodcons prodcons-ifwait.c --seed $seed
	contains "$T/out" '^conclab: graded under '$NSCHED' schedules from seed '$seed': schedule [0-9]+ \((pct|random), seed [0-9]+\) failed' "if-wait, seed $seed: a schedule failed"
	ex 0 prodcons prodcons-good.c --seed $seed
	contains "$T/out" '^conclab: graded under '$NSCHED' schedules from seed '$seed': all passed' "good buffer, seed $seed: every schedule passed"
done
"$CONCLAB" exercise $BUDGET prodcons --seed 3 --trace "$T/a.clt" "$X/prodcons-ifwait.c" >"$T/a.out" 2>&1
"$CONCLAB" exercise $BUDGET prodcons --seed 3 --trace "$T/a.clt" "$X/prodcons-ifwait.c" >"$T/b.out" 2>&1
cmp -s "$T/a.out" "$T/b.out" && pass "the same solution and seed: the same report" ||
	fail "two gradings of one solution and seed differ"
contains "$T/a.out" "^replay it: conclab exercise prodcons $X/prodcons-ifwait.c --replay $T/a.clt\$" "the report says how to replay the failing schedule"
expect_exit 1 "$CONCLAB" exercise $BUDGET prodcons -q --replay "$T/a.clt" --trace "$T/r.clt" "$X/prodcons-ifwait.c"
"$CONCLAB" dump "$T/a.clt" | grep -v '^#' >"$T/a.txt"
"$CONCLAB" dump "$T/r.clt" | grep -v '^#' >"$T/r.txt"
cmp -s "$T/a.txt" "$T/r.txt" && pass "--replay TRACE reruns the failing schedule" ||
	fail "--replay TRACE made another run"
# --sched os: the free-running grade, as before
ex 0 prodcons prodcons-good.c --sched os
grep -q '^conclab: graded under' "$T/out" &&
	fail "--sched os was graded under schedules" || pass "--sched os runs once, free"
expect_exit 2 "$CONCLAB" exercise $BUDGET prodcons --schedules 0 "$X/prodcons-good.c"
finish
