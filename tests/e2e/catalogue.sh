#!/bin/sh
# The labs of the catalogue (race, lockorder, rlock, semaphore): the
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
contains "$T/out" '^  FAIL lock order +worker-2 requesting lock-a .* closed a lock-order cycle \(lock-cycle\)' \
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
finish
