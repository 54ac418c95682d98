/*
 * Trace record kinds, object kinds and diagnostic codes.
 *
 * Each table is an X-macro and is the only place where a name, its text and
 * its on-disk number are defined.  On-disk numbers are never reused: a kind
 * that is retired keeps its number reserved.
 *
 * Record fields: every record has a sequence number, a time, a thread and a
 * site.  The flags say which of the optional fields a kind uses:
 *   O   obj   the object the record is about
 *   S   oseq  the object's own sequence number, taken while the object's
 *             lock was held; it orders the record against the other threads'
 *             records on the same object
 *   B   a8    a small code (how, cause, type)
 *   W   a32   a count or value
 *   V   val   a 64-bit value (annotations)
 */
#ifndef CONCLAB_KINDS_H
#define CONCLAB_KINDS_H

#include <stdint.h>

#define CLAB_F_OBJ 1u
#define CLAB_F_SEQ 2u
#define CLAB_F_A8 4u
#define CLAB_F_A32 8u
#define CLAB_F_VAL 16u

#define CLAB__O CLAB_F_OBJ
#define CLAB__OS (CLAB_F_OBJ | CLAB_F_SEQ)
#define CLAB__OSB (CLAB_F_OBJ | CLAB_F_SEQ | CLAB_F_A8)
#define CLAB__OSW (CLAB_F_OBJ | CLAB_F_SEQ | CLAB_F_A32)
#define CLAB__OSBW (CLAB_F_OBJ | CLAB_F_SEQ | CLAB_F_A8 | CLAB_F_A32)
#define CLAB__OB (CLAB_F_OBJ | CLAB_F_A8)
#define CLAB__OBW (CLAB_F_OBJ | CLAB_F_A8 | CLAB_F_A32)

/*
 * X(NAME, number, "text", fields, "a8 name", "a32 name",
 *   DO, THREAD, A8, A32, OBJECT, WAITED)
 * An empty argument name means the field is printed without a label.
 * The last six columns are the kind's meaning, which every reader of a
 * trace takes from here (<conclab/semantics.h>, not installed): what the
 * record does (DO: CLAB_DO_*), what it makes of its thread (THREAD:
 * CLAB_TM_*), what its a8 and a32 fields mean (CLAB_A8_*, CLAB_A32_*),
 * how it changes its object's replayed state (OBJECT: CLAB_OE_*) and which
 * earlier record on its object it waited for (WAITED: CLAB_WF_*).
 */
