#!/bin/sh
# The labs of the catalogue (race, lockorder, rlock, semaphore, startup,
# barrier, stop, pool, actor, rwlock, coop, tls, processes): the
# property each variant teaches, under the operating system and under the
# controlled scheduler, and parameters that try to hide a bug or to make
# a correct variant look broken.
#
# usage: sh tests/e2e/catalogue.sh CONCLAB [SANITIZE]
# (SANITIZE: meson's b_sanitize; in a sanitizer build the processes lab's
# children record nothing, see runtime/proc.c)
. "$(dirname "$0")/lib.sh"
SANITIZE=${2:-none}

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
contains "$T/out" '^  -- +stopped at once +not judged, the run did not end; so far: 0 of 2 workers saw the stop flag' "stop lost-stop: nobody saw the flag, not judged in a deadlocked run"
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
# pool: results read after a shutdown that did not wait are missing; the
# watchdog ends a pool whose tasks wait for tasks queued behind them.
expect_exit 1 "$CONCLAB" run pool --variant no-wait-shutdown -q --trace pn.clt
contains "$T/out" "^  FAIL results read after done +6 result\(s\) read before the task was done; the first one read is job 1's" \
	"pool no-wait-shutdown: every result was read too early"
contains "$T/out" '^  ok   every job done +6 job\(s\) ran to the end' \
	"pool no-wait-shutdown: the tasks still ran, after the shutdown"
# Tasks that do no work can finish first; the scheduler finds the order
# where they do not.
expect_exit 1 "$CONCLAB" explore pool --variant no-wait-shutdown --work_ms 0 --schedules 50 --trace pnx.clt
expect_exit 3 "$CONCLAB" run pool --variant deadlock-in-task -q --trace pd.clt
contains "$T/err" '^  pool-1 +waits on latch pool\.[0-9]+ at labs/pool.c:[0-9]+' \
	"pool deadlock-in-task: the worker waits on the future it submitted"
contains "$T/err" '^  main +waits on latch pool\.1 ' "pool deadlock-in-task: main waits on the first job"
# More workers only take longer to fill with waiting tasks.
expect_exit 3 "$CONCLAB" explore pool --variant deadlock-in-task --workers 3 --schedules 50 --trace pdx.clt
expect_exit 1 "$CONCLAB" run pool --variant callback-race -q --trace pc.clt
contains "$T/out" '^  FAIL callback total +the callbacks added up to [0-9]+, expected 91: [0-9]+ lost' \
	"pool callback-race: the lost updates are counted"
contains "$T/out" '^  ok   callbacks ran once +6 done callback\(s\), one a job' \
	"pool callback-race: every callback ran, once"
expect_exit 1 "$CONCLAB" explore pool --variant callback-race --gap_ms 0 --schedules 100 --trace pcx.clt
# cancel: with one worker the jobs behind the first (and the second, if
# the worker took it first) are cancelled, and a cancelled job never runs;
# with many workers, none may be left to cancel.
# (controlled: free-running, how many jobs the worker took before the
# cancel depends on the machine's load)
expect_exit 0 "$CONCLAB" run pool --variant cancel -q --sched pct --seed 1 --trace pk.clt
contains "$T/out" '^  ok   every job ran or was cancelled 1 job\(s\) ran, 5 cancelled, none both' \
	"pool cancel, one worker: the jobs behind were cancelled"
contains "$T/out" '^  ok   callback total +the callbacks added up to 1, the sum of the jobs that ran' \
	"pool cancel: only the jobs that ran are added"
expect_exit 0 "$CONCLAB" run pool --variant cancel -q --sched pct --seed 4 --trace pk2.clt
contains "$T/out" '^  ok   every job ran or was cancelled 2 job\(s\) ran, 4 cancelled, none both' \
	"pool cancel, one worker, the worker first: two ran"
contains "$T/out" '^  ok   callback total +the callbacks added up to 5, the sum of the jobs that ran' \
	"pool cancel: the two that ran are added"
