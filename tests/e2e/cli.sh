#!/bin/sh
# The command line: help everywhere, clear usage errors with exit 2.
. "$(dirname "$0")/lib.sh"
expect_exit 0 "$CONCLAB" --help
contains "$T/out" 'Exit codes' "--help lists the exit codes"
expect_exit 0 "$CONCLAB" --version
for c in list run dump analyze check bench export replay exercise demo; do
	expect_exit 0 "$CONCLAB" $c --help
	contains "$T/out" "^usage: conclab $c" "$c --help"
done
expect_exit 0 "$CONCLAB" run philosophers --help
contains "$T/out" 'gap-ms' "run LAB --help lists parameters"
expect_exit 0 "$CONCLAB" list
contains "$T/out" '^philosophers ' "list shows the labs"
# The catalogue: labs grouped by topic, each with what it teaches.  A lab
# without a topic (a new one that forgot to set it) is listed under
# "Other labs", which fails here, as does a lab without a teaches line.
contains "$T/out" '^Deadlock and lock order$' "list groups the labs by topic"
awk '/^Deadlock and lock order$/ { t = 1 } /^Condition variables$/ { t = 0 }
	t && /^philosophers - / { found = 1 } END { exit !found }' "$T/out" &&
	pass "philosophers is under its topic" || fail "philosophers is not under 'Deadlock and lock order'"
grep -q '^Other labs$' "$T/out" && fail "labs without a topic: $(sed -n '/^Other labs$/,$ s/^\([a-z0-9-]*\) - .*/\1/p' "$T/out" | tr '\n' ' ')" ||
	pass "every lab has a topic"
nolabs=$("$CONCLAB" list --porcelain | cut -d' ' -f1 | sort -u | wc -l)
nteach=$(grep -c '^  teaches: ' "$T/out")
[ "$nolabs" -eq "$nteach" ] && pass "each of the $nolabs labs says what it teaches" ||
	fail "$nteach teaches lines for $nolabs labs"
expect_exit 0 "$CONCLAB" list --brief
[ "$(count_lines "$T/out" '^  [a-z0-9-]+ +[a-z]')" -eq "$nolabs" ] &&
	pass "list --brief: one line per lab" || fail "list --brief: not one line for each of the $nolabs labs"
long=$(awk 'length($0) > 80' "$T/out")
[ -z "$long" ] && pass "list --brief fits 80 columns" || fail "list --brief lines over 80 columns: $long"
# The handouts' index lists each lab with the same line, under its topic.
SRC=$(cd "$(dirname "$0")/../.." && pwd)
awk '/^[A-Z]/ { topic = $0 } /^  [a-z]/ { print topic "|" $1 "|" substr($0, 17) }' \
	"$T/out" >brief.txt
awk '/^## / { topic = substr($0, 4) } /^\| `/ { split($0, f, "|");
	gsub(/^ +| +$/, "", f[2]); gsub(/^ +| +$/, "", f[3]); gsub(/`/, "", f[2]);
	print topic "|" f[2] "|" f[3] }' "$SRC/docs/labs/README.md" >index.txt
if cmp -s brief.txt index.txt; then
	pass "docs/labs/README.md lists every lab under its topic, as list --brief does"
else
	fail "docs/labs/README.md and list --brief differ:"
	diff brief.txt index.txt | sed 's/^/  | /'
fi
expect_exit 0 "$CONCLAB" list --brief prodcons
[ "$(count_lines "$T/out" '^  [a-z0-9-]+ +[a-z]')" -eq 1 ] &&
	pass "list --brief LAB: that lab alone" || fail "list --brief prodcons: $(cat "$T/out")"
contains "$T/out" '^Condition variables$' "under its topic"
expect_exit 2 "$CONCLAB" list --brief --porcelain
contains "$T/err" 'not both' "--brief and --porcelain refused together"
expect_exit 2 "$CONCLAB" list --brief nosuchlab
expect_exit 2 "$CONCLAB"
expect_exit 2 "$CONCLAB" frobnicate
contains "$T/err" "unknown command 'frobnicate'" "unknown command named"
expect_exit 2 "$CONCLAB" run nosuchlab
contains "$T/err" "no lab called 'nosuchlab'" "unknown lab named"
expect_exit 2 "$CONCLAB" run philosophers --variant nosuch
contains "$T/err" "no variant 'nosuch'" "unknown variant named"
expect_exit 2 "$CONCLAB" run philosophers --meals many
contains "$T/err" "meals wants a number" "bad parameter value"
expect_exit 2 "$CONCLAB" run philosophers --meals 0
expect_exit 2 "$CONCLAB" run philosophers --nosuchparam 3
contains "$T/err" "no parameter 'nosuchparam'" "unknown parameter named"
expect_exit 2 "$CONCLAB" run philosophers --seed
expect_exit 2 "$CONCLAB" dump
expect_exit 2 "$CONCLAB" dump a b
expect_exit 2 "$CONCLAB" bench --case 0
contains "$T/err" "case numbers 1..12" "bench --case out of range"
expect_exit 2 "$CONCLAB" bench --case 4,
expect_exit 2 "$CONCLAB" bench --case 13
# A lab's parameter must not take the name of an option of run or
# exercise, which are parsed first and would shadow it.
reserved=' variant seed trace time-limit sched replay pct-depth step-limit spurious no-spurious early-timeouts stacks codec view no-check key schedules init quiet help format rubric '
"$CONCLAB" list --porcelain | cut -d' ' -f1 | sort -u >labs.txt
shadowed=""
while read -r lab; do
	"$CONCLAB" run "$lab" --help >lab-help.txt 2>&1
	for p in $(sed -n '/^Parameters/,$ s/^  --\([a-z_0-9-]*\) .*(default [0-9-]*, .*/\1/p' lab-help.txt); do
		case "$reserved" in *" $p "*) shadowed="$shadowed $lab:--$p" ;; esac
	done
done <labs.txt
[ -z "$shadowed" ] && pass "no lab parameter is shadowed by an option of run or exercise" ||
	fail "lab parameters shadowed by command options:$shadowed"
expect_exit 0 "$CONCLAB" bench --case 10 --quick --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["cases"]["explore_schedules_per_s"]; assert d["conclab"] > 10, d' "$T/out" &&
	pass "bench case 10: explore's schedules a second, in the JSON" ||
	fail "bench case 10 gave no rate"
expect_exit 2 "$CONCLAB" bench --reps 101
contains "$T/err" "reps wants a number in 1..100" "bench --reps out of range"
# One cheap case alone, as JSON: that case and no other.
expect_exit 0 "$CONCLAB" bench --case 9 --reps 2 --quick --json
contains "$T/out" '"cycle_check"' "bench --case 9 runs case 9"
contains "$T/out" '"reps": 2,' "bench --reps"
if grep -q '_pingpong"\|bytes_per_record' "$T/out"; then
	fail "bench --case 9 ran other cases"
elif python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/out"; then
	pass "bench --case 9 --json is one JSON object"
else
	fail "bench --case 9 --json is not JSON"
fi
expect_exit 5 "$CONCLAB" run timer --variant oneshot -q --trace /nonexistent/dir/t.clt
contains "$T/err" "cannot create the trace" "unwritable trace path"
finish