#define CLAB_KIND_MAP(X)                                                       \
	/* objects */                                                          \
	X(OBJ_CREATE, 1, "create", CLAB__OS, "", "", CREATE, KEEP, NONE, NONE, \
	  CREATED, NONE)                                                       \
	X(OBJ_DESTROY, 2, "destroy", CLAB__OS, "", "", DESTROY, KEEP, NONE,    \
	  NONE, DESTROYED, NONE)                                               \
	/* threads: obj is the thread's object */                              \
	X(THREAD_CREATE, 10, "thread.create", CLAB__OS, "", "", SPAWN, KEEP,   \
	  NONE, NONE, CREATED, NONE)                                           \
	X(THREAD_START, 11, "thread.start", CLAB__OS, "", "", START, RUN,      \
	  NONE, NONE, STARTED, NONE)                                           \
	X(THREAD_EXIT, 12, "thread.exit", CLAB__OS, "", "", EXIT, DONE, NONE,  \
	  NONE, ENDED, NONE)                                                   \
	X(THREAD_JOIN_WAIT, 13, "thread.join-wait", CLAB__O, "", "",           \
	  JOIN_WAIT, BLOCK, NONE, NONE, NONE, NONE)                            \
	X(THREAD_JOIN, 14, "thread.join", CLAB__OS, "", "", WAIT_END, RUN,     \
	  NONE, NONE, NONE, EXIT)                                              \
	X(THREAD_JOIN_TIMEOUT, 15, "thread.join-timeout", CLAB__O, "", "",     \
	  TIMEOUT, RUN, NONE, NONE, NONE, NONE)                                \
	X(THREAD_DETACH, 16, "thread.detach", CLAB__O, "", "", OTHER, KEEP,    \
	  NONE, NONE, NONE, NONE)                                              \
	/*                                                                     \
	 * a wait on obj (a semaphore, a thread joined) ended by the thread's  \
	 * cancellation, which it acts on next (a condition's: cond.wake)      \
	 */                                                                    \
	X(WAIT_CANCEL, 25, "wait.cancel", CLAB__OS, "", "", TIMEOUT, RUN,      \
	  NONE, NONE, NONE, NONE)                                              \
	/* a cancellation requested (pthread_cancel): obj is the target */     \
	X(THREAD_CANCEL, 17, "thread.cancel", CLAB__O, "", "", OTHER, KEEP,    \
	  NONE, NONE, NONE, NONE)                                              \
	/* mutex: a8 = how (clab_how), a32 = recursion depth */                \
	X(MUTEX_REQUEST, 20, "mutex.request", CLAB__OB, "how", "", REQUEST,    \
	  REQ, HOW, NONE, WANT, NONE)                                          \
	X(MUTEX_ACQUIRE, 21, "mutex.acquire", CLAB__OSBW, "how", "depth",      \
	  ACQUIRE, RUN, HOW, COUNT, MUTEX_TAKE, HANDOFF)                       \
	X(MUTEX_BUSY, 22, "mutex.busy", CLAB__O, "", "", BUSY, RUN, NONE,      \
	  NONE, NONE, NONE)                                                    \
	X(MUTEX_TIMEOUT, 23, "mutex.timeout", CLAB__O, "", "", TIMEOUT, RUN,   \
	  NONE, NONE, NONE, NONE)                                              \
	X(MUTEX_RELEASE, 24, "mutex.release", CLAB__OSBW, "how", "depth",      \
	  RELEASE, KEEP, HOW, COUNT, MUTEX_GIVE, NONE)                         \
	/* condition variable: a32 of wait = the mutex's object id */          \
	X(COND_WAIT, 30, "cond.wait", CLAB__OSBW, "timed", "mutex",            \
	  WAIT_BEGIN, WAIT, TIMED, OBJECT, COND_MUTEX, NONE)                   \
	X(COND_WAKE, 31, "cond.wake", CLAB__OSB, "cause", "", WAKE, RUN,       \
	  CAUSE, NONE, NONE, SIGNAL)                                           \
	X(COND_SIGNAL, 32, "cond.signal", CLAB__OSW, "", "woken", SIGNAL,      \
	  KEEP, NONE, COUNT, NONE, NONE)                                       \
	X(COND_BROADCAST, 33, "cond.broadcast", CLAB__OSW, "", "woken",        \
	  SIGNAL, KEEP, NONE, COUNT, NONE, NONE)                               \
	/* semaphore: a32 = value after */                                     \
	X(SEM_WAIT, 40, "sem.wait", CLAB__OSW, "", "value", WAIT_BEGIN, BLOCK, \
	  NONE, COUNT, VALUE, NONE)                                            \
	X(SEM_ACQUIRE, 41, "sem.acquire", CLAB__OSBW, "how", "value", ACQUIRE, \
	  RUN, HOW, COUNT, VALUE, PERMIT)                                      \
	X(SEM_BUSY, 42, "sem.busy", CLAB__OSW, "", "value", BUSY, KEEP, NONE,  \
	  COUNT, VALUE, NONE)                                                  \
	X(SEM_TIMEOUT, 43, "sem.timeout", CLAB__OSW, "", "value", TIMEOUT,     \
	  RUN, NONE, COUNT, VALUE, NONE)                                       \
	X(SEM_RELEASE, 44, "sem.release", CLAB__OSW, "", "value", RELEASE,     \
	  KEEP, NONE, COUNT, VALUE, NONE)                                      \
	/* latch (the threading.Event idea) */                                 \
	X(LATCH_WAIT, 50, "latch.wait", CLAB__OS, "", "", WAIT_BEGIN, BLOCK,   \
	  NONE, NONE, NONE, NONE)                                              \
	X(LATCH_WAKE, 51, "latch.wake", CLAB__OSB, "cause", "", WAKE, RUN,     \
	  CAUSE, NONE, NONE, SIGNAL)                                           \
	X(LATCH_SET, 52, "latch.set", CLAB__OSW, "", "woken", SIGNAL, KEEP,    \
	  NONE, COUNT, SET, NONE)                                              \
	X(LATCH_CLEAR, 53, "latch.clear", CLAB__OS, "", "", OTHER, KEEP, NONE, \
	  NONE, CLEAR, NONE)                                                   \
	/* thread-local key (clab_key_*): a8 = 1 when the value is not NULL,   \
	 * a32 = the value's id on its key (0 for NULL); end = a thread        \
	 * ended holding a value, a8 = 1 when the key's destructor ran */      \
	X(KEY_SET, 54, "key.set", CLAB__OSBW, "value", "id", OTHER, KEEP,      \
	  FLAG, COUNT, KEY_SET, NONE)                                          \
	X(KEY_GET, 55, "key.get", CLAB__OBW, "value", "id", OTHER, KEEP, FLAG, \
	  COUNT, NONE, NONE)                                                   \
	X(KEY_END, 56, "key.end", CLAB__OSBW, "destructor", "id", OTHER, KEEP, \
	  FLAG, COUNT, KEY_END, NONE)                                          \
	/* barrier: a32 = arrivals (wait) or generation (pass) */              \
	X(BARRIER_WAIT, 60, "barrier.wait", CLAB__OSW, "", "arrived",          \
	  WAIT_BEGIN, BLOCK, NONE, COUNT, ARRIVE, NONE)                        \
	X(BARRIER_PASS, 61, "barrier.pass", CLAB__OSW, "", "generation",       \
	  WAIT_END, KEEP, NONE, COUNT, PASS, ARRIVAL)                          \
	X(BARRIER_BROKEN, 62, "barrier.broken", CLAB__OS, "", "", FAIL, RUN,   \
	  NONE, NONE, BROKEN, NONE)                                            \
	X(BARRIER_ABORT, 63, "barrier.abort", CLAB__OSW, "", "woken", OTHER,   \
	  KEEP, NONE, COUNT, OPEN, NONE)                                       \
	X(BARRIER_RESET, 64, "barrier.reset", CLAB__OSW, "", "woken", OTHER,   \
	  KEEP, NONE, COUNT, OPEN, NONE)                                       \
	/* queue: a32 = depth after; a8 = op (clab_qop) */                     \
	X(QUEUE_PUT_WAIT, 70, "queue.put-wait", CLAB__OSW, "", "depth",        \
	  WAIT_BEGIN, BLOCK, NONE, COUNT, LEVEL, NONE)                         \
	X(QUEUE_PUT, 71, "queue.put", CLAB__OSW, "", "depth", WAIT_END, RUN,   \
	  NONE, COUNT, LEVEL, ITEM)                                            \
	X(QUEUE_GET_WAIT, 72, "queue.get-wait", CLAB__OSW, "", "depth",        \
	  WAIT_BEGIN, BLOCK, NONE, COUNT, LEVEL, NONE)                         \
	X(QUEUE_GET, 73, "queue.get", CLAB__OSW, "", "depth", WAIT_END, RUN,   \
	  NONE, COUNT, LEVEL, ITEM)                                            \
	X(QUEUE_TIMEOUT, 74, "queue.timeout", CLAB__OSB, "op", "", TIMEOUT,    \
	  RUN, QOP, NONE, NONE, NONE)                                          \
	X(QUEUE_FULL, 75, "queue.full", CLAB__OSW, "", "depth", BUSY, KEEP,    \
	  NONE, COUNT, LEVEL, NONE)                                            \
	X(QUEUE_EMPTY, 76, "queue.empty", CLAB__OS, "", "", BUSY, KEEP, NONE,  \
	  NONE, CLEAR, NONE)                                                   \
	X(QUEUE_TASK_DONE, 77, "queue.task-done", CLAB__OSW, "", "unfinished", \
	  OTHER, KEEP, NONE, COUNT, PENDING, NONE)                             \
	X(QUEUE_JOIN_WAIT, 78, "queue.join-wait", CLAB__OSW, "", "unfinished", \
	  JOIN_WAIT, BLOCK, NONE, COUNT, PENDING, NONE)                        \
	X(QUEUE_JOIN, 79, "queue.join", CLAB__OS, "", "", WAIT_END, RUN, NONE, \
	  NONE, NONE, TASKS)                                                   \
	X(QUEUE_CLOSE, 80, "queue.close", CLAB__OSW, "", "woken", OTHER, KEEP, \
	  NONE, COUNT, CLOSED, NONE)                                           \
	X(QUEUE_CLOSED, 81, "queue.closed", CLAB__OSB, "op", "", FAIL, RUN,    \
	  QOP, NONE, NONE, NONE)                                               \
	/* timers: a32 = delay in ms (arm) or tick number */                   \
	X(TIMER_ARM, 90, "timer.arm", CLAB__OSW, "", "ms", TIMER, KEEP, NONE,  \
	  MS, SET, NONE)                                                       \
	X(TIMER_FIRE, 91, "timer.fire", CLAB__OS, "", "", TIMER, KEEP, NONE,   \
	  NONE, CLEAR, NONE)                                                   \
	X(TIMER_CANCEL, 92, "timer.cancel", CLAB__OSB, "in-time", "", TIMER,   \
	  KEEP, FLAG, NONE, CLEAR, NONE)                                       \
	X(PTIMER_TICK, 93, "ptimer.tick", CLAB__OSW, "", "tick", TIMER, KEEP,  \
	  NONE, COUNT, LEVEL, NONE)                                            \
	X(PTIMER_WAIT, 94, "ptimer.wait", CLAB__OSW, "", "after", TIMER_WAIT,  \
	  BLOCK, NONE, COUNT, NONE, NONE)                                      \
	X(PTIMER_WAKE, 95, "ptimer.wake", CLAB__OSW, "", "tick", TIMER, RUN,   \
	  NONE, COUNT, LEVEL, TICK)                                            \
	/* reader-writer lock: a8 = how, or write (1) or read (0); */          \
	/* a32 = readers holding it after the record */                        \
	X(RW_READ_REQUEST, 103, "rwlock.read-request", CLAB__OSBW, "how",      \
	  "readers", REQUEST, REQ, HOW, COUNT, READ_WANT, NONE)                \
	X(RW_READ_ACQUIRE, 104, "rwlock.read-acquire", CLAB__OSBW, "how",      \
	  "readers", ACQUIRE, RUN, HOW, COUNT, READ_TAKE, ROOM)                \
	X(RW_WRITE_REQUEST, 105, "rwlock.write-request", CLAB__OSBW, "how",    \
	  "readers", REQUEST, REQ, HOW, COUNT, WANT, NONE)                     \
	X(RW_WRITE_ACQUIRE, 106, "rwlock.write-acquire", CLAB__OSB, "how", "", \
	  ACQUIRE, RUN, HOW, NONE, WRITE_TAKE, ROOM)                           \
	X(RW_RELEASE, 107, "rwlock.release", CLAB__OSBW, "write", "readers",   \
	  RELEASE, KEEP, FLAG, COUNT, RW_GIVE, NONE)                           \
	X(RW_BUSY, 108, "rwlock.busy", CLAB__OSBW, "write", "readers", BUSY,   \
	  KEEP, FLAG, COUNT, NONE, NONE)                                       \
	X(RW_TIMEOUT, 109, "rwlock.timeout", CLAB__OSBW, "write", "readers",   \
	  TIMEOUT, RUN, FLAG, COUNT, NONE, NONE)                               \
	/* thread pool and futures: a pool's records are on the pool, a        \
	 * task's on its future (submit: a32 = the future's object id, or      \
	 * 0 when refused; shutdown: a32 = pending tasks cancelled;            \
	 * set/cancel: a32 = callbacks to run; callback: a8 = 1 when it        \
	 * ran at once because the future was done already) */                 \
	X(POOL_SUBMIT, 121, "pool.submit", CLAB__OSBW, "refused", "future",    \
	  OTHER, KEEP, FLAG, OBJECT_ID, TAKEN, NONE)                           \
	X(POOL_SHUTDOWN, 122, "pool.shutdown", CLAB__OSBW, "wait",             \
	  "cancelled", OTHER, KEEP, FLAG, COUNT, CLOSED, NONE)                 \
	X(POOL_TASK_START, 123, "pool.task-start", CLAB__OS, "", "", OTHER,    \
	  KEEP, NONE, NONE, RUNS, NONE)                                        \
	X(POOL_TASK_END, 124, "pool.task-end", CLAB__OS, "", "", OTHER, KEEP,  \
	  NONE, NONE, NONE, NONE)                                              \
	X(FUTURE_SET, 125, "future.set", CLAB__OSW, "", "callbacks", OTHER,    \
	  KEEP, NONE, COUNT, DONE, NONE)                                       \
	X(FUTURE_CANCEL, 126, "future.cancel", CLAB__OSW, "", "callbacks",     \
	  OTHER, KEEP, NONE, COUNT, CANCELLED, NONE)                           \
	X(FUTURE_CALLBACK, 127, "future.callback", CLAB__OSB, "late", "",      \
	  OTHER, KEEP, FLAG, NONE, NONE, NONE)                                 \
	/* processes and pipes (runtime/proc.c): spawn a32 = the child's       \
	 * pid; reaped a32 = its exit status (128 + signal if killed);         \
	 * a pipe's records a32 = its messages in flight after the call,       \
	 * before the wait; close a8 = the end (0 read, 1 write).  Waiting     \
	 * for a child, or for a pipe to bring work, is a join: starvation     \
	 * does not judge it */                                                \
	X(PROC_SPAWN, 82, "process.spawn", CLAB__OSW, "", "pid", OTHER, KEEP,  \
	  NONE, COUNT, NONE, NONE)                                             \
	X(PROC_WAIT, 83, "process.wait", CLAB__OS, "", "", JOIN_WAIT, BLOCK,   \
	  NONE, NONE, NONE, NONE)                                              \
	X(PROC_REAPED, 84, "process.reaped", CLAB__OSW, "", "status",          \
	  WAIT_END, RUN, NONE, COUNT, NONE, NONE)                              \
	X(PIPE_WRITE_WAIT, 85, "pipe.write-wait", CLAB__OSW, "", "units",      \
	  WAIT_BEGIN, BLOCK, NONE, COUNT, LEVEL, NONE)                         \
	X(PIPE_WRITE, 86, "pipe.write", CLAB__OSW, "", "units", WAIT_END, RUN, \
	  NONE, COUNT, VALUE, NONE)                                            \
	X(PIPE_READ_WAIT, 87, "pipe.read-wait", CLAB__OSW, "", "units",        \
	  JOIN_WAIT, BLOCK, NONE, COUNT, LEVEL, NONE)                          \
	X(PIPE_READ, 88, "pipe.read", CLAB__OSW, "", "units", WAIT_END, RUN,   \
	  NONE, COUNT, VALUE, NONE)                                            \
	X(PIPE_EOF, 89, "pipe.eof", CLAB__OS, "", "", FAIL, RUN, NONE, NONE,   \
	  NONE, NONE)                                                          \
	X(PIPE_CLOSE, 96, "pipe.close", CLAB__OSB, "end", "", OTHER, KEEP,     \
	  FLAG, NONE, NONE, NONE)                                              \
	X(PIPE_BROKEN, 97, "pipe.broken", CLAB__OS, "", "", FAIL, RUN, NONE,   \
	  NONE, NONE, NONE)                                                    \
	/* the thread sleeps (a32 = ms) */                                     \
	X(SLEEP_BEGIN, 100, "sleep", CLAB_F_A32, "", "ms", SLEEP, SLEEP, NONE, \
	  MS, NONE, NONE)                                                      \
	X(SLEEP_END, 101, "wake-up", 0, "", "", SLEEP, RUN, NONE, NONE, NONE,  \
	  NONE)                                                                \
	/* annotation: the label is in the site, val and a32 are values */     \
	X(NOTE, 110, "note", CLAB_F_VAL | CLAB_F_A32, "", "", NOTE, KEEP,      \
	  NONE, COUNT, NONE, NONE)                                             \
	/* diagnostic: a8 = clab_diag code, a32 = detail (object id, value) */ \
	X(DIAG, 120, "diag", CLAB_F_OBJ | CLAB_F_A8 | CLAB_F_A32, "", "",      \
	  DIAG, KEEP, DIAG, DETAIL, NONE, NONE)

