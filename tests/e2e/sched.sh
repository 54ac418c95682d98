#!/bin/sh
# The controlled scheduler through the command: run --sched, --replay,
# and explore.
. "$(dirname "$0")/lib.sh"
SANITIZE=${2:-none}

# The same mode and seed: the same run, to the byte of its check.
expect_exit 3 "$CONCLAB" run philosophers --variant naive --sched pct --seed 7 -q --trace a.clt
contains "$T/err" '^replay it: conclab run philosophers --variant naive --seed 7 --replay 1\.1\.[A-Za-z0-9_-]+$' "a deadlocked controlled run prints the command that replays its schedule"
contains "$T/err" '^conclab: deadlock' "pct seed 7 deadlocks the naive philosophers"
expect_exit 3 "$CONCLAB" run philosophers --variant naive --sched pct --seed 7 -q --trace b.clt
expect_exit 1 "$CONCLAB" check -o a.chk a.clt
expect_exit 1 "$CONCLAB" check -o b.chk b.clt
cmp -s a.chk b.chk && pass "two pct runs with seed 7: byte-identical checks" ||
	fail "two pct runs with seed 7 checked differently"
"$CONCLAB" dump a.clt | grep -v '^#' >a.txt
"$CONCLAB" dump b.clt | grep -v '^#' >b.txt
cmp -s a.txt b.txt && pass "and identical records, times included" ||
	fail "two pct runs with seed 7 recorded differently"

# A replay of the trace is the same run; so is one of the string.
expect_exit 3 "$CONCLAB" run philosophers --variant naive --replay a.clt -q --trace c.clt
"$CONCLAB" dump c.clt | grep -v '^#' >c.txt
cmp -s a.txt c.txt && pass "--replay TRACE replays the run" ||
	fail "--replay TRACE made another run"
s=$(sed -n 's/^replay it: .* --replay \([^ ]*\)$/\1/p' "$T/err")
expect_exit 3 "$CONCLAB" run philosophers --variant naive --seed 7 --replay "$s" -q --trace d.clt
"$CONCLAB" dump d.clt | grep -v '^#' >d.txt
cmp -s a.txt d.txt && pass "--replay STRING replays the run" ||
	fail "--replay STRING made another run"
# another program: the replay says so
"$CONCLAB" run prodcons --seed 7 --replay "$s" -q --trace e.clt >out 2>err
contains out 'the replay left its schedule' "a replay of another lab says it left its schedule"

# Bad input: a clear message and exit 2.
expect_exit 2 "$CONCLAB" run philosophers --sched fair
contains "$T/err" "--sched wants os, random, pct or replay, not 'fair'" "--sched names the modes"
expect_exit 2 "$CONCLAB" run philosophers --replay '1.1.#$%'
contains "$T/err" 'malformed' "a malformed schedule string is refused"
expect_exit 0 "$CONCLAB" run philosophers --variant ordered -q --trace os.clt --meals 1
expect_exit 2 "$CONCLAB" run philosophers --replay os.clt
contains "$T/err" 'has no schedule' "a trace of a free run has no schedule to replay"
expect_exit 2 "$CONCLAB" run philosophers --sched replay
expect_exit 2 "$CONCLAB" run philosophers --step-limit 0
expect_exit 2 "$CONCLAB" run philosophers --pct-depth 99

# Virtual time: two-second ticks, twelve of them, in moments.
start=$(date +%s)
expect_exit 0 "$CONCLAB" run timer --interval_ms 2000 --sched random --seed 3 -q --trace timer.clt
took=$(($(date +%s) - start))
[ "$took" -le 10 ] && pass "a timer with 2 s ticks ran in ${took} s of real time" ||
	fail "a timer with 2 s ticks took ${took} s"
contains "$T/out" 'period mean 2000\.' "its ticks are 2 s apart in the trace"

# Early timeouts: the ticker's timeout may come while its waiters are
# slow, so even the correct timer misses ticks; without them it does not.
expect_exit 1 "$CONCLAB" run timer --sched random --seed 1 --early-timeouts -q --trace early.clt
contains "$T/out" 'FAIL countdown saw every tick' "--early-timeouts: a tick is missed"
expect_exit 0 "$CONCLAB" run timer --sched random --seed 1 -q --trace notearly.clt

