#!/bin/sh
# conclab bench --whole: the whole programs run as child processes at a
# tiny scale, the table's and the JSON's structure, the checks on the
# programs' results, and the usage errors.  Times are never checked.
. "$(dirname "$0")/lib.sh"
tiny="--scale 0.0001 --reps 2"
cases="lock_heavy_1 lock_heavy_4 thread_churn prodcons timers"

expect_exit 0 "$CONCLAB" bench --help
contains "$T/out" '^  --whole ' "bench --help has --whole"
contains "$T/out" '^  --scale X ' "bench --help has --scale"
for c in $cases; do
	contains "$T/out" "^  $c " "bench --help describes $c"
done

# The table: every case, plain and conclab in each, no loop case.
expect_exit 0 "$CONCLAB" bench --whole $tiny
contains "$T/out" '^Whole programs' "the whole programs are labelled"
if grep -q 'Loop microbenchmarks' "$T/out"; then
	fail "--whole ran the loop microbenchmarks"
fi
for c in $cases; do
	contains "$T/out" "^$c: " "the table has $c"
done
[ "$(count_lines "$T/out" '^  plain pthreads +[0-9.]+ s +- ')" -eq 5 ] ||
	fail "not 5 plain rows"
[ "$(count_lines "$T/out" '^  clab_\* API, traced +[0-9.]+ s +[0-9.]+x .*<=3x +(PASS|MISS)')" -eq 5 ] ||
	fail "not 5 conclab rows with a ratio and a verdict"
# conclab trace: left out of a ThreadSanitizer build (which it refuses),
# with its reason; in any other build, a row in every case.
trace_out='^conclab trace left out: conclab trace does not run in a ThreadSanitizer build$'
case ${2:-none} in
*thread*)
	contains "$T/out" "$trace_out" "a TSan build leaves conclab trace out"
	[ "$(count_lines "$T/out" '^  conclab trace ')" -eq 0 ] ||
		fail "a TSan build has conclab trace rows"
	;;
*)
	if grep -q '^conclab trace left out' "$T/out"; then
		fail "conclab trace left out of a build without TSan"
	fi
	[ "$(count_lines "$T/out" '^  conclab trace +[0-9.]+ s +[0-9.]+x .*<=3x +(PASS|MISS) +trace ')" -eq 5 ] ||
		fail "not 5 conclab trace rows with a ratio, a verdict and a trace"
	;;
esac
# TSan: a row in every case, or left out with its reason.
if ! grep -q '^pthreads under TSan left out: .' "$T/out"; then
	[ "$(count_lines "$T/out" '^  pthreads under TSan +[0-9.]+ s +[0-9.]+x')" -eq 5 ] ||
		fail "TSan neither in every case nor left out with a note"
fi

# The JSON: one object, the loops under "cases", the programs under "whole".
expect_exit 0 "$CONCLAB" bench --whole $tiny --json
if python3 - "$T/out" $cases <<'PY'; then
import json, sys
d = json.load(open(sys.argv[1]))
w = d["whole"]
assert d["cases"] == {}, "loop cases ran"
assert list(w["cases"]) == sys.argv[2:], list(w["cases"])
assert w["reps"] == 2 and w["scale"] == 0.0001
for k, c in w["cases"].items():
    v = c["variants"]
    assert c["output"].startswith(c["program"] + ": "), (k, c["output"])
    assert "plain" in v and "conclab" in v, (k, list(v))
    assert "trace" in v or "trace" in w["left_out"], (k, list(v))
    # TSan has figures, or is left out (from the case where it failed on)
    assert "tsan" in v or "tsan" in w["left_out"], (k, list(v))
    for name, r in v.items():
        assert r["reps"] == 2, (k, name)
        assert r["wall_s"] > 0 and r["maxrss_kb"] > 0, (k, name)
        assert (r["ratio"] is None) == (name == "plain"), (k, name)
    assert v["plain"]["trace_bytes"] == 0, k
    for name in ("conclab", "trace"):
        if name not in v:
            continue
        assert v[name]["trace_bytes"] > 0, (k, name)
        assert v[name]["target"] == "<=3x", (k, name)
        assert v[name]["pass"] == (v[name]["ratio"] <= 3), (k, name)
PY
	pass "bench --whole --json: every case, every variant"
else
	fail "bench --whole --json is not what it should be"
	head -c 2000 "$T/out"
fi

# ran_cases LOOPS WHOLE ARGS...: conclab bench ARGS --json ran the loop
# cases LOOPS and the whole programs WHOLE (names, comma-separated; "all":
# the five whole programs) and no others.
ran_cases() {
	loops=$1 whole=$2
	shift 2
	expect_exit 0 "$CONCLAB" bench "$@" $tiny --json || return
	if python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
loops, whole = sys.argv[2].split(","), sys.argv[3].split(",")
assert list(d["cases"]) == loops, list(d["cases"])
got = list(d["whole"]["cases"])
assert len(got) == 5 if whole == ["all"] else got == whole, got
' "$T/out" "$loops" "$whole"; then
		pass "bench $*: loop cases $loops, whole programs $whole"
	else
		fail "bench $* ran other cases than $loops and $whole"
	fi
}
# Cases of both families by name and number: those and no others.
ran_cases cycle_check prodcons --case prodcons,9
# --whole names a family, --case some of its cases: the whole program it
# names with --whole, every whole program when it names none.
ran_cases cycle_check timers --whole --case timers,9
ran_cases cycle_check all --case 9 --whole
# Loops only: "whole" is null.
expect_exit 0 "$CONCLAB" bench --case 9 --reps 1 --json
if python3 -c '
import json, sys
assert json.load(open(sys.argv[1]))["whole"] is None' "$T/out"; then
	pass "no whole program without --whole"
