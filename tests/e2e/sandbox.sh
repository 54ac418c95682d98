#!/bin/sh
# conclab exercise runs a solution in a sandbox (cmd/sandbox.c): one that
# reads a secret beside its source (and /etc/shadow), writes there, or
# puts a forged trace where the grader writes the real one, gets nothing;
# one that starts a daemon, opens a socket, runs a program or kills the
# grader by raw system calls is refused, reported and fails; without
# seccomp, the daemon it starts does not outlive the grade.
X=$(cd "$(dirname "$0")/../exercises" && pwd)
. "$(dirname "$0")/lib.sh"
command -v "${CC:-cc}" >/dev/null 2>&1 || { echo "no C compiler: skipped"; exit 77; }

expect_exit 0 "$CONCLAB" exercise --help
contains "$T/out" 'sandboxed: an empty' "--help: the sandbox"

# The correct solution passes, and says what the sandbox applied.
expect_exit 0 "$CONCLAB" exercise philosophers --trace "$T/good.clt" \
	"$X/philosophers-good.c"
contains "$T/out" '^conclab: sandbox: directory, limits, process group' "good: the sandbox's mechanisms are named"
"$CONCLAB" dump "$T/good.clt" >"$T/dump" 2>&1
contains "$T/dump" '^# meta sandbox=directory, limits' "good: the trace records the sandbox"

# Files: the solution sits beside a secret; it reads none of it, and
# every file it names outside its directory fails the grade.
cp "$X/philosophers-snoop.c" "$T/"
echo "the grader's secret" >"$T/secret"
expect_exit 1 "$CONCLAB" exercise philosophers --trace "$T/snoop.clt" \
	"$T/philosophers-snoop.c"
if grep -q 'landlock' "$T/out"; then
	contains "$T/out" "^snoop: could not read $T/secret" "snoop: the secret beside it is not read"
	grep -q "grader's secret" "$T/out" "$T/err" && fail "snoop: the secret was printed"
	contains "$T/out" '^snoop: could not read /etc/shadow' "snoop: /etc/shadow is not read"
	grep -q '^root:' "$T/out" && fail "snoop: /etc/shadow was printed"
	contains "$T/out" "^snoop: could not write $T/written" "snoop: nothing is written beside it"
	[ -e "$T/written" ] && fail "snoop: $T/written exists"
	contains "$T/out" '^snoop: could not put the forged trace' "snoop: no forged trace"
else
	pass "snoop: no Landlock in this kernel (the warning says so)"
	contains "$T/err" 'sandbox: no Landlock' "snoop: the missing Landlock is said"
fi
contains "$T/err" "called fopen\\(\"$T/secret\"\\) in snoop \\(philosophers-snoop\\.c:[0-9]+\\), outside its directory" "snoop: the attempt is reported"
contains "$T/out" '^  FAIL stays in its directory +phil-0 called fopen' "snoop: 'stays in its directory' fails"
expect_exit 1 "$CONCLAB" check "$T/snoop.clt"
contains "$T/out" '^  FAIL stays in its directory' "snoop: check sees it in the trace"
grep -q FORGED "$T/snoop.clt" && fail "snoop: the trace is the forged one"
# The graded run's sandbox directory (in $TMPDIR) is gone after it.
mkdir "$T/tmp"
TMPDIR=$T/tmp expect_exit 1 "$CONCLAB" exercise philosophers -q \
	--trace "$T/snoop.clt" "$T/philosophers-snoop.c"
[ -z "$(ls -A "$T/tmp")" ] && pass "snoop: no sandbox directory is left" ||
	fail "snoop: left in TMPDIR: $(ls -A "$T/tmp")"

# Raw system calls, which the screening of calls cannot see (x86-64).
if [ "$(uname -m)" = x86_64 ]; then
	cp "$X/philosophers-escape.c" "$X/raw-syscall.h" "$T/"
	expect_exit 1 "$CONCLAB" exercise philosophers -q \
		--trace "$T/escape.clt" "$T/philosophers-escape.c"
	if grep -q 'no seccomp filter' "$T/err"; then
		pass "escape: no seccomp here (the warning says so)"
	else
		contains "$T/out" '^escape: fork refused, socket refused, execve refused, kill refused' "escape: every call is refused"
		contains "$T/err" 'refused [0-9]+ attempts? to start a process' "escape: the fork is reported"
		contains "$T/err" 'refused [0-9]+ attempts? to open a socket' "escape: the socket is reported"
		contains "$T/err" 'refused [0-9]+ attempts? to run a program' "escape: the execve is reported"
		contains "$T/err" 'refused [0-9]+ attempts? to signal a process outside' "escape: the kill is reported"
	fi
	contains "$T/err" 'tried what an exercise does not allow.*it fails' "escape: it fails"
	expect_exit 0 "$CONCLAB" check "$T/escape.clt"

	# Without seccomp (as on a kernel without it), the fork succeeds:
	# the daemon, out of the process group, is killed after the run.
	CONCLAB_SANDBOX_SKIP=seccomp expect_exit 1 "$CONCLAB" exercise \
		philosophers -q --trace "$T/escape.clt" \
		"$T/philosophers-escape.c"
	contains "$T/err" 'sandbox: no seccomp filter' "daemon: the missing filter is said"
	contains "$T/out" '^escape: fork done' "daemon: the fork succeeded"
	contains "$T/err" 'left 1 process running after its run; killed' "daemon: reported and killed"
	contains "$T/err" 'tried what an exercise does not allow.*it fails' "daemon: it fails"
	# a process of that command line ([e]: not the grep that looks)
	left=
	for p in /proc/[0-9]*; do
		{ tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null |
			grep -q -- "[e]xercise philosophers -q --trace $T/escape.clt" &&
			left="$left ${p#/proc/}"
	done
	[ -z "$left" ] && pass "daemon: nothing outlives the grade" ||
		fail "daemon: left running: $left"
else
	pass "escape: raw system calls are tested on x86-64 only"
fi
finish