# (controlled too: in a free run under ASan and load only four of the
# eight workers had started when the cancel came, and one job was queued)
expect_exit 0 "$CONCLAB" run pool --variant cancel --workers 8 -q --sched pct --seed 1 --trace pk8.clt
contains "$T/out" '^  ok   every job ran or was cancelled 6 job\(s\) ran, 0 cancelled' \
	"pool cancel, eight workers: nothing left to cancel"
for v in futures map cancel; do
	expect_exit 0 "$CONCLAB" run pool --variant $v --workers 1 --work_ms 0 -q --trace pv.clt
	expect_exit 0 "$CONCLAB" explore pool --variant $v --procs 4 --schedules 200 --trace pvx.clt
done
# actor: without the exit sentinel the actor waits for mail forever and
# main waits for the actor; subscribers closed under a running publisher
# miss its messages.
expect_exit 3 "$CONCLAB" run actor --variant no-sentinel -q --trace an.clt
contains "$T/err" '^  actor-1 +waits on queue actor-1.mailbox at labs/actor.c:[0-9]+' \
	"actor no-sentinel: the actor waits on its mailbox"
contains "$T/err" '^  main +waits on thread actor-1 ' "actor no-sentinel: main waits to join it"
contains "$T/out" '^  ok   every message handled +each of 1 actor\(s\) handled all 5 message\(s\) published' \
	"actor no-sentinel: every message was handled before the hang"
# One message, no work: still no way out.
expect_exit 3 "$CONCLAB" run actor --variant no-sentinel --messages 1 --work_ms 0 -q --trace an1.clt
expect_exit 3 "$CONCLAB" explore actor --variant no-sentinel --schedules 20 --trace anx.clt
expect_exit 1 "$CONCLAB" run actor --variant close-early -q --trace ae.clt
contains "$T/out" '^  FAIL every message handled +actor-[0-9]+ handled [0-9]+ of the 5 message\(s\) published' \
	"actor close-early: messages lost"
contains "$T/out" '^  ok   every actor exited' "actor close-early: every actor still ended"
expect_exit 1 "$CONCLAB" explore actor --variant close-early --work_ms 0 --schedules 50 --trace aex.clt
# One subscriber and one message cannot hide a lost or doubled message.
expect_exit 0 "$CONCLAB" run actor --variant pubsub --subscribers 1 --messages 1 --work_ms 0 -q --trace ap1.clt
contains "$T/out" '^  ok   every message handled +each of 1 actor\(s\) handled all 1 message\(s\) published' \
	"actor pubsub, one subscriber, one message"
expect_exit 0 "$CONCLAB" run actor --variant pubsub --subscribers 8 --messages 20 --work_ms 0 -q --trace ap8.clt
contains "$T/out" '^  ok   in order +each actor handled its messages once each, in the order published' \
	"actor pubsub, eight subscribers: each in the order published"
for v in mailbox pubsub; do
	expect_exit 0 "$CONCLAB" explore actor --variant $v --messages 3 --schedules 200 --trace avx.clt
done
# rwlock: readers that keep coming overtake a waiting writer only when
# readers are preferred; the check counts the overtakes, not the policy.
# (Under the controlled scheduler: in a free run on a loaded machine in a
# sanitizer build the readers once never overlapped the writer.)
expect_exit 1 "$CONCLAB" run rwlock --variant readers-pref -q --sched random --seed 1 --trace rwr.clt
contains "$T/out" '^  FAIL writers not overtaken +[0-9]+ time\(s\) a reader that came after a waiting writer went in first; writer-1 waited [0-9.]+ ms while [0-9]+ reader\(s\) overtook it' \
	"rwlock readers-pref: the writer is overtaken"