# A livelock hits the step limit: exit 4, and the report says so.
expect_exit 4 "$CONCLAB" run philosophers --variant trylock --sched random --step-limit 300 -q --trace live.clt
contains "$T/err" 'stopped: 300 scheduling steps and the run has not ended' "the step limit is reported"
expect_exit 1 "$CONCLAB" check live.clt
contains "$T/out" 'FAIL no deadlock .*never ended: [0-9]+ scheduling steps' "check says the run never ended"

# explore: finds the naive deadlock at once, shrinks it, and its replay
# line reproduces it.
expect_exit 3 "$CONCLAB" explore philosophers --variant naive --trace ex.clt
contains "$T/out" '^FAIL: schedule [0-9]+ \((pct|random), seed [0-9]+\): deadlock$' "explore: the deadlock"
contains "$T/out" '^  replay:   conclab run philosophers --variant naive --seed [0-9]+ --replay ex\.clt$' "explore: the replay command"
cmd=$(sed -n 's/^  replay:   conclab //p' "$T/out")
# shellcheck disable=SC2086
expect_exit 3 "$CONCLAB" $cmd -q --trace ex2.clt
# With parameters and scheduler options that are not the defaults, the
# replay line names them and rebuilds the same run: the same verdict,
# the same trace record for record, and the run's own replay line too.
expect_exit 3 "$CONCLAB" explore philosophers --variant naive --philosophers 3 --spurious 0 --step-limit 5000 --trace ep.clt
contains "$T/out" '^  replay:   conclab run philosophers --variant naive --philosophers 3 --step-limit 5000 --spurious 0 --seed [0-9]+ --replay ep\.clt$' "explore: the replay command names the parameters and options"
cmd=$(sed -n 's/^  replay:   conclab //p' "$T/out")
# shellcheck disable=SC2086
expect_exit 3 "$CONCLAB" $cmd --trace ep2.clt
cat "$T/out" "$T/err" >"$T/both"
lacks "$T/both" 'left its schedule' "the replay keeps to its schedule"
contains "$T/both" '^replay it: conclab run philosophers --variant naive --philosophers 3 --step-limit 5000 --spurious 0 --replay 1\.' "the run's own replay line names them too"
"$CONCLAB" dump ep.clt >ep.txt 2>&1
"$CONCLAB" dump ep2.clt >ep2.txt 2>&1
if grep -q ' phil-2 ' ep.txt && cmp -s ep.txt ep2.txt; then
	pass "the replay's trace is explore's, record for record"
else
	fail "the replay's trace differs from explore's"
	diff ep.txt ep2.txt | head -n 20 | sed 's/^/  | /'
fi
expect_exit 1 "$CONCLAB" explore prodcons --variant if-wait -q
expect_exit 0 "$CONCLAB" explore prodcons --variant condvar --schedules 60 --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["ran"]==60 and d["passed"]==60, d' "$T/out" &&
	pass "explore --json: 60 ran, 60 passed" || fail "explore --json is not what it should be"
expect_exit 0 "$CONCLAB" explore prodcons --variant condvar --schedules 61 --shard 1/2 --json
cp "$T/out" s1.json
expect_exit 0 "$CONCLAB" explore prodcons --variant condvar --schedules 61 --shard 2/2 --json
python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); assert (a["ran"],b["ran"])==(31,30), (a,b)' s1.json "$T/out" &&
	pass "two shards share 61 schedules: 31 and 30" || fail "the shards did not split the budget"
cp "$T/out" s2.json
expect_exit 0 "$CONCLAB" explore --merge s1.json s2.json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["ran"]==61 and d["passed"]==61 and d["shard"]=="merged 2", d' "$T/out" &&
	pass "--merge adds the shards up" || fail "--merge did not add the shards up"
