/*
 * actor - threads that own their state and talk only through mailboxes.
 *
 * An actor is a thread with a mailbox (a conclab queue): whoever wants
 * something of it sends a message, and the actor handles its messages
 * one at a time, in the order they came.  It stops when it gets the exit
 * sentinel, a message that means "no more messages", which close()
 * sends.  An exchange (publish/subscribe) keeps a list of subscribed
 * actors and sends every message published to each of them (the Actor,
 * ActorExit and Exchange of the tutorials behind the lab:
 * docs/sources.md).
 *
 * Variants:
 *   mailbox       main sends `messages` messages to one actor, closes
 *                 it and joins it: correct
 *   pubsub        `subscribers` actors attach to the exchange "news";
 *                 main publishes, then detaches and closes each: correct
 *   no-sentinel   mailbox without the close: the actor waits for a next
 *                 message forever and main waits for the actor: deadlock
 *   close-early   pubsub where a publisher thread publishes, and main
 *                 detaches and closes the subscribers without waiting
 *                 for the publisher first: messages are lost
 *
 * Annotations: "publish" (message) by the sender of each message (main,
 * or the publisher); "recv" (message, actor) by an actor for each message
 * it handles; "exit" (actor) by an actor when it gets the sentinel.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <conclab/runtime.h>

#include "lab.h"

#define MAX_SUBS 16

enum { V_MAILBOX, V_PUBSUB, V_NOSENTINEL, V_EARLY, V_COUNT };

enum { P_SUBS, P_MESSAGES, P_WORK, P_COUNT };

static const struct clab_lab_param params[P_COUNT] = {
    [P_SUBS] = {"subscribers",
		"actors attached to the exchange (mailbox and no-sentinel: "
		"always 1)",
		3, 1, MAX_SUBS},
    [P_MESSAGES] = {"messages", "messages sent", 5, 1, 1000},
    [P_WORK] = {"work_ms",
		"time an actor takes for a message (close-early: the "
		"publisher's pause between messages too), ms",
		1, 0, 10000},
};

static const struct clab_lab_variant variants[V_COUNT] = {
    [V_MAILBOX] =
	{
	    .name = "mailbox",
	    .summary = "messages to one actor, then the exit sentinel",
	    .expect = 0,
	},
    [V_PUBSUB] =
	{
	    .name = "pubsub",
	    .summary = "an exchange sends each message to every subscriber",
	    .expect = 0,
	},
    [V_NOSENTINEL] =
	{
	    .name = "no-sentinel",
	    .summary = "messages to one actor, and no exit sentinel",
	    .bug = "the actor waits for a next message forever, and main "
		   "waits for the actor: deadlock",
	    .expect = 3,
	},
    [V_EARLY] =
	{
	    .name = "close-early",
	    .summary = "subscribers closed while a publisher still "
		       "publishes",
	    .bug = "messages published after main detached a subscriber "
		   "never reach it",
	    .expect = 1,
	},
};

/* The exit sentinel: a message no sender sends by mistake. */
static char exit_sentinel;

struct actor {
	const struct clab_lab_ctx *ctx;
	clab_queue_t mailbox;
	clab_thread_t *th;
	unsigned idx;
	char name[24];
};

struct exchange {
	clab_mutex_t lock;
	struct actor *subs[MAX_SUBS];
	unsigned n;
};

static int actor_send(struct actor *a, void *msg)
{
	return clab_queue_put(&a->mailbox, msg);
}

/* Send the exit sentinel: the actor handles what came before, then ends. */
static int actor_close(struct actor *a)
{
	return actor_send(a, &exit_sentinel);
}

static void *actor_main(void *arg)
{
	struct actor *a = arg;
	long work = a->ctx->param[P_WORK];
	void *msg;

	while (clab_queue_get(&a->mailbox, &msg) == 0) {
		if (msg == &exit_sentinel) {
			clab_note("exit", a->idx);
			clab_lab_say(a->ctx, "%s got the exit sentinel",
				     a->name);
			break;
		}
		clab_note2("recv", (intptr_t)msg, a->idx);
		clab_lab_say(a->ctx, "%s got message %ld", a->name,
			     (long)(intptr_t)msg);
		if (work > 0)
			clab_sleep_ms((uint32_t)work);
	}
	return NULL;
}

