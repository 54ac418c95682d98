# No colour and a plain C locale: ASCII only, NO_COLOR and --no-color;
# a damaged trace; SIGTERM restores the terminal.
. "$(dirname "$0")/lib.sh"
record philosophers naive ph.clt || finish
export LANG=C LC_ALL=C
start 80 24 "NO_COLOR=1 '$CONCLAB' replay --deadlock ph.clt"
expect 'DEADLOCK: wait-for cycle' "--deadlock opens at the deadlock"
expect 'T1>T2>T3>T4>T5>T1' "the cycle in ASCII"
expect '^Records [0-9]+ +\|Objects' "ASCII lines in a C locale"
if screen | LC_ALL=C grep -q "$(printf '[\200-\377]')"; then
	fail "only ASCII on the screen in a C locale"
else
	pass "only ASCII on the screen in a C locale"
fi
keys q
expect '^EXIT=0$' "q quits"

start 80 24 "'$CONCLAB' replay --no-color --at 44 ph.clt"
expect '^ record 44/' "--no-color and --at 44"
keys q
expect '^EXIT=0$' "q quits"

# cut the file in the middle of a chunk: opens what is whole, with a warning
size=$(wc -c <ph.clt)
head -c $((size - 40)) ph.clt >cut.clt
start 80 24 "'$CONCLAB' replay cut.clt"
expect 'DAMAGED TRACE' "a truncated trace opens with a warning"
keys q
expect '^EXIT=0$' "q quits"

start 80 24 "sh -c 'echo \$\$ >pid; exec \"$CONCLAB\" replay ph.clt'"
expect '^ record 0/' "opens"
pid=$(cat pid 2>/dev/null || true)
if [ -n "$pid" ]; then
	kill -TERM "$pid"
	expect '^EXIT=143$' "SIGTERM ends it with 128+15"
	absent 'Threads|Records' "the terminal is restored after SIGTERM"
else
	fail "could not find the viewer's process"
fi
finish
