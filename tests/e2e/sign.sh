#!/bin/sh
# Signed traces (docs/grading.md): run and exercise sign with --key or
# $CONCLAB_KEY_FILE, check --key verifies, and every change made to a
# signed trace afterwards is refused with exit 2 and its reason: a chunk
# removed (the watchdog's, with the content checksum recomputed as a
# forger would), a byte flipped, two chunks swapped, a chunk appended,
# the signature removed, a wrong key, a signature copied from another
# trace.  A trace written without a key checks as before.
# sh tests/e2e/sign.sh CONCLAB
X=$(cd "$(dirname "$0")/../exercises" && pwd)
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || { echo "no python3: skipped"; exit 77; }
unset CONCLAB_KEY_FILE

# surgery IN OUT OP [ARGS]: rewrite a trace chunk by chunk (python3).
#   drop I      remove chunk I (from 0; negative from the end)
#   swap I J    exchange chunks I and J
#   dup I       append a copy of chunk I after the last chunk
#   flip OFF    flip the low bit of byte OFF (negative from the end)
#   events      print the indexes of the record chunks
# drop and swap also recompute the end chunk's content checksum, as
# anyone can, so that only the signature tells.
surgery() {
	python3 - "$@" <<'EOF'
import struct, sys, zlib
src, dst, op = sys.argv[1], sys.argv[2], sys.argv[3]
args = [int(a) for a in sys.argv[4:]]
data = open(src, 'rb').read()
hdr, off, chunks = data[:16], 16, []
while off + 12 <= len(data):
    t, n = struct.unpack_from('<II', data, off)
    chunks.append([t, data[off:off + 12 + n]])
    off += 12 + n
def uv(b, i):
    v = s = 0
    while True:
        c = b[i]; i += 1; v |= (c & 0x7f) << s; s += 7
        if c < 0x80: return v, i
def put_uv(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7f) | 0x80); v >>= 7
    out.append(v)
    return bytes(out)
def fix_end():
    crc = zlib.crc32(hdr)
    for c in chunks:
        if c[0] == 6:
            p, i, vals = c[1][12:], 0, []
            for _ in range(3):
                v, i = uv(p, i); vals.append(v)
            pay = b''.join(put_uv(v) for v in vals) + put_uv(crc)
            h = struct.pack('<II', 6, len(pay))
            c[1] = h + struct.pack('<I', zlib.crc32(h + pay)) + pay
            return
        crc = zlib.crc32(c[1], crc)
if op == 'events':
    print(' '.join(str(i) for i, c in enumerate(chunks) if c[0] == 5))
    sys.exit(0)
if op == 'drop':
    del chunks[args[0]]; fix_end()
elif op == 'swap':
    i, j = args
    chunks[i], chunks[j] = chunks[j], chunks[i]; fix_end()
elif op == 'dup':
    chunks.append(list(chunks[args[0]]))
out = hdr + b''.join(c[1] for c in chunks)
if op == 'flip':
    b = bytearray(out); b[args[0]] ^= 1; out = bytes(b)
open(dst, 'wb').write(out)
EOF
}

# check_refused FILE PATTERN what: check --key refuses it, and says why.
check_refused() {
	expect_exit 2 "$CONCLAB" check --key k1 "$1"
	contains "$T/err" "$2" "$3"
}

head -c 32 /dev/urandom >k1
head -c 48 /dev/urandom >k2
chmod 600 k1 k2

# A signed run verifies; without --key the report says it is signed.
expect_exit 0 "$CONCLAB" run prodcons -q --trace good.clt --key k1
expect_exit 0 "$CONCLAB" check --key k1 good.clt
contains "$T/out" '^trace: signed, verified$' "signed: verified"
contains "$T/out" '^checks \(prodcons condvar\):' "signed: graded"
expect_exit 0 "$CONCLAB" check good.clt
contains "$T/out" '^trace: signed \(not verified: no --key\)$' "signed: no --key, not verified"
expect_exit 0 "$CONCLAB" dump good.clt
contains "$T/out" '^# conclab trace, format 1\.8' "signed: format 1.8 (zstd records, a digest, holds)"
contains "$T/out" '^# signed \(not verified' "signed: the dump says signed"
python3 -c 'import sys; k=open("k1","rb").read(); sys.exit(k in open("good.clt","rb").read())' &&
	pass "signed: the key is in no byte of the trace" || fail "the key is in the trace"

