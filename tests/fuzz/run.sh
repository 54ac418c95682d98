#!/bin/sh
# The test suite's short run of one fuzzer (tests/fuzz/meson.build):
#   run.sh FUZZER CORPUS WORKDIR [SECONDS]
# runs FUZZER on the seeds in CORPUS for SECONDS (default
# $CLAB_FUZZ_SECONDS or 30), new inputs going to WORKDIR/corpus, and fails
# on a crash, a leak, an input that takes over 10 s (a hang), one
# allocation over 64 MB or a process over 1 GB; the input that did it is
# kept in WORKDIR and named in the output.  scripts/fuzz.sh is the long run.
set -u
fuzzer=$1
seeds=$2
work=$3
secs=${4:-${CLAB_FUZZ_SECONDS:-30}}
[ -d "$seeds" ] && [ -n "$(ls "$seeds")" ] || { echo "no seeds in $seeds"; exit 1; }
rm -rf "$work"
mkdir -p "$work/corpus"
# A report ends the input and fails it (the sanitizers' own defaults
# would go on after some of them).
export ASAN_OPTIONS="${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
# exit codes of our own: libFuzzer's default (77) is meson's "skipped"
"$fuzzer" -max_total_time="$secs" -timeout=10 -malloc_limit_mb=64 \
	-rss_limit_mb=1024 -error_exitcode=1 -timeout_exitcode=1 \
	-print_final_stats=1 -artifact_prefix="$work/" \
	"$work/corpus" "$seeds" >"$work/log" 2>&1
rc=$?
tail -n 30 "$work/log"
if [ "$rc" -ne 0 ]; then
	echo "FAIL: $fuzzer exited $rc; the input: $(ls "$work" | grep -E '^(crash|leak|timeout|oom|slow-unit)-' | sed "s|^|$work/|")"
	exit 1
fi
# It ran: every seed was read, and it made executions of its own.
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
nseeds=$(ls "$seeds" | wc -l)
grep -q "INFO: seed corpus: files: $nseeds " "$work/log" ||
	{ echo "FAIL: the fuzzer did not read the $nseeds seeds"; exit 1; }
[ "${runs:-0}" -gt "$nseeds" ] || { echo "FAIL: only ${runs:-0} executions"; exit 1; }
echo "ok: $runs executions in ${secs}s, no crash, leak, hang or allocation over the cap"