contains "$T/out" '^  ok   reads whole' "rwlock readers-pref: still one writer or many readers"
expect_exit 1 "$CONCLAB" explore rwlock --variant readers-pref --schedules 50 --trace rwrx.clt
contains "$T/out" '^FAIL: schedule ' "explore finds the overtaking reader"
# One reader cannot overtake: it leaves, the writer goes in.
expect_exit 0 "$CONCLAB" run rwlock --variant readers-pref --readers 1 -q --trace rwr1.clt
# Writers that come after the readers are done wait for nobody.
expect_exit 0 "$CONCLAB" run rwlock --variant readers-pref --rounds 2 --start_ms 100 -q --trace rwrl.clt
contains "$T/out" '^  ok   writers not overtaken' "rwlock readers-pref, writers late: nothing to overtake"
for v in writer-pref fair; do
	# a heavy stream of readers, several writers
	expect_exit 0 "$CONCLAB" run rwlock --variant $v --readers 8 --writers 3 -q --trace rw$v.clt
	contains "$T/out" '^  ok   writers not overtaken +no reader went in ahead of a waiting writer' \
		"rwlock $v, eight readers that ask again at once: no writer overtaken"
	contains "$T/out" '^  ok   reads whole' "rwlock $v: reads whole"
	expect_exit 0 "$CONCLAB" explore rwlock --variant $v --schedules 200 --trace rw${v}x.clt
done
# coop: the tasks step in turn, in index order, whatever the schedule; a
# task that never yields holds the others back; a yield that wakes nobody
# leaves every task waiting for its turn.
expect_exit 0 "$CONCLAB" run coop --variant round-robin -q --trace co.clt
contains "$T/out" '^  ok   round-robin order +9 steps, each task in turn, in index order' \
	"coop round-robin: the steps in turn"
expect_exit 0 "$CONCLAB" run coop --variant round-robin --tasks 16 --steps 20 --work_ms 0 --sched random --seed 3 -q --trace co16.clt
contains "$T/out" '^  ok   round-robin order +320 steps' "coop round-robin, sixteen tasks, random schedule: in turn"
expect_exit 0 "$CONCLAB" explore coop --variant round-robin --schedules 300 --trace cox.clt
# A task woken without its turn checks `turn` again and goes back to sleep.
expect_exit 0 "$CONCLAB" run coop --variant round-robin --sched random --spurious 3 --seed 2 -q --trace cosp.clt
contains "$T/out" '^  ok   round-robin order +9 steps' "coop round-robin, spurious wakeups: still in turn"
expect_exit 1 "$CONCLAB" run coop --variant no-yield -q --trace cn.clt
contains "$T/out" "^  FAIL round-robin order +step 2 was task-0's step 2, expected task-1's step 1" \
	"coop no-yield: the second step is task-0's again"
contains "$T/out" "^  FAIL every task progressed +2 time\(s\) a task stepped twice while another with steps left waited; first task-0 took step 2 right after its step 1, while task-1 \(3 step\(s\) left\) took none" \
	"coop no-yield: task-1 waited through task-0's steps"
contains "$T/out" '^  ok   one task at a time' "coop no-yield: still one task at a time"
expect_exit 1 "$CONCLAB" explore coop --variant no-yield --schedules 50 --trace cnx.clt
# Alone, or with one step each, a task that does not yield holds nobody back.
expect_exit 0 "$CONCLAB" run coop --variant no-yield --tasks 1 -q --trace cn1.clt
expect_exit 0 "$CONCLAB" run coop --variant no-yield --steps 1 -q --trace cns.clt
expect_exit 3 "$CONCLAB" run coop --variant yield-without-handoff -q --trace ch.clt
contains "$T/err" '^  task-0 +waits on cond turn-0 at labs/coop.c:[0-9]+' \
	"coop yield-without-handoff: task-0 waits for its turn"
contains "$T/out" '^  --   round-robin order +not judged' \
	"coop yield-without-handoff: the order of a stopped run is not judged"
