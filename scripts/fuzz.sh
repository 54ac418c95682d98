#!/bin/sh
# The fuzzers' long run and their seeds (docs/fuzzing.md).
#
#   scripts/fuzz.sh [run] [TARGET [RUNS]]   run TARGET (trace, report or
#                                           solution; default trace) for
#                                           RUNS inputs (default 10000000)
#   scripts/fuzz.sh corpus                  write tests/fuzz/corpus again
#
# Builds the fuzzers in $BUILD (default build-fuzz: clang, ASan+UBSan,
# -Dfuzz=true) first.  $JOBS processes (default 1) share the run, in
# $WORK (default $BUILD/long-TARGET).  A run fails, and keeps the input in
# $WORK, on a crash, a leak, an input that takes over 10 s,
# one allocation over 64 MB or a process over 1 GB (the same limits as
# the test suite's short run); it ends with the line
# "TARGET: N executions in S s, ok" or "... FAILED" ("stopped early, ok"
# after a SIGINT to the fuzzers).  It runs niced: leave it in the
# background.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build-fuzz}
CLANG=${CLANG:-clang-14}

setup() {
	if [ ! -f "$BUILD/build.ninja" ]; then
		CC=$CLANG meson setup "$BUILD" -Dfuzz=true \
			-Db_sanitize=address,undefined -Db_lundef=false \
			>"$BUILD.setup.log" 2>&1 ||
			{ cat "$BUILD.setup.log"; exit 1; }
	fi
	nice ninja -C "$BUILD" "$@" >"$BUILD.build.log" 2>&1 ||
		{ cat "$BUILD.build.log"; exit 1; }
}

