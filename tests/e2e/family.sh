#!/bin/sh
# A controlled run of a family of processes: the processes lab under
# --sched, its children recorded, the same seed the same family, and
# explore cleaning up after the children.
#
# usage: sh tests/e2e/family.sh CONCLAB [SANITIZE]
# (SANITIZE: meson's b_sanitize; in a sanitizer build the children record
# nothing and run free, runtime/proc.c: only the runs' exit codes count)
SANITIZE=${2:-none}
. "$(dirname "$0")/lib.sh"

# The dump of a family with what differs from run to run masked: the
# children's pids (in their threads' names, their traces' names, the fork
# records) and the traces' random ids.
masked() {
	"$CONCLAB" dump "$1" | sed -E \
		-e 's/[0-9a-f]{32}/ID/g' \
		-e 's/pid [0-9]+/pid P/g' \
		-e 's/(fork|pid|param)=[0-9]+/\1=P/g' \
		-e 's/\.[0-9]+\.clt/.P.clt/g' \
		-e 's/(process\.child|process\.pid)[.=][0-9]+/\1.P/g'
}

# Each run in a directory of its own, under the same trace name.
mkdir a b r
for v in pipe:0 wait-then-read:3 shared-locked:0 shared-unlocked:1 pool:0 pool-small-results:3; do
	name=${v%:*} code=${v#*:}
	if [ "$SANITIZE" != none ] && [ "$name" = shared-unlocked ]; then
		# its children run free there: an update is lost only when two
		# of them overlap, which the machine decides (exit 0 in the
		# ASan build in the CI of e26d1a9); it must end, and say so
		for d in a b; do
			"$CONCLAB" run processes --variant "$name" --sched pct --seed 3 -q \
				--trace "$d/$name.clt" >"$T/out" 2>"$T/err"
			rc=$?
			if [ "$rc" -le 1 ] && grep -q '^checks (processes shared-unlocked):' "$T/out"; then
				pass "processes $name ($d), children free: it ends and is checked (exit $rc)"
			else
				fail "processes $name ($d), children free: exit $rc"
			fi
		done
		continue
	fi
	expect_exit "$code" "$CONCLAB" run processes --variant "$name" --sched pct --seed 3 -q --trace "a/$name.clt"
	cat "$T/out" "$T/err" >"$name.said"
	expect_exit "$code" "$CONCLAB" run processes --variant "$name" --sched pct --seed 3 -q --trace "b/$name.clt"
	[ "$SANITIZE" = none ] || continue
	masked "a/$name.clt" >"$name-a.txt"
	masked "b/$name.clt" >"$name-b.txt"
	if cmp -s "$name-a.txt" "$name-b.txt"; then
		pass "processes $name, pct seed 3 twice: the same dump of the family"
	else
		fail "processes $name, pct seed 3 twice: the family's dumps differ"
		diff "$name-a.txt" "$name-b.txt" | head -n 10 | sed 's/^/  /'
	fi
	contains "$name-a.txt" ' pid P / main ' "processes $name under control: the children's records are in the dump"
	# the string replays the parent, and the children come with the seed
	s=$(sed -n 's/^replay it: .* --replay \([^ ]*\)$/\1/p' "$name.said")
	expect_exit "$code" "$CONCLAB" run processes --variant "$name" --seed 3 --replay "$s" -q --trace "r/$name.clt"
	masked "r/$name.clt" | grep -v '^# meta sched' >"$name-r.txt"
	grep -v '^# meta sched' "$name-a.txt" >"$name-a2.txt"
	cmp -s "$name-a2.txt" "$name-r.txt" && pass "processes $name: the replay of the string, the same family" ||
		{ fail "processes $name: the replay of the string made another family"; diff "$name-a2.txt" "$name-r.txt" | head -n 10 | sed 's/^/  /'; }
done

if [ "$SANITIZE" = none ]; then
	# the children's records in the order the turn went: each read after
	# the write it reads, the writer's wait for room before the reads
	grep -oE ' pipe\.(write-wait|write|read) ' pipe-a.txt | tr -d ' ' >order.txt
	[ "$(sed -n 5p order.txt)" = pipe.write-wait ] &&
		[ "$(sed -n 6p order.txt)" = pipe.read ] &&
		pass "processes pipe: the child fills the pipe, waits, and the parent reads" ||
		{ fail "processes pipe: the merged order is not the turns'"; sed 's/^/  /' order.txt; }
	# virtual times that never go back across the family
	awk '$1 ~ /^[0-9]+$/ { if ($2 < last) bad = 1; last = $2 } END { exit bad }' pool-a.txt &&
		pass "processes pool: the family's times never go back" ||
		fail "processes pool: a record of the family earlier than the one before"
	# the child's scheduler: a seed of its own, derived from the run's
	child=$(ls a/pipe.*.clt | head -n 1)
	"$CONCLAB" dump --alone "$child" >child.txt 2>&1
	contains child.txt '^# meta process\.sched_seed=[0-9]+$' "a controlled child's trace names its scheduler's seed"
	seed3=$(sed -n 's/^# meta process\.sched_seed=//p' child.txt)
	expect_exit 0 "$CONCLAB" run processes --variant pipe --sched pct --seed 4 -q --trace s4.clt
	"$CONCLAB" dump --alone "$(ls s4.*.clt | head -n 1)" >child4.txt 2>&1
	seed4=$(sed -n 's/^# meta process\.sched_seed=//p' child4.txt)
	[ -n "$seed3" ] && [ -n "$seed4" ] && [ "$seed3" != "$seed4" ] &&
		pass "another seed, another child's seed" ||
		fail "the children of seeds 3 and 4 have seeds '$seed3' and '$seed4'"
	# the unlocked adders lose the same updates every time
	contains shared-unlocked.said '^replay it: ' "processes shared-unlocked under control: a replay command"
	grep -h ' total=' shared-unlocked-a.txt shared-unlocked-b.txt | awk '{print $NF}' | sort -u >totals.txt
	[ "$(wc -l <totals.txt)" -eq 1 ] && pass "processes shared-unlocked: the same total twice" ||
		fail "processes shared-unlocked: totals $(tr '\n' ' ' <totals.txt)"
fi

# explore leaves no child's trace behind in its directory
mkdir tmp
TMPDIR=$T/tmp expect_exit 0 "$CONCLAB" explore processes --variant pool --schedules 20 --trace ex.clt
[ -z "$(ls -A tmp)" ] && pass "explore of a family: nothing left in TMPDIR" ||
	fail "explore of a family left $(ls -A tmp tmp/* | head -n 5 | tr '\n' ' ')"
TMPDIR=$T/tmp expect_exit 3 "$CONCLAB" explore processes --variant wait-then-read --strategy bounded --trace bx.clt
[ -z "$(ls -A tmp)" ] && pass "a failing bounded explore of a family: nothing left in TMPDIR" ||
	fail "a failing explore of a family left $(ls -A tmp tmp/* | head -n 5 | tr '\n' ' ')"

# the lab's procs under explore: --param procs=N (explore's --procs is its own)
expect_exit 1 "$CONCLAB" explore processes --variant shared-unlocked --param procs=2 --procs 1 --schedules 4 --trace pp.clt
contains "$T/out" 'replay: +conclab run processes --variant shared-unlocked --procs 2 ' "explore --param procs=2 sets the lab's procs"
contains "$T/out" ', 1 at once' "explore --param procs=2 --procs 1: explore's own --procs still 1"
expect_exit 1 "$CONCLAB" explore processes --variant shared-unlocked --procs 2 --schedules 4 --trace pq.clt
lacks "$T/out" 'replay: .*--procs' "explore --procs 2 alone leaves the lab's procs at its default"
contains "$T/out" ', 2 at once' "explore --procs 2 alone is explore's"
expect_exit 2 "$CONCLAB" explore processes --variant shared-unlocked --param procs=99 --schedules 2
contains "$T/err" "--procs wants a number in 1\\.\\.8, not '99'" "--param procs=99: the lab's range checks it"
for bad in procs procs= =2 variant=pool; do
	expect_exit 2 "$CONCLAB" explore processes --param "$bad" --schedules 2
	contains "$T/err" "--param wants a lab parameter's NAME=VALUE, not '$bad'" "--param $bad refused"
done
expect_exit 2 "$CONCLAB" explore processes --param nosuch=2 --schedules 2
contains "$T/err" "nosuch" "--param of a parameter the lab has not: refused"

finish