# A trace written without a key checks as before, and says so.
expect_exit 0 "$CONCLAB" run prodcons -q --trace plain.clt
expect_exit 0 "$CONCLAB" check plain.clt
contains "$T/out" '^trace: not signed$' "unsigned: says not signed"
"$CONCLAB" dump plain.clt >plain.txt
contains plain.txt '^# conclab trace, format 1\.8' "unsigned: format 1.8 (zstd records, a digest, holds)"
# With zlib records, what a reader before 1.5 reads: 1.3, or 1.4 signed.
expect_exit 0 "$CONCLAB" run prodcons -q --codec zlib --trace zlib.clt
expect_exit 0 "$CONCLAB" dump zlib.clt
contains "$T/out" '^# conclab trace, format 1\.3' "unsigned, zlib: format 1.3, as before"
expect_exit 0 "$CONCLAB" run prodcons -q --codec zlib --key k1 --trace zlibk.clt
expect_exit 0 "$CONCLAB" check --key k1 zlibk.clt
contains "$T/out" '^trace: signed, verified$' "signed, zlib: verified"
expect_exit 0 "$CONCLAB" dump zlibk.clt
contains "$T/out" '^# conclab trace, format 1\.4' "signed, zlib: format 1.4, as before"
expect_exit 2 "$CONCLAB" run prodcons -q --codec lz4 --trace lz4.clt
contains "$T/err" "--codec wants zstd, zlib or none, not 'lz4'" "an unknown codec refused"
expect_exit 0 "$CONCLAB" run prodcons -q --buffer-mb 1 --trace buf1.clt
contains "$T/out" '^trace: buf1\.clt \([0-9]+ records, [0-9]+ bytes\)$' "run --buffer-mb 1: nothing dropped"
expect_exit 2 "$CONCLAB" run prodcons -q --buffer-mb 0 --trace buf0.clt
contains "$T/err" "--buffer-mb wants megabytes \\(1\\.\\.4096\\), not '0'" "run --buffer-mb 0 refused"
! grep -q '^# signed' plain.txt && pass "unsigned: the dump does not say signed" ||
	fail "unsigned: the dump says signed"
check_refused plain.clt 'not signed' "unsigned: refused under --key"

# The environment variable signs and verifies as --key does.
expect_exit 0 env CONCLAB_KEY_FILE=k1 "$CONCLAB" run prodcons -q --trace env.clt
expect_exit 0 "$CONCLAB" check --key k1 env.clt
expect_exit 0 env CONCLAB_KEY_FILE=k1 "$CONCLAB" check env.clt
contains "$T/out" '^trace: signed, verified$' "CONCLAB_KEY_FILE: verified"
expect_exit 2 env CONCLAB_KEY_FILE=k1 "$CONCLAB" check plain.clt
contains "$T/err" 'not signed' "CONCLAB_KEY_FILE: an unsigned trace refused"

# A wrong key.
expect_exit 2 "$CONCLAB" check --key k2 good.clt
contains "$T/err" 'signed with another key' "wrong key: refused"

# The signature removed: the trace cut right before its last chunk is a
# whole trace, still graded without a key, refused with one.
sig=$((12 + 49))
size=$(wc -c <good.clt)
head -c $((size - sig)) good.clt >nosig.clt
check_refused nosig.clt 'not signed' "signature removed: not signed"
expect_exit 0 "$CONCLAB" check nosig.clt
contains "$T/out" '^trace: not signed$' "signature removed: no --key says not signed"

# One byte flipped in the middle (a chunk's CRC catches it too, but the
# signature speaks first), and one in the header.
surgery good.clt flip.clt flip $((size / 2))
check_refused flip.clt 'changed after it was signed' "flipped byte: refused"
surgery good.clt flip10.clt flip 10
check_refused flip10.clt 'changed after it was signed' "flipped version byte: refused"

# Two record chunks swapped, the content checksum recomputed.
set -- $(surgery good.clt - events)
surgery good.clt swap.clt swap "$1" "$2"
check_refused swap.clt 'changed after it was signed' "chunks swapped: refused"

# A chunk appended after the signature.
surgery good.clt dup.clt dup "$1"
check_refused dup.clt 'appended after the trace was signed' "chunk appended: refused"
expect_exit 2 "$CONCLAB" check dup.clt
contains "$T/err" 'after the signature chunk' "chunk appended: damaged without --key too"

# A signature copied from another trace signed with the same key.
head -c $((size - sig)) good.clt >copy.clt
tail -c $sig env.clt >>copy.clt
check_refused copy.clt 'changed after it was signed' "signature copied: refused"

# The issue's forgery: a deadlocked trace whose chunks are deleted one by
# one, the content checksum recomputed.  Some deletion makes an unsigned
# check say "ok no deadlock" (the watchdog's chunk gone); the signature
# refuses every one.
expect_exit 3 "$CONCLAB" run philosophers --variant naive -q --trace dl.clt --key k1
expect_exit 1 "$CONCLAB" check --key k1 dl.clt
contains "$T/out" '^  FAIL no deadlock' "deadlock: fails no deadlock"
hidden=0 refused=0 n=0
for i in $(surgery dl.clt - events); do
	n=$((n + 1))
	surgery dl.clt forged.clt drop "$i"
	"$CONCLAB" check forged.clt >forged.out 2>&1
	grep -q '^  ok   no deadlock' forged.out && hidden=$((hidden + 1))
	"$CONCLAB" check --key k1 forged.clt >forged.out 2>&1
	[ $? -eq 2 ] && grep -q 'changed after it was signed' forged.out &&
		refused=$((refused + 1))