# The seeds: small traces of several labs with zlib records, each also
# with its records stored raw, and five with zstd records (one of them
# in the 1.6 form, one in the 1.7 form and one with 1.8 holds, all three
# also raw); traces that no writer makes (tests/mkbadtrace.c) and one cut
# short; small shared objects like students' solutions, and ELF files
# that are not shared objects.
corpus() {
	setup fuzzers cmd/conclab tests/mkbadtrace bench/whole/lockheavy-clab
	c=$PWD/$BUILD/cmd/conclab
	t=$PWD/tests/fuzz/corpus/trace
	s=$PWD/tests/fuzz/corpus/solution
	rm -rf "$t" "$s"
	mkdir -p "$t" "$s"
	(
		cd "$t" || exit 1
		z() { # NAME LAB [ARGS]: a short run under the random scheduler
			name=$1
			shift
			"$c" run "$@" --sched random --trace "$name.clt" \
				>/dev/null 2>&1
			[ -s "$name.clt" ] || { echo "no trace: $*"; exit 1; }
		}
		r() { z "$@" --codec zlib; }
		r phil-ordered philosophers --variant ordered \
			--philosophers 3 --meals 1
		r phil-naive philosophers --variant naive --philosophers 2 \
			--meals 1 --seed 3
		r prodcons-condvar prodcons --variant condvar --producers 1 \
			--consumers 1 --items 3 --capacity 2
		r prodcons-queue prodcons --variant queue --producers 1 \
			--consumers 1 --items 3 --capacity 2
		r timer-oneshot timer --variant oneshot
		r race-locked race --variant locked --threads 2 --rounds 3
		r lockorder lockorder --rounds 1 --stacks
		r semaphore semaphore
		r barrier barrier
		r rlock rlock
		r stop stop
		head -c 32 /dev/urandom >key
		r startup-signed startup --key key
		rm -f key
		for f in *.clt; do
			"../../../../$BUILD/tests/fuzz/rawtrace" "$f" "raw-$f" ||
				exit 1
		done
		z zstd-prodcons-condvar prodcons --variant condvar \
			--producers 1 --consumers 1 --items 3 --capacity 2
		z zstd-phil-naive philosophers --variant naive \
			--philosophers 2 --meals 1 --seed 3
		# format 1.6: records without a stamp have no time, raw too
		z lazy-prodcons-condvar prodcons --variant condvar \
			--producers 1 --consumers 1 --items 3 --capacity 2
		"../../../../$BUILD/tests/fuzz/rawtrace" lazy-prodcons-condvar.clt \
			raw-lazy-prodcons-condvar.clt || exit 1
		# format 1.7: records that repeat their site's take 2 bytes
		# (a free run: a record is repeated only after its object's last)
		"$c" run race --variant locked --threads 2 --rounds 12 \
			--trace repeat-race-locked.clt >/dev/null 2>&1 || exit 1
		"../../../../$BUILD/tests/fuzz/rawtrace" repeat-race-locked.clt \
			raw-repeat-race-locked.clt || exit 1
		# format 1.8: a mutex's acquire and its release as one record
		"../../../../$BUILD/bench/whole/lockheavy-clab" 150 1 \
			>/dev/null || exit 1
		mv lockheavy.clt holds-lockheavy.clt
		"../../../../$BUILD/tests/fuzz/rawtrace" holds-lockheavy.clt \
			raw-holds-lockheavy.clt || exit 1
		head -c 800 prodcons-condvar.clt >cut-prodcons-condvar.clt
		m=../../../../$BUILD/tests/mkbadtrace
		$m wide bad-wide.clt 3 40 && $m parked bad-parked.clt 5 6 3 &&
			$m unknown-object bad-unknown-object.clt 7
	) || exit 1
	ldf="-shared -fPIC -O0 -s -pthread -Wl,-z,noseparate-code
-Wl,-z,norelro -Wl,--build-id=none -Wl,-z,max-page-size=0x10"
	for f in tests/solution-so/*.c; do
		b=$(basename "$f" .c)
		[ "$b" = needs ] && continue
		# shellcheck disable=SC2086
		cc $ldf -Wl,-soname,libsolso-$b.so -o "$s/$b.so" "$f" || exit 1
	done
	# shellcheck disable=SC2086
	cc $ldf -o "$s/needs.so" tests/solution-so/needs.c "$s/clean.so" ||
		exit 1
	# ELF files that are not shared objects: an object file, a program
	cc -c -O0 -o "$s/clean.o" tests/solution-so/clean.c || exit 1
	printf 'int main(void) { return 0; }\n' |
		cc -x c -O0 -s -Wl,--build-id=none -Wl,-z,noseparate-code \
		-Wl,-z,max-page-size=0x10 -o "$s/exec" - || exit 1
	ls -l "$t" "$s"
}

run() {
	target=${1:-trace}
	runs=${2:-10000000}
	case $target in
	trace | report) seeds=tests/fuzz/corpus/trace ;;
	solution) seeds=tests/fuzz/corpus/solution ;;
	*) echo "no fuzzer '$target' (trace, report, solution)"; exit 2 ;;
	esac
	setup "tests/fuzz/fuzz-$target"
	work=${WORK:-$BUILD/long-$target}
	jobs=${JOBS:-1}
	rm -rf "$work"
	mkdir -p "$work/corpus"
	export ASAN_OPTIONS="${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1}"
	export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
	start=$(date +%s)
	# JOBS processes share the corpus (each reloads what the others
	# found) and make RUNS inputs between them.
	k=1
	pids=
	while [ "$k" -le "$jobs" ]; do
		nice "$BUILD/tests/fuzz/fuzz-$target" \
			-runs="$((runs / jobs))" -seed="$k" -timeout=10 \
			-malloc_limit_mb=64 -rss_limit_mb=1024 \
			-error_exitcode=1 -timeout_exitcode=1 \
			-print_final_stats=1 -reload=1 \
			-artifact_prefix="$work/" "$work/corpus" "$seeds" \
			>"$work/log.$k" 2>&1 &
		pids="$pids $!"
		k=$((k + 1))
	done
	failed=0
	stopped=0
	for pid in $pids; do
		wait "$pid"
		case $? in
		0) ;;
		72) stopped=1 ;; # libFuzzer's code for SIGINT: stopped by hand
		*) failed=1 ;;
		esac
	done
	secs=$(($(date +%s) - start))
	n=$(cat "$work"/log.* | sed -n 's/^stat::number_of_executed_units: *//p' |
		awk '{ n += $1 } END { print n + 0 }')
	if [ "$failed" -ne 0 ]; then
		grep -h -A 30 -E '^==[0-9]+==|^ERROR|^INFO: Dumped' "$work"/log.* |
			head -n 60
		echo "$target: $n executions in $secs s, FAILED (the input in $work/)"
		exit 1
	fi
	[ "$stopped" -eq 0 ] || how="stopped early, "
	echo "$target: $n executions in $secs s, ${how:-}ok (logs: $work/log.*)"
}

case ${1:-run} in
corpus) corpus ;;
run) shift 2>/dev/null; run "$@" ;;
*) run "$@" ;;
esac