# One task passes the turn to itself; with one step each, a task that
# starts after its turn was passed sees it, but explore finds one that
# waits first.
expect_exit 0 "$CONCLAB" run coop --variant yield-without-handoff --tasks 1 -q --trace ch1.clt
expect_exit 3 "$CONCLAB" explore coop --variant yield-without-handoff --steps 1 --work_ms 0 --schedules 200 --trace chx.clt
# tls: each thread's own counter ends at its number times the rounds; a
# global where a thread-local one was meant shows other threads' writes,
# even in a run that loses no update.
for v in per-thread key; do
	expect_exit 0 "$CONCLAB" run tls --variant $v -q --trace t$v.clt
	contains "$T/out" '^  ok   each counted its rounds +each of the 3 thread\(s\) ended with 5 times its number' \
		"tls $v: each thread counted its own"
	expect_exit 0 "$CONCLAB" run tls --variant $v --threads 16 --rounds 50 --gap_ms 0 --sched random --seed 5 -q --trace t${v}16.clt
	expect_exit 0 "$CONCLAB" explore tls --variant $v --schedules 300 --trace t${v}x.clt
done
# The key variant's key records: each thread's value set through the key
# and destroyed by its destructor in that thread when it ends; the other
# variants make no key and report no key checks.
expect_exit 0 "$CONCLAB" run tls --variant key -q --trace tk.clt
contains "$T/out" '^  ok   own key value +the 3 value\(s\) set through keys were each held by one thread' \
	"tls key: each value held by one thread"
contains "$T/out" '^  ok   freed at thread end +each value a thread held when it ended was destroyed then \(3\)' \
	"tls key: every value destroyed at its thread's end"
expect_exit 0 "$CONCLAB" dump tk.clt
[ "$(count_lines "$T/out" ' counter-[0-9] +key\.end +counter#[0-9]+ +destructor=1 id=[1-3] ')" -eq 3 ] &&
	pass "tls key: three key.end records, each in its thread" ||
	fail "tls key: three key.end records, each in its thread"
expect_exit 0 "$CONCLAB" run tls --variant per-thread -q --trace tp.clt
lacks "$T/out" 'own key value|freed at thread end' "tls per-thread: no key, no key checks"
expect_exit 1 "$CONCLAB" run tls --variant shared-by-mistake -q --trace ts.clt
contains "$T/out" "^  FAIL own counter +[0-9]+ read\(s\) saw a value their thread had not written; first counter-[0-9] read [0-9]+ where its own last write was [0-9]+ \(counter-[0-9] wrote it\)" \
	"tls shared-by-mistake: a read of another thread's write"
contains "$T/out" '^  FAIL each counted its rounds +[0-9] thread\(s\) ended wrong' \
	"tls shared-by-mistake: the totals are wrong"
contains "$T/out" '^  info lost updates +if one counter was shared, its writes added 30 and left it at [0-9]+: [0-9]+ lost' \
	"tls shared-by-mistake: the lost updates are counted"
# Without the pauses no update may be lost, but the sharing still shows.
expect_exit 1 "$CONCLAB" run tls --variant shared-by-mistake --gap_ms 0 -q --trace ts0.clt
contains "$T/out" '^  FAIL own counter' "tls shared-by-mistake, no pause: another thread's write read"
expect_exit 1 "$CONCLAB" explore tls --variant shared-by-mistake --gap_ms 0 --schedules 50 --trace tsx.clt
# One thread alone cannot tell its counter is shared.
expect_exit 0 "$CONCLAB" run tls --variant shared-by-mistake --threads 1 -q --trace ts1.clt
# processes: the parent reads its child's pipe before it waits; waiting
# first deadlocks once the messages do not fit, and the report names both
# processes' waits; the order is flagged even when they fit.
expect_exit 0 "$CONCLAB" run processes --variant pipe -q --trace pp.clt
contains "$T/out" '^  ok   every message +main read 8 of 8 messages, in order' "processes pipe: every message read"
if [ "$SANITIZE" = none ]; then
	"$CONCLAB" dump pp.clt >pp.dump 2>&1
	contains pp.dump '^ +[0-9]+ +[0-9.]+ T1 +pid [0-9]+ / main +pipe\.close +results#[0-9]+ +end=1 ' \
		"processes pipe: the child's records, in the parent's dump"
	"$CONCLAB" dump --alone pp.clt >pp1.dump 2>&1
	[ "$(count_lines pp1.dump ' pid [0-9]+ / ')" -eq 0 ] && pass "processes pipe: dump --alone, the parent's records only" ||
		fail "processes pipe: dump --alone shows the child's threads"