enum clab_kind {
#define CLAB__KIND_ENUM(name, num, ...) CLAB_K_##name = num,
	CLAB_KIND_MAP(CLAB__KIND_ENUM)
#undef CLAB__KIND_ENUM
};

#define CLAB_KIND_MAX 128 /* every kind number is below this */
/*
 * 119 is no kind: the trace format (1.8) writes a mutex's acquire and its
 * release as one record of that kind byte.
 */

/* Object kinds.  X(NAME, number, "text") */
#define CLAB_OBJKIND_MAP(X)                                                    \
	X(THREAD, 1, "thread")                                                 \
	X(MUTEX, 2, "mutex")                                                   \
	X(COND, 3, "cond")                                                     \
	X(SEM, 4, "sem")                                                       \
	X(LATCH, 5, "latch")                                                   \
	X(BARRIER, 6, "barrier")                                               \
	X(QUEUE, 7, "queue")                                                   \
	X(TIMER, 8, "timer")                                                   \
	X(PTIMER, 9, "ptimer")                                                 \
	X(RWLOCK, 10, "rwlock")                                                \
	X(POOL, 11, "pool")                                                    \
	X(FUTURE, 12, "future")                                                \
	X(PROCESS, 13, "process")                                              \
	X(PIPE, 14, "pipe")                                                    \
	X(KEY, 15, "key")

