#!/bin/sh
# conclab demo without a terminal: every script of labs/demos loads, its
# run follows its schedule and each step finds its record (--check); one
# demo for each lab, in English and Chinese, each played to its last step
# (--batch); scripts that are malformed, or whose schedule no longer makes
# their run, are refused with the script's name, the line and exit 2.
# (tests/tui/demo.sh plays demos in a terminal.)
#
# usage: sh tests/e2e/demo.sh CONCLAB [SANITIZE]
# (SANITIZE: meson's b_sanitize; in a sanitizer build the processes lab's
# children record nothing, runtime/proc.c, so its demo cannot find the
# child's steps: it is left out, and --check of every script fails on it)
SANITIZE=${2:-none}
. "$(dirname "$0")/lib.sh"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
D=$SRC/labs/demos
if [ "$SANITIZE" = none ]; then
	SCRIPTS=$(ls "$D"/*.demo)
	all=0 # demo --check's exit code
else
	SCRIPTS=$(ls "$D"/*.demo | grep -v '/processes-')
	all=2
fi

expect_exit 0 "$CONCLAB" demo --help
contains "$T/out" '^usage: conclab demo' "demo --help"
n=$(echo "$SCRIPTS" | wc -l)
expect_exit $all "$CONCLAB" demo --check
[ "$(grep -c '^ok ' "$T/out")" -eq "$n" ] && pass "demo --check: each of the $n scripts loads and reproduces" ||
	fail "demo --check: $(grep -c '^ok ' "$T/out") ok lines for $n scripts"
[ "$(grep -c '; narration en zh$' "$T/out")" -eq "$n" ] && pass "every script narrates in English and Chinese" ||
	fail "scripts without Chinese: $(grep -v 'narration en zh$' "$T/out")"
for lab in philosophers prodcons timer race lockorder rlock rwlock semaphore \
	startup barrier stop pool actor coop processes tls; do
	[ "$SANITIZE" = none ] || [ "$lab" != processes ] || continue
	expect_exit 0 "$CONCLAB" demo --check "$lab"
	contains "$T/out" "^ok .*/$lab-[a-z-]+\\.demo: $lab/" "the lab $lab has a demo"
done
contains "$T/out" 'ends in a check failed \(exit 1\)' "--check says how the run ended"
# Every script plays to its last step, in each language, without error.
for f in $SCRIPTS; do
	name=$(basename "$f" .demo)
	steps=$(grep -c '^at ' "$f")
	keys=$(i=1; while [ $i -lt "$steps" ]; do printf '<Space>'; i=$((i + 1)); done)
	expect_exit 0 "$CONCLAB" demo --script "$f" --batch --keys "$keys<Space>" --no-color
	contains "$T/out" "Step $steps of $steps: " "$name plays to its last step"
	contains "$T/out" 'the last step: b goes back, q quits' "$name: Space there says it is the last"
	LANG=C.UTF-8 LC_ALL=C.UTF-8 expect_exit 0 "$CONCLAB" demo --script "$f" --lang zh \
		--batch --keys "$keys" --no-color
	contains "$T/out" "第 $steps 步，共 $steps 步：" "$name plays to its last step in Chinese"
	contains "$T/out" ' 结束  b 上一步  q 退出 ' "$name: the box's own words in Chinese"
done
expect_exit 0 "$CONCLAB" demo --check philosophers --variant naive
contains "$T/out" 'philosophers/naive, 63 records, 8 steps, ends in a deadlock \(exit 3\)' \
	"the philosophers' demo: the deadlock, every step found"
expect_exit 0 "$CONCLAB" demo --list
contains "$T/out" '^  philosophers-naive\.demo +philosophers/naive: ' "--list names the demos"
# The first screen, without a terminal.
expect_exit 0 "$CONCLAB" demo philosophers --batch --keys '<Space><Space>' --no-color
contains "$T/out" 'Step 3 of 8: The naive philosophers deadlock' "--batch --keys plays the steps"

# Wrong uses of the command.
expect_exit 2 "$CONCLAB" demo
contains "$T/err" 'which lab' "no lab: asked which"
expect_exit 2 "$CONCLAB" demo philosophers </dev/null
contains "$T/err" 'needs a terminal' "no terminal: refused"
expect_exit 2 "$CONCLAB" demo nosuchlab --check
contains "$T/err" "no lab called 'nosuchlab'" "an unknown lab"
expect_exit 2 "$CONCLAB" demo philosophers --variant ordered --check
contains "$T/err" 'no demo of philosophers --variant ordered' "a variant without a demo"
# LAB (and --variant) with --script: the script must be their demo.
expect_exit 0 "$CONCLAB" demo philosophers --variant naive --check --script "$D/philosophers-naive.demo"
expect_exit 2 "$CONCLAB" demo prodcons --check --script "$D/philosophers-naive.demo"
contains "$T/err" 'philosophers-naive\.demo:5: a demo of philosophers, not of prodcons' "a script of another lab"
expect_exit 2 "$CONCLAB" demo philosophers --variant ordered --check --script "$D/philosophers-naive.demo"
contains "$T/err" 'naive\.demo:6: a demo of philosophers --variant naive, not --variant ordered' "a script of another variant"
expect_exit 2 "$CONCLAB" demo --check --script nosuch.demo
contains "$T/err" 'nosuch.demo: cannot read it' "a script that is not there"

# A script whose schedule no longer makes its run (as when the lab
# changed): refused, naming the script and the schedule's line.  P is the
# philosophers' script in English only (the Chinese has its own tests).
P=en.demo
awk '/^title-zh /{next} /^zh$/{z=1; next} z && /^[ \t]/{next} {z=0; print}' \
	"$D/philosophers-naive.demo" >"$P"
expect_exit 0 "$CONCLAB" demo --check --script "$P"
contains "$T/out" '8 steps, .*; narration en$' "a script in English only is a script"
sed 's/^schedule .*/schedule 1.1.Eg/' "$P" >wrong.demo
expect_exit 2 "$CONCLAB" demo --check --script wrong.demo
contains "$T/err" '^conclab demo: wrong\.demo:7: the run did not follow this schedule' \
	"a wrong schedule: the script, its line and why"
# The same schedule with another seed makes another run: refused too.
sed 's/^seed 1/seed 2/' "$P" >seed.demo
expect_exit 2 "$CONCLAB" demo --check --script seed.demo
contains "$T/err" 'seed\.demo:7: the run did not follow this schedule' "another seed"
# The interactive path refuses it the same way, before any terminal.
expect_exit 2 "$CONCLAB" demo --script wrong.demo --batch
contains "$T/err" 'wrong\.demo:7: the run did not follow' "played, it is refused too"

# Malformed scripts: each error names the file and the line.
bad() { # bad NAME PATTERN WHAT (the script is bad.demo)
	expect_exit 2 "$CONCLAB" demo --check --script bad.demo
	contains "$T/err" "^conclab demo: bad\\.demo:$2" "$3"
}
sed 's/^seed 1/sed 1/' "$P" >bad.demo
bad 6 "6: unknown line 'sed'" "an unknown line"
{ echo '  text first'; cat "$P"; } >bad.demo
bad 1 "1: text before the first 'at' line" "text before any step"
sed 's/^schedule .*/schedule not-a-schedule/' "$P" >bad.demo
bad 7 "7: 'not-a-schedule' is not a schedule string" "a schedule that is not one"
sed 's/^variant naive/variant nosuch/' "$P" >bad.demo
bad 5 "5: philosophers has no variant 'nosuch'" "an unknown variant"
sed 's/^seed 1/seed 1\nparam meals 0/' "$P" >bad.demo
bad 7 "7: meals wants a number in 1\\.\\.1000, not '0'" "a parameter out of range"
sed 's/^seed 1/seed 1\nparam forks 5/' "$P" >bad.demo
bad 7 "7: philosophers has no parameter 'forks'" "an unknown parameter"
sed 's/^seed 1/seed 1\nseed 2/' "$P" >bad.demo
bad 7 "7: a second 'seed' line \\(the first is line 6\\)" "a header line twice"
{ cat "$P"; echo 'seed 2'; } >bad.demo
bad 0 "[0-9]+: 'seed' belongs before the first 'at' line" "a header line after the steps"
{ cat "$P"; echo 'at end'; } >bad.demo
bad 0 "[0-9]+: no text for this step" "a step without text"
{ cat "$P"; printf 'at phil-9 mutex.acquire\n\tno such record\n'; } >bad.demo
bad 0 "[0-9]+: no record from #56 on matches 'phil-9 mutex.acquire'" "a step whose record is not in the run"
# Steps are found in order: a record before the previous step's is not.
{ cat "$P"; printf 'at phil-1 mutex.acquire fork-1\n\tagain\n'; } >bad.demo
bad 0 "[0-9]+: no record from #56 on matches 'phil-1 mutex.acquire fork-1'" "a step before the previous one"
# Whole words: fork-4 is not fork-40, nor phil-4 phil-40.
{ cat "$P"; printf 'at fork\n\ta part of a name\n'; } >bad.demo
bad 0 "[0-9]+: no record from #56 on matches 'fork'" "a word matches whole names only"
{ cat "$P"; printf 'at #63\n\tpast the end\n'; } >bad.demo
bad 0 "[0-9]+: no record #63: the run has 63 records" "a record number past the run"
{ cat "$P"; printf 'at end\n\tcaf\303\251\n'; } >bad.demo
bad 0 "[0-9]+: byte 0xc3 in column 5" "a byte that is not ASCII"
{ cat "$P"; echo 'at end'; i=0; while [ $i -lt 8 ]; do
	echo '	aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo'
	i=$((i + 1)); done; } >bad.demo
bad 0 "[0-9]+: the English text takes [0-9]+ lines at 80 columns; at most 6 fit" "a text too long for the box"
# Chinese: a 'zh' line under a step's English text, the Chinese indented
# below it; every step has it or none; UTF-8 there only.
Z=$D/philosophers-naive.demo
expect_exit 2 "$CONCLAB" demo philosophers --lang fr --check
contains "$T/err" "--lang wants en or zh, not 'fr'" "an unknown language"
LANG=C.UTF-8 LC_ALL=C.UTF-8 expect_exit 2 "$CONCLAB" demo --script "$P" --lang zh --batch
contains "$T/err" "en\\.demo: no Chinese narration in it" "--lang zh of a script in English only"
LANG=C LC_ALL=C expect_exit 2 "$CONCLAB" demo philosophers --lang zh --batch
contains "$T/err" "Chinese narration needs a UTF-8 locale" "--lang zh in a locale that cannot show it"
LANG=C.UTF-8 LC_ALL=C.UTF-8 expect_exit 2 "$CONCLAB" demo philosophers --lang zh --batch --ascii
contains "$T/err" "Chinese narration needs a UTF-8 locale .* and no --ascii" "--lang zh with --ascii"
expect_exit 0 "$CONCLAB" demo philosophers --batch --no-color
contains "$T/out" 'Five philosophers sit at a round table' "without --lang: English"
lacks "$T/out" '哲学家' "and no Chinese"
LANG=C.UTF-8 LC_ALL=C.UTF-8 expect_exit 0 "$CONCLAB" demo philosophers --lang zh --batch --no-color
contains "$T/out" '五位哲学家围坐在圆桌旁' "--lang zh: the Chinese text"
contains "$T/out" '第 1 步，共 8 步：哲学家就餐：朴素写法的死锁' "and the Chinese title"
{ cat "$P"; printf 'zh\n\t中文\n'; } >bad.demo
bad 0 "[0-9]+: no Chinese text for this step, though the script has some" "Chinese for one step only"
{ cat "$Z"; printf 'at end\n\tEnglish only\n'; } >bad.demo
bad 0 "[0-9]+: no Chinese text for this step, though the script has some" "a step without its Chinese"
{ cat "$Z"; printf 'zh\n\t中\n'; } >bad.demo
bad 0 "[0-9]+: a second 'zh' for this step \\(the first is line [0-9]+\\)" "two Chinese texts for a step"
sed 's/^title-zh .*/title-zh X/; /^title /a zh' "$Z" >bad.demo
bad 4 "4: 'zh' belongs under a step" "'zh' before any step"
sed 's/^title-zh .*/title-zh \xe4\xb8/' "$Z" >bad.demo
bad 4 "4: byte 0xe4 in column 10 is not UTF-8 text" "a title that is not UTF-8"
sed '0,/^zh$/{/^zh$/{n;s/^\t.*/\t\xe4\xb8\xad\x01/}}' "$Z" >bad.demo
bad 0 "[0-9]+: byte 0x01 in column 5 is not UTF-8 text" "a control byte in Chinese text"
sed 's/^title .*/title caf\xc3\xa9/' "$Z" >bad.demo
bad 3 "3: byte 0xc3 in column 10: the header and the English text are printable ASCII" "non-ASCII in the English title"
# zh_step N: a last step whose Chinese is N lines of 38 characters (76
# columns each, a line of the box).
zh_step() {
	cat "$Z"
	printf 'at end\n\tEnglish\nzh\n'
	i=0
	while [ $i -lt "$1" ]; do
		printf '\t%s\n' '一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八'
		i=$((i + 1))
	done
}
zh_step 7 >bad.demo
bad 0 "[0-9]+: the Chinese text takes 7 lines at 80 columns; at most 6 fit" "Chinese too long: two columns a character"
zh_step 6 >ok.demo
expect_exit 0 "$CONCLAB" demo --check --script ok.demo
contains "$T/out" '9 steps' "six lines of 38 characters fit"
grep -v '^schedule' "$P" >bad.demo
expect_exit 2 "$CONCLAB" demo --check --script bad.demo
contains "$T/err" "^conclab demo: bad\\.demo: no 'schedule' line" "a script without a schedule"
sed '/^at /,$d' "$P" >bad.demo
expect_exit 2 "$CONCLAB" demo --check --script bad.demo
contains "$T/err" "^conclab demo: bad\\.demo: no step" "a script without steps"

# Ctrl-C while the run is made: it is the run's.  conclab demo lives on
# through it (the terminal sends it to both), waits for the run, removes
# its directory and ends with the run's 130.  The run is stopped while the
# signals are sent, so that it is still there; the run is short (its
# schedule ends it early), so a catch that comes as it ends (it does not
# stop) is tried again.  With "parent", the Ctrl-C reaches conclab demo
# only, as one that comes too late for the run, which goes on to its end:
# conclab demo stops all the same (it went on as if it never got it).
sed 's/^param threads 2/param threads 8/; s/^param rounds 2/param rounds 100000/' \
	"$D/race-unlocked.demo" >long.demo
for who in both parent; do
if python3 - "$CONCLAB" long.demo $who <<'PY' >ctrlc.out 2>&1; then
import os, signal, subprocess, sys, time

def state(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"

def catch():
    """conclab demo, its run stopped once it writes to its directory"""
    p = subprocess.Popen([sys.argv[1], "demo", "--check", "--script",
                          sys.argv[2]], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, start_new_session=True)
    kids = "/proc/%d/task/%d/children" % (p.pid, p.pid)
    deadline = time.time() + 20
    while time.time() < deadline and p.poll() is None:
        try:
            with open(kids) as f:
                c = f.read().split()
        except OSError:
            c = []
        if not c:
            continue
        kid = int(c[0])
        os.kill(kid, signal.SIGSTOP)
        try:
            out = os.readlink("/proc/%d/fd/1" % kid)
        except OSError:
            out = ""
        if "/conclab-demo-" not in out:
            os.kill(kid, signal.SIGCONT)
            continue
        # stopped for sure, not caught as it ended
        while state(kid) not in ("T", "Z", "X", "gone") and \
                time.time() < deadline:
            time.sleep(0.001)
        if state(kid) == "T":
            return p, kid, os.path.dirname(out)
        break
    p.kill()
    p.communicate()
    return None

for attempt in range(20):
    got = catch()
    if got:
        break
assert got, "no run to catch"
p, child, box = got
os.kill(p.pid, signal.SIGINT)
time.sleep(0.3)
assert p.poll() is None, "conclab demo ended on Ctrl-C (%s)" % p.returncode
if sys.argv[3] == "both":
    os.kill(child, signal.SIGINT)
os.kill(child, signal.SIGCONT)
out, err = p.communicate(timeout=30)
assert p.returncode == 130, (p.returncode, err)
assert b"interrupted" in err, err
assert not os.path.exists(box), box + " left behind"
PY
	pass "Ctrl-C during the run ($who): exit 130, nothing left behind"
else
	fail "Ctrl-C during the run ($who)"
	sed 's/^/  | /' ctrlc.out
fi
done
finish
