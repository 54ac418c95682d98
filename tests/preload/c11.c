/*
 * A program on C11's <threads.h>: a bounded buffer with mtx_t and cnd_t
 * (two producers, two consumers), a recursive mutex, the try and timed
 * forms against a held mutex, a timed wait nobody signals, thrd_sleep,
 * thrd_yield, a detached thread, thrd_exit's result, and two mutexes taken
 * in both orders, one thread after the other (no deadlock, but a
 * lock-order cycle).  It prints what each call gave, which must be the
 * same under conclab trace as without.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <threads.h>
#include <time.h>

#define SLOTS 4
#define ITEMS 500

static mtx_t m, rec, held, a, b, odd;
static cnd_t room, items, never, left;
static int buf[SLOTS], head, count, detached_done;
static long sum;

static int producer(void *arg)
{
	int base = *(int *)arg;
	for (int i = 1; i <= ITEMS; i++) {
		mtx_lock(&m);
		while (count == SLOTS)
			cnd_wait(&room, &m);
		buf[(head + count++) % SLOTS] = base + i;
		cnd_signal(&items);
		mtx_unlock(&m);
	}
	return 0;
}

static int consumer(void *arg)
{
	(void)arg;
	long got = 0;
	for (int i = 0; i < ITEMS; i++) {
		mtx_lock(&m);
		while (count == 0)
			cnd_wait(&items, &m);
		got += buf[head];
		head = (head + 1) % SLOTS;
		count--;
		cnd_signal(&room);
		mtx_unlock(&m);
	}
	mtx_lock(&m);
	sum += got;
	mtx_unlock(&m);
	thrd_exit(7); /* the join gets 7 */
}

/*
 * holder takes held and keeps it until main has tried it twice: flags,
 * not sleeps of a fixed length, which a loaded machine outran (main's
 * trylock came before the holder's lock, or after its unlock).
 */
static atomic_int has_it, tried;

static void nap(void)
{
	thrd_sleep(&(struct timespec){0, 1000000}, NULL); /* 1 ms */
}

static int holder(void *arg)
{
	(void)arg;
	mtx_lock(&held);
	atomic_store(&has_it, 1);
	while (!atomic_load(&tried))
		nap();
	mtx_unlock(&held);
	return 3;
}

static int ba(void *arg)
{
	(void)arg;
	mtx_lock(&b); /* ba takes b */
	mtx_lock(&a);
	mtx_unlock(&a);
	mtx_unlock(&b);
	return 0;
}

static int detached(void *arg)
{
	(void)arg;
	thrd_yield();
	mtx_lock(&m);
	detached_done = 1;
	cnd_broadcast(&left);
	mtx_unlock(&m);
	return 0;
}

static struct timespec in_ms(long ms)
{
	struct timespec t;
	timespec_get(&t, TIME_UTC);
	t.tv_nsec += ms * 1000000L;
	t.tv_sec += t.tv_nsec / 1000000000L;
	t.tv_nsec %= 1000000000L;
	return t;
}

int main(void)
{
	int bad = mtx_init(&m, mtx_plain) | mtx_init(&rec, mtx_recursive) |
		  mtx_init(&held, mtx_timed) | mtx_init(&a, mtx_plain) |
		  mtx_init(&b, mtx_plain) | cnd_init(&room) | cnd_init(&items) |
		  cnd_init(&never) | cnd_init(&left);
	int other = mtx_init(&odd, 42); /* a type C11 does not name */
	if (other == thrd_success)
		mtx_destroy(&odd);
	printf("c11: init %s, type 42 gives %d\n", bad ? "failed" : "ok",
	       other);

	thrd_t t[4];
	int base[2] = {0, 1000}, res[4];
	thrd_create(&t[0], producer, &base[0]);
	thrd_create(&t[1], producer, &base[1]);
	thrd_create(&t[2], consumer, NULL);
	thrd_create(&t[3], consumer, NULL);
	for (int i = 0; i < 4; i++)
		thrd_join(t[i], &res[i]);
	printf("c11: sum %ld, results %d %d %d %d\n", sum, res[0], res[1],
	       res[2], res[3]);

	int r1 = mtx_lock(&rec), r2 = mtx_lock(&rec);
	mtx_unlock(&rec);
	mtx_unlock(&rec);
	printf("c11: recursive %d %d\n", r1, r2);

	thrd_t h;
	thrd_create(&h, holder, NULL);
	while (!atomic_load(&has_it)) /* holder has it */
		nap();
	int busy = mtx_trylock(&held) == thrd_busy;
	struct timespec ts = in_ms(5);
	int timedout = mtx_timedlock(&held, &ts) == thrd_timedout;
	atomic_store(&tried, 1);
	ts = in_ms(5000);
	int later = mtx_timedlock(&held, &ts);
	mtx_unlock(&held);
	int hres;
	thrd_join(h, &hres);
	printf("c11: trylock busy %d, timedlock timed out %d, then %d, "
	       "holder %d\n",
	       busy, timedout, later, hres);

	mtx_lock(&m);
	ts = in_ms(10);
	int waited = cnd_timedwait(&never, &m, &ts) == thrd_timedout;
	mtx_unlock(&m);
	printf("c11: cnd_timedwait timed out %d\n", waited);

	mtx_lock(&a); /* main takes a */
	mtx_lock(&b); /* then b */
	mtx_unlock(&b);
	mtx_unlock(&a);
	thrd_t o;
	thrd_create(&o, ba, NULL);
	thrd_join(o, NULL);

	thrd_t d;
	thrd_create(&d, detached, NULL);
	int det = thrd_detach(d);
	mtx_lock(&m);
	while (!detached_done)
		cnd_wait(&left, &m);
	mtx_unlock(&m);
	printf("c11: detached %d, done %d\n", det, detached_done);

	mtx_destroy(&m);
	mtx_destroy(&rec);
	mtx_destroy(&held);
	cnd_destroy(&room);
	cnd_destroy(&items);
	cnd_destroy(&never);
	cnd_destroy(&left);
	/*
	 * The detached thread may still be on its way out: the process ends
	 * with its last thread, once that one's end is recorded (a return
	 * here ended the process under it now and then, "1 thread(s) never
	 * ended").
	 */
	thrd_exit(0);
}
