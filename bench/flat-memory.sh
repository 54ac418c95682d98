#!/bin/sh
# bench/flat-memory.sh [BUILD] [SECONDS] [clab|trace]: the peak memory of a
# lock-heavy run of about SECONDS of CPU time (default 6) and of one ten
# times as long, both bench/whole/lockheavy-clab of the build in BUILD
# (default build), one thread, the default record buffer; with "trace",
# bench/whole/lockheavy-pthread under that build's `conclab trace
# --no-check` instead, whose peak is the run's (the preload library) or its
# report's, which reads the trace back.  Prints both peaks (the maximum
# resident set, from /usr/bin/time: of conclab and the program, the larger)
# and their ratio: the memory for records is bounded by the buffer, and the
# report reads the file a chunk at a time, so the ratio stays near 1.
# It takes about 11 times SECONDS of CPU time; a timed test would depend on
# the machine, so it is a script, not part of the test suite.
set -eu
build=${1:-build}
secs=${2:-6}
mode=${3:-clab}
case $mode in
clab) prog=$build/bench/whole/lockheavy-clab ;;
trace) prog=$build/bench/whole/lockheavy-pthread ;;
*) echo "mode '$mode' is not clab or trace" >&2; exit 2 ;;
esac
conclab=$build/cmd/conclab
case $conclab in /*) ;; *) conclab=$PWD/$conclab ;; esac
[ -x "$prog" ] || { echo "no $prog: build first (ninja -C $build)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (Debian: time)" >&2; exit 2; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# run ITERS: prints "peak_kb cpu_s"
run() {
	if [ "$mode" = trace ]; then
		(cd "$dir" && /usr/bin/time -f '%M %U %S' -o time.txt \
			"$conclab" trace --no-check --trace "$dir/t.clt" \
			-- "$prog" "$1" 1 >/dev/null)
	else
		(cd "$dir" && /usr/bin/time -f '%M %U %S' -o time.txt \
			"$prog" "$1" 1 >/dev/null)
	fi
	rm -f "$dir/t.clt" "$dir/lockheavy.clt"
	awk '{ printf "%d %.2f\n", $1, $2 + $3 }' "$dir/time.txt"
}
case $prog in /*) ;; *) prog=$PWD/$prog ;; esac
# iterations for SECONDS of CPU, from a run of 2 million
cal=$(run 2000000)
n=$(echo "$cal" | awk -v s="$secs" '{ c = $2 > 0.01 ? $2 : 0.01;
	printf "%d\n", 2000000 * s / c }')
short=$(run "$n")
long=$(run $((n * 10)))
echo "$short" | awk -v n="$n" '{ printf "short: %d iterations, %.1f s CPU, peak %.1f MB\n", n, $2, $1 / 1024 }'
echo "$long" | awk -v n="$((n * 10))" '{ printf "long:  %d iterations, %.1f s CPU, peak %.1f MB\n", n, $2, $1 / 1024 }'
echo "$short $long" | awk '{ printf "peak long/short: %.3f\n", $3 / $1 }'
