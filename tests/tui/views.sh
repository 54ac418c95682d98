# The lock-order view (L) and the lab pictures (p), in batch mode: no
# terminal needed.
. "$(dirname "$0")/batch-lib.sh"

export LANG=C.UTF-8 LC_ALL=C.UTF-8
# Under the controlled scheduler: the same runs, record for record, every
# time, so that whole screens can be compared.
for r in "philosophers naive ph" "philosophers ordered po" \
	"prodcons condvar pc" "timer condvar tm"; do
	set -- $r
	"$CONCLAB" run "$1" --variant "$2" --sched pct --seed 1 -q \
		--trace "$3.clt" >/dev/null 2>&1
done

# the lock-order view
show ph.clt L
has '^Lock-order cycles 1 ' "L: the lock-order view, one cycle"
has '^>1 potential deadlock: 5 locks, closed at #[0-9]+ by T[0-9] phil-[0-9] \(diag #[0-9]+\)' "its class, where it closed, its diagnostic"
has '^   fork-0 -> fork-1 -> fork-2 -> fork-3 -> fork-4 -> fork-0$' "the 5-fork cycle drawn as text"
has '^   fork-0 -> fork-1  T1 phil-0  philosophers.c:[0-9]+ then :[0-9]+ #[0-9]+$' "an edge with its thread and both sites"
has '^   fork-4 -> fork-0  T5 phil-4 ' "the edge that closes the ring"
same out views-lockorder "the lock-order view, whole"
hasnt '^Records ' "the view takes the log's place"
closed=$(sed -n 's/^>1 .*closed at #\([0-9]*\) .*/\1/p' out)
show ph.clt 'L<Enter>'
has "^ record $closed/" "Enter jumps to the record that closed the cycle"
has "^>$closed T[0-9] +mutex.request fork-" "the cursor on that request"
has 'this request closed lock-order cycle 1 \(potential deadlock\)' "and says so"
show ph.clt 'LL'
has '^Records ' "L again closes the view"
show ph.clt 'L<Esc>'
has '^Records ' "Esc closes the view"
show ph.clt 'Ll'
has '^ record 1/' "l still steps with the view open"
has '^Lock-order cycles 1 ' "and the view stays"
show po.clt L
has '^Lock-order cycles 0 ' "ordered philosophers: no cycles"
has 'no lock-order cycle' "says there is no lock-order cycle"
show ph.clt '?'
has 'L +lock-order cycles' "the help lists L"
same out views-help "the help overlay, whole"
has 'p +lab picture' "the help lists p"

# the philosophers' table
show ph.clt Dp
has 'The table \(p: objects\)' "p: the table instead of the objects"
has 'T1 phil-0  wants fork-1' "at the deadlock, phil-0 wants fork-1"
has '   fork-0  held by phil-0' "fork-0 is held by phil-0"
has '   fork-4  held by phil-4' "fork-4 is held by phil-4"
has '\(round to fork-0\)' "round the table"
same out views-table "the philosophers' table at the deadlock, whole"
show ph.clt Dpp
has 'Objects at the cursor' "p again: the objects"
show ph.clt 'p'
has 'T1 phil-0  not seated yet' "at record 0 nobody sits"
show po.clt '/eat=1<Enter>p'
has 'phil-[0-9]  EATS \(meal 1\)' "ordered: someone eats"

# the buffer
show pc.clt '/get=<Enter>p'
has 'The buffer \(p: objects\)' "p: the buffer"
has '^[^│]*│[0-9]+ of 4 slots full' "how full, of the capacity"
has '│\[[0-3]\] .*<get' "the head (the next get)"
has '│\[[0-3]\] .*<put' "the tail (the next put)"
has '│last: get [0-9]+ by cons-[0-9] #[0-9]+' "the last get"
same out views-buffer "the buffer, whole"

# other labs: a short note
show tm.clt p
has 'no picture for lab timer' "timer: no picture, a short note"
has 'Lab picture \(p: objects\)' "the pane says what it is"

finish
