#!/bin/sh
# Every variant of one lab ends as its table says: correct ones exit 0 with
# every check passing, deadlocking ones are stopped by the watchdog (exit 3,
# report, trace saved), buggy ones exit 1 with a failed property.  Every
# trace they leave dumps cleanly.
# usage: variants.sh CONCLAB LAB
. "$(dirname "$0")/lib.sh"
LAB=${2:?lab}
"$CONCLAB" list --porcelain "$LAB" >"$T/variants" || fail "list --porcelain"
[ -s "$T/variants" ] || fail "no variants for $LAB"
while read -r lab variant expect; do
	tr="$T/$lab-$variant.clt"
	# a variant whose bug shows only when threads overlap: controlled
	sched=$(overlap_sched "$lab/$variant")
	# shellcheck disable=SC2086
	if expect_exit "$expect" "$CONCLAB" run "$lab" --variant "$variant" \
		$sched -q --trace "$tr"; then
		case $expect in
		0) contains "$T/out" '^  ok +all threads ended' \
			"$lab/$variant: all threads ended"
		   if grep -q FAIL "$T/out"; then
			fail "$lab/$variant: a check failed"
		   fi ;;
		1) contains "$T/out" '^  FAIL ' "$lab/$variant: a property fails" ;;
		3) contains "$T/err" '^conclab: deadlock' "$lab/$variant: deadlock report"
		   contains "$T/err" 'trace saved to' "$lab/$variant: trace saved" ;;
		esac
	fi
	expect_exit 0 "$CONCLAB" dump -o "$T/dump" "$tr"
	# the digest's verdict never one the full checks would not give
	CONCLAB_DIGEST_COMPARE=1 "$CONCLAB" check "$tr" >/dev/null 2>"$T/dg"
	if [ $? -eq 70 ] || ! grep -q '^digest: ' "$T/dg"; then
		fail "$lab/$variant: the digest and the full checks disagree"
		sed 's/^/  /' "$T/dg"
	fi
	# a rubric may weigh every property the variant reports: 2 each
	"$CONCLAB" check --format json "$tr" 2>/dev/null |
		grep -o '"name":"[^"]*","ok":[a-z]*,"judged":[a-z]*,"info":false' |
		sed 's/^"name":"\([^"]*\)".*/\1, 2/' >"$T/rubric"
	want=$(($(wc -l <"$T/rubric") * 2))
	"$CONCLAB" check --format json --rubric "$T/rubric" "$tr" >"$T/rs" 2>"$T/rerr"
	if [ $? -eq 2 ] || ! grep -q "^{[^[]*\"max_score\":$want," "$T/rs"; then
		fail "$lab/$variant: a rubric of its properties, 2 each, is not worth $want"
		sed 's/^/  /' "$T/rerr"
	fi
	if [ "$expect" -eq 3 ]; then
		contains "$T/dump" ' diag +- +deadlock blocked=' \
			"$lab/$variant: deadlock diagnostic in the trace"
	fi
done <"$T/variants"
finish
