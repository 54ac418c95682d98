# The options each command's table declares (listed by its --help) are
# the options docs/conclab.1's synopsis of that command names: none missing,
# none extra.  sh tests/e2e/options.sh CONCLAB MANPAGE
. "$(dirname "$0")/lib.sh"
MAN=${2:?usage: $0 conclab docs/conclab.1}
case $MAN in /*) ;; *) MAN=$OLDPWD/$MAN ;; esac

cmds=$("$CONCLAB" --help | sed -n '/^Commands:/,/^$/ s/^  \([a-z]*\) .*/\1/p')
[ -n "$cmds" ] && pass "conclab --help lists the commands" ||
	fail "conclab --help lists no commands"

# help_opts CMD: "-s --long" of every option line of its --help, one a line
help_opts() {
	"$CONCLAB" "$1" --help | sed -n '/^Options:/,/^$/p' |
		sed -n 's/^  \(-[a-zA-Z]\), \(--[a-z][a-z0-9-]*\).*/\1 \2/p
			s/^  \(--[a-z][a-z0-9-]*\).*/\1/p' |
		grep -v -e '^-h --help$'
}

# man_opts CMD FILE: the options its synopsis lines in FILE name, one a line
man_opts() {
	awk -v cmd="$1" '
		/^\.SH/ { syn = ($2 == "SYNOPSIS"); on = 0 }
		syn && $1 == ".B" && $2 == "conclab" { on = ($3 == cmd) }
		syn && /^\.br/ { on = 0 }
		on { print }' "$2" |
		sed 's/\\-/-/g; s/\\f[BIPR]//g' |
		grep -o -E -- '(^|[^a-zA-Z0-9-])(--[a-z][a-z0-9-]*|-[a-zA-Z])' |
		sed 's/^[^-]*//' | sort -u
}

# check CMD FILE: prints each option only one of the two names
check() {
	help_opts "$1" >"$T/help-$1"
	man_opts "$1" "$2" >"$T/man-$1"
	while read -r s l; do
		[ -n "$s" ] || continue
		grep -qx -e "$s" -e "${l:-$s}" "$T/man-$1" ||
			echo "$1 ${l:-$s}: in --help, not in the synopsis"
	done <"$T/help-$1"
	while read -r o; do
		grep -q -w -e "$o" "$T/help-$1" ||
			echo "$1 $o: in the synopsis, not in --help"
	done <"$T/man-$1"
}

# usage_check CMD FILE: the options the usage line in FILE (a --help)
# names that CMD's --help does not list
usage_check() {
	sed -n '1,/^$/p' "$2" |
		grep -o -E -- '(^|[^a-zA-Z0-9-])(--[a-z][a-z0-9-]*|-[a-zA-Z])' |
		sed 's/^[^-]*//' | sort -u | while read -r o; do
		help_opts "$1" | grep -q -w -e "$o" ||
			echo "$1 $o: in the usage line, not in the options"
	done
}

for c in $cmds; do
	"$CONCLAB" "$c" --help >"$T/usage-help"
	usage_check "$c" "$T/usage-help" >"$T/usage-$c"
	if [ -s "$T/usage-$c" ]; then
		fail "conclab $c: its usage line names another option:"
		sed 's/^/  /' "$T/usage-$c"
	else
		pass "conclab $c: its usage line names its options only"
	fi
	check "$c" "$MAN" >"$T/diff"
	[ -s "$T/help-$c" ] || [ "$c" = help ] ||
		fail "conclab $c --help lists no options"
	if [ -s "$T/diff" ]; then
		fail "conclab $c: --help and conclab.1 differ:"
		sed 's/^/  /' "$T/diff"
	else
		pass "conclab $c: --help and conclab.1 name the same options"
	fi
done

# The check itself: a synopsis without an option, or with one more, fails.
sed '/^\.B conclab dump/,/^\.br/ s/^\.RB \[ \\-o$/.RB [/' "$MAN" >"$T/less.1"
[ -n "$(check dump "$T/less.1")" ] &&
	pass "a synopsis that lacks an option is caught" ||
	fail "a synopsis that lacks -o is not caught"
sed '/^\.B conclab analyze/ a .RB [ \\-\\-frobnicate ]' "$MAN" >"$T/more.1"
[ -n "$(check analyze "$T/more.1")" ] &&
	pass "a synopsis with an option --help lacks is caught" ||
	fail "a synopsis with --frobnicate is not caught"

printf 'usage: conclab dump [--frobnicate] [-o FILE] TRACE\n\n' >"$T/bad-usage"
[ -n "$(usage_check dump "$T/bad-usage")" ] &&
	pass "a usage line with an option the table lacks is caught" ||
	fail "a usage line with --frobnicate is not caught"

# Old spellings still work: '_' reads as '-'.
expect_exit 0 "$CONCLAB" run philosophers --variant ordered --think_ms 0 \
	--eat-ms 0 --meals 2 -q --trace t.clt
expect_exit 2 "$CONCLAB" dump --output
contains "$T/err" "needs a value" "an option without its value says so"
expect_exit 2 "$CONCLAB" analyze --json=yes t.clt
contains "$T/err" "takes no value" "a flag with a value says so"
expect_exit 2 "$CONCLAB" check --starvation-ms 0 t.clt
contains "$T/err" "wants milliseconds" "an out-of-range value says the range"
expect_exit 0 "$CONCLAB" run philosophers --variant=ordered --time_limit=30 \
	--think-ms=0 --eat_ms 0 --meals 2 -q --trace t2.clt
expect_exit 2 "$CONCLAB" run philosophers --think-ms=abc
contains "$T/err" "think_ms wants a number in 0\.\.10000, not 'abc'" \
	"a parameter's bad value, with = too"
expect_exit 2 "$CONCLAB" run philosophers --seed=-1
contains "$T/err" "seed wants a number >= 0, not '-1'" "a negative seed"
expect_exit 2 "$CONCLAB" run philosophers -q=1
expect_exit 2 "$CONCLAB" run philosophers -qq
contains "$T/err" "unknown option '-qq'" "short options do not combine"
expect_exit 2 "$CONCLAB" explore philosophers --sched random
contains "$T/err" "explore picks the schedules itself" "explore refuses --sched"
expect_exit 2 "$CONCLAB" step philosophers --pct-depth 3
contains "$T/err" "you are the scheduler here" "step refuses --pct-depth"
expect_exit 2 "$CONCLAB" trace --time-limit 0 true
contains "$T/err" "time-limit wants seconds" "trace --time-limit 0"
expect_exit 2 "$CONCLAB" trace --
contains "$T/err" "which program" "trace -- and nothing else"
expect_exit 2 "$CONCLAB" export --format=chrome -o
contains "$T/err" "-o needs a value" "a short option without its value"
lines=$(wc -l <"$T/err")
[ "$(head -n 1 "$T/err")" = "conclab export: -o needs a value" ] &&
	[ "$lines" -eq 3 ] && pass "a usage error: one line, then the usage" ||
	fail "a usage error's message is not one line then the usage"
finish
