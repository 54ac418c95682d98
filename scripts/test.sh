#!/bin/sh
# Run conclab's whole test suite: a plain build (warnings are errors), an
# ASan+UBSan build and a TSan build, each running every unit and
# end-to-end test, then a short run of each fuzzer (a clang build with
# -Dfuzz=true: only the fuzzers and their tests, suite fuzz).  A
# sanitizer report fails the test that caused it.
# Ends with the line "N passed, N failed"; exits non-zero if any failed.
#
#   scripts/test.sh            everything
#   scripts/test.sh plain      only the named builds (plain, asan, tsan, fuzz)
set -u
cd "$(dirname "$0")/.."
./scripts/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }

builds=${*:-plain asan tsan fuzz}
jobs=$(nproc 2>/dev/null || echo 2)
passed=0
failed=0
failed_builds=""

# halt_on_error makes the first report fatal, so the test fails.
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=0:detect_leaks=1:exitcode=66"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=66"
export TSAN_OPTIONS="halt_on_error=1:exitcode=66:second_deadlock_stack=1:atexit_sleep_ms=0"

for b in $builds; do
	case $b in
	plain) opts="--werror" ;;
	asan) opts="-Db_sanitize=address,undefined -Db_lundef=false" ;;
	tsan) opts="-Db_sanitize=thread -Db_lundef=false" ;;
	fuzz) opts="-Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false" ;;
	*) echo "unknown build '$b' (plain, asan, tsan, fuzz)"; exit 2 ;;
	esac
	dir="build-test-$b"
	echo "== $b build ($dir)"
	# the fuzzers need clang's libFuzzer; the other builds the default cc
	cc=
	target=
	suite=
	if [ "$b" = fuzz ]; then
		cc=$(command -v clang-14 || command -v clang)
		target=fuzzers
		suite="--suite fuzz --no-rebuild"
	fi
	if [ ! -f "$dir/build.ninja" ]; then
		# shellcheck disable=SC2086
		env ${cc:+CC=$cc} meson setup "$dir" $opts >"$dir.setup.log" 2>&1 ||
			{ cat "$dir.setup.log"; failed=$((failed + 1)); continue; }
	fi
	# shellcheck disable=SC2086
	if ! ninja -C "$dir" $target >"$dir.build.log" 2>&1; then
		cat "$dir.build.log"
		failed=$((failed + 1))
		failed_builds="$failed_builds $b"
		continue
	fi
	# TSan in these toolchains needs the classic address-space layout.
	# The suites' timeouts are set for plain builds; under TSan the
	# exercise and explore e2e suites take longer (e2e/exercise alone:
	# 343 s on a 2-CPU machine, its timeout 300): twice as long there.
	wrap=""
	mult=1
	[ "$b" = tsan ] && mult=2
	if [ "$b" = tsan ] && command -v setarch >/dev/null 2>&1 &&
		setarch "$(uname -m)" -R true 2>/dev/null; then
		wrap="setarch $(uname -m) -R"
	fi
	# shellcheck disable=SC2086
	$wrap meson test -C "$dir" --num-processes "$jobs" --print-errorlogs \
		--timeout-multiplier "$mult" $suite >"$dir.test.log" 2>&1
	tail -n 40 "$dir.test.log" | sed -n '/^Ok:/,$p'
	grep -E '^ *[0-9]+/[0-9]+ .*(FAIL|TIMEOUT|ERROR)' "$dir.test.log" | sort -u || true
	# what the failed e2e checks said (tests/e2e/lib.sh), for a record
	# of the run that keeps only this output
	grep -E '^FAIL: ' "$dir.test.log" | head -n 20 | cut -c 1-300 || true
	ok=$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' "$dir.test.log" | tail -n 1)
	bad=0
	for k in Fail "Unexpected Pass" Timeout; do
		n=$(sed -n "s/^$k: *\([0-9]*\).*/\1/p" "$dir.test.log" | tail -n 1)
		bad=$((bad + ${n:-0}))
	done
	if [ -z "$ok" ]; then
		# meson did not get to its summary: show why.
		tail -n 30 "$dir.test.log"
		bad=$((bad + 1))
	fi
	passed=$((passed + ${ok:-0}))
	failed=$((failed + bad))
	[ "$bad" -eq 0 ] || failed_builds="$failed_builds $b"
done

[ -z "$failed_builds" ] || echo "failures in:$failed_builds (logs: build-test-*.test.log)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