static void attach(struct exchange *x, struct actor *a)
{
	clab_mutex_lock(&x->lock);
	x->subs[x->n++] = a;
	clab_mutex_unlock(&x->lock);
}

static void detach(struct exchange *x, struct actor *a)
{
	clab_mutex_lock(&x->lock);
	for (unsigned i = 0; i < x->n; i++)
		if (x->subs[i] == a) {
			x->subs[i] = x->subs[--x->n];
			break;
		}
	clab_mutex_unlock(&x->lock);
}

/* Send msg to every subscriber, under the lock: one order for all. */
static void publish(struct exchange *x, long msg)
{
	clab_mutex_lock(&x->lock);
	clab_note("publish", msg);
	for (unsigned i = 0; i < x->n; i++)
		actor_send(x->subs[i], (void *)(intptr_t)msg);
	clab_mutex_unlock(&x->lock);
}

struct publisher {
	const struct clab_lab_ctx *ctx;
	struct exchange *x;
};

static void *publisher_main(void *arg)
{
	struct publisher *p = arg;
	long work = p->ctx->param[P_WORK];

	for (long m = 1; m <= p->ctx->param[P_MESSAGES]; m++) {
		publish(p->x, m);
		if (work > 0)
			clab_sleep_ms((uint32_t)work);
	}
	return NULL;
}

static int run(const struct clab_lab_ctx *ctx)
{
	struct actor a[MAX_SUBS];
	struct exchange x;
	struct publisher pub = {ctx, &x};
	clab_thread_t *pth = NULL;
	int v = ctx->variant, rc = 0;
	unsigned n = v == V_PUBSUB || v == V_EARLY
			 ? (unsigned)ctx->param[P_SUBS]
			 : 1,
		 started = 0;
	long msgs = ctx->param[P_MESSAGES];
	char box[40];

	memset(&x, 0, sizeof(x));
	rc = clab_mutex_init(&x.lock, "news.lock", CLAB_MUTEX_NORMAL);
	if (rc < 0)
		return rc;
	for (; started < n && rc == 0; started++) {
		a[started].ctx = ctx;
		a[started].idx = started + 1;
		snprintf(a[started].name, sizeof(a[started].name), "actor-%u",
			 started + 1);
		snprintf(box, sizeof(box), "%s.mailbox", a[started].name);
		rc = clab_queue_init(&a[started].mailbox, box, 0);
		if (rc == 0)
			rc = clab_thread_create(&a[started].th, a[started].name,
						actor_main, &a[started]);
		if (rc < 0)
			clab_queue_destroy(&a[started].mailbox);
	}
	if (rc < 0)
		started--;
	clab_lab_say(ctx, "%u actor(s), %ld message(s) (%s)", started, msgs,
		     variants[v].name);
	if (rc == 0 && (v == V_MAILBOX || v == V_NOSENTINEL)) {
		for (long m = 1; m <= msgs; m++) {
			clab_note("publish", m);
			actor_send(&a[0], (void *)(intptr_t)m);
		}
		if (v == V_MAILBOX)
			actor_close(&a[0]);
		/* no-sentinel: BUG, no close: the actor never ends */
	} else if (rc == 0) {
		for (unsigned i = 0; i < started; i++)
			attach(&x, &a[i]);
		if (v == V_PUBSUB) {
			for (long m = 1; m <= msgs; m++)
				publish(&x, m);
		} else {
			rc = clab_thread_create(&pth, "publisher",
						publisher_main, &pub);
		}
		/* close-early: BUG, the publisher may not be done */
		for (unsigned i = 0; i < started; i++) {
			detach(&x, &a[i]);
			actor_close(&a[i]);
		}
	} else {
		for (unsigned i = 0; i < started; i++)
			actor_close(&a[i]);
	}
	for (unsigned i = 0; i < started; i++)
		clab_thread_join(a[i].th, NULL);
	if (pth != NULL)
		clab_thread_join(pth, NULL);
	for (unsigned i = 0; i < started; i++)
		clab_queue_destroy(&a[i].mailbox);
	clab_mutex_destroy(&x.lock);
	return rc;
}

/* ---- checker ---- */

