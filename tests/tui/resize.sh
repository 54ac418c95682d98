# Resizing: 80x24, too small at 60x20, back to 80x24, larger.
. "$(dirname "$0")/lib.sh"
record prodcons condvar pc.clt || finish
export LANG=C.UTF-8 LC_ALL=C.UTF-8
start 80 24 "'$CONCLAB' replay pc.clt"
expect '^ record 0/' "opens in 80x24"
tm resize-window -t t -x 60 -y 20
expect 'terminal too small \(need 80x24\)' "60x20 says the terminal is too small"
expect 'now 60x20' "and how big it is"
absent '^Records' "no garbage from the normal layout"
tm resize-window -t t -x 80 -y 24
expect '^ record 0/' "back to 80x24, the viewer recovers"
absent 'too small' "the message is gone"
tm resize-window -t t -x 160 -y 50
expect '^Records [0-9]+ ' "160x50 still draws the log"
keys q
expect '^EXIT=0$' "q quits with exit code 0"
finish
