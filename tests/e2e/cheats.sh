#!/bin/sh
# The cheat suite of conclab exercise (docs/grading.md, "Cheats tried"):
# every wrong solution in tests/exercises/ that tries to pass without
# being right fails, with the exit code and the reason it fails for (the
# reason is grepped, not only the code); the correct solutions pass for
# seeds 1 to 5; a deadlock scores 0 in Gradescope's format; --rubric
# changes the weights and refuses what it does not know.
X=$(cd "$(dirname "$0")/../exercises" && pwd)
. "$(dirname "$0")/lib.sh"
exercise_budget "${2:-none}"
command -v "${CC:-cc}" >/dev/null 2>&1 || { echo "no C compiler: skipped"; exit 77; }

# cheat CODE LAB FILE REASON [ARGS...]: grade FILE (with $CHEAT_ENV in
# its environment), want CODE and a line of stdout or stderr matching
# REASON (an extended regular expression).
ncheats=0
CHEAT_ENV=CONCLAB_CHEAT=1
cheat() {
	want=$1 lab=$2 file=$3 reason=$4
	shift 4
	ncheats=$((ncheats + 1))
	env $CHEAT_ENV "$CONCLAB" exercise $BUDGET "$lab" -q --time-limit 3 \
		--trace "$T/cheat.clt" "$@" "$X/$file" >"$T/out" 2>"$T/err"
	got=$?
	cat "$T/out" "$T/err" >"$T/both"
	if [ "$got" -ne "$want" ]; then
		fail "$file exited $got, expected $want"
		tail -n 15 "$T/both" | sed 's/^/  /'
	elif grep -q -E -- "$reason" "$T/both"; then
		pass "$file fails ($got): $reason"
	else
		fail "$file: no line matching '$reason'"
		tail -n 15 "$T/both" | sed 's/^/  /'
	fi
}

# Synchronisation conclab cannot see: refused before the run.
cheat 1 prodcons prodcons-pthread.c 'FAIL uses only conclab synchronisation +prodcons-pthread\.c uses pthread_'
cheat 1 philosophers philosophers-bigmutex.c 'FAIL uses only conclab synchronisation +philosophers-bigmutex\.c uses pthread_mutex_'
# C11 atomics the compiler inlines (no symbol): its notes are unguarded.
cheat 1 prodcons prodcons-atomics.c 'FAIL notes synchronised +unsynchronised: prod-0 noted "put" 1 holding no conclab mutex'
# No synchronisation at all.
cheat 1 prodcons prodcons-nosync.c 'FAIL notes synchronised +unsynchronised:'
# Notes that tell another story than what buf_get() returns.
cheat 1 prodcons prodcons-fakenotes.c 'FAIL notes match returns +the buffer.s notes and its items disagree'
# Eating without forks, with or without "eat" notes of its own.
cheat 1 philosophers philosophers-nofork.c 'FAIL eats holding both forks +phil-[0-9] began meal 1 holding neither of its forks'
cheat 1 philosophers philosophers-fakeeat.c 'FAIL eats holding both forks +phil-[0-9] began meal 1 holding neither'
# Forks of its own named like the table's, and a thread named phil-1: the
# checker and the picture know the harness's by their declared roles.
cheat 1 philosophers philosophers-decoy.c 'FAIL eats holding both forks +phil-1 began meal 1 holding neither of its forks'
"$CONCLAB" replay --batch --keys p "$T/cheat.clt" >"$T/pic" 2>&1
if grep -q '│T3 phil-1  not seated yet' "$T/pic" &&
	! grep -q '│T1 phil-1' "$T/pic"; then
	pass "the picture seats the harness's phil-1 (T3), not the solution's (T1)"
else
	fail "the picture took the solution's phil-1"
	sed 's/^/  /' "$T/pic"