enum clab_objkind {
#define CLAB__OK_ENUM(name, num, text) CLAB_O_##name = num,
	CLAB_OBJKIND_MAP(CLAB__OK_ENUM)
#undef CLAB__OK_ENUM
};

/* How a lock or semaphore was taken or released (a8). */
#define CLAB_HOW_MAP(X)                                                        \
	X(BLOCK, 0, "block")                                                   \
	X(TRY, 1, "try")                                                       \
	X(TIMED, 2, "timed")                                                   \
	X(COND, 3, "cond")

enum clab_how {
#define CLAB__HOW_ENUM(name, num, text) CLAB_HOW_##name = num,
	CLAB_HOW_MAP(CLAB__HOW_ENUM)
#undef CLAB__HOW_ENUM
};

/* Why a waiter woke up (a8 of cond.wake and latch.wake). */
#define CLAB_CAUSE_MAP(X)                                                      \
	X(SIGNAL, 0, "signal")                                                 \
	X(BROADCAST, 1, "broadcast")                                           \
	X(TIMEOUT, 2, "timeout")                                               \
	X(SPURIOUS, 3, "spurious")                                             \
	X(SET, 4, "set")                                                       \
	X(ALREADY, 5, "already-set")                                           \
	/* the thread's cancellation (pthread_cancel) ended the wait */        \
	X(CANCEL, 6, "cancel")

