# The processes lab's picture (p), in batch mode: no terminal needed.
# sh tests/tui/procs.sh CONCLAB SANITIZE
# Process ids differ from run to run: they are replaced by PID (and the
# rule of a box's title and the gap after a pid closed up; a lane's name,
# cut to 6 columns, by "pid NN") before a screen is compared.  A free
# run's screen differs too (times, record numbers): only its picture is
# compared, at a record where it is the same on every run.
. "$(dirname "$0")/batch-lib.sh"
# show TRACE KEYS: the screen after KEYS, in out, pids as PID
show() {
	batch "$1" "$2" raw
	sed -E -e 's/([a-z0-9-]+) [0-9]+─+┐/\1 PID┐/' \
		-e 's/│([a-z0-9-]+) [0-9]+$/│\1 PID/' \
		-e 's/pid=[0-9]+ */pid=PID /' -e 's/pid [0-9]+ \//pid PID \//' \
		-e 's/fork=[0-9]+( *)/fork=PID\1/' \
		-e 's/^([ >]T[0-9]+ pid )[0-9][0-9]/\1NN/' \
		raw >out
}
# the picture alone: the columns right of the records' rule
picture() { sed -n '/│The processes/,21p' out | sed 's/^[^│]*│//' >pic; }

export LANG=C.UTF-8 LC_ALL=C.UTF-8

# A child whose trace is not there (removed here; in a sanitizer build a
# child records nothing) is drawn as the parent saw it.
"$CONCLAB" run processes --variant wait-then-read --sched pct --seed 1 -q \
	--trace ws.clt >/dev/null 2>&1
rm -f ws.[0-9]*.clt
show ws.clt Dp
has 'The processes \(p: objects\)' "p: the processes instead of the objects"
has '││waits for child +│$' "at the deadlock, main waits for the child"
has '│┌main PID┐$' "main with its pid, its child's trace or none"
has '│ results \?/4 \?→main$' "the pipe: main reads, the child's side unknown"
has '││forked \(records nothing\) +│$' "the child, forked, records nothing"
show ws.clt p
has '││not forked yet +│$' "at record 0 the child is not forked yet"
"$CONCLAB" run processes --variant shared-unlocked --procs 1 --sched pct \
	--seed 1 -q --trace su.clt >/dev/null 2>&1
show su.clt Gp
has '│ shared counter 40, none lost$' "shared, one process: the counter, none lost"
has '││exited, status 0 +│$' "the adder exited with status 0"

case $SANITIZE in
*address* | *thread*)
	# runtime/proc.c: in a sanitizer build a child records nothing
	[ "$failures" -eq 0 ] || { echo "$failures failed"; exit 1; }
	echo "SKIP: the children's records: children record nothing in a" \
		"sanitizer build"
	exit 77 ;;
esac

# Under the controlled scheduler the child records too: the family's
# view, the same record for record on every run.
"$CONCLAB" run processes --variant wait-then-read --sched pct --seed 1 -q \
	--trace wc.clt >/dev/null 2>&1
show wc.clt Dp
has '│ results \[####\] 4/4 child→main$' "controlled: the pipe full, child to main"
has '││waits for room in results +│$' "controlled: the child waits for room"
same out procs-sched "the family at the deadlock of a controlled run, whole"

# A free run: the child's records merged in.  At the deadlock the child
# has filled the pipe and waits for room, the parent waits for the
# child: the same picture on every run.
"$CONCLAB" run processes --variant wait-then-read -q --trace wf.clt \
	>/dev/null 2>&1
show wf.clt Dp
has '│ results \[####\] 4/4 child→main$' "the pipe full: 4 of 4, child to main"
has '││waits for room in results +│$' "the child waits for room"
has '││waits for child +│$' "main waits for the child"
picture
same pic procs-deadlock "the family at the deadlock, picture"
# the correct variant, the child reaped: it exited 0, the pipe is empty
"$CONCLAB" run processes --variant pipe -q --trace pf.clt >/dev/null 2>&1
show pf.clt '/process.reaped<Enter>p'
has '││exited, status 0 +│$' "pipe: the child exited 0"
has '│ results 0/4 \(none\)→main$' "pipe: empty, no writer left"
# the pool, four processes and two pipes, boxed within 14 rows
"$CONCLAB" run processes --variant pool -q --trace po.clt >/dev/null 2>&1
show po.clt '/pipe.eof<Enter>p'
has '│ tasks ([0-9]+|\[[#.]+\] [0-9]+)/4 ' "pool: the task pipe, of 4"
has '│ results [0-9]+/12 .*→' "pool: the results come back to main"
has '│┌worker-3 PID┐' "pool: the third worker's box"

# the pool that deadlocks: four processes and two pipes do not fit in
# boxes with five threads' lanes above: two lines each; every process
# waits, the same picture on every run
"$CONCLAB" run processes --variant pool-small-results -q --trace ps.clt \
	>/dev/null 2>&1
show ps.clt Dp
has '│main PID$' "pool-small-results: two lines a process"
has '│  waits for room in tasks$' "main waits for room in the task pipe"
has '│ results 4/4 worker-1 \+2→main$' "the results pipe full, three workers to main"
picture
same pic procs-pool-deadlock "the pool's deadlock, picture"

finish