expect_exit 1 "$CONCLAB" explore prodcons --variant if-wait --schedules 10 --shard 2/2 --json
cp "$T/out" bad2.json
expect_exit 2 "$CONCLAB" explore --merge s1.json bad2.json
contains "$T/err" 'explored prodcons --variant if-wait .*not what s1.json did' "--merge refuses shards of another exploration"
expect_exit 1 "$CONCLAB" explore prodcons --variant if-wait --schedules 10 --shard 1/2 --json
cp "$T/out" bad1.json
expect_exit 1 "$CONCLAB" explore --merge bad2.json bad1.json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["first_failure"]["index"]==0, d' "$T/out" &&
	pass "--merge keeps the failure of the lowest index" || fail "--merge kept another failure"
echo '{}' >junk.json
expect_exit 2 "$CONCLAB" explore --merge junk.json
# Every schedule within a bound: exhausted, and the same count each time.
expect_exit 0 "$CONCLAB" explore philosophers --variant ordered --strategy bounded --bound 1 --json
cp "$T/out" b1.json
expect_exit 0 "$CONCLAB" explore philosophers --variant ordered --strategy bounded --bound 1 --json --procs 1
python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); assert a["exhausted"] and a["ran"]>10 and a["passed"]==a["ran"] and a["ran"]==b["ran"], (a,b)' b1.json "$T/out" &&
	pass "bounded: every schedule of one deviation, the same number with 1 process or more" ||
	fail "bounded search is not exhaustive or not repeatable"
expect_exit 0 "$CONCLAB" explore philosophers --variant ordered --strategy bounded --bound 0 --json
python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); assert a["ran"]==1 and a["exhausted"], a' "$T/out" &&
	pass "bound 0: the default schedule alone" || fail "bound 0 ran more than the default schedule"
expect_exit 3 "$CONCLAB" explore philosophers --variant naive --strategy bounded --bound 1 -q
# Partial-order reduction: fewer schedules, the same verdicts.
small="--philosophers 3 --meals 1 --strategy bounded --bound 2 --json"
expect_exit 0 "$CONCLAB" explore philosophers --variant ordered $small
cp "$T/out" por.json
expect_exit 0 "$CONCLAB" explore philosophers --variant ordered $small --no-por
python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); assert a["por"] and not b["por"] and a["exhausted"] and b["exhausted"] and a["passed"]==a["ran"] and b["passed"]==b["ran"] and a["ran"]<b["ran"] and a["left_out"]>0 and b["left_out"]==0 and a["ran"]+a["left_out"]==b["ran"], (a,b)' por.json "$T/out" &&
	pass "bound 2 with sleep sets: fewer schedules than --no-por, every one passes, exhausted" ||
	fail "the reduction did not leave schedules out, or left out what --no-por did not run"
expect_exit 0 "$CONCLAB" explore philosophers --variant ordered $small --procs 1
python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); assert a["ran"]==b["ran"] and a["left_out"]==b["left_out"], (a,b)' por.json "$T/out" &&
	pass "the reduced search runs the same schedules with 1 process or more" ||
	fail "the reduced search depends on --procs"
# Each buggy variant the unreduced search finds within a bound, it finds.
# (timer no-loop needs a deviation: bound 0 passes, bound 1 finds it)
for lv in "philosophers naive 2 3" "prodcons if-wait 2 1" "timer notify-one 2 1" "timer no-loop 0 0" "timer no-loop 1 1" "timer no-loop 2 1"; do
	set -- $lv
	"$CONCLAB" explore $1 --variant $2 --strategy bounded --bound $3 -q --no-por >/dev/null 2>&1
	want=$?
	"$CONCLAB" explore $1 --variant $2 --strategy bounded --bound $3 -q >/dev/null 2>&1
	got=$?
	[ "$got" = "$want" ] && [ "$got" = "$4" ] &&
		pass "$1 $2, bound $3: exit $got with and without the reduction" ||
		fail "$1 $2, bound $3: exit $got with the reduction, $want without ($4 expected)"
