#!/bin/sh
# The labs of the catalogue (race, lockorder, rlock, semaphore, startup,
# barrier, stop): the
# property each variant teaches, under the operating system and under the
# controlled scheduler, and parameters that try to hide a bug or to make
# a correct variant look broken.
. "$(dirname "$0")/lib.sh"

# race: the unlocked counter loses updates, says how many, and names one.
expect_exit 1 "$CONCLAB" run race --variant unlocked -q --trace ru.clt
contains "$T/out" '^  FAIL final count +the counter ends at [0-9]+, expected 200: [0-9]+ updates lost' \
	"race unlocked: the lost updates are counted"
contains "$T/out" '^  FAIL no lost update +[0-9]+ update\(s\) wrote a value already written; first counter-[0-9] wrote [0-9]+, as counter-[0-9] had' \
	"race unlocked: the first lost update is named"
# Without the pause the operating system rarely interleaves the two steps,
# but the controlled scheduler switches at the note between them.
expect_exit 1 "$CONCLAB" run race --variant unlocked --gap_ms 0 --sched random --seed 1 -q --trace rr.clt
contains "$T/out" '^  FAIL final count' "race unlocked, random schedule, no pause: updates lost"
expect_exit 1 "$CONCLAB" explore race --variant unlocked --gap_ms 0 --schedules 50 --trace rx.clt
contains "$T/out" '^FAIL: schedule 0 ' "explore finds the lost update at once"
# One thread cannot race with itself, however long the pause.
expect_exit 0 "$CONCLAB" run race --variant unlocked --threads 1 --gap_ms 2 -q --trace r1.clt
# The lock and the atomic keep every update, with a pause inside the lock too.
expect_exit 0 "$CONCLAB" run race --variant locked --gap_ms 1 --rounds 20 -q --trace rl.clt
expect_exit 0 "$CONCLAB" explore race --variant locked --gap_ms 1 --schedules 100 --trace rlx.clt
expect_exit 0 "$CONCLAB" explore race --variant atomic --schedules 100 --trace rax.clt
# The atomic's notes come after its adds, so two threads' notes may be
# recorded out of order: values that go down are not lost updates.
expect_exit 0 "$CONCLAB" run race --variant atomic --sched random --seed 3 -q --trace ra3.clt
"$CONCLAB" dump ra3.clt | sed -n 's/.* write=\([0-9]*\) .*/\1/p' >ra3.writes
down=$(awk 'NR > 1 && $1 < prev { n++ } { prev = $1 } END { print n + 0 }' ra3.writes)
[ "$down" -gt 0 ] && pass "race atomic, random seed 3: $down write(s) recorded below an earlier one, and it passes" ||
	fail "race atomic, random seed 3: the writes were recorded in order, the test shows nothing"

# lockorder: abba deadlocks; serialized ends but is flagged; gated and
# ordered pass.
expect_exit 3 "$CONCLAB" run lockorder --variant abba -q --trace la.clt
contains "$T/err" '^conclab: deadlock' "lockorder abba: the watchdog's report"
expect_exit 1 "$CONCLAB" run lockorder --variant serialized -q --trace ls.clt
contains "$T/out" '^  ok   no deadlock' "lockorder serialized: the run ends by itself"
contains "$T/out" '^  FAIL lock order +worker-2 requesting lock-a .* closed a lock-order cycle \(potential deadlock\)' \
	"lockorder serialized: the detector flags the cycle"
contains "$T/out" '^  ok   workers overlap +no: worker-2 started after worker-1 ended' \
	"lockorder serialized: the workers never overlapped"
expect_exit 1 "$CONCLAB" analyze ls.clt
contains "$T/out" '^    lock-a -> lock-b -> lock-a$' "analyze shows the serialized cycle"
# No timing hides the cycle: one round, no pause, no hold.
expect_exit 1 "$CONCLAB" run lockorder --variant serialized --rounds 1 --gap_ms 0 --hold_ms 0 -q --trace ls1.clt
contains "$T/out" '^  FAIL lock order' "lockorder serialized without pauses: still flagged"
expect_exit 1 "$CONCLAB" explore lockorder --variant serialized --schedules 20 --trace lsx.clt
expect_exit 0 "$CONCLAB" run lockorder --variant gated -q --trace lg.clt
contains "$T/out" '^  ok   lock order +no lock-order cycle that can deadlock' "lockorder gated: the gate is seen"
expect_exit 0 "$CONCLAB" analyze lg.clt
contains "$T/out" 'gated lock-order cycle' "analyze shows the gated cycle, as a note"
contains "$T/out" 'while holding gate' "and names the gate"
expect_exit 0 "$CONCLAB" run lockorder --variant ordered --gap_ms 0 -q --trace lo.clt

