#!/bin/sh
# One analysis behind every report: on a trace of every variant of every
# lab (controlled, so each run is the same), on a latent lock-order cycle,
# a cycle of semaphores used as locks, a run stopped by Ctrl-C and one
# killed before its trace was closed, `conclab analyze`, `conclab check`,
# `conclab export` (JSON lines and Chrome) and the viewer (`replay
# --batch`: D, the deadlock; L, the cycles) give the same verdicts:
# the lock order, a deadlock (or the time or step limit), an incomplete
# run, each with the same record.
X=$(cd "$(dirname "$0")/../exercises" && pwd)
. "$(dirname "$0")/lib.sh"

# The verdict object of analyze --json, export's JSON lines header, and
# the metadata of its Chrome JSON (one line each, the same bytes).
verdict_of() {
	sed -n 's/.*"verdict":\({[^{}]*{[^{}]*}[^{}]*{[^{}]*}}\).*/\1/p' "$1" | head -n 1
}

# ok and record of one property in check --format json: "false 53"
prop_of() {
	sed -n "s/.*{\"name\":\"$2\",\"ok\":\\([a-z]*\\),\"judged\":[a-z]*,\"info\":[a-z]*,\"record\":\\([0-9a-z]*\\).*/\\1 \\2/p" "$1"
}

# ok and record of one part of a verdict: "false 53"
part_of() {
	printf '%s\n' "$1" | sed -n "s/.*\"$2\":{\"ok\":\\([a-z]*\\),\"record\":\\([0-9a-z]*\\).*/\\1 \\2/p"
}

# agree NAME TRACE: every report of TRACE gives one verdict
agree() {
	name=$1 tr=$2
	"$CONCLAB" analyze --json "$tr" >"$T/a.json" 2>"$T/a.err"
	arc=$?
	"$CONCLAB" check --format json "$tr" >"$T/c.json" 2>"$T/c.err"
	crc=$?
	"$CONCLAB" export --format jsonl -o "$T/e.jsonl" "$tr" 2>"$T/e.err"
	erc=$?
	"$CONCLAB" export --format chrome -o "$T/e.json" "$tr" 2>>"$T/e.err"
	[ $erc -eq 0 ] && [ $? -eq 0 ] ||
		fail "$name: export exited $erc: $(head -n 1 "$T/e.err")"
	va=$(tail -n 1 "$T/a.json" | verdict_of /dev/stdin)
	ve=$(verdict_of "$T/e.jsonl")
	vc=$(verdict_of "$T/e.json")
	if [ -z "$va" ]; then
		fail "$name: analyze --json gives no verdict (exit $arc)"
		return
	fi
	[ "$va" = "$ve" ] || fail "$name: analyze says $va, export --format jsonl $ve"
	[ "$va" = "$vc" ] || fail "$name: analyze says $va, export --format chrome $vc"
	lo=$(prop_of "$T/c.json" "lock order")
	dl=$(prop_of "$T/c.json" "no deadlock")
	[ "$lo" = "$(part_of "$va" lock_order)" ] ||
		fail "$name: check's lock order is '$lo', the analysis's '$(part_of "$va" lock_order)'"
	[ "$dl" = "$(part_of "$va" deadlock)" ] ||
		fail "$name: check's no deadlock is '$dl', the analysis's '$(part_of "$va" deadlock)'"
	# the viewer: D goes to the deadlock's record, L lists the cycle
	# closed where check says
	dlrec=$(part_of "$va" deadlock | cut -d' ' -f2)
	if [ "${dl%% *}" = false ] && [ "$dlrec" != null ]; then
		"$CONCLAB" replay --batch --keys D "$tr" >"$T/v.txt" 2>&1
		contains "$T/v.txt" "^ record $dlrec/" "$name: the viewer's D goes to record $dlrec"
	fi
	lorec=$(part_of "$va" lock_order | cut -d' ' -f2)
	if [ "${lo%% *}" = false ] && [ "$lorec" != null ] &&
		printf '%s\n' "$va" | grep -q '"cycles":[1-9]'; then
		"$CONCLAB" replay --batch --keys L "$tr" >"$T/v.txt" 2>&1
		contains "$T/v.txt" "closed at #$lorec " "$name: the viewer's cycle closes at record $lorec"
	fi
	# analyze fails exactly when one of those two fails in check
	case "$lo $dl" in
	*false*) want=1 ;;
	*) want=0 ;;
	esac
	[ $arc -eq $want ] || fail "$name: analyze exited $arc, check's lock order '$lo' and no deadlock '$dl' say $want"
	[ $crc -le 1 ] || fail "$name: check exited $crc: $(head -n 1 "$T/c.err")"
	[ $crc -ge $want ] || fail "$name: check exited $crc, analyze $arc"
	# the same word on an incomplete run, in the check report too
	inc=$(printf '%s\n' "$va" | sed -n 's/^{"incomplete":\(null\|"[^"]*"\).*/\1/p')
	contains "$T/c.json" "\"incomplete\":$inc," "$name: check and analyze agree: incomplete $inc, lock order '$lo', deadlock '$dl'"
}

"$CONCLAB" list --porcelain | awk '{print $1, $2}' >variants
[ "$(wc -l <variants)" -ge 40 ] && pass "$(wc -l <variants) variants listed" ||
	fail "conclab list gives only $(wc -l <variants) variants"
while read -r lab variant; do
	"$CONCLAB" run "$lab" --variant "$variant" -q --sched pct --seed 1 \
		--trace "$lab-$variant.clt" >/dev/null 2>&1
	agree "$lab/$variant" "$lab-$variant.clt"
done <variants

# The cycle that the analysis closes is the record check names.
"$CONCLAB" analyze philosophers-naive.clt >"$T/a.txt" 2>&1
rec=$(sed -n 's/^  closed at record \([0-9]*\) .*/\1/p' "$T/a.txt" | head -n 1)
"$CONCLAB" check philosophers-naive.clt >"$T/c.txt" 2>&1
contains "$T/c.txt" "^  FAIL lock order .*closed a lock-order cycle.*\\(record $rec\\)\$" "philosophers/naive: check names record $rec, where analyze says the cycle closed"

# A run stopped by Ctrl-C, and one killed before its trace was closed.
interrupt INT 0.3 int.clt run prodcons --variant condvar -q --items 1000 \
	--trace int.clt
agree "prodcons/condvar stopped by Ctrl-C" int.clt
interrupt KILL 1 kill.clt run prodcons --variant condvar -q --items 1000 \
	--trace kill.clt
agree "prodcons/condvar killed" kill.clt

# A latent cycle (one thread takes two locks in both orders) passes
# everywhere; a cycle of semaphores used as locks fails everywhere.
if command -v "${CC:-cc}" >/dev/null 2>&1; then
	"$CONCLAB" exercise prodcons -q --producers 1 --trace latent.clt \
		"$X/prodcons-latent.c" >"$T/out" 2>&1
	contains "$T/out" '^  ok   lock order +no lock-order cycle that can deadlock; 1 latent' "latent: the cycle is a note"
	agree "a latent cycle" latent.clt
	"$CONCLAB" exercise prodcons -q --trace sem.clt \
		"$X/prodcons-semcycle.c" >"$T/out" 2>&1
	contains "$T/out" '^  FAIL lock order +[^ ]+ requesting buf\.s[12] .*closed a lock-order cycle' "semaphores as locks: the cycle fails"
	agree "a cycle of semaphores" sem.clt
else
	pass "no C compiler: the exercises' cycles are not tested"
fi
finish