done
# --all: every failing schedule counted, fewer of them with the reduction.
# Two naive philosophers deadlock in every schedule; the if-wait buffer
# fails in some (1,300 schedules each way: in the plain build only, the
# sanitizer builds run each schedule some 20 times as slowly).
all_por() { # code lab variant params...
	want=$1
	shift
	expect_exit "$want" "$CONCLAB" explore "$@" --strategy bounded --bound 2 --all --json
	cp "$T/out" por.json
	expect_exit "$want" "$CONCLAB" explore "$@" --strategy bounded --bound 2 --all --json --no-por
	python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); assert a["exhausted"] and b["exhausted"] and 0<a["failed"]<b["failed"] and a["ran"]<b["ran"] and a["ran"]+a["left_out"]==b["ran"], (a,b)' por.json "$T/out" &&
		pass "--all, $*: the reduced search fails fewer schedules of the same bug" ||
		fail "--all, $*: with and without the reduction"
}
all_por 3 philosophers --variant naive --philosophers 2 --meals 1
[ "$SANITIZE" = none ] &&
	all_por 1 prodcons --variant if-wait --items 1 --producers 1 --consumers 2 --capacity 1
expect_exit 2 "$CONCLAB" explore philosophers --no-por
contains "$T/err" 'no-por is an option of --strategy bounded' "--no-por without bounded is refused"
expect_exit 2 "$CONCLAB" explore philosophers --strategy pct --no-por
expect_exit 2 "$CONCLAB" explore philosophers --bound 99
# A child runs many schedules in turn (--batch, 32 by default): the results
# are those of a fresh process for each, failures and --all included.
same_batches() { # lab variant code
	expect_exit "$3" "$CONCLAB" explore "$1" --variant "$2" --schedules 70 --all --json --batch 1
	sed 's/"seconds":[0-9.]*,//' "$T/out" >one.json
	expect_exit "$3" "$CONCLAB" explore "$1" --variant "$2" --schedules 70 --all --json --procs 2
	sed 's/"seconds":[0-9.]*,//' "$T/out" >many.json
	cmp -s one.json many.json && grep -q '"ran":70,' many.json &&
		pass "explore $1 $2 --all: the same with --batch 1 and in batches" ||
		fail "explore $1 $2 --all: batches change the results: $(cat one.json many.json)"
}
same_batches timer no-loop 1
same_batches stop lost-stop 3
same_batches prodcons condvar 0
expect_exit 2 "$CONCLAB" explore prodcons --batch 0
contains "$T/err" "--batch wants 1..4096" "explore --batch 0 is refused"
expect_exit 0 "$CONCLAB" explore --help
contains "$T/out" '--shard K/N' "explore --help lists --shard"
contains "$T/out" '--no-por' "explore --help lists --no-por"
expect_exit 2 "$CONCLAB" explore philosophers --shard 3/2
expect_exit 2 "$CONCLAB" explore philosophers --sched random
expect_exit 2 "$CONCLAB" explore
# explore's schedules at once are --procs; --jobs is the lab's parameter
# when the lab has one (pool's tasks), and --procs under its older name for
# a lab without.
expect_exit 3 "$CONCLAB" explore pool --variant deadlock-in-task --jobs 2 --procs 1 --schedules 50 -q --trace pj.clt
"$CONCLAB" dump pj.clt >pj.txt 2>&1
grep -q '^# meta param.jobs=2$' pj.txt && pass "explore pool --jobs 2: the pool's two tasks" ||
	fail "explore pool --jobs 2 did not reach the lab: $(grep 'param.jobs' pj.txt)"
expect_exit 2 "$CONCLAB" explore pool --jobs 65 --procs 1
contains "$T/err" 'jobs wants a number in 1\.\.64' "explore pool --jobs: the lab's range"
expect_exit 0 "$CONCLAB" explore philosophers --variant ordered --schedules 20 --jobs 1
contains "$T/out" ', 1 at once$' "explore philosophers --jobs 1: one process at once, as --procs 1"
expect_exit 2 "$CONCLAB" explore philosophers --jobs 1 --procs 2
contains "$T/err" 'jobs is --procs for philosophers' "--jobs and --procs both, for a lab without jobs"
expect_exit 2 "$CONCLAB" explore philosophers --jobs 0
contains "$T/err" 'wants a number in 1\.\.256' "--jobs 0 for a lab without jobs"