# rlock: the plain mutex is refused a relock instead of hanging.
expect_exit 1 "$CONCLAB" run rlock --variant plain-mutex -q --trace rp.clt
contains "$T/out" '^  FAIL re-entry +6 relock\(s\) of counter.lock' "rlock plain-mutex: the relocks are counted"
contains "$T/out" '^  FAIL no misuse .*\(relock\)' "rlock plain-mutex: the relock diagnostic"
contains "$T/out" '^  FAIL final count +the counter ends at 12, expected 6' "rlock plain-mutex: the decrements are lost"
expect_exit 1 "$CONCLAB" run rlock --variant plain-mutex --threads 1 --rounds 1 -q --trace rp1.clt
contains "$T/out" '^  FAIL re-entry +1 relock' "rlock plain-mutex, one call: still refused"
expect_exit 0 "$CONCLAB" run rlock --variant recursive -q --trace rr2.clt
contains "$T/out" '^  ok   re-entry +each of the 6 decr\(\) calls took counter.lock a second time' \
	"rlock recursive: every decr() re-enters"
for d in 1 3; do
	expect_exit 0 "$CONCLAB" run rlock --variant cond-recursive --depth $d -q --trace rc$d.clt
	contains "$T/out" "^  ok   levels restored +each of the consumer's [0-9]+ wait\\(s\\) gave up all $d levels" \
		"rlock cond-recursive --depth $d: every level given up and taken back"
done
expect_exit 0 "$CONCLAB" explore rlock --variant cond-recursive --depth 3 --schedules 100 --trace rcx.clt

# semaphore: the limit holds; a release too many is refused.
expect_exit 0 "$CONCLAB" run semaphore --variant limit --limit 3 -q --trace sl.clt
contains "$T/out" '^  ok   limit kept +at most [123] worker\(s\) inside at once \(limit 3\)' "semaphore limit 3"
expect_exit 1 "$CONCLAB" run semaphore --variant over-release -q --trace so.clt
contains "$T/out" '^  FAIL releases balanced +[0-9]+ release\(s\) refused' "semaphore over-release: refused"
contains "$T/out" '^  FAIL no misuse .*\(sem-over-release\)' "semaphore over-release: the runtime's diagnostic"
# A single worker has nobody to hide its release too many behind.
expect_exit 1 "$CONCLAB" run semaphore --variant over-release --workers 1 -q --trace so1.clt
contains "$T/out" '^  FAIL releases balanced +1 release\(s\) refused' "semaphore over-release, one worker"
contains "$T/out" '^  ok   limit kept' "one worker alone keeps the limit"
expect_exit 1 "$CONCLAB" explore semaphore --variant over-release --schedules 20 --trace sox.clt
expect_exit 0 "$CONCLAB" run semaphore --variant one-at-a-time --limit 4 -q --trace s1.clt
contains "$T/out" '^  ok   limit kept +at most 1 worker\(s\) inside at once \(limit 1\)' \
	"semaphore one-at-a-time: one permit whatever --limit says"
expect_exit 0 "$CONCLAB" run semaphore --variant handoff -q --trace sh.clt
contains "$T/out" '^  ok   one release, one worker +12 release\(s\) let 12 worker entries in, none before its release' \
	"semaphore handoff: one worker for each release"
expect_exit 0 "$CONCLAB" explore semaphore --variant handoff --schedules 100 --trace shx.clt
# startup: workers that do not wait read the configuration unset.
expect_exit 1 "$CONCLAB" run startup --variant race -q --trace sr.clt
contains "$T/out" '^  FAIL ready before start +[123] worker\(s\) started before the main thread prepared the configuration; first worker-[123]' \
	"startup race: a worker started before main was ready"
# A worker that loads the value early and notes it after "prepared" is
# still caught by the value it read (random seed 11, a sleep cut short).
expect_exit 1 "$CONCLAB" run startup --variant race --workers 1 --prep_ms 1 --early-timeouts --sched random --seed 11 -q --trace sr11.clt
contains "$T/out" '^  FAIL ready before start +1 worker\(s\) read the configuration unset; first worker-1 read 0, expected 42' \
	"startup race: a read recorded late with the unset value"
