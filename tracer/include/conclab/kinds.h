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
 * X(NAME, number, "text", fields, "a8 name", "a32 name")
 * An empty argument name means the field is printed without a label.
 */
#define CLAB_KIND_MAP(X)                                                       \
	/* objects */                                                          \
	X(OBJ_CREATE, 1, "create", CLAB__OS, "", "")                           \
	X(OBJ_DESTROY, 2, "destroy", CLAB__OS, "", "")                         \
	/* threads: obj is the thread's object */                              \
	X(THREAD_CREATE, 10, "thread.create", CLAB__OS, "", "")                \
	X(THREAD_START, 11, "thread.start", CLAB__OS, "", "")                  \
	X(THREAD_EXIT, 12, "thread.exit", CLAB__OS, "", "")                    \
	X(THREAD_JOIN_WAIT, 13, "thread.join-wait", CLAB__O, "", "")           \
	X(THREAD_JOIN, 14, "thread.join", CLAB__OS, "", "")                    \
	X(THREAD_JOIN_TIMEOUT, 15, "thread.join-timeout", CLAB__O, "", "")     \
	X(THREAD_DETACH, 16, "thread.detach", CLAB__O, "", "")                 \
	/* a cancellation requested (pthread_cancel): obj is the target */     \
	X(THREAD_CANCEL, 17, "thread.cancel", CLAB__O, "", "")                 \
	/* mutex: a8 = how (clab_how), a32 = recursion depth */                \
	X(MUTEX_REQUEST, 20, "mutex.request", CLAB__OB, "how", "")             \
	X(MUTEX_ACQUIRE, 21, "mutex.acquire", CLAB__OSBW, "how", "depth")      \
	X(MUTEX_BUSY, 22, "mutex.busy", CLAB__O, "", "")                       \
	X(MUTEX_TIMEOUT, 23, "mutex.timeout", CLAB__O, "", "")                 \
	X(MUTEX_RELEASE, 24, "mutex.release", CLAB__OSBW, "how", "depth")      \
	/* condition variable: a32 of wait = the mutex's object id */          \
	X(COND_WAIT, 30, "cond.wait", CLAB__OSBW, "timed", "mutex")            \
	X(COND_WAKE, 31, "cond.wake", CLAB__OSB, "cause", "")                  \
	X(COND_SIGNAL, 32, "cond.signal", CLAB__OSW, "", "woken")              \
	X(COND_BROADCAST, 33, "cond.broadcast", CLAB__OSW, "", "woken")        \
	/* semaphore: a32 = value after */                                     \
	X(SEM_WAIT, 40, "sem.wait", CLAB__OSW, "", "value")                    \
	X(SEM_ACQUIRE, 41, "sem.acquire", CLAB__OSBW, "how", "value")          \
	X(SEM_BUSY, 42, "sem.busy", CLAB__OSW, "", "value")                    \
	X(SEM_TIMEOUT, 43, "sem.timeout", CLAB__OSW, "", "value")              \
	X(SEM_RELEASE, 44, "sem.release", CLAB__OSW, "", "value")              \
	/* latch (the threading.Event idea) */                                 \
	X(LATCH_WAIT, 50, "latch.wait", CLAB__OS, "", "")                      \
	X(LATCH_WAKE, 51, "latch.wake", CLAB__OSB, "cause", "")                \
	X(LATCH_SET, 52, "latch.set", CLAB__OSW, "", "woken")                  \
	X(LATCH_CLEAR, 53, "latch.clear", CLAB__OS, "", "")                    \
	/* barrier: a32 = arrivals (wait) or generation (pass) */              \
	X(BARRIER_WAIT, 60, "barrier.wait", CLAB__OSW, "", "arrived")          \
	X(BARRIER_PASS, 61, "barrier.pass", CLAB__OSW, "", "generation")       \
	X(BARRIER_BROKEN, 62, "barrier.broken", CLAB__OS, "", "")              \
	X(BARRIER_ABORT, 63, "barrier.abort", CLAB__OSW, "", "woken")          \
	X(BARRIER_RESET, 64, "barrier.reset", CLAB__OSW, "", "woken")          \
	/* queue: a32 = depth after; a8 = op (clab_qop) */                     \
	X(QUEUE_PUT_WAIT, 70, "queue.put-wait", CLAB__OSW, "", "depth")        \
	X(QUEUE_PUT, 71, "queue.put", CLAB__OSW, "", "depth")                  \
	X(QUEUE_GET_WAIT, 72, "queue.get-wait", CLAB__OSW, "", "depth")        \
	X(QUEUE_GET, 73, "queue.get", CLAB__OSW, "", "depth")                  \
	X(QUEUE_TIMEOUT, 74, "queue.timeout", CLAB__OSB, "op", "")             \
	X(QUEUE_FULL, 75, "queue.full", CLAB__OSW, "", "depth")                \
	X(QUEUE_EMPTY, 76, "queue.empty", CLAB__OS, "", "")                    \
	X(QUEUE_TASK_DONE, 77, "queue.task-done", CLAB__OSW, "", "unfinished") \
	X(QUEUE_JOIN_WAIT, 78, "queue.join-wait", CLAB__OSW, "", "unfinished") \
	X(QUEUE_JOIN, 79, "queue.join", CLAB__OS, "", "")                      \
	X(QUEUE_CLOSE, 80, "queue.close", CLAB__OSW, "", "woken")              \
	X(QUEUE_CLOSED, 81, "queue.closed", CLAB__OSB, "op", "")               \
	/* timers: a32 = delay in ms (arm) or tick number */                   \
	X(TIMER_ARM, 90, "timer.arm", CLAB__OSW, "", "ms")                     \
	X(TIMER_FIRE, 91, "timer.fire", CLAB__OS, "", "")                      \
	X(TIMER_CANCEL, 92, "timer.cancel", CLAB__OSB, "in-time", "")          \
	X(PTIMER_TICK, 93, "ptimer.tick", CLAB__OSW, "", "tick")               \
	X(PTIMER_WAIT, 94, "ptimer.wait", CLAB__OSW, "", "after")              \
	X(PTIMER_WAKE, 95, "ptimer.wake", CLAB__OSW, "", "tick")               \
	/* reader-writer lock: a8 = how, or write (1) or read (0); */          \
	/* a32 = readers holding it after the record */                        \
	X(RW_READ_REQUEST, 103, "rwlock.read-request", CLAB__OSBW, "how",      \
	  "readers")                                                           \
	X(RW_READ_ACQUIRE, 104, "rwlock.read-acquire", CLAB__OSBW, "how",      \
	  "readers")                                                           \
	X(RW_WRITE_REQUEST, 105, "rwlock.write-request", CLAB__OSBW, "how",    \
	  "readers")                                                           \
	X(RW_WRITE_ACQUIRE, 106, "rwlock.write-acquire", CLAB__OSB, "how", "") \
	X(RW_RELEASE, 107, "rwlock.release", CLAB__OSBW, "write", "readers")   \
	X(RW_BUSY, 108, "rwlock.busy", CLAB__OSBW, "write", "readers")         \
	X(RW_TIMEOUT, 109, "rwlock.timeout", CLAB__OSBW, "write", "readers")   \
	/* thread pool and futures: a pool's records are on the pool, a        \
	 * task's on its future (submit: a32 = the future's object id, or      \
	 * 0 when refused; shutdown: a32 = pending tasks cancelled;            \
	 * set/cancel: a32 = callbacks to run; callback: a8 = 1 when it        \
	 * ran at once because the future was done already) */                 \
	X(POOL_SUBMIT, 121, "pool.submit", CLAB__OSBW, "refused", "future")    \
	X(POOL_SHUTDOWN, 122, "pool.shutdown", CLAB__OSBW, "wait",             \
	  "cancelled")                                                         \
	X(POOL_TASK_START, 123, "pool.task-start", CLAB__OS, "", "")           \
	X(POOL_TASK_END, 124, "pool.task-end", CLAB__OS, "", "")               \
	X(FUTURE_SET, 125, "future.set", CLAB__OSW, "", "callbacks")           \
	X(FUTURE_CANCEL, 126, "future.cancel", CLAB__OSW, "", "callbacks")     \
	X(FUTURE_CALLBACK, 127, "future.callback", CLAB__OSB, "late", "")      \
	/* processes and pipes (runtime/proc.c): spawn a32 = the child's       \
	 * pid; reaped a32 = its exit status (128 + signal if killed);         \
	 * a pipe's records a32 = its messages in flight after the call,       \
	 * before the wait; close a8 = the end (0 read, 1 write) */            \
	X(PROC_SPAWN, 82, "process.spawn", CLAB__OSW, "", "pid")               \
	X(PROC_WAIT, 83, "process.wait", CLAB__OS, "", "")                     \
	X(PROC_REAPED, 84, "process.reaped", CLAB__OSW, "", "status")          \
	X(PIPE_WRITE_WAIT, 85, "pipe.write-wait", CLAB__OSW, "", "units")      \
	X(PIPE_WRITE, 86, "pipe.write", CLAB__OSW, "", "units")                \
	X(PIPE_READ_WAIT, 87, "pipe.read-wait", CLAB__OSW, "", "units")        \
	X(PIPE_READ, 88, "pipe.read", CLAB__OSW, "", "units")                  \
	X(PIPE_EOF, 89, "pipe.eof", CLAB__OS, "", "")                          \
	X(PIPE_CLOSE, 96, "pipe.close", CLAB__OSB, "end", "")                  \
	X(PIPE_BROKEN, 97, "pipe.broken", CLAB__OS, "", "")                    \
	/* the thread sleeps (a32 = ms) */                                     \
	X(SLEEP_BEGIN, 100, "sleep", CLAB_F_A32, "", "ms")                     \
	X(SLEEP_END, 101, "wake-up", 0, "", "")                                \
	/* annotation: the label is in the site, val and a32 are values */     \
	X(NOTE, 110, "note", CLAB_F_VAL | CLAB_F_A32, "", "")                  \
	/* diagnostic: a8 = clab_diag code, a32 = detail (object id, value) */ \
	X(DIAG, 120, "diag", CLAB_F_OBJ | CLAB_F_A8 | CLAB_F_A32, "", "")