fi
# ticker_wait() that returns ticks the ticker has not made.
cheat 1 timer timer-fake.c "FAIL waits end at ticks +count(down|up)'s ticker_wait\\(\\) returned tick 1 when the ticker had made 0"
# Messages made up by the mailbox, with "publish" notes of its own: the
# checker reads the harness's notes only.
cheat 1 actor actor-forge.c 'FAIL in order +message [0-9]+ handled before it was sent'
# Results that do not wait, with "job-done" notes of its own.
cheat 1 pool pool-forge.c 'FAIL results read after done +[0-9]+ result\(s\) read before the task was done'
# Values handed over without reading the pipe, with "got" and "status"
# notes of its own: the checks count the runtime's reads and statuses.
cheat 1 processes processes-forge.c 'FAIL every message +main kept 8 value\(s\) but read 0 message\(s\) from the pipe'
cheat 1 processes processes-forge.c 'FAIL children exit 0 +1 child\(ren\) ended with a non-zero status'
# The same notes, said with #line to be the harness's (labs/exercise-tasks.c),
# and results that are right without waiting: the notes are the solution's
# code's, whatever file they name.
cheat 1 pool pool-line.c 'FAIL results read after done +[0-9]+ result\(s\) read before the task was done'
# A recursive lock whose first unlock lets go, with "wait" notes of its
# own to hide it; one that lets anybody in while it is held; conclab's
# own recursive mutex, which counts the levels for it.
cheat 1 rlock rlock-forge.c 'FAIL re-entry +[0-9]+ time\(s\) a thread went in while the owner still held a level'
cheat 3 rlock rlock-anyowner.c 'FAIL one holder +[0-9]+ time\(s\) a thread went in while another held the lock; first user-[12] went in while user-[12] held the lock \(level 1\) \(record'
cheat 1 rlock rlock-recursive.c 'FAIL counts its own levels +[0-9]+ time\(s\) a conclab mutex was taken again by its owner \(rl\.lock, depth 2\)'
# One value for every thread, with "write" notes of its own that make
# each read look like the thread's own.
cheat 1 tls tls-forge.c 'FAIL own counter +[0-9]+ read\(s\) saw a value their thread had not written'
# Busy waiting: unlock and lock again in a loop, polling a count.
cheat 4 prodcons prodcons-poll.c 'FAIL busy waiting +(prod|cons)-[0-9] took buf\.lock [0-9]+ times in a row.*a loop that polls \(lock at prodcons-poll\.c:[0-9]+, unlock at prodcons-poll\.c:[0-9]+'
cheat 4 timer timer-poll.c 'FAIL busy waiting +count(down|up) took ticker\.lock [0-9]+ times in a row.*timer-poll\.c:[0-9]+'
# `if` instead of `while` around a wait.
cheat 1 prodcons prodcons-ifwait.c 'FAIL (consumed once|returned once|buffer depth|notes match returns) '
# One condition variable and signal: everyone sleeps.
cheat 3 prodcons prodcons-singlecv.c 'FAIL no deadlock +deadlock detected' \
	--producers 4 --consumers 4 --items 50 --capacity 1 --produce_ms 0 \
	--consume_ms 0