# No preparation time, one worker: explore still finds the early start.
expect_exit 1 "$CONCLAB" explore startup --variant race --prep_ms 0 --schedules 50 --trace srx.clt
contains "$T/out" '^FAIL: schedule [0-9]+ ' "startup race, no preparation time: explore finds it"
expect_exit 0 "$CONCLAB" run startup --variant event --prep_ms 0 --workers 8 -q --trace se.clt
contains "$T/out" '^  ok   ready before start +every worker started after the configuration was prepared and read 42' \
	"startup event: every worker waits for the latch"
expect_exit 0 "$CONCLAB" explore startup --variant event --early-timeouts --schedules 100 --trace sex.clt

# barrier: a waiter that ignores the broken barrier goes on too early.
expect_exit 1 "$CONCLAB" run barrier --variant abort -q --trace ba.clt
contains "$T/out" '^  FAIL phases in step +[0-9]+ phase\(s\) began before every party finished the one before; first party-[12] began step 4 when [12] of 3 parties had finished step 3' \
	"barrier abort: a waiter goes on past the broken barrier"
contains "$T/out" '^  FAIL break seen +0 of the 2 other parties learnt that the barrier broke' \
	"barrier abort: nobody learnt of the break"
# The abort in the last round, with two parties, and a round past the
# last (clamped to it): the phase after the break is still caught.
expect_exit 1 "$CONCLAB" run barrier --variant abort --parties 2 --rounds 2 --abort_round 9 -q --trace ba2.clt
contains "$T/out" '^  FAIL phases in step +1 phase\(s\) began .* party-1 began step 4 when 1 of 2 parties had finished step 3' \
	"barrier abort in the last round, two parties"
expect_exit 1 "$CONCLAB" explore barrier --variant abort --rounds 1 --work_ms 0 --schedules 20 --trace bax.clt
expect_exit 0 "$CONCLAB" run barrier --variant abort-checked --parties 5 --abort_round 1 -q --trace bc.clt
contains "$T/out" '^  ok   break seen +each of the 4 other parties learnt that the barrier broke, and stopped' \
	"barrier abort-checked: every waiter stops"
expect_exit 0 "$CONCLAB" run barrier --variant reuse --parties 4 --rounds 5 --work_ms 0 -q --trace br.clt
contains "$T/out" '^  ok   steps done +4 parties finished 10 steps each' "barrier reuse: every step of every party"
expect_exit 0 "$CONCLAB" explore barrier --variant reuse --work_ms 0 --schedules 100 --trace brx.clt

# stop: a stop nobody signals is never seen; the watchdog ends the run.
expect_exit 3 "$CONCLAB" run stop --variant lost-stop -q --trace sl3.clt
contains "$T/err" '^  worker-1 +waits on cond wake' "stop lost-stop: the worker sleeps through the stop"
contains "$T/out" '^  -- +stopped at once +not judged, the run did not end: 0 of 2 workers saw the stop flag' "stop lost-stop: nobody saw the flag, not judged in a deadlocked run"
# Stopping at once, with no time to run, does not slip past the sleepers.
expect_exit 3 "$CONCLAB" run stop --variant lost-stop --workers 1 --run_ms 0 -q --trace sl0.clt
expect_exit 3 "$CONCLAB" explore stop --variant lost-stop --schedules 20 --trace slx.clt
for v in flag timeout-loop signal; do
	expect_exit 0 "$CONCLAB" run stop --variant $v --workers 3 --run_ms 0 -q --trace sv.clt
	contains "$T/out" '^  ok   stopped at once +each of the 3 workers stopped at its first check after the stop' \
		"stop $v, stopped before it ran: each worker stops at its first check"
done
# A pause longer than the run: the worker still checks once more.
expect_exit 0 "$CONCLAB" run stop --variant timeout-loop --poll_ms 200 --run_ms 10 -q --trace st2.clt
contains "$T/out" '^  ok   stopped at once' "stop timeout-loop, a long timeout"
expect_exit 0 "$CONCLAB" run stop --variant join-timeout -q --trace sj.clt
contains "$T/out" "^  ok   join timed out +main's join gave up after 20 ms and asked the worker to stop" \
	"stop join-timeout: main did not wait forever"
expect_exit 0 "$CONCLAB" explore stop --variant timeout-loop --schedules 200 --trace stx.clt
finish