else
	fail "whole programs ran without being asked for"
fi
# Case 12: the writer's digest, both paths, in ns a record.
expect_exit 0 "$CONCLAB" bench --case 12 --quick --reps 1 --json
if python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["cases"]
assert list(c) == ["digest_fast", "digest_general"], list(c)
for k in c:
    assert c[k]["unit"] == "ns" and 0 < c[k]["conclab"] < 1000, c[k]
' "$T/out"; then
	pass "bench --case 12: the digest's two paths"
else
	fail "bench --case 12 is not what it should be"
fi

# Case 11 reads the chunks the writer writes (their form changes with the
# format) and compresses them with every codec.
expect_exit 0 "$CONCLAB" bench --case 11 --reps 1 --json
if python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["cases"]
want = ["codec_zstd_fast", "codec_zstd_m5", "codec_zstd1", "codec_zstd3",
        "codec_zlib1"]
assert list(d) == want, list(d)
assert all(d[k]["records"] > 2000000 for k in want), d' "$T/out"; then
	pass "bench --case 11 compresses the writer's chunks with each codec"
else
	fail "bench --case 11 did not read the writer's chunks"
	head -c 2000 "$T/out" "$T/err"
fi

# Usage errors.
expect_exit 2 "$CONCLAB" bench --case nosuch
contains "$T/err" "lock_heavy_1, lock_heavy_4, thread_churn, prodcons, timers" \
	"bench --case names the whole programs"
expect_exit 2 "$CONCLAB" bench --case prodcons,
expect_exit 2 "$CONCLAB" bench --case ,prodcons
expect_exit 2 "$CONCLAB" bench --case prodconsx
for s in 0 -1 abc 1e3 0.5x ''; do
	expect_exit 2 "$CONCLAB" bench --whole --scale "$s"
done
contains "$T/err" "scale wants a number" "bad --scale named"
expect_exit 2 "$CONCLAB" bench --whole --scale

# Programs that misbehave, from $CONCLAB_BENCH_DIR: the real launcher and
# plain program, and a conclab one of our own.
expect_exit 0 "$CONCLAB" bench --case prodcons $tiny --json
programs=$(python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["whole"]["programs"])' "$T/out")
F=$T/fake
mkdir "$F"
cp "$programs/spawn" "$programs/prodcons-pthread" "$F/"
fake() { # fake NAME SHELL-BODY
	printf '#!/bin/sh\n%s\n' "$2" >"$F/$1"
	chmod +x "$F/$1"
}
fake prodcons-clab 'echo "prodcons: something else"'
expect_exit 1 env CONCLAB_BENCH_DIR="$F" "$CONCLAB" bench --case prodcons $tiny
contains "$T/err" "prodcons-clab printed 'prodcons: something else', where plain printed 'prodcons: 50 items" \
	"a result unlike plain's is an error"
fake prodcons-clab 'echo "could not open the trace" >&2; exit 3'
expect_exit 1 env CONCLAB_BENCH_DIR="$F" "$CONCLAB" bench --case prodcons $tiny
contains "$T/err" "prodcons-clab 50: exit 3: could not open the trace" \
	"a failing conclab program is an error, with its message"
fake prodcons-clab 'kill -SEGV $$'
expect_exit 1 env CONCLAB_BENCH_DIR="$F" "$CONCLAB" bench --case prodcons $tiny
contains "$T/err" "prodcons-clab 50: killed by signal 11" "a crash is an error"
rm "$F/prodcons-clab"
expect_exit 1 env CONCLAB_BENCH_DIR="$F" "$CONCLAB" bench --case prodcons $tiny
contains "$T/err" "no whole-program benchmark $F/prodcons-clab" \
	"a missing program is named"
# A conclab program that prints plain's line passes; a TSan one that fails
# (as TSan does on a kernel whose memory layout it does not know) is left
# out with its message, and the bench goes on.
cp "$programs/prodcons-clab" "$F/"
fake prodcons-tsan 'echo "FATAL: ThreadSanitizer: unexpected memory mapping" >&2; exit 66'
expect_exit 0 env CONCLAB_BENCH_DIR="$F" "$CONCLAB" bench --case prodcons $tiny
if grep -q '^pthreads under TSan left out: not built' "$T/out"; then
	pass "TSan is not built here: nothing more to check"
else
	contains "$T/out" "^pthreads under TSan left out: prodcons-tsan 50: exit 66: FATAL: ThreadSanitizer" \
		"a failing TSan program is left out, with its message"
	if grep -q '^  pthreads under TSan' "$T/out"; then
		fail "a failing TSan program has a row"
	fi
fi
rm "$F/spawn"
expect_exit 1 env CONCLAB_BENCH_DIR="$F" "$CONCLAB" bench --case prodcons $tiny
contains "$T/err" "launcher $F/spawn" "a missing launcher is named"
finish