# Signal where a broadcast is needed: a waiter misses ticks.
cheat 1 timer timer-notify.c 'FAIL (countdown|countup) saw every tick +missed'
# Left then right: a deadlock.
cheat 3 philosophers philosophers-naive.c 'FAIL no deadlock +deadlock detected'
# A semaphore never initialised: misuse.
cheat 1 philosophers philosophers-noinit.c 'FAIL no misuse +'
# Ending the run early: exit, _exit, pthread_exit, a constructor.
# A thread of its own left running, made at a site forged as a shared
# library's, where conclab trace excuses a library's pool (OpenMP's).
cheat 1 prodcons prodcons-libthread.c 'FAIL all threads ended +1 thread\(s\) never ended, first pool-0'
cheat 1 prodcons prodcons-exit.c 'FAIL run completed +main called exit\(0\) in buf_new'
cheat 1 philosophers philosophers-exit.c 'FAIL run completed +phil-2 called _exit\(0\)'
cheat 1 prodcons prodcons-pexit.c 'FAIL run completed +cons-[0-9] called pthread_exit'
cheat 1 prodcons prodcons-ctor.c 'the run did not complete: the solution ended the process \(exit status 0\)'
# Crashes.
cheat 139 philosophers philosophers-null.c 'crashed: Segmentation fault'
cheat 134 philosophers philosophers-abort.c 'the solution called abort\(\) in get_forks'
# An infinite loop and a sleep forever: the time limit.
cheat 4 philosophers philosophers-spin.c 'FAIL no deadlock +the run hit its time limit'
cheat 4 timer timer-sleep.c 'stopped: the run exceeded its time limit'
# Starting a process: refused by the screening of calls...
cheat 1 philosophers philosophers-system.c 'FAIL runs nothing else +philosophers-system\.c uses system'
# Files outside its directory, and its own trace.
cheat 1 philosophers philosophers-readout.c 'FAIL stays in its directory +phil-0 called fopen\("/etc/passwd"\) in get_forks at [^ ]*philosophers-readout\.c:[0-9]+, outside its directory'
cheat 1 philosophers philosophers-writeout.c 'FAIL stays in its directory +phil-0 called fopen\("\.\./escaped\.txt"\).*outside its directory'
cheat 1 philosophers philosophers-forge.c 'FAIL stays in its directory +phil-0 called unlink\("trace\.clt"\) in get_forks at [^ ]*philosophers-forge\.c:[0-9]+, on its trace, which only conclab writes'
grep -q FORGED "$T/cheat.clt" && fail "forge: the forged trace was copied out"
# ...and by the sandbox, for raw system calls (x86-64).
if [ "$(uname -m)" = x86_64 ] && ! "$CONCLAB" exercise $BUDGET philosophers \
	--trace "$T/p.clt" "$X/philosophers-good.c" 2>&1 | grep -q 'no seccomp'; then
	cheat 1 philosophers philosophers-forkbomb.c 'the sandbox refused [0-9]+ attempts to start a process'
	cheat 1 philosophers philosophers-escape.c 'refused [0-9]+ attempts? to open a socket'
	# Leaving a process behind: without the filter, it is killed after.
	cheat 1 philosophers philosophers-daemon.c 'the sandbox refused [0-9]+ attempts? to start a process'
	CHEAT_ENV=CONCLAB_SANDBOX_SKIP=seccomp
	cheat 1 philosophers philosophers-daemon.c 'the solution left 1 process running after its run; killed'
	CHEAT_ENV=CONCLAB_CHEAT=1
else
	pass "raw system calls are tried on x86-64 with seccomp only"
fi
[ "$ncheats" -ge 20 ] && pass "$ncheats cheats tried" ||
	fail "only $ncheats cheats tried"

# The correct solutions pass, whatever the seed (the timer last: its
# report is read below).
for lab in race semaphore lockorder barrier rwlock startup stop actor pool coop \
	processes rlock tls philosophers prodcons timer; do
	for seed in 1 2 3 4 5; do
		expect_exit 0 "$CONCLAB" exercise $BUDGET $lab -q --seed $seed \
			--trace "$T/good.clt" "$X/$lab-good.c"
		contains "$T/out" '^([0-9]+) of \1 properties hold; score ([0-9]+) of \2$' "$lab-good, seed $seed: every property and every point"
	done
done

# Information is shown as info and worth nothing.
contains "$T/out" '^  info tick period ' "tick period is information"
grep -q -E '^  (ok|FAIL) +tick period' "$T/out" && fail "tick period shown as a property"

# --format: the report alone on stdout.  A deadlock scores 0.
expect_exit 3 "$CONCLAB" exercise $BUDGET philosophers --format gradescope \
	--trace "$T/n.clt" "$X/philosophers-naive.c"
contains "$T/out" '^\{"score":0,"output":"conclab: [0-9]+ of [0-9]+ properties hold on [^"]*; score 0 of [0-9]+ \(the run did not complete' "deadlock: score 0 in gradescope"
[ "$(wc -l <"$T/out")" -eq 1 ] && pass "gradescope: one line on stdout" ||
	fail "gradescope: more than the report on stdout"
contains "$T/err" 'deadlock' "gradescope: the rest on stderr"
grep -q '"max_score":0' "$T/out" && fail "a property worth nothing"
grep -q '"name":"fork waits","score"' "$T/out" && fail "information scored in gradescope"
for f in json junit text; do
	"$CONCLAB" exercise $BUDGET philosophers --format $f --trace "$T/g.clt" \
		"$X/philosophers-good.c" >"$T/r1.$f" 2>/dev/null
	"$CONCLAB" exercise $BUDGET philosophers --format $f --trace "$T/g.clt" \
		"$X/philosophers-good.c" >"$T/r2.$f" 2>/dev/null
	cmp -s "$T/r1.$f" "$T/r2.$f" && pass "--format $f: the same twice" ||
		fail "--format $f differs between two gradings"
