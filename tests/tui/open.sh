# The viewer in a UTF-8 terminal: open, step, jump, search, deadlock, help, quit.
. "$(dirname "$0")/lib.sh"
record philosophers naive ph.clt || finish
export LANG=C.UTF-8 LC_ALL=C.UTF-8
# from the source tree, so that the sites' files are found
start 80 24 "cd '$SRC' && '$CONCLAB' replay '$T/ph.clt'"
expect '^ record 0/[0-9]+ .*philosophers/naive' "opens at record 0 with the lab in the status line"
expect '^>T0 main' "a lane per thread, T0 selected"
expect 'T5 phil-4' "the fifth philosopher's lane"
keys l
expect '^ record 1/' "l steps forward"
keys Right Right h
expect '^ record 2/' "Right twice and h back"
keys : 4 4 Enter
expect '^ record 44/' ":44 jumps to record 44"
keys g / m u t e x . r e q u e s t Enter
expect '^>[ 0-9]+ T[0-9]+ +mutex.request fork' "search finds a request"
expect '^philosophers.c:140 take_forks' "the request's site"
expect 'clab_mutex_lock' "the source line of the site"
keys D
expect '^ record [0-9]+/.*' "D jumps"
expect 'DEADLOCK: wait-for cycle' "the deadlock panel"
expect 'T[0-9] wants fork-[0-9], held by T[0-9]' "who waits on what, held by whom"
expect 'T1→T2→T3→T4→T5→T1' "the cycle as text, in UTF-8"
expect 'diag deadlock' "the log at the deadlock record"
keys g
expect '^ record 0/' "g goes to the start"
keys / d e a d l o c k Enter
expect 'diag deadlock' "search finds the deadlock record"
keys '?'
expect 'Keys \(any key closes this help\)' "? opens the help"
expect 'jump to the deadlock' "help lists keys from the key table"
keys Escape
expect '^Records [0-9]+' "a key closes the help"
absent 'any key closes' "help closed"
keys q
expect '^EXIT=0$' "q quits with exit code 0"
absent 'Threads|Records' "the terminal is restored (the viewer's screen is gone)"
finish
