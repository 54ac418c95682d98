#!/bin/sh
# Bad traces give a clear message and exit 2, never a crash; a trace cut
# short still dumps every whole chunk before the cut.
. "$(dirname "$0")/lib.sh"
expect_exit 0 "$CONCLAB" run prodcons --variant condvar -q --trace good.clt
size=$(wc -c <good.clt)
"$CONCLAB" dump good.clt >good.txt
total=$(sed -n 's/^# records \([0-9]*\).*/\1/p' good.txt)

# Cut short in the last chunk.
head -c $((size - 25)) good.clt >cut.clt
expect_exit 2 "$CONCLAB" dump -o cut.txt cut.clt
contains "$T/err" 'cut short' "truncated: says it was cut short"
got=$(sed -n 's/^# records \([0-9]*\).*/\1/p' cut.txt)
[ "$got" -gt 0 ] && [ "$got" -lt "$total" ] &&
	pass "truncated: $got of $total records still dumped" ||
	fail "truncated: $got records dumped (whole file has $total)"

# Cut in the middle.
head -c $((size / 2)) good.clt >half.clt
expect_exit 2 "$CONCLAB" dump half.clt
contains "$T/err" 'cut short|corrupt' "half: damage reported"

# One flipped byte in the middle: the checksum catches it.
cp good.clt bad.clt
off=$((size / 2))
b=$(dd if=bad.clt bs=1 skip=$off count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
printf "$(printf '\\%03o' $(((b + 1) % 256)))" |
	dd of=bad.clt bs=1 seek=$off conv=notrunc 2>/dev/null
expect_exit 2 "$CONCLAB" dump bad.clt
contains "$T/err" 'corrupt|cut short' "flipped byte: corruption reported"

# Not a trace at all, an empty file, a missing file.
echo "hello" >text.clt
expect_exit 2 "$CONCLAB" dump text.clt
contains "$T/err" 'not a conclab trace' "text file: not a trace"
: >empty.clt
expect_exit 2 "$CONCLAB" dump empty.clt
contains "$T/err" 'not a conclab trace' "empty file: not a trace"
expect_exit 2 "$CONCLAB" dump missing.clt
contains "$T/err" 'No such file' "missing file named"

# A newer major version is refused by name.
cp good.clt v9.clt
printf '\011' | dd of=v9.clt bs=1 seek=8 conv=notrunc 2>/dev/null
expect_exit 2 "$CONCLAB" dump v9.clt
contains "$T/err" 'format version 9\.' "future version refused"

# Every cut point of a small trace: never a crash, exit 0 or 2.
"$CONCLAB" run timer --variant oneshot -q --trace small.clt >/dev/null
ssize=$(wc -c <small.clt)
i=0
bad=0
while [ $i -lt "$ssize" ]; do
	head -c $i small.clt >c.clt
	"$CONCLAB" dump c.clt >/dev/null 2>&1
	rc=$?
	[ $rc -eq 2 ] || { bad=$((bad + 1)); echo "  cut at $i: exit $rc"; }
	i=$((i + 1 + i / 8))
done
[ $bad -eq 0 ] && pass "every cut point exits 2" || fail "$bad cut points misbehaved"
finish
