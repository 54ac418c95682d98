# Batch mode and errors: no terminal needed.  The keys are applied to an
# in-memory screen that is printed as text.
. "$(dirname "$0")/batch-lib.sh"
# run CODE ARGS...: conclab replay ARGS, expecting exit CODE; out in $T/out
run() {
	want=$1
	shift
	"$CONCLAB" replay "$@" >out 2>err
	got=$?
	[ "$got" -eq "$want" ] && pass "replay $* exits $want" ||
		{ fail "replay $* exited $got, expected $want"; cat err; }
}

# under the controlled scheduler: the same traces every time
"$CONCLAB" run philosophers --variant naive --sched pct --seed 1 -q \
	--trace ph.clt >/dev/null 2>&1
"$CONCLAB" run prodcons --variant semaphores --sched pct --seed 1 -q \
	--trace pc.clt >/dev/null 2>&1
"$CONCLAB" run tls --variant key --sched pct --seed 1 -q \
	--trace tk.clt >/dev/null 2>&1

export LANG=C LC_ALL=C
run 0 --batch ph.clt
has '^ record 0/[0-9]+ .*philosophers/naive' "status line"
[ "$(wc -l <out)" -eq 24 ] && pass "24 lines" || fail "not 24 lines"
same out batch-start "the first screen, ASCII, whole"
run 0 --batch --keys 'jjjD' ph.clt
has 'DEADLOCK: wait-for cycle' "D shows the cycle"
has 'T1>T2>T3>T4>T5>T1' "the cycle as text"
has '^>T3 phil-2' "j moved the thread selection"
same out batch-deadlock "the deadlock, whole"
run 0 --batch --keys 'Dc' ph.clt
has 'no record that this one waited for' "a diag has no cause"
run 0 --batch --keys ':33<Enter>' ph.clt
has '^>33 ' ":33 goes to record 33"
run 0 --batch --keys 'gjt' ph.clt
has '^> *[0-9]+ T1 ' "t: the next record of the selected thread (T1)"
run 0 --batch --keys '/sem.acquire<Enter>c' pc.clt
has 'sem.release' "c from a sem.acquire goes to a release, or says none"
run 0 --batch --keys ']' ph.clt
has '^> *[0-9]+ T[0-9]+ +diag ' "] goes to the first diagnostic"
run 0 --batch --size 120x40 --keys 'G' ph.clt
n=$(sed -n 's/^ record [0-9]*\/\([0-9]*\) .*/\1/p' out)
has "^ record $((n - 1))/$n " "G goes to the last record in 120x40"
same out batch-120x40 "the last record in 120x40, whole"
# a key's values at the cursor: counter-3's destroyed as it ended, the
# others' still set
run 0 --batch --size 120x40 --keys ':110<Enter>' tk.clt
has '\|>counter +set:T1,T2 ended:T3' "a key's values in the objects panel"
same out batch-tls-key "a key's values, whole"
run 0 --batch --size 120x40 --keys ':10<Enter>' tk.clt
has '\|>counter +no values' "a key before any value was set"
run 0 --batch --size 60x20 ph.clt
has 'terminal too small \(need 80x24\)' "too small in batch mode too"
same out batch-small "too small, whole"
run 0 --batch --keys '<Tab><Down><Down>o' pc.clt
has '^ record [0-9]+/' "Tab to the objects, select, o"
run 2 --batch --keys '<Nope>' ph.clt
run 2 nosuch.clt
grep -q 'nosuch.clt' err && pass "names the missing file" || fail "no message"
printf 'not a trace at all' >junk.clt
run 2 junk.clt
run 2 --at x ph.clt
run 2
run 0 --help
has '^Keys:' "--help lists the keys"
has 'Exit codes' "--help lists the exit codes"
size=$(wc -c <ph.clt)
head -c $((size - 40)) ph.clt >cut.clt
run 0 --batch cut.clt
has 'DAMAGED TRACE' "a damaged trace opens with a warning"
# without a terminal, the interactive viewer fails cleanly
"$CONCLAB" replay ph.clt </dev/null >out 2>err
code=$?
[ "$code" -eq 2 ] && pass "no terminal: exit 2" || fail "no terminal: exit $code"
finish