done
[ "$hidden" -gt 0 ] && pass "forgery: $hidden of $n deletions hide the deadlock from an unsigned check" ||
	fail "forgery: no deletion hid the deadlock (the test shows nothing)"
[ "$refused" -eq "$n" ] && pass "forgery: check --key refuses all $n" ||
	fail "forgery: check --key refused $refused of $n"

# Key files that are not keys.
head -c 31 /dev/urandom >short.key
expect_exit 2 "$CONCLAB" run prodcons -q --trace x.clt --key short.key
contains "$T/err" 'has 31 bytes; a key needs 32' "short key: refused"
[ ! -e x.clt ] && pass "short key: no trace written" || fail "short key: a trace was written"
expect_exit 2 "$CONCLAB" check --key missing.key good.clt
contains "$T/err" 'cannot read the key file missing.key' "missing key file: named"
head -c 5000 /dev/zero >long.key
expect_exit 2 "$CONCLAB" check --key long.key good.clt
contains "$T/err" 'longer than 4096 bytes' "overlong key file: refused"
expect_exit 2 "$CONCLAB" check --key . good.clt
contains "$T/err" 'not a regular file' "a directory as the key: refused"
cp k1 open.key
chmod 644 open.key
expect_exit 0 "$CONCLAB" check --key open.key good.clt
contains "$T/err" 'can be read by other users' "a key others can read: warned"
expect_exit 2 "$CONCLAB" check good.clt --key
contains "$T/err" '--key needs a value' "--key without a file"

# The report formats stay valid and carry the signature.
for f in json gradescope; do
	expect_exit 0 "$CONCLAB" check --format $f --key k1 -o r.$f good.clt
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' r.$f &&
		pass "$f: valid JSON" || fail "$f: not valid JSON"
done
contains r.json '"signature":"signed, verified"' "json: signature field"
contains r.gradescope '"output":"conclab: [0-9]+ of [0-9]+ properties hold on good.clt; score [0-9]+ of [0-9]+; trace signed, verified"' \
	"gradescope: signature in the output"
expect_exit 0 "$CONCLAB" check --format junit -o r.xml good.clt
python3 -c 'import sys, xml.etree.ElementTree as E; p=E.parse(sys.argv[1]).find(".//property[@name=\"signature\"]"); sys.exit(p is None or p.get("value")!="signed (not verified: no --key)")' r.xml &&
	pass "junit: valid XML with the signature property" || fail "junit: no signature property"

# conclab exercise: the graded run's trace is signed (it runs in a child
# after the screening runs).
if command -v "${CC:-cc}" >/dev/null 2>&1; then
	expect_exit 0 "$CONCLAB" exercise prodcons -q --schedules 4 --trace ex.clt \
		--key k1 "$X/prodcons-good.c"
	expect_exit 0 "$CONCLAB" check --key k1 ex.clt
	contains "$T/out" '^trace: signed, verified$' "exercise: the graded trace verifies"
	contains "$T/out" '^checks \(prodcons exercise\):' "exercise: graded"
	expect_exit 2 "$CONCLAB" check --key k2 ex.clt
	# the graded run's child reads the key file again: warned once
	expect_exit 0 "$CONCLAB" exercise prodcons -q --schedules 2 --trace exo.clt \
		--key open.key "$X/prodcons-good.c"
	[ "$(count_lines "$T/err" 'can be read by other users')" -eq 1 ] &&
		pass "exercise: one warning about a key others can read" ||
		fail "exercise: $(count_lines "$T/err" 'can be read') warnings about the key"
	expect_exit 0 "$CONCLAB" check --key k1 exo.clt
	# a deadlock's trace (saved by the watchdog's path) is signed too
	expect_exit 3 "$CONCLAB" exercise philosophers -q --schedules 2 \
		--trace exdl.clt --key k1 "$X/philosophers-naive.c"
	expect_exit 1 "$CONCLAB" check --key k1 exdl.clt
	contains "$T/out" '^trace: signed, verified$' "exercise deadlock: the trace verifies"
	# a crash's trace (saved by the rescue) is signed too
	expect_exit 139 "$CONCLAB" exercise philosophers -q --schedules 2 \
		--time-limit 20 --trace exsegv.clt --key k1 "$X/philosophers-null.c"
	expect_exit 1 "$CONCLAB" check --key k1 exsegv.clt
	contains "$T/out" '^trace: signed, verified$' "exercise crash: the trace verifies"
else
	echo "no C compiler: the exercise part skipped"
fi
finish