fi
expect_exit 0 "$CONCLAB" run processes --variant pipe --items 40 --capacity 1 -q --trace pp40.clt
expect_exit 3 "$CONCLAB" run processes --variant wait-then-read -q --trace pw.clt
contains "$T/err" '^conclab: deadlock: processes wait for each other in a cycle$' "processes wait-then-read: a deadlock between processes"
contains "$T/err" '^    main waits for child \(pid [0-9]+\) to end$' "processes wait-then-read: the parent's wait"
contains "$T/err" '^    child \(pid [0-9]+\) waits to write to pipe results \(full: 4 of 4 messages\), which only parent \(pid [0-9]+\) can empty$' \
	"processes wait-then-read: the child's wait, and who can end it"
if [ "$SANITIZE" = none ]; then
	"$CONCLAB" dump pw.clt >pw.dump 2>&1
	contains pw.dump '^ +[0-9]+ +[0-9.]+ T[0-9]+ +pid [0-9]+ / main +pipe\.write-wait +results#[0-9]+ +units=4 ' \
		"processes wait-then-read: the child's wait for room, in the parent's dump"
fi
contains "$T/out" '^  FAIL read before waiting' "processes wait-then-read: the order is named"
expect_exit 1 "$CONCLAB" run processes --variant wait-then-read --items 4 -q --trace pw4.clt
contains "$T/out" '^  FAIL read before waiting' "processes wait-then-read, messages that fit: the order still fails"
expect_exit 3 "$CONCLAB" explore processes --variant wait-then-read --schedules 20 --trace pwx.clt
# shared memory: the unlocked counter loses updates; one process or the
# lock loses none.
expect_exit 1 "$CONCLAB" run processes --variant shared-unlocked -q --trace pu.clt
contains "$T/out" '^  FAIL no lost update +the counter ends at [0-9]+ after 120 increments: [0-9]+ updates lost' \
	"processes shared-unlocked: the lost updates are counted"
expect_exit 0 "$CONCLAB" run processes --variant shared-unlocked --procs 1 -q --trace pu1.clt
expect_exit 0 "$CONCLAB" run processes --variant shared-locked --gap_us 200 -q --trace pl.clt
contains "$T/out" '^  ok   no lost update +the counter ends at 120, one for each increment' "processes shared-locked: no update lost"
expect_exit 1 "$CONCLAB" explore processes --variant shared-unlocked --schedules 20 --trace pux.clt
expect_exit 0 "$CONCLAB" explore processes --variant shared-locked --schedules 50 --trace plx.clt
# the pool: every result, in task order; a results pipe too small
# deadlocks the parent and its workers.
expect_exit 0 "$CONCLAB" run processes --variant pool -q --trace po.clt
contains "$T/out" '^  ok   map in order +12 results, result t = t \* t, in task order' "processes pool: the map in order"
expect_exit 0 "$CONCLAB" run processes --variant pool --procs 1 --tasks 64 --capacity 1 --sched random --seed 2 -q --trace po64.clt
expect_exit 0 "$CONCLAB" explore processes --variant pool --schedules 50 --trace pox.clt
expect_exit 3 "$CONCLAB" run processes --variant pool-small-results -q --trace ps.clt
contains "$T/err" '^    worker-[0-9] \(pid [0-9]+\) waits to write to pipe results \(full: 4 of 4 messages\), which only parent \(pid [0-9]+\) can empty$' \
	"processes pool-small-results: a worker's wait"
# With room for every result the same program ends.
expect_exit 0 "$CONCLAB" run processes --variant pool-small-results --capacity 12 -q --trace ps12.clt
finish