done
contains "$T/r1.json" '^\{"trace":.*"score":16,"max_score":16,"completed":true,' "json: the score"
contains "$T/r1.junit" '<property name="score" value="16 of 16"/>' "junit: the score"
contains "$T/r1.text" '^9 of 9 properties hold; score 16 of 16$' "text: the score"
# A solution that does not compile: a report all the same.
expect_exit 2 "$CONCLAB" exercise $BUDGET philosophers --format gradescope "$X/broken.c"
contains "$T/out" '^\{"score":0,.*"name":"compiles","score":0,' "broken: gradescope says it did not compile"
# A refused one too.
expect_exit 1 "$CONCLAB" exercise $BUDGET prodcons --format json "$X/prodcons-pthread.c"
contains "$T/out" '"name":"uses only conclab synchronisation","ok":false' "pthread: json names the refusal"

# --rubric: weights, comments, and what it refuses.
printf '# meals count most\nmeals eaten, 10\n\nno deadlock , 0\n' >"$T/rubric"
expect_exit 0 "$CONCLAB" exercise $BUDGET philosophers -q --rubric "$T/rubric" \
	--trace "$T/g.clt" "$X/philosophers-good.c"
contains "$T/out" '^9 of 9 properties hold; score 21 of 21$' "--rubric: the weights change the score"
printf 'meal eaten, 2\n' >"$T/bad"
expect_exit 2 "$CONCLAB" exercise $BUDGET philosophers --rubric "$T/bad" "$X/philosophers-good.c"
contains "$T/err" "bad:1: 'meal eaten' is no property of philosophers" "--rubric: an unknown name"
printf 'hunger, 2\n' >"$T/bad"
expect_exit 2 "$CONCLAB" exercise $BUDGET philosophers --rubric "$T/bad" "$X/philosophers-good.c"
contains "$T/err" "'hunger' is information, not a property" "--rubric: information has no weight"
for line in 'meals eaten 2' 'meals eaten, -1' 'meals eaten, 1001' 'meals eaten, two' 'meals eaten,'; do
	printf '%s\n' "$line" >"$T/bad"
	expect_exit 2 "$CONCLAB" exercise $BUDGET philosophers --rubric "$T/bad" "$X/philosophers-good.c"
done
printf 'meals eaten, 2\nmeals eaten, 3\n' >"$T/bad"
expect_exit 2 "$CONCLAB" exercise $BUDGET philosophers --rubric "$T/bad" "$X/philosophers-good.c"
contains "$T/err" "'meals eaten' is given twice" "--rubric: a name twice"
expect_exit 2 "$CONCLAB" exercise $BUDGET philosophers --rubric "$T/nosuch" "$X/philosophers-good.c"
# tls: a solution that uses conclab's keys has two properties more, which
# a rubric weights like the others (docs/grading.md); the other labs'
# names are still refused
expect_exit 0 "$CONCLAB" exercise $BUDGET tls -q "$X/tls-key.c"
contains "$T/out" '^10 of 10 properties hold; score 15 of 15$' "tls with keys: two properties more, 1 each"
printf 'own key value, 4\nfreed at thread end, 0\n' >"$T/rubric"
expect_exit 0 "$CONCLAB" exercise $BUDGET tls -q --rubric "$T/rubric" "$X/tls-key.c"
contains "$T/out" '^10 of 10 properties hold; score 17 of 17$' "--rubric: the weights of tls's key properties"
expect_exit 0 "$CONCLAB" exercise $BUDGET tls -q --rubric "$T/rubric" "$X/tls-good.c"
contains "$T/out" '^8 of 8 properties hold; score 13 of 13$' "--rubric: a solution without keys is not graded on them"
for name in 'own key values' 'one holder' 'key value'; do
	printf '%s, 2\n' "$name" >"$T/bad"
	expect_exit 2 "$CONCLAB" exercise $BUDGET tls --rubric "$T/bad" "$X/tls-key.c"
	contains "$T/err" "bad:1: '$name' is no property of tls" "--rubric: '$name' is no property of tls"
done
printf 'lost updates, 2\n' >"$T/bad"
expect_exit 2 "$CONCLAB" exercise $BUDGET tls --rubric "$T/bad" "$X/tls-key.c"
contains "$T/err" "'lost updates' is information, not a property" "--rubric: tls's information has no weight"
expect_exit 2 "$CONCLAB" exercise $BUDGET philosophers --format xml "$X/philosophers-good.c"
finish