enum clab_kind {
#define CLAB__KIND_ENUM(name, num, text, fields, a8, a32) CLAB_K_##name = num,
	CLAB_KIND_MAP(CLAB__KIND_ENUM)
#undef CLAB__KIND_ENUM
};

#define CLAB_KIND_MAX 128 /* every kind number is below this */

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
	X(PIPE, 14, "pipe")

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
	X(ALREADY, 5, "already-set")

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
 * Diagnostics (a8 of a diag record).  X(NAME, number, "tag", "text")
 * The tag is a stable short name for tools; the text is for people.
 */
#define CLAB_DIAG_MAP(X)                                                       \
	X(UNLOCK_NOT_OWNER, 1, "unlock-not-owner",                             \
	  "unlock by a thread that does not hold the mutex")                   \
	X(UNLOCK_UNLOCKED, 2, "unlock-unlocked",                               \
	  "unlock of a mutex that is not locked")                              \
	X(RELOCK, 3, "relock",                                                 \
	  "the owner locked a non-recursive mutex again (self-deadlock)")      \
	X(SEM_OVER_RELEASE, 4, "sem-over-release",                             \
	  "bounded semaphore released more times than it was acquired")        \
	X(COND_NO_MUTEX, 5, "cond-without-mutex",                              \
	  "wait on a condition variable without holding its mutex")            \
	X(COND_TWO_MUTEXES, 6, "cond-two-mutexes",                             \
	  "one condition variable used with two different mutexes")            \
	X(DESTROY_HELD, 7, "destroy-held", "destroy of a mutex that is held")  \
	X(DESTROY_BUSY, 8, "destroy-busy",                                     \
	  "destroy of an object that threads are waiting on")                  \
	X(LOCK_ORDER, 9, "lock-order",                                         \
	  "lock order violation: a lock was taken out of the global order")    \
	X(DEADLOCK, 10, "deadlock", "deadlock: no thread can make progress")   \
	X(JOIN_SELF, 11, "join-self", "a thread tried to join itself")         \
	X(EXIT_HOLDING, 12, "exit-holding",                                    \
	  "a thread ended while holding a mutex")                              \
	X(RUN_TIMEOUT, 13, "run-timeout",                                      \
	  "the run exceeded its time limit (livelock or a very slow run)")     \
	X(BLOCKED, 14, "blocked",                                              \
	  "this thread was blocked when the deadlock was detected")            \
	X(LOCK_CYCLE, 15, "lock-cycle",                                        \
	  "this lock request closed a lock-order cycle: a potential deadlock") \
	X(LOCK_CYCLE_TIMED, 16, "lock-cycle-timed",                            \
	  "a lock-order cycle that only a lock timeout keeps from "            \
	  "deadlocking")                                                       \
	X(LOCK_CYCLE_LATENT, 17, "lock-cycle-latent",                          \
	  "one thread took locks in both orders: two threads could deadlock")  \
	X(STEP_LIMIT, 18, "step-limit",                                        \
	  "the run exceeded its step limit under the controlled scheduler "    \
	  "(livelock or busy waiting)")                                        \
	X(BAD_OBJECT, 19, "bad-object",                                        \
	  "an object that was never initialised, was destroyed, or is not "    \
	  "what the call expects")                                             \
	X(BAD_VALUE, 20, "bad-value",                                          \
	  "a value out of range: a count above 2147483647 or a barrier of "    \
	  "no parties")

enum clab_diag {
#define CLAB__DIAG_ENUM(name, num, tag, text) CLAB_D_##name = num,
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
	X(NOT_CREATED, 11, "not-created")

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