enum clab_cause {
#define CLAB__CAUSE_ENUM(name, num, text) CLAB_CAUSE_##name = num,
	CLAB_CAUSE_MAP(CLAB__CAUSE_ENUM)
#undef CLAB__CAUSE_ENUM
};

/* Queue operations (a8 of queue.timeout and queue.closed). */
#define CLAB_QOP_MAP(X)                                                        \
	X(PUT, 0, "put")                                                       \
	X(GET, 1, "get")                                                       \
	X(JOIN, 2, "join")

enum clab_qop {
#define CLAB__QOP_ENUM(name, num, text) CLAB_QOP_##name = num,
	CLAB_QOP_MAP(CLAB__QOP_ENUM)
#undef CLAB__QOP_ENUM
};

/*
 * Diagnostics (a8 of a diag record).
 * X(NAME, number, "tag", "text", "detail", DETAIL)
 * The tag is a stable short name for tools; the text is for people.  The
 * detail is what the record's a32 means, by that name: COUNT a number,
 * DETAIL a number shown only when it is not 0, OBJECT an object's id,
 * THREAD a thread's, BADOBJ why an object was refused (CLAB_BADOBJ_MAP);
 * <conclab/semantics.h> looks it up (clab_diag_detail).
 */
#define CLAB_DIAG_MAP(X)                                                       \
	X(UNLOCK_NOT_OWNER, 1, "unlock-not-owner",                             \
	  "unlock by a thread that does not hold the mutex", "owner", THREAD)  \
	X(UNLOCK_UNLOCKED, 2, "unlock-unlocked",                               \
	  "unlock of a mutex that is not locked", "detail", DETAIL)            \
	X(RELOCK, 3, "relock",                                                 \
	  "the owner locked a non-recursive lock again (self-deadlock)",       \
	  "detail", DETAIL)                                                    \
	X(SEM_OVER_RELEASE, 4, "sem-over-release",                             \
	  "bounded semaphore released more times than it was acquired",        \
	  "detail", DETAIL)                                                    \
	X(COND_NO_MUTEX, 5, "cond-without-mutex",                              \
	  "wait on a condition variable without holding its mutex", "detail",  \
	  DETAIL)                                                              \
	X(COND_TWO_MUTEXES, 6, "cond-two-mutexes",                             \
	  "one condition variable used with two different mutexes", "detail",  \
	  DETAIL)                                                              \
	X(DESTROY_HELD, 7, "destroy-held", "destroy of a mutex that is held",  \
	  "detail", DETAIL)                                                    \
	X(DESTROY_BUSY, 8, "destroy-busy",                                     \
	  "destroy of an object that threads are waiting on", "detail",        \
	  DETAIL)                                                              \
	X(LOCK_ORDER, 9, "lock-order",                                         \
	  "lock order violation: a lock was taken out of the global order",    \
	  "held", OBJECT)                                                      \
	X(DEADLOCK, 10, "deadlock", "deadlock: no thread can make progress",   \
	  "blocked", COUNT)                                                    \
	X(JOIN_SELF, 11, "join-self", "a thread tried to join itself",         \
	  "detail", DETAIL)                                                    \
	X(EXIT_HOLDING, 12, "exit-holding",                                    \
	  "a thread ended while holding a lock", "detail", DETAIL)             \
	X(RUN_TIMEOUT, 13, "run-timeout",                                      \
	  "the run exceeded its time limit (livelock or a very slow run)",     \
	  "blocked", COUNT)                                                    \
	X(BLOCKED, 14, "blocked",                                              \
	  "this thread was blocked when the deadlock was detected", "waits",   \
	  OBJECT)                                                              \
	X(LOCK_CYCLE, 15, "lock-cycle",                                        \
	  "this lock request closed a lock-order cycle: a potential deadlock", \
	  "cycle", COUNT)                                                      \
	X(LOCK_CYCLE_TIMED, 16, "lock-cycle-timed",                            \
	  "a lock-order cycle that only a lock timeout keeps from "            \
	  "deadlocking",                                                       \
	  "cycle", COUNT)                                                      \
	X(LOCK_CYCLE_LATENT, 17, "lock-cycle-latent",                          \
	  "one thread took locks in both orders: two threads could deadlock",  \
	  "cycle", COUNT)                                                      \
	X(STEP_LIMIT, 18, "step-limit",                                        \
	  "the run exceeded its step limit under the controlled scheduler "    \
	  "(livelock or busy waiting)",                                        \
	  "steps", COUNT)                                                      \
	X(BAD_OBJECT, 19, "bad-object",                                        \
	  "an object that was never initialised, was destroyed, or is not "    \
	  "what the call expects",                                             \
	  "detail", BADOBJ)                                                    \
	X(BAD_VALUE, 20, "bad-value",                                          \
	  "a value out of range: a count above 2147483647 or a barrier of "    \
	  "no parties",                                                        \
	  "value", COUNT)                                                      \
	X(KEY_IN_USE, 21, "key-in-use",                                        \
	  "delete of a key that threads still hold values of: their "          \
	  "destructors would never run",                                       \
	  "values", COUNT)                                                     \
	X(STUCK_ELSEWHERE, 22, "stuck-elsewhere",                              \
	  "every live thread was blocked, on what only another program could " \
	  "end: a deadlock unless one does (the watchdog's notice)",           \
	  "blocked", COUNT)

