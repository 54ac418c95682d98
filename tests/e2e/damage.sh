#!/bin/sh
# Bad traces give a clear message and exit 2, never a crash; a trace cut
# short still dumps every whole chunk before the cut.  A record that names
# an object the trace never defined is skipped with a warning (exit 0).
# sh tests/e2e/damage.sh CONCLAB MKBADTRACE
MKBAD=${2:?usage: $0 path/to/conclab path/to/mkbadtrace}
case $MKBAD in /*) ;; *) MKBAD=$(pwd)/$MKBAD ;; esac
. "$(dirname "$0")/lib.sh"
expect_exit 0 "$CONCLAB" run prodcons --variant condvar -q --trace good.clt
size=$(wc -c <good.clt)
"$CONCLAB" dump good.clt >good.txt
total=$(sed -n 's/^# records \([0-9]*\).*/\1/p' good.txt)

# Cut short in the last record chunk (the digest and end chunks after it).
last=$(python3 -c 'import struct, sys
d = open(sys.argv[1], "rb").read(); off = 16; end = 0
while off < len(d):
    t, n = struct.unpack_from("<II", d, off); off += 12 + n
    end = off if t == 5 else end
print(end)' good.clt)
head -c $((last - 10)) good.clt >cut.clt
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

# A flipped byte in the header's minor version or flags: the checksum
# covers the whole header (format 1.3).
for off in 10 12 15; do
	cp good.clt hdr.clt
	printf '\377' | dd of=hdr.clt bs=1 seek=$off conv=notrunc 2>/dev/null
	expect_exit 2 "$CONCLAB" check hdr.clt
	contains "$T/err" 'does not match the checksum' "header byte $off: refused"
done

# A record naming an undefined object: skipped, counted, the rest read.
"$MKBAD" unknown-object unknown.clt 99
expect_exit 0 "$CONCLAB" dump -o unknown.txt unknown.clt
contains "$T/err" '^conclab dump: warning: unknown\.clt: record 3 of the chunk at byte [0-9]+ \(thread 0\) refers to object 99, which the trace never defined; skipped$' \
	"unknown object: the warning names the record and the object"
contains "$T/err" '^conclab dump: warning: 1 record naming an undefined object skipped' \
	"unknown object: the count on stderr"
contains unknown.txt '^# records 7, dropped 0, skipped 1$' "unknown object: 7 of 8 records dumped"
contains unknown.txt '^# warning: unknown\.clt: record 3 ' "unknown object: the dump says so"
expect_exit 0 "$CONCLAB" analyze unknown.clt
contains "$T/err" '^conclab analyze: warning: .*refers to object 99' "unknown object: analyze warns"
contains "$T/out" 'in 7 records' "unknown object: analyze reads the rest"
expect_exit 1 "$CONCLAB" check --lab prodcons unknown.clt
contains "$T/err" '^conclab check: warning: .*refers to object 99' "unknown object: check warns"
contains "$T/out" 'checks \(prodcons' "unknown object: check grades the rest"

# A forged record count: refused at once, without the memory it asks for.
"$MKBAD" forged-count forged.clt
expect_exit 2 "$CONCLAB" check --lab prodcons forged.clt
contains "$T/err" 'more records than the compressed data can hold' "forged count refused"

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
