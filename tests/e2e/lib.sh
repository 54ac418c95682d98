# Shared by the end-to-end tests: sh tests/e2e/X.sh CONCLAB
set -u
CONCLAB=${1:?usage: $0 path/to/conclab}
case $CONCLAB in /*) ;; *) CONCLAB=$(pwd)/$CONCLAB ;; esac
T=$(mktemp -d "${TMPDIR:-/tmp}/conclab-e2e.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
failures=0
# The tests grep whole lines: reports unfolded (output.sh checks folding).
CONCLAB_TEXT_WIDTH=0
export CONCLAB_TEXT_WIDTH

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

pass() {
	echo "ok: $*"
}

# expect_exit CODE what... : run a command and check its exit code.
expect_exit() {
	want=$1
	shift
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		fail "$* exited $got, expected $want"
		sed 's/^/  stdout: /' "$T/out" | tail -n 20
		sed 's/^/  stderr: /' "$T/err" | tail -n 20
		return 1
	fi
	pass "$* exited $want"
}

# contains FILE PATTERN what
contains() {
	if grep -q -E -- "$2" "$1"; then
		pass "$3"
	else
		fail "$3: no line matching '$2' in $(basename "$1")"
		tail -n 20 "$1" | sed 's/^/  /'
	fi
}

# lacks FILE PATTERN what: no line matches
lacks() {
	if grep -q -E -- "$2" "$1"; then
		fail "$3: $(grep -E -- "$2" "$1" | head -n 1)"
	else
		pass "$3"
	fi
}

# interrupt SIGNAL SECONDS TRACE ARGS...: conclab ARGS in the background
# (stdout and stderr in $T/run.out and $T/run.err), SIGNAL sent SECONDS
# after TRACE appears; its exit code in $rc.  The shell starts a job in
# the background with SIGINT ignored, which conclab leaves ignored, as
# any program does: env puts back its default, as a terminal's job has.
interrupt() {
	sig=$1 secs=$2 tr=$3
	shift 3
	env --default-signal=INT "$CONCLAB" "$@" >"$T/run.out" 2>"$T/run.err" &
	pid=$!
	i=0
	while [ ! -s "$tr" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	sleep "$secs"
	kill -"$sig" $pid
	wait $pid 2>/dev/null
	rc=$?
}

# until_said FILE PATTERN: wait (10 s at most) until a line of FILE, the
# output of a run in the background, matches PATTERN.
until_said() {
	k=0
	until grep -q "$2" "$1" || [ $k -ge 200 ]; do
		sleep 0.05
		k=$((k + 1))
	done
}

# overlap_sched LAB/VARIANT: the options under which a run of every
# variant runs this one: the controlled scheduler for a variant whose bug
# shows only when threads overlap, nothing for the others (run free).
# rwlock readers-pref: in free runs under TSan its readers have more than
# once never overlapped the writer (e2e/variants, e2e/check); lockorder
# abba: in one, its two workers never held their first locks at once, and
# the run ended (e2e/check in the CI of fa4ed25).  Under the scheduler both
# overlap whatever the machine: their sleeps are virtual time.
overlap_sched() {
	case $1 in
	rwlock/readers-pref | lockorder/abba) echo "--sched random --seed 1" ;;
	esac
}

# exercise_budget SANITIZE: the schedules conclab exercise grades under,
# in NSCHED, and the option that asks for them, in BUDGET (put right after
# "exercise", so that options later on a line still win).  A sanitizer
# build runs each of a solution's schedules as a process under the
# sanitizer's runtime, ten times as slow under TSan: 10 there, the
# default 100 (no option) in the plain build.
exercise_budget() {
	NSCHED=100
	BUDGET=
	[ "$1" = none ] || { NSCHED=10; BUDGET="--schedules $NSCHED"; }
}

# count_lines FILE PATTERN
count_lines() {
	grep -c -E -- "$2" "$1"
}

# count_is FILE PATTERN N MESSAGE: N lines of FILE match PATTERN.
count_is() {
	n_=$(count_lines "$1" "$2")
	[ "$n_" -eq "$3" ] && pass "$4" || fail "$4: $n_ lines match '$2', not $3"
}

finish() {
	[ "$failures" -eq 0 ] && { echo "all passed"; exit 0; }
	echo "$failures failed"
	exit 1
}
