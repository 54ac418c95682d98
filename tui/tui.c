/*
 * clab_tui_run: the viewer's set-up, its loop over a terminal or over a
 * batch of keys, and the way out on every path.
 */
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <conclab/error.h>

#include "clab-util.h"
#include "screen.h"
#include "tui-int.h"

#define MAX_KEYS 4096

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static int run_batch(struct tui *t, const struct clab_tui_opts *o, char *errbuf,
		     size_t errlen)
{
	int *keys = malloc(sizeof(int) * MAX_KEYS);
	if (!keys)
		return CLAB_ENOMEM;
	int n = clab_tui_parse_keys(o->keys ? o->keys : "", keys, MAX_KEYS);
	if (n < 0) {
		snprintf(errbuf, errlen,
			 "bad --keys string (name keys like <Tab>, <Left>, "
			 "<Enter>; '<' is <lt>)");
		free(keys);
		return CLAB_EINVAL;
	}
	if (clab_canvas_resize(&t->cv, o->width, o->height)) {
		free(keys);
		return CLAB_ENOMEM;
	}
	for (int i = 0; i < n && !t->quit; i++)
		clab_tui_key(t, keys[i]);
	free(keys);
	clab_tui_draw(t);
	clab_canvas_print(&t->cv, o->out ? o->out : stdout);
	return 0;
}

static uint64_t now_ms(void)
{
	return clab__mono_ns() / 1000000u;
}

static int run_tty(struct tui *t, const struct clab_tui_opts *o, char *errbuf,
		   size_t errlen)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
	struct sigaction sa, old[4];
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: get_wch returns */
	sigemptyset(&sa.sa_mask);
	got_signal = 0;
	for (int i = 0; i < 4; i++)
		sigaction(sigs[i], &sa, &old[i]);
	int rc = 0;
	if (clab_screen_open(t->color, !o->no_mouse, errbuf, errlen) != 0) {
		rc = CLAB_EINVAL;
		goto out;
	}
	t->mouse = clab_screen_mouse();
	uint64_t last = now_ms();
	while (!t->quit && !got_signal) {
		int w, h;
		clab_screen_size(&w, &h);
		if ((w != t->cv.w || h != t->cv.h) &&
		    clab_canvas_resize(&t->cv, w, h)) {
			rc = CLAB_ENOMEM;
			break;
		}
		clab_tui_draw(t);
		clab_screen_show(&t->cv);
		uint32_t speed = clab_tui_speed(t);
		int wait = !t->playing ? 250 : speed >= 60 ? 16 : 1000 / speed;
		int key = clab_screen_key(wait);
		if (key != TK_NONE) {
			clab_tui_key(t, key);
			continue;
		}
		uint64_t now = now_ms();
		if (t->playing && now - last >= (uint64_t)wait) {
			uint64_t steps = speed * (now - last) / 1000;
			if (steps == 0)
				steps = 1;
			if (t->cur + steps >= t->n) {
				steps = t->n - 1 - t->cur;
				t->playing = 0;
			}
			clab_tui_goto(t, t->cur + (uint32_t)steps);
			last = now;
		} else if (!t->playing) {
			last = now;
		}
	}
	clab_screen_close();
	if (rc == CLAB_ENOMEM)
		snprintf(errbuf, errlen, "out of memory");
	else if (got_signal)
		rc = 128 + got_signal;
out:
	for (int i = 0; i < 4; i++)
		sigaction(sigs[i], &old[i], NULL);
	return rc;
}

int clab_tui_run(const struct clab_trace *tr, const struct clab_tui_opts *o,
		 char *errbuf, size_t errlen)
{
	struct tui t;
	setlocale(LC_ALL, "");
	if (o->live) {
		const char *const *c;
		size_t n;
		const char *msg;
		int ended;
		o->live->state(o->live->arg, &tr, &c, &n, &msg, &ended);
	}
	int rc = clab_tui_init(&t, tr, o);
	if (!rc && o->live)
		rc = clab_tui_live_refresh(&t);
	if (rc) {
		snprintf(errbuf, errlen, "cannot replay the trace: %s",
			 clab_strerror(rc));
	} else if (o->batch) {
		rc = run_batch(&t, o, errbuf, errlen);
	} else {
		rc = run_tty(&t, o, errbuf, errlen);
	}
	clab_tui_fini(&t);
	return rc;
}

/* ---- measuring: seek and frame times, for `conclab replay --bench` ---- */

static double ms_since(const struct timespec *a)
{
	struct timespec b;
	clock_gettime(CLOCK_MONOTONIC, &b);
	return clab__ts_ms_between(a, &b);
}

int clab_tui_bench(const struct clab_trace *tr, FILE *out)
{
	struct tui t;
	struct clab_tui_opts o;
	struct timespec t0;
	clab_tui_opts_init(&o);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc = clab_tui_init(&t, tr, &o);
	double index_ms = ms_since(&t0);
	if (rc) {
		clab_tui_fini(&t);
		return rc;
	}
	fprintf(out, "records      %u\n", t.n);
	fprintf(out,
		"index        %.1f ms (checkpoints every %u records, "
		"%.1f MiB)\n",
		index_ms, clab_replay_every(t.rp),
		(double)clab_replay_memory(t.rp) / (1 << 20));
	uint64_t rnd = 0x9e3779b97f4a7c15ull;
	double max = 0, sum = 0;
	const int nseek = 1000;
	for (int i = 0; i < nseek && t.n; i++) {
		rnd ^= rnd << 13, rnd ^= rnd >> 7, rnd ^= rnd << 17;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		clab_tui_goto(&t, (uint32_t)(rnd % t.n));
		double ms = ms_since(&t0);
		sum += ms;
		max = ms > max ? ms : max;
	}
	fprintf(out,
		"seek         %.3f ms average, %.3f ms worst (%d random)\n",
		sum / nseek, max, nseek);
	static const int sizes[][2] = {{80, 24}, {200, 60}};
	for (int s = 0; s < 2; s++) {
		if (clab_canvas_resize(&t.cv, sizes[s][0], sizes[s][1]))
			break;
		max = sum = 0;
		for (int i = 0; i < 200 && t.n; i++) {
			rnd ^= rnd << 13, rnd ^= rnd >> 7, rnd ^= rnd << 17;
			clock_gettime(CLOCK_MONOTONIC, &t0);
			clab_tui_goto(&t, (uint32_t)(rnd % t.n));
			clab_tui_draw(&t);
			double ms = ms_since(&t0);
			sum += ms;
			max = ms > max ? ms : max;
		}
		fprintf(out,
			"frame %dx%d %.3f ms average, %.3f ms worst (seek + "
			"draw, 200 random)\n",
			sizes[s][0], sizes[s][1], sum / 200, max);
	}
	t.zoom = 1u << 16;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	clab_tui_draw(&t);
	fprintf(out, "frame zoomed %.3f ms (65536 records a column)\n",
		ms_since(&t0));
	clab_tui_fini(&t);
	return 0;
}
