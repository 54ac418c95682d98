#!/bin/sh
# Misused objects reach the grader as misuse: a solution whose semaphore
# was never initialised runs (each call on it refused), its trace holds
# bad-object diagnostics with their sites, and check fails "no misuse"
# with them and exits 1, while the other properties still hold.
X=$(cd "$(dirname "$0")/../exercises" && pwd)
. "$(dirname "$0")/lib.sh"
command -v "${CC:-cc}" >/dev/null 2>&1 || { echo "no C compiler: skipped"; exit 77; }

expect_exit 1 "$CONCLAB" exercise philosophers -q --time-limit 60 \
	--trace "$T/p.clt" "$X/philosophers-noinit.c"
contains "$T/out" '^  FAIL no misuse .*\(bad-object\) in phil-[0-9] on a sem that is never-initialised at .*philosophers-noinit\.c:[0-9]+' "exercise: the misuse, what and where"
contains "$T/out" '^  ok   meals eaten' "exercise: the run went on"
contains "$T/out" '^  ok   no deadlock' "exercise: no deadlock"

expect_exit 1 "$CONCLAB" check "$T/p.clt"
contains "$T/out" '^  FAIL no misuse .*bad-object' "check: fails no misuse"
grep -c 'FAIL' "$T/out" | grep -qx 1 || fail "check: only no misuse fails"

"$CONCLAB" dump "$T/p.clt" >"$T/dump" 2>&1 || fail "dump"
contains "$T/dump" 'diag .*bad-object why=never-initialised want=sem @ .*philosophers-noinit\.c:[0-9]+ get_forks' "dump: why, the kind and the site"
"$CONCLAB" export --format jsonl -o "$T/p.jsonl" "$T/p.clt" >/dev/null 2>&1 ||
	fail "export jsonl"
contains "$T/p.jsonl" '"diag":"bad-object".*"why":"never-initialised","want":"sem"' "jsonl: why and the kind"

finish
