#!/bin/sh
# Every lab variant's trace exports to Chrome JSON that passes the checker
# (strict JSON, Perfetto's rules: docs/export.md) and to JSON Lines with one
# line per record plus the header; exports are byte-identical when
# repeated; damage and write errors give their exit codes.
. "$(dirname "$0")/lib.sh"
"$CONCLAB" list --porcelain >"$T/variants" || fail "list --porcelain"
[ -s "$T/variants" ] || fail "no variants"
# Each variant under the controlled scheduler, one seed: the verdict the
# list gives, whatever the machine's load (a free run of rwlock
# readers-pref once saw no reader overtake under TSan on a loaded machine;
# e2e/catalogue checks the free runs).
while read -r lab variant expect; do
	tr="$T/$lab-$variant.clt"
	"$CONCLAB" run "$lab" --variant "$variant" -q --sched random --seed 1 \
		--trace "$tr" >/dev/null 2>&1 </dev/null
	rc=$?
	[ "$rc" -eq "$expect" ] || fail "$lab/$variant: run exited $rc, expected $expect"
	records=$("$CONCLAB" dump "$tr" | sed -n 's/^# records \([0-9]*\).*/\1/p')
	expect_exit 0 "$CONCLAB" export --format chrome -o "$T/c.json" "$tr"
	expect_exit 0 "$CONCLAB" export --validate "$T/c.json"
	expect_exit 0 "$CONCLAB" export --format jsonl -o "$T/r.jsonl" "$tr"
	expect_exit 0 "$CONCLAB" export --validate "$T/r.jsonl" --format jsonl
	lines=$(wc -l <"$T/r.jsonl")
	[ "$lines" -eq $((records + 1)) ] &&
		pass "$lab/$variant: jsonl has $records records + 1 lines" ||
		fail "$lab/$variant: jsonl has $lines lines for $records records"
	bad=$(grep -c -v '^{.*}$' "$T/r.jsonl")
	[ "$bad" -eq 0 ] || fail "$lab/$variant: $bad jsonl lines are not objects"
	if [ "$expect" -eq 3 ]; then
		contains "$T/c.json" '"unfinished":true' \
			"$lab/$variant: deadlock leaves unfinished spans"
		contains "$T/c.json" '"name":"deadlock"' \
			"$lab/$variant: deadlock instant"
	fi
	if command -v python3 >/dev/null 2>&1; then
		python3 -m json.tool "$T/c.json" >/dev/null 2>&1 ||
			fail "$lab/$variant: python3 rejects the chrome JSON"
	fi
	if command -v jq >/dev/null 2>&1; then
		jq -e . "$T/r.jsonl" >/dev/null 2>&1 ||
			fail "$lab/$variant: jq rejects the jsonl"
	fi
done <"$T/variants"

# Flows in a contended run: a release hands the lock to a waiter.
tr="$T/philosophers-ordered.clt"
"$CONCLAB" export --format chrome -o c.json "$tr"
contains c.json '"ph":"s","name":"handoff fork-' "ordered: hand-off arrows start"
contains c.json '"ph":"f","name":"handoff fork-.*"bp":"e"' "ordered: and end"
contains c.json '"name":"thread_name".*"T1 phil-0"' "ordered: lanes are named"
contains c.json '"name":"eat 1"' "ordered: annotations are instants"

# Same trace, same bytes.
"$CONCLAB" export --format chrome "$tr" >a.json
"$CONCLAB" export --format chrome "$tr" >b.json
cmp -s a.json b.json && pass "chrome export is stable" || fail "chrome export differs"
"$CONCLAB" export --format jsonl "$tr" >a.jsonl
"$CONCLAB" export --format jsonl "$tr" >b.jsonl
cmp -s a.jsonl b.jsonl && pass "jsonl export is stable" || fail "jsonl export differs"

# A damaged trace: what was read is exported, valid; exit 2.
size=$(wc -c <"$tr")
head -c $((size / 2)) "$tr" >half.clt
expect_exit 2 "$CONCLAB" export --format chrome -o half.json half.clt
contains "$T/err" 'cut short|corrupt' "damaged: reported"
expect_exit 0 "$CONCLAB" export --validate half.json
expect_exit 2 "$CONCLAB" export --format jsonl -o half.jsonl half.clt
expect_exit 0 "$CONCLAB" export --validate half.jsonl --format jsonl

# Usage and output errors.
expect_exit 2 "$CONCLAB" export "$tr"
expect_exit 2 "$CONCLAB" export --format xml "$tr"
expect_exit 2 "$CONCLAB" export --format chrome missing.clt
expect_exit 2 "$CONCLAB" export --format chrome "$tr" "$tr"
expect_exit 0 "$CONCLAB" export --help
contains "$T/out" 'Perfetto' "help mentions Perfetto"
if [ -w /dev/full ]; then
	expect_exit 5 "$CONCLAB" export --format chrome -o /dev/full "$tr"
fi
expect_exit 5 "$CONCLAB" export --format jsonl -o "$T/no/such/dir/x" "$tr"
echo '{"traceEvents":[{"ph":"X"}]}' >bad.json
expect_exit 1 "$CONCLAB" export --validate bad.json
finish