# A stop signal ends explore and its children, and leaves no scratch
# directory ($TMPDIR, where the children's traces go).  Before, a Ctrl-C
# left conclab-sched-XXXXXX with their traces in /dev/shm.
mkdir -p "$T/scratch"
# scratch_empty TEXT: nothing left in $T/scratch
scratch_empty() {
	[ -z "$(ls -A "$T/scratch")" ] && pass "$1: no scratch directory left" ||
		fail "$1: left $(ls -A "$T/scratch" | head -3)"
}
# ex_stop SIG WHOM: explore in a session of its own (as a terminal's
# foreground job), SIG sent to its group or (WHOM pid) to it alone once
# it has run for a while; its exit code in $rc
ex_stop() {
	TMPDIR="$T/scratch" setsid env --default-signal=INT "$CONCLAB" explore race \
		--variant locked --schedules 1000000 --time-limit 60 >"$T/xs.out" 2>"$T/xs.err" &
	xs=$!
	k=0
	until [ -n "$(ls -A "$T/scratch")" ] || [ $k -ge 200 ]; do
		sleep 0.05
		k=$((k + 1))
	done
	sleep 0.5
	if [ "$2" = pid ]; then kill -"$1" "$xs"; else kill -"$1" -"$xs"; fi
	wait "$xs"
	rc=$?
}
ex_stop INT group
[ "$rc" = 130 ] && pass "explore: Ctrl-C, exit 130" || fail "explore: exit $rc after Ctrl-C, not 130"
contains "$T/xs.err" '^conclab: stopped by SIGINT after [0-9]+ schedule\(s\), 0 of them failing; nothing kept$' "explore: Ctrl-C: where it stopped, and no schedule counted as failing"
scratch_empty "explore: Ctrl-C"
# SIGTERM to explore alone: its children, which it did not reach, killed
ex_stop TERM pid
[ "$rc" = 143 ] && pass "explore: SIGTERM, exit 143" || fail "explore: exit $rc after SIGTERM, not 143"
contains "$T/xs.err" '^conclab: stopped by SIGTERM after ' "explore: SIGTERM: where it stopped"
sleep 0.2
scratch_empty "explore: SIGTERM"
pgrep -s "$xs" >/dev/null && fail "explore: SIGTERM: its children still run: $(pgrep -s "$xs")" ||
	pass "explore: SIGTERM: no child left running"
# nohup: the hangup ignored, by explore and by its children's runs, which
# took it before and counted as failing schedules
TMPDIR="$T/scratch" setsid nohup "$CONCLAB" explore race --variant locked \
	--schedules 600 >"$T/xh.out" 2>"$T/xh.err" &
xh=$!
until_said "$T/xh.out" 'at once$'
sleep 0.3
kill -HUP -"$xh"
sleep 0.1
kill -HUP -"$xh"
wait "$xh"
rc=$?
[ "$rc" = 0 ] && pass "explore under nohup: a hangup ignored (exit 0)" || fail "explore under nohup: exit $rc after a hangup"
contains "$T/xh.out" '^600 schedule\(s\) in .*: 600 passed, 0 failed$' "explore under nohup: every schedule ran and passed"
scratch_empty "explore under nohup"
# What a SIGKILL leaves, the next explore removes: a directory of a
# process gone and unchanged for a minute; not one of a live process,
# nor one changed within the minute.
sh -c 'exit 0' &
gone=$!
wait $gone
while kill -0 "$gone" 2>/dev/null; do gone=$((gone + 1)); done
mkdir "$T/scratch/conclab-sched-$gone-AbC123" "$T/scratch/conclab-sched-$gone-new123" \
	"$T/scratch/conclab-sched-$$-live12"
: >"$T/scratch/conclab-sched-$gone-AbC123/s1.clt"
touch -d '2 minutes ago' "$T/scratch/conclab-sched-$gone-AbC123" "$T/scratch/conclab-sched-$$-live12"
TMPDIR="$T/scratch" expect_exit 0 "$CONCLAB" explore race --variant locked --schedules 10
[ ! -e "$T/scratch/conclab-sched-$gone-AbC123" ] && pass "explore: a dead explore's scratch directory removed" ||
	fail "explore: a dead explore's scratch directory left"
[ -d "$T/scratch/conclab-sched-$gone-new123" ] && [ -d "$T/scratch/conclab-sched-$$-live12" ] &&
	pass "explore: a live process's, and a fresh one's, kept" || fail "explore: removed a live or fresh scratch directory"
finish
