#!/bin/sh
# The digest a trace's writer keeps, and the quick report of conclab trace
# from it: never a verdict the full report would not give.  Each program
# of tests/preload/ runs under conclab trace with CONCLAB_DIGEST_COMPARE,
# which compares the two (exit 70 when they disagree); then the quick
# report itself, and traces that try to slip a digest past it.
# sh tests/e2e/digest.sh CONCLAB PROGRAMS_DIR SANITIZE
. "$(dirname "$0")/lib.sh"
D=${2:?usage: $0 CONCLAB PROGRAMS_DIR SANITIZE}
case $D in /*) ;; *) D=$OLDPWD/$D ;; esac
case ${3:-none} in
*thread*)
	echo "SKIP: conclab trace does not work in a ThreadSanitizer build"
	exit 77 ;;
esac

# compare NAME PATTERN ARGS...: conclab trace of preload-NAME agrees with
# the full report, and its digest says PATTERN.
compare() {
	name=$1 pat=$2
	shift 2
	CONCLAB_DIGEST_COMPARE=1 "$CONCLAB" trace --trace "$T/$name.clt" \
		-- "$D/preload-$name" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" -eq 70 ]; then
		fail "$name: the digest disagrees with the full report"
		grep '^digest' "$T/err" | sed 's/^/  /'
	else
		contains "$T/err" "^digest: $pat" "$name: digest says $pat"
	fi
}

compare quiet 'quiet: [0-9]+ records$'
# a lock-order inversion that did not deadlock: the edges' cycle too
compare abba 'not quiet: .*diagnostic.*the lock-order edges make a cycle'
compare deadlock 'not quiet: the run was stopped'
# what these do depends on timing: a wait, a failed trylock, or none
compare philosophers '(not )?quiet: '
# a correct producer-consumer whose threads wait: the digest measures
# the waits (the same starvation line as the full report's)
compare prodcons '(not )?quiet: '
compare recursive 'not quiet: .*a thread waited'
compare rwupgrade 'not quiet: the run was stopped'
compare forklock 'not quiet: .*notes'
compare crash 'none: .*partial'
compare holdexit 'not quiet: .*a thread never ended.*a lock was held when the trace ended'
# the count varies (a contended relock adds a request): quiet is the point
compare longwait 'quiet: [0-9]+ records$'
contains "$T/out" '^  ok   starvation .*longest wait per thread, ms \(threshold 1000, the default\): thread-1 [0-9.]+ \(go\)$' "longwait: its wait listed"
# Threads that wait on a contended mutex and a condition variable, and do
# nothing wrong: the digest says so; 16 threads make the list's "more".
compare contend 'quiet: [0-9]+ records$' 4 5000
compare contend 'quiet: [0-9]+ records$' 16 1000
contains "$T/out" "starvation .*[0-9]+ more\$" "contend 16: the list's \"more\""
# a barrier's pass ends other threads' waits: only the merged order has
# the time, and the digest does not follow them
compare contend 'not quiet: a thread waited \(on a barrier' 4 1000 barrier
# A wait past the threshold (its median short): the full report fails
# starvation, and the digest leaves it to it; waits whose median makes the
# threshold, the same; long waits with a short median pass, quick.
compare starve 'not quiet: the waits need the full report.s starvation line' 1200 1 3
contains "$T/out" '^  FAIL starvation .*waited 1[0-9.]+ ms for m' "starve: the full report fails it"
compare starve 'not quiet: the waits need the full report.s starvation line' 150 3 0
contains "$T/out" '10x the median wait' "starve 150 3 0: the median's threshold"
compare starve '(not )?quiet: ' 150 3 7
compare mainexit '(not )?quiet: '
compare misuse-exitholding 'not quiet: .*diagnostic.*a thread ended holding a lock'
compare exitholding-rw 'not quiet: .*diagnostic.*a thread ended holding a lock'
compare semsignal '(not )?quiet: '
compare misuse-unlock 'not quiet: .*diagnostic'
compare permits 'not quiet: .*could not follow every lock'
compare spin '(not )?quiet: '

# The quick report: over a million records, from the digest; the same
# lines as --full but the concurrency one, which says how to get it.
expect_exit 0 "$CONCLAB" trace --trace big.clt -- "$D/preload-quiet" 50000
cp "$T/out" quick.txt
contains quick.txt '^  info concurrency .*came from the trace.s digest.*conclab check TRACE' "quick: concurrency says how to get it"
contains quick.txt '^no lock-order cycles and no waits while holding a lock in 1[01][0-9]{5} records$' "quick: the lock-order line"
expect_exit 0 "$CONCLAB" trace --full --trace big.clt -- "$D/preload-quiet" 50000
cp "$T/out" full.txt
contains full.txt '^  info concurrency .*of the .* ms that two or more threads existed' "full: the concurrency line"
# two runs: their record counts may differ by a record or two (the same
# trace's are compared under CONCLAB_DIGEST_COMPARE)
grep -v '^  info concurrency' quick.txt | sed 's/ in [0-9]* records$//' >quick.rest
grep -v '^  info concurrency' full.txt | sed 's/ in [0-9]* records$//' >full.rest
if cmp -s quick.rest full.rest; then
	pass "quick and full reports: the same lines"
else
	fail "quick and full reports differ"
	diff quick.rest full.rest | sed 's/^/  /'
fi
expect_exit 0 env CONCLAB_DIGEST_COMPARE=1 "$CONCLAB" check big.clt
contains "$T/err" '^digest: quiet: [0-9]+ records$' "check: the digest agrees"
# A million records of threads that wait: the quick report lists their
# waits, as the full report of the same trace does (compared by check).
# 60,000 rounds make about 1.2 million (50,000 made 1,004,000 to 1,006,000,
# and 998,841 in an AddressSanitizer build on a busy machine: the full path).
expect_exit 0 "$CONCLAB" trace --trace waits.clt -- "$D/preload-contend" 4 60000
contains "$T/out" '^  info concurrency .*came from the trace.s digest' "quick waits: from the digest"
contains "$T/out" '^  ok   starvation .*longest wait per thread' "quick waits: the waits listed"
expect_exit 0 env CONCLAB_DIGEST_COMPARE=1 "$CONCLAB" check waits.clt
contains "$T/err" '^digest: quiet: [0-9]+ records$' "check waits: the digest agrees"
# under a million records the report reads them: concurrency is there
expect_exit 0 "$CONCLAB" trace --trace small.clt -- "$D/preload-quiet" 100
contains "$T/out" '^  info concurrency .*of the .* ms that two or more' "small: the full report"

# A trace cut short after its digest: no end chunk, never trusted.
python3 - big.clt cut.clt <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
off = 16
while off < len(d):
    t, n = struct.unpack_from('<II', d, off)
    off += 12 + n
    if t == 9:
        break
open(sys.argv[2], 'wb').write(d[:off])
PY
expect_exit 0 env CONCLAB_DIGEST_COMPARE=1 "$CONCLAB" check cut.clt
contains "$T/err" '^digest: none: the trace is damaged or was not closed' "cut short: the digest is not trusted"

# A digest edited to claim nothing, its chunk's CRC made right: the end
# chunk's content checksum catches it, and the trace is refused whole
# (tracer/digest tests the digest's own verdict on such a file).
python3 - abba.clt forged.clt <<'PY'
import struct, sys, zlib
d = bytearray(open(sys.argv[1], 'rb').read())
def uv(v):
    b = b''
    while v >= 0x80:
        b += bytes([v & 0x7f | 0x80]); v >>= 7
    return b + bytes([v])
def ruv(p):
    v = s = 0
    while True:
        c = d[p]; p += 1; v |= (c & 0x7f) << s; s += 7
        if c < 0x80: return v, p
off = 16
while True:
    t, n = struct.unpack_from('<II', d, off)
    if t == 9: break
    off += 12 + n
records, _ = ruv(off + 12 + 1)
pl = bytes([0]) + uv(records) + uv(0) + uv(0) + bytes(8) + uv(0)
hdr = struct.pack('<II', 9, len(pl))
crc = zlib.crc32(pl, zlib.crc32(hdr))
d[off:off + 12 + n] = hdr + struct.pack('<I', crc) + pl
open(sys.argv[2], 'wb').write(bytes(d))
PY
expect_exit 2 env CONCLAB_DIGEST_COMPARE=1 "$CONCLAB" check forged.clt
contains "$T/err" 'does not match the checksum' "forged digest: the checksum says so"
finish