static void check(const struct clab_trace *tr, const struct clab_lab_ctx *ctx,
		  struct clab_lab_report *rep)
{
	int v = ctx->variant;
	unsigned n =
	    v == V_PUBSUB || v == V_EARLY ? (unsigned)ctx->param[P_SUBS] : 1;
	long published = 0, got[MAX_SUBS + 1] = {0}, last[MAX_SUBS + 1] = {0};
	long disorder = 0, exits = 0, unknown = 0, early = 0, early_msg = 0;
	uint64_t disorder_rec = UINT64_MAX, early_rec = UINT64_MAX;
	size_t nrec = clab_trace_nrecords(tr);

	for (size_t i = 0; i < nrec; i++) {
		const struct clab_record *r = clab_trace_record(tr, i);
		/* in an exercise, the harness's notes only */
		const char *label = clab_lab_harness_label(tr, r);

		if (label == NULL)
			continue;
		if (strcmp(label, "publish") == 0) {
			published++;
		} else if (strcmp(label, "exit") == 0) {
			exits++;
		} else if (strcmp(label, "recv") == 0) {
			unsigned k = r->a32;
			if (k < 1 || k > n) {
				unknown++;
				continue;
			}
			got[k]++;
			/* messages are numbered in the order published: a
			 * higher one was not sent yet (made up) */
			if (r->val > published && early++ == 0) {
				early_rec = r->seq;
				early_msg = (long)r->val;
			}
			/* each message once, in the order published */
			if (r->val != last[k] + 1 && disorder++ == 0)
				disorder_rec = r->seq;
			last[k] = (long)r->val;
		}
	}

	long short_of = 0, first_short = 0;
	for (unsigned k = 1; k <= n; k++)
		if (got[k] != published && short_of++ == 0)
			first_short = k;
	if (short_of == 0 && unknown == 0)
		clab_lab_report_add(rep, "every message handled", 1, UINT64_MAX,
				    "each of %u actor(s) handled all %ld "
				    "message(s) published",
				    n, published);
	else if (short_of > 0)
		clab_lab_report_add(rep, "every message handled", 0, UINT64_MAX,
				    "actor-%ld handled %ld of the %ld "
				    "message(s) published (%ld actor(s) short)",
				    first_short, got[first_short], published,
				    short_of);
	else
		clab_lab_report_add(rep, "every message handled", 0, UINT64_MAX,
				    "%ld message(s) handled by an actor that "
				    "does not exist",
				    unknown);

	if (early > 0)
		clab_lab_report_add(rep, "in order", 0, early_rec,
				    "message %ld handled before it was sent "
				    "(%ld message(s) handled before they "
				    "were sent)",
				    early_msg, early);
	else if (disorder == 0)
		clab_lab_report_add(rep, "in order", 1, UINT64_MAX,
				    "each actor handled its messages once "
				    "each, in the order published");
	else
		clab_lab_report_add(rep, "in order", 0, disorder_rec,
				    "%ld message(s) handled out of order or "
				    "twice",
				    disorder);

	if (exits == (long)n)
		clab_lab_report_add(rep, "every actor exited", 1, UINT64_MAX,
				    "each of %u actor(s) got its exit "
				    "sentinel",
				    n);
	else
		clab_lab_report_add(rep, "every actor exited", 0, UINT64_MAX,
				    "%ld of %u actor(s) got an exit sentinel",
				    exits, n);
	/* a mailbox made of a mutex (the exercise) must not poll for
	 * messages under the lock */
	clab_lab_check_common_allow(tr, rep, CLAB_LAB_NEED_NO_POLL);
}

const struct clab_lab clab_lab_actor = {
    .name = "actor",
    .summary = "actors: a thread, a mailbox, and an exit sentinel",
    .topic = CLAB_TOPIC_TASKS,
    .teaches = "actors share nothing but messages, and stop at a sentinel",
    .idea = "an actor handles the messages of its mailbox one at a time "
	    "and stops at the exit sentinel; without the sentinel it waits "
	    "forever, and a sentinel sent too early cuts messages off",
    .variants = variants,
    .nvariants = V_COUNT,
    .params = params,
    .nparams = P_COUNT,
    .run = run,
    .check = check,
};