enum clab_diag {
#define CLAB__DIAG_ENUM(name, num, ...) CLAB_D_##name = num,
	CLAB_DIAG_MAP(CLAB__DIAG_ENUM)
#undef CLAB__DIAG_ENUM
};

/*
 * Why an object was refused (a bad-object diagnostic's a32: the reason in
 * bits 0-7, the kind the call expects in bits 8-15, the kind found in
 * bits 16-23 when the object is a real one of another kind or was
 * initialised already).  X(NAME, number, "text")
 */
#define CLAB_BADOBJ_MAP(X)                                                     \
	X(NULL, 1, "null")                                                     \
	X(POINTER, 2, "bad-pointer")                                           \
	X(UNINIT, 3, "never-initialised")                                      \
	X(DESTROYED, 4, "destroyed")                                           \
	X(WRONG_KIND, 5, "wrong-kind")                                         \
	X(EARLIER_TRACE, 6, "earlier-trace")                                   \
	X(CORRUPT, 7, "corrupt")                                               \
	X(INIT_TWICE, 8, "initialised-twice")                                  \
	X(JOINED, 9, "joined")                                                 \
	X(DETACHED, 10, "detached")                                            \
	X(NOT_CREATED, 11, "not-created")                                      \
	X(OF_PARENT, 12, "of-parent")

enum clab_badobj {
#define CLAB__BADOBJ_ENUM(name, num, text) CLAB_BADOBJ_##name = num,
	CLAB_BADOBJ_MAP(CLAB__BADOBJ_ENUM)
#undef CLAB__BADOBJ_ENUM
};

/* Names and field flags; all return "?" or 0 for unknown numbers. */
const char *clab_kind_name(unsigned kind);
unsigned clab_kind_fields(unsigned kind);
const char *clab_kind_a8name(unsigned kind);
const char *clab_kind_a32name(unsigned kind);
int clab_kind_valid(unsigned kind);
/*
 * Whether a record of this kind may begin a blocking wait (a contended
 * lock, a condition, semaphore, latch, barrier, queue, join or periodic
 * timer wait): its thread may then sleep until another wakes it.
 */
int clab_kind_begins_wait(unsigned kind);
const char *clab_objkind_name(unsigned objkind);
const char *clab_how_name(unsigned how);
const char *clab_cause_name(unsigned cause);
const char *clab_qop_name(unsigned op);
const char *clab_badobj_name(unsigned why);
const char *clab_diag_tag(unsigned diag);
const char *clab_diag_text(unsigned diag);

#endif
