#!/bin/sh
# A run that did not end says so everywhere, and is judged on what
# happened: a correct run stopped by Ctrl-C fails nothing (what needs its
# end is "not judged"), a buggy one that broke a safety property before
# the stop still fails it, and a trace whose writer was killed before it
# closed the file is judged the same way.
. "$(dirname "$0")/lib.sh"

# Correct variants, stopped by Ctrl-C: run and check say incomplete, fail
# nothing, and leave the properties that need the end unjudged.
for spec in "prodcons condvar --items 1000" \
	"philosophers ordered --meals 200" \
	"philosophers waiter --meals 200" \
	"timer condvar --countdown 200 --countup 100 --interval_ms 200 --work_ms 0"; do
	set -- $spec
	lab=$1 variant=$2
	shift 2
	interrupt INT 0.3 "$lab-$variant.clt" run "$lab" --variant "$variant" \
		-q --trace "$lab-$variant.clt" "$@"
	[ $rc -eq 130 ] && pass "$lab/$variant: Ctrl-C, exit 130" || fail "$lab/$variant: Ctrl-C, exit $rc"
	contains "$T/run.err" '^conclab: trace saved to' "$lab/$variant: the trace saved"
	contains "$T/run.out" '^incomplete: stopped while [0-9]+ threads? ran$' "$lab/$variant: run reports an incomplete run"
	expect_exit 0 "$CONCLAB" check "$lab-$variant.clt"
	contains "$T/out" '^incomplete: stopped while [0-9]+ threads? ran$' "$lab/$variant: check says incomplete"
	contains "$T/out" '^  -- +all threads ended +not judged, the run did not end' "$lab/$variant: 'all threads ended' not judged"
	contains "$T/out" '^[0-9]+ of [0-9]+ properties hold, [0-9]+ not judged; score 0 of [0-9]+ \(the run did not complete' "$lab/$variant: the summary counts them"
	contains "$T/out" '^incomplete: stopped while' "$lab/$variant: said once, above the checks"
	lacks "$T/out" 'no points: the run did not complete\]' "$lab/$variant: not on each line"
	lacks "$T/out" '^  FAIL' "$lab/$variant: nothing fails"
	# the same in every format
	"$CONCLAB" check --format json "$lab-$variant.clt" >"$T/j" 2>&1
	contains "$T/j" '"incomplete":"stopped while [0-9]+ threads? ran","passed":[0-9]+,"failed":0,"not_judged":[1-9]' "$lab/$variant: json"
	contains "$T/j" '"name":"all threads ended","ok":null,"judged":false' "$lab/$variant: json, a property not judged"
	"$CONCLAB" check --format junit "$lab-$variant.clt" >"$T/x" 2>&1
	contains "$T/x" 'failures="0" skipped="[1-9][0-9]*"' "$lab/$variant: junit counts them skipped"
	contains "$T/x" '<skipped message="not judged, the run did not end' "$lab/$variant: junit, a skipped test"
	"$CONCLAB" check --format gradescope "$lab-$variant.clt" >"$T/g" 2>&1
	contains "$T/g" '"output":"conclab: [0-9]+ of [0-9]+ properties hold on [^"]*; incomplete: stopped while' "$lab/$variant: gradescope's summary"
	expect_exit 0 "$CONCLAB" analyze "$lab-$variant.clt"
	contains "$T/out" '^incomplete: stopped while' "$lab/$variant: analyze says incomplete"
	expect_exit 0 "$CONCLAB" export --format jsonl -o x.jsonl "$lab-$variant.clt"
	contains x.jsonl '"verdict":\{"incomplete":"stopped while [0-9]+ threads? ran"' "$lab/$variant: export says incomplete"
	expect_exit 0 "$CONCLAB" replay --batch --size 120x24 "$lab-$variant.clt"
	contains "$T/out" 'incomplete: stopped while [0-9]+ threads? ran' "$lab/$variant: the viewer's status line says incomplete"
done

# A buggy variant stopped by Ctrl-C after it broke a safety property
# still fails it.
interrupt INT 0.3 ifwait.clt run prodcons --variant if-wait -q --items 1000 \
	--trace ifwait.clt
[ $rc -eq 130 ] && pass "if-wait: Ctrl-C, exit 130" || fail "if-wait: Ctrl-C, exit $rc"
expect_exit 1 "$CONCLAB" check ifwait.clt
contains "$T/out" '^incomplete: stopped while' "if-wait: incomplete"
contains "$T/out" '^  FAIL buffer depth +the buffer held -1 item' "if-wait: the empty take fails 'buffer depth'"
contains "$T/out" '^  FAIL consumed once +[1-9][0-9]* empty take' "if-wait: and 'consumed once'"
contains "$T/out" '^  -- +all produced +not judged' "if-wait: 'all produced' not judged"

# Killed before the trace was closed: the whole chunks are judged, and
# every report says the writer never closed it.
interrupt KILL 1.5 kill.clt run philosophers --variant ordered -q --meals 500 \
	--trace kill.clt
expect_exit 0 "$CONCLAB" check kill.clt
contains "$T/out" '^incomplete: the writer never closed the trace$' "killed: check says never closed"
contains "$T/out" '^  -- +meals eaten +not judged' "killed: 'meals eaten' not judged"
contains "$T/out" '^  ok   forks exclusive' "killed: 'forks exclusive' judged on what happened"
expect_exit 0 "$CONCLAB" analyze kill.clt
contains "$T/out" '^incomplete: the writer never closed the trace$' "killed: analyze says so"
expect_exit 0 "$CONCLAB" export --format chrome -o kill.json kill.clt
contains kill.json '"verdict":\{"incomplete":"the writer never closed the trace"' "killed: export says so"
expect_exit 0 "$CONCLAB" replay --batch --size 120x24 kill.clt
contains "$T/out" 'incomplete: the writer never closed the trace' "killed: the viewer says so"
# ...but a file cut inside a chunk is damage, refused as before
size=$(wc -c <kill.clt)
head -c $((size - 3)) kill.clt >cut.clt
expect_exit 2 "$CONCLAB" check cut.clt
contains "$T/err" 'cut short' "a chunk cut in two: refused"

# A run that completed is not incomplete.
expect_exit 0 "$CONCLAB" run prodcons --variant condvar -q --trace done.clt
lacks "$T/out" 'incomplete' "a complete run: no word of it"
"$CONCLAB" dump done.clt >"$T/d" 2>&1
lacks "$T/d" 'end\.(running|crash)' "a complete run's trace names no thread running"
finish
