#!/bin/sh
# conclab demo, as an instructor plays it at 80x24 without colour: the
# naive philosophers' deadlock from labs/demos, the narration box at each
# step, Space on, b and Backspace back, a click on the box, q out; the
# race, lockorder and processes demos; the philosophers in Chinese; and a
# terminal too small for it.  (SANITIZE, the second argument: meson's
# b_sanitize; the processes demo needs children that record, which a
# sanitizer's build has not.)
. "$(dirname "$0")/lib.sh"
export LANG=C LC_ALL=C
start 80 24 "NO_COLOR=1 '$CONCLAB' demo philosophers"
expect 'Step 1 of 8: The naive philosophers deadlock' "the demo opens at its first step"
expect '^\| Five philosophers sit at a round table' "with its narration in a box"
same_screen demo-start "the first step's screen"
keys Space
expect 'Step 2 of 8' "Space goes to the next step"
expect '^>18 T2  mutex.acquire fork-1' "the cursor is on the step's record"
keys Space Space Space Space Space
expect 'Step 7 of 8' "five more steps"
expect '^\| cycle closes\. Each philosopher holds one fork' "the step where the cycle closes"
same_screen demo-cycle "the screen where the cycle closes"
keys b
expect 'Step 6 of 8' "b goes back a step"
expect '^>46 T5  mutex.request fork-0' "to its record"
keys BSpace
expect 'Step 5 of 8' "Backspace goes back too"
keys l
expect 'this step is at #44; Space next' "a key of the viewer moves the cursor off the step, and the box says where it is"
keys Space Space Space
expect 'Step 8 of 8' "on to the last step"
keys Space
expect 'the last step: b goes back, q quits' "Space after the last step says so"
same_screen demo-end "the last step's screen"
keys q
expect '^EXIT=0$' "q quits with 0"
# Demos of the other labs, as a lecture shows them: a lost update, and
# two locks taken in opposite orders closing a cycle.
start 80 24 "NO_COLOR=1 '$CONCLAB' demo race"
expect 'Step 1 of 6: A lost update' "the race demo opens"
keys Space Space Space Space
expect '^>20 T1  note write=1' "to counter-1 writing over counter-2's update"
same_screen demo-race-lost "the screen where the update is lost"
keys q
expect '^EXIT=0$' "q quits the race demo"
start 80 24 "NO_COLOR=1 '$CONCLAB' demo lockorder"
expect 'Step 1 of 7: Lock order' "the lockorder demo opens"
keys Space Space Space Space Space
expect '^>18 T2  mutex.request lock-a' "to worker-2 asking for lock-a"
same_screen demo-lockorder-cycle "the screen where the two workers deadlock"
keys q
expect '^EXIT=0$' "q quits the lockorder demo"
if [ "$SANITIZE" = none ]; then
	start 80 24 "NO_COLOR=1 '$CONCLAB' demo processes"
	expect 'Step 1 of 6: Waiting for a child that waits for you' "the processes demo opens"
	keys Space Space Space Space
	expect '^>12 T2  pipe.write-wait results units=2' "to the child's wait for room"
	# the child's pid, in its thread's name, differs from run to run
	screen | sed -E 's/pid [0-9]+/pid N/g' >"$T/demo-processes-wait.txt"
	same "$T/demo-processes-wait.txt" demo-processes-wait \
		"the screen where the child waits for room and main for the child"
	keys q
	expect '^EXIT=0$' "q quits the processes demo"
fi
# In Chinese, in a UTF-8 terminal: every character two columns wide, the
# box's right edge straight, no half character.
start 80 24 "LANG=C.UTF-8 LC_ALL=C.UTF-8 NO_COLOR=1 '$CONCLAB' demo philosophers --lang zh"
expect '第 1 步，共 8 步：哲学家就餐：朴素写法的死锁' "the Chinese demo opens"
keys Space Space Space Space Space Space
expect '第 7 步，共 8 步' "six steps on"
expect '^│ phil-2 等着 phil-3 手里的 fork-3，而 phil-3 在等 phil-4 的 fork-4：环闭合 +│$' \
	"the Chinese text in the box, its edge where it belongs"
same_screen demo-zh-cycle "the Chinese screen where the cycle closes"
keys b
expect ' 空格 下一步  b 上一步  q 退出 ─┘$' "the box's own words in Chinese"
keys q
expect '^EXIT=0$' "q quits the Chinese demo"
# A terminal too small: a clear message, and q still quits.
start 60 20 "NO_COLOR=1 '$CONCLAB' demo philosophers"
expect 'terminal too small \(need 80x24\)' "a tiny terminal gets a message"
keys Space
expect 'now 60x20; q quits' "and keys do not crash it"
keys q
expect '^EXIT=0$' "q quits the tiny one with 0"
# The mouse: a click on the box goes on (batch mode, no terminal).
"$CONCLAB" demo philosophers --batch --keys '<Click:17,10>' >out 2>&1
grep -q 'Step 2 of 8' out && pass "a click on the box goes to the next step" ||
	fail "a click on the box: $(head -1 out)"
finish
