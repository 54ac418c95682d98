#!/bin/sh
# conclab check: every correct variant passes, every buggy one fails with
# the property its bug breaks; every format is stable and well formed.
. "$(dirname "$0")/lib.sh"
"$CONCLAB" list --porcelain >variants || fail "list --porcelain"
while read -r lab variant expect; do
	tr="$T/$lab-$variant.clt"
	# a variant whose bug shows only when threads overlap: controlled
	# shellcheck disable=SC2046
	"$CONCLAB" run "$lab" --variant "$variant" $(overlap_sched "$lab/$variant") \
		-q --no-check --trace "$tr" >/dev/null 2>&1
	want=0
	[ "$expect" -ne 0 ] && want=1
	expect_exit $want "$CONCLAB" check "$tr"
	contains "$T/out" "^checks \\($lab $variant\\):" "$lab/$variant: report names the lab"
	case $variant in
	naive | single-cv | sem-order | abba)
		contains "$T/out" '^  FAIL no deadlock' "$lab/$variant: fails 'no deadlock'" ;;
	if-wait)
		contains "$T/out" '^  FAIL (consumed once|buffer depth)' "$lab/$variant: over-consumption" ;;
	event-reuse | notify-one | no-loop)
		contains "$T/out" '^  FAIL ' "$lab/$variant: a tick property fails" ;;
	unlocked)
		contains "$T/out" '^  FAIL final count' "$lab/$variant: updates lost" ;;
	serialized)
		contains "$T/out" '^  FAIL lock order' "$lab/$variant: the cycle is flagged" ;;
	plain-mutex)
		contains "$T/out" '^  FAIL re-entry' "$lab/$variant: the relock is refused" ;;
	over-release)
		contains "$T/out" '^  FAIL releases balanced' "$lab/$variant: a release refused" ;;
	esac
	for f in text json gradescope junit; do
		"$CONCLAB" check --format $f -o "$T/r1.$f" "$tr" >/dev/null 2>&1
		"$CONCLAB" check --format $f "$tr" >"$T/r2.$f" 2>/dev/null
		cmp -s "$T/r1.$f" "$T/r2.$f" ||
			fail "$lab/$variant: --format $f differs between runs (or -o)"
	done
	contains "$T/r1.json" '^\{"trace":.*"properties":\[.*\]\}$' "$lab/$variant: json is one object"
	contains "$T/r1.gradescope" '^\{"score":[0-9]+,"output":.*"tests":\[\{"name":' "$lab/$variant: gradescope results"
	contains "$T/r1.junit" '^</testsuites>$' "$lab/$variant: junit closes"
	n=$(grep -c '<testcase ' "$T/r1.junit")
	m=$(grep -cE '^  (ok|FAIL|info|--) ' "$T/r1.text")
	[ "$n" -eq "$m" ] || fail "$lab/$variant: junit has $n testcases, text $m properties"
done <variants

# A threshold for starvation: a correct run fails it when it is tiny.
expect_exit 1 "$CONCLAB" check --starvation-ms 1 "$T/philosophers-ordered.clt"
contains "$T/out" '^  FAIL starvation' "--starvation-ms 1 fails starvation"
expect_exit 2 "$CONCLAB" check --starvation-ms lots "$T/philosophers-ordered.clt"

# --rubric: the lab's own names, for every lab; what it refuses.
expect_exit 0 "$CONCLAB" check "$T/semaphore-limit.clt"
s=$(sed -n 's/^[0-9]* of [0-9]* properties hold; score \([0-9]*\) of [0-9]*$/\1/p' "$T/out")
printf 'limit kept, 5\n' >rub
expect_exit 0 "$CONCLAB" check --rubric rub "$T/semaphore-limit.clt"
contains "$T/out" "^[0-9]+ of [0-9]+ properties hold; score $((s + 4)) of $((s + 4))\$" "--rubric: a semaphore's property weighed (default $s)"
printf 'one release, one worker, 4\n' >rub
expect_exit 0 "$CONCLAB" check --rubric rub "$T/semaphore-handoff.clt"
contains "$T/out" 'one release, one worker' "semaphore handoff: its property"
contains "$T/out" 'properties hold; score 1[0-9] of 1[0-9]$' "--rubric: a name with a comma in it"
printf 'limit kept, 5\nmeals eaten, 1\n' >rub
expect_exit 2 "$CONCLAB" check --rubric rub "$T/semaphore-limit.clt"
contains "$T/err" "rub:2: 'meals eaten' is no property of semaphore" "--rubric: another lab's property"
printf 'hunger, 2\n' >rub
expect_exit 2 "$CONCLAB" check --rubric rub "$T/philosophers-ordered.clt"
contains "$T/err" "rub:1: 'hunger' is information, not a property" "--rubric: information"
expect_exit 2 "$CONCLAB" check --rubric missing.txt "$T/philosophers-ordered.clt"
contains "$T/err" 'cannot read missing.txt' "--rubric: a file that is not there"

# Bad input: exit 2 with a message.
expect_exit 2 "$CONCLAB" check
expect_exit 2 "$CONCLAB" check --format yaml x.clt
contains "$T/err" "text, json, gradescope or junit" "unknown format named"
expect_exit 2 "$CONCLAB" check missing.clt
head -c 100 "$T/philosophers-ordered.clt" >cut.clt
expect_exit 2 "$CONCLAB" check cut.clt
expect_exit 2 "$CONCLAB" check --lab nosuch "$T/philosophers-ordered.clt"
contains "$T/err" "no lab called 'nosuch'" "unknown lab named"
finish
