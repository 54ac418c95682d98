#!/bin/sh
# Hostile objects in whole programs: each case of tests/own/hostile.c is
# a student's own program on libconclab that misuses one object (mutex,
# condition variable, semaphore, barrier, latch, queue, thread handle) in
# one way.  Each run must end with the call and its error on stderr and
# exit 1 (not a crash, not a hang: a time limit stops it), its trace must
# hold the diagnostic with its site in hostile.c, and `conclab check` on
# the trace must fail "no misuse" with it.  In a sanitizer build the
# freed-memory case is stopped by the sanitizer's report of the read of
# freed memory instead (docs/runtime.md).
#
# usage: sh tests/e2e/hostile-own.sh CONCLAB HOSTILE SANITIZE
. "$(dirname "$0")/lib.sh"
HOSTILE=${2:?usage: $0 CONCLAB HOSTILE SANITIZE}
SANITIZE=${3:-none}
case $HOSTILE in /*) ;; *) HOSTILE=$OLDPWD/$HOSTILE ;; esac

# The expectations: case, the error's text, the diagnostic as
# `conclab dump` shows it (after "diag").
expect() {
	case $1 in
	mutex-garbage) echo "invalid argument|bad-object why=corrupt want=mutex" ;;
	mutex-zeroed) echo "invalid argument|bad-object why=never-initialised want=mutex" ;;
	mutex-destroyed) echo "invalid argument|bad-object why=destroyed want=mutex found=mutex" ;;
	mutex-init-twice) echo "invalid argument|bad-object why=initialised-twice want=mutex found=mutex" ;;
	mutex-wrong-kind) echo "invalid argument|bad-object why=wrong-kind want=mutex found=sem" ;;
	mutex-bad-type) echo "invalid argument|bad-value value=99" ;;
	mutex-copy) echo "invalid argument|bad-object why=corrupt want=mutex" ;;
	mutex-freed) echo "invalid argument|bad-object why=(destroyed|corrupt) want=mutex" ;;
	mutex-null) echo "invalid argument|bad-object why=null want=mutex" ;;
	mutex-misaligned) echo "invalid argument|bad-object why=bad-pointer want=mutex" ;;
	mutex-unlock-unlocked) echo "does not own|unlock-unlocked" ;;
	cond-garbage) echo "invalid argument|bad-object why=corrupt want=cond" ;;
	cond-zeroed) echo "invalid argument|bad-object why=never-initialised want=cond" ;;
	cond-destroyed-mutex) echo "invalid argument|bad-object why=destroyed want=mutex found=mutex" ;;
	cond-without-mutex) echo "does not own|cond-without-mutex" ;;
	sem-garbage) echo "invalid argument|bad-object why=corrupt want=sem" ;;
	sem-huge) echo "invalid argument|bad-value value=4294967295" ;;
	sem-destroyed) echo "invalid argument|bad-object why=destroyed want=sem found=sem" ;;
	sem-over-release) echo "released more times|sem-over-release" ;;
	barrier-garbage) echo "invalid argument|bad-object why=corrupt want=barrier" ;;
	barrier-no-parties) echo "invalid argument|bad-value value=0" ;;
	barrier-huge) echo "invalid argument|bad-value value=2147483648" ;;
	barrier-destroyed) echo "invalid argument|bad-object why=destroyed want=barrier found=barrier" ;;
	latch-destroyed) echo "invalid argument|bad-object why=destroyed want=latch found=latch" ;;
	latch-wrong-kind) echo "invalid argument|bad-object why=wrong-kind want=latch found=mutex" ;;
	queue-garbage) echo "invalid argument|bad-object why=corrupt want=queue" ;;
	queue-huge) echo "invalid argument|bad-value value=4294967295" ;;
	queue-init-twice) echo "invalid argument|bad-object why=initialised-twice want=queue found=queue" ;;
	queue-earlier-trace) echo "invalid argument|bad-object why=earlier-trace want=queue" ;;
	thread-join-self) echo "would deadlock|join-self" ;;
	thread-join-main) echo "invalid argument|bad-object why=not-created want=thread found=thread" ;;
	thread-join-twice) echo "invalid argument|bad-object why=joined want=thread found=thread" ;;
	thread-join-detached) echo "invalid argument|bad-object why=detached want=thread found=thread" ;;
	thread-detach-twice) echo "invalid argument|bad-object why=detached want=thread found=thread" ;;
	thread-join-null) echo "invalid argument|bad-object why=null want=thread" ;;
	thread-join-bad-pointer) echo "invalid argument|bad-object why=bad-pointer want=thread" ;;
	*) echo "" ;;
	esac
}

# The exit code of a run that a sanitizer stops (its options' exitcode).
case $SANITIZE in
*thread*) san_opts=${TSAN_OPTIONS:-} ;;
*) san_opts=${ASAN_OPTIONS:-} ;;
esac
san_exit=$(printf '%s' "$san_opts" | sed -n 's/.*exitcode=\([0-9]*\).*/\1/p')
san_exit=${san_exit:-1}

"$HOSTILE" --list >"$T/cases" || fail "--list"
n=$(wc -l <"$T/cases")
[ "$n" -ge 20 ] && pass "$n cases" || fail "only $n cases"
for c in $(cat "$T/cases"); do
	e=$(expect "$c")
	[ -n "$e" ] || { fail "$c: no expectation in this script"; continue; }
	text=${e%%|*}
	diag=${e#*|}
	tr="$T/$c.clt"
	timeout 60 "$HOSTILE" "$tr" "$c" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$c" = mutex-freed ] && [ "$SANITIZE" != none ]; then
		# the read of the freed header is the sanitizer's to report
		[ "$rc" -eq "$san_exit" ] &&
			grep -q 'heap-use-after-free' "$T/err" &&
			pass "$c: stopped by the sanitizer's report" ||
			fail "$c: exit $rc, no heap-use-after-free report"
		continue
	fi
	if [ "$rc" -ne 1 ]; then
		fail "$c: exit $rc, expected 1"
		sed 's/^/  stderr: /' "$T/err" | tail -n 10
		continue
	fi
	contains "$T/err" "^hostile: $c: clab_[a-z_]+\(.*\): .*($text)" \
		"$c: the call and its error on stderr"
	"$CONCLAB" dump "$tr" >"$T/dump" 2>&1 || fail "$c: dump"
	contains "$T/dump" " diag .* ($diag)( |$).*@ .*hostile\.c:[0-9]+ " \
		"$c: the diagnostic and its site in the trace"
	"$CONCLAB" check "$tr" >"$T/check" 2>&1
	rc=$?
	[ "$rc" -eq 1 ] && pass "$c: check exits 1" ||
		fail "$c: check exited $rc, expected 1"
	# the diagnostic's name, and for a bad object why it was refused
	tag=${diag%% *}
	why=$(printf '%s' "$diag" | sed -n 's/.*why=\([^ ]*\).*/\1/p')
	contains "$T/check" "^  FAIL no misuse .*\($tag(: [a-z-]+)?\).*$why.* at .*hostile\.c:[0-9]+" \
		"$c: check fails no misuse with it"
done

finish
