/*
 * conclab run: run a lab variant under the tracer and the watchdog, then
 * check the lab's properties on the trace it wrote.
 */
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <conclab/analyze.h>
#include <conclab/label.h>
#include <conclab/runtime.h>
#include <conclab/trace.h>
#include <conclab/tui.h>

#include "cmd.h"
#include "supervise.h"
#include "solution-hooks.h"
#include "lab.h"
#include "report.h"

struct run {
	const struct clab_lab *lab;
	struct clab_lab_ctx ctx;
	const char *trace; /* as messages name it */
	const char *file;  /* where it is written and read */
	int check;
	int view;	     /* --view, and stdin and stdout are a terminal */
	const char *variant; /* shown in the report */
	int variant_meta;    /* also written as the trace's "variant" */
	const struct clab_meta_kv *extra; /* more metadata */
	size_t nextra;
	int (*body)(const struct clab_lab_ctx *ctx,
		    void *arg); /* or lab->run */
	void *arg;
	int crash; /* catch a crash: save the trace, check, exit 128+N */
	const struct clab_cmd_sched *sched; /* NULL: the OS schedules */
	const char *cmdname;		    /* for the replay line */
	const char *replay_as; /* exercise: "SOLUTION" for the replay line */
	const void *key;       /* sign the trace with it (NULL: do not) */
	size_t key_len;
	const struct clab_rubric *rubric; /* NULL: the lab's weights */
	int codec;	    /* of record chunks (enum clab_trace_codec): zstd */
	unsigned buffer_mb; /* the tracer's buffer (0: its 8) */
};

static int controlled(const struct run *r)
{
	return r->sched && r->sched->o.mode != CLAB_SCHED_OS;
}

/*
 * The schedule of a controlled run, into the trace's metadata and onto
 * out with the command that replays it.  stop: end control first (the
 * run is over); else the run is stuck and its threads stay as they are.
 */
static void save_schedule(struct run *r, int stop, FILE *out)
{
	if (!controlled(r))
		return;
	int n =
	    stop > 0 ? clab_sched_stop(NULL, 0) : clab_sched_schedule(NULL, 0);
	char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (!buf)
		return;
	clab_sched_schedule(buf, (size_t)n + 1);
	clab_tracer_meta_add("sched.schedule", buf);
	/* how many options each choice had: for a search of every schedule */
	int no = clab_sched_options(NULL, 0);
	char *opts = no >= 0 ? malloc((size_t)no + 1) : NULL;
	if (opts) {
		clab_sched_options(opts, (size_t)no + 1);
		clab_tracer_meta_add("sched.options", opts);
		free(opts);
	}
	/* a stop by signal comes some steps after the replayed one did */
	if (r->sched->o.mode == CLAB_SCHED_REPLAY && stop >= 0 &&
	    clab_sched_diverged())
		fprintf(out, "conclab: the replay left its schedule: the "
			     "program, its parameters or its seed differ from "
			     "the run that made it\n");
	/*
	 * A short schedule replays from the command line, a long one from
	 * the trace that keeps it.
	 */
	const char *from = strlen(buf) <= 24 ? buf : r->trace;
	if (r->replay_as) {
		fprintf(out, "replay it: conclab exercise %s %s --replay %s\n",
			r->lab->name, r->replay_as, r->trace);
		free(buf);
		return;
	}
	fprintf(out, "replay it: conclab %s %s",
		r->cmdname ? r->cmdname : "run", r->lab->name);
	if (r->variant_meta)
		fprintf(out, " --variant %s", r->variant);
	clab_lab_args_print(out, &r->ctx);
	clab_cmd_sched_print(out, r->sched);
	if (r->ctx.seed != 1) /* not the default */
		fprintf(out, " --seed %" PRIu64, r->ctx.seed);
	fprintf(out, " --replay %s\n", from);
	free(buf);
}

static int report_trace(struct run *r);

static void run_help(const struct clab_lab *lab, int variant)
{
	clab_cmd_usage(&clab_cmd_run, stdout);
	if (!lab) {
		printf("\nLabs: ");
		for (size_t i = 0; i < clab_nlabs; i++)
			printf("%s%s", i ? ", " : "", clab_labs[i]->name);
		printf(" ('conclab run LAB --help' for its variants and "
		       "parameters).\n");
		return;
	}
	printf("\n%s - %s\n(%s)\n\nVariants (--variant):\n", lab->name,
	       lab->summary, lab->idea);
	int w = 12; /* the widest variant name, for the summaries' column */
	for (size_t v = 0; v < lab->nvariants; v++)
		if ((int)strlen(lab->variants[v].name) > w)
			w = (int)strlen(lab->variants[v].name);
	for (size_t v = 0; v < lab->nvariants; v++) {
		const struct clab_lab_variant *var = &lab->variants[v];
		printf("  %-*s %s%s\n", w, var->name, var->summary,
		       v == 0 ? " (default)" : "");
		if (var->bug)
			printf("  %-*s bug: %s\n", w, "", var->bug);
	}
	printf("\nParameters (--NAME VALUE), defaults for variant '%s':\n",
	       lab->variants[variant].name);
	for (size_t p = 0; p < lab->nparams; p++) {
		const struct clab_lab_param *pa = &lab->params[p];
		char name[64]; /* think_ms is spelt --think-ms */
		size_t n = 0;
		for (; pa->name[n] && n + 1 < sizeof(name); n++)
			name[n] = pa->name[n] == '_' ? '-' : pa->name[n];
		name[n] = 0;
		printf("  --%-12s %s (default %ld, %ld..%ld)\n", name, pa->help,
		       clab_lab_param_default(lab, (unsigned)variant, p),
		       pa->min, pa->max);
	}
}

/*
 * Three paths can end a run: the lab returns, the watchdog finds it stuck,
 * or a signal asks it to stop.  The first to get here closes the trace;
 * the others wait for the process to exit.
 */
static atomic_int ending;

static void end_once(void)
{
	if (atomic_exchange(&ending, 1))
		for (;;)
			pause();
}

struct sigwaiter {
	sigset_t set;
	struct run *_Atomic r; /* the run going on */
};

/*
 * While the viewer runs (--view), the signals that the signal thread
 * takes go to the viewer's thread instead, whose handlers restore the
 * terminal before the process exits.
 */
static atomic_int viewing;
static pthread_t viewer;

/*
 * A crash in the lab's code (struct run's crash: student code in `conclab
 * exercise`).  The tracer catches it (crash.c): the writer's thread saves
 * the trace, then on_crash runs in the thread that crashed, inside its
 * handler.  It notes the signal, asks the signal thread to report (kill()
 * is async-signal-safe; CRASH_NOTIFY is blocked in every thread, so the
 * signal thread's sigwait takes it) and parks until the process exits.
 * Other threads that crash park too.  If reporting crashes in turn, the
 * signal goes on to the default action, which kills the process (the
 * caller sees the signal).
 */
#define CRASH_NOTIFY SIGUSR2
static _Atomic int crash_sig; /* lock-free: safe in a handler */
static void *_Atomic crash_addr;
static _Thread_local int saving; /* the signal thread, while it reports */

static void on_crash(int sig, void *addr)
{
	if (saving)
		return; /* the tracer gives the signal back: dies */
	int none = 0;
	if (atomic_compare_exchange_strong(&crash_sig, &none, sig)) {
		atomic_store(&crash_addr, addr);
		kill(getpid(), CRASH_NOTIFY); /* after the address is set */
	}
	for (;;)
		pause();
}

/*
 * A run that conclab stops (a crash, a signal, the watchdog, the code's
 * own exit): save its trace (or say why it could not be saved, and end the
 * process with fail_code), say where it went and tail, report on it.
 */
static void save_and_report(struct run *r, int fail_code, const char *tail)
{
	struct clab_tracer_stats st;
	int err = clab_tracer_close(&st);
	if (err) {
		fprintf(stderr, "conclab: could not write the trace %s: %s\n",
			r->trace, clab_strerror(err));
		clab_supervise_end(fail_code);
	}
	clab_wrapf(stderr, 2,
		   "conclab: trace saved to %s (%" PRIu64 " records)%s",
		   r->trace, st.records, tail);
	fflush(stderr);
	report_trace(r);
	fflush(stdout);
}

static void *signal_main(void *arg)
{
	struct sigwaiter *sw = arg;
	int sig;
	for (;;) {
		if (sigwait(&sw->set, &sig) != 0)
			return NULL;
		if (!atomic_load(&viewing) || sig == CRASH_NOTIFY)
			break;
		pthread_kill(viewer, sig);
	}
	if (sig == CRASH_NOTIFY && atomic_load(&crash_sig) != 0) {
		saving = 1;
		end_once();
		fflush(stdout);
		sig = atomic_load(&crash_sig);
		/* an address means something for a fault, not an abort */
		fprintf(stderr, "\nconclab: the program crashed: %s (%s)",
			strsignal(sig), sigabbrev_np(sig));
		if (sig != SIGABRT)
			fprintf(stderr, " at address %p",
				atomic_load(&crash_addr));
		fprintf(stderr, "; saving the trace\n");
		save_and_report(sw->r, 128 + sig,
				"; each thread's last records show where it "
				"was");
		clab_supervise_end(128 + sig);
	}
	end_once();
	fflush(stdout);
	fprintf(stderr, "\nconclab: interrupted (%s); saving the trace\n",
		strsignal(sig));
	/*
	 * The schedule so far, when the thread that stopped the run holds
	 * the turn (a solution's raise): a Ctrl-C from outside comes while
	 * a controlled thread may be taking a step.
	 */
	if (clab_solution_stopped())
		save_schedule(sw->r, -1, stderr);
	/* what happened until the stop: incomplete, judged as far as it went */
	save_and_report(sw->r, 128 + sig, "");
	clab_supervise_end(128 + sig);
}

/*
 * --view: open the viewer on the saved trace, at the deadlock when there
 * is one.  Returns 128+N when the viewer was stopped by signal N, else 0
 * (a viewer that cannot start says why and leaves the exit code alone).
 */
static int view_trace(struct run *r, int deadlock)
{
	char err[512], dir[4096];
	struct clab_trace *tr;
	struct clab_tui_opts o;
	if (!r->view)
		return 0;
	if (clab_trace_load(r->file, &tr, err, sizeof(err)) != 0) {
		fprintf(stderr, "conclab run: --view: %s\n", err);
		return 0;
	}
	clab_tui_opts_init(&o);
	o.deadlock = deadlock;
	snprintf(dir, sizeof(dir), "%s", r->trace);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = 0;
	o.dir = slash ? dir : ".";
	fflush(stdout);
	fflush(stderr);
	/* take the signals in this thread while the viewer runs */
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	viewer = pthread_self();
	atomic_store(&viewing, 1);
	pthread_sigmask(SIG_UNBLOCK, &set, &old);
	int rc = clab_tui_run(tr, &o, err, sizeof(err));
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	atomic_store(&viewing, 0);
	clab_trace_free(tr);
	if (rc < 0) {
		/* the terminal is restored by now */
		fprintf(stderr, "conclab run: --view: %s\n", err);
		return 0;
	}
	return rc;
}

/* The watchdog's callback: report, save the trace, check, view, exit. */
static void on_stuck(const struct clab_deadlock *d, void *arg)
{
	struct run *r = arg;
	end_once();
	char text[16384];
	clab_deadlock_format(d, text, sizeof(text));
	fflush(stdout);
	fprintf(stderr, "conclab: %s", text);
	save_schedule(r, 0, stderr);
	char tail[4200];
	snprintf(tail, sizeof(tail), "; see it with 'conclab view %s'",
		 r->trace);
	save_and_report(r, CLAB_EXIT_IO, tail);
	int vrc = view_trace(r, d->why != CLAB_STUCK_TIME_LIMIT);
	fflush(stdout);
	if (vrc > 0)
		clab_supervise_end(vrc);
	clab_supervise_end(d->why == CLAB_STUCK_TIME_LIMIT ||
				   d->why == CLAB_STUCK_STEP_LIMIT
			       ? CLAB_EXIT_TIMEOUT
			       : CLAB_EXIT_DEADLOCK);
}

/*
 * After a run: the lock-order report (when there is anything to say) and,
 * unless --no-check, the lab's properties.  Returns the exit code.
 */
static int report_trace(struct run *r)
{
	char err[512];
	struct clab_trace *tr;
	if (clab_trace_load(r->file, &tr, err, sizeof(err)) != 0) {
		fprintf(stderr, "conclab: %s\n", err);
		return CLAB_EXIT_USAGE;
	}
	if (clab_trace_damage(tr)) {
		fprintf(stderr, "conclab: %s\n", clab_trace_damage(tr));
		clab_trace_free(tr);
		return CLAB_EXIT_USAGE;
	}
	struct clab_analysis an;
	if (clab_analyze(tr, &an) == 0) {
		if (clab_analysis_brief_says(tr, &an)) {
			printf("\n");
			clab_analysis_print_brief(tr, &an, stdout);
		}
		clab_analysis_fini(&an);
	}
	if (!r->check) {
		clab_trace_free(tr);
		return CLAB_EXIT_OK;
	}
	struct clab_lab_report rep = {0};
	clab_lab_check(&r->ctx, tr, &rep);
	printf("\n");
	clab_report_write(stdout, CLAB_REPORT_TEXT, r->trace, r->lab->name,
			  r->variant, NULL, &rep, r->rubric);
	size_t failed = clab_lab_report_failed(&rep);
	clab_lab_report_free(&rep);
	clab_trace_free(tr);
	return failed ? CLAB_EXIT_CHECK : CLAB_EXIT_OK;
}

/*
 * Run r's lab (or r->body) on the open trace under the watchdog, close the
 * trace, print the lock-order report and check the lab's properties: what
 * `conclab run` and `conclab exercise` share.  Returns the exit code, or
 * minus an exit code when the run could not start or its trace could not
 * be written (after saying why).  A deadlock, the time limit, a signal or
 * (with r->crash) a crash ends the process from another thread.
 */
static int run_traced(struct run *r, long seed, long limit_s, int stacks,
		      int quiet)
{
	/* Metadata: enough to reproduce the run. */
	char seedbuf[32], pbuf[CLAB_LAB_MAX_PARAMS][32],
	    pkey[CLAB_LAB_MAX_PARAMS][64];
	struct clab_meta_kv meta[6 + CLAB_RUN_MAX_EXTRA + CLAB_LAB_MAX_PARAMS];
	size_t nmeta = 0;
	snprintf(seedbuf, sizeof(seedbuf), "%ld", seed);
	meta[nmeta++] = (struct clab_meta_kv){"lab", r->lab->name};
	if (r->variant_meta)
		meta[nmeta++] = (struct clab_meta_kv){"variant", r->variant};
	meta[nmeta++] = (struct clab_meta_kv){"seed", seedbuf};
	if (stacks)
		meta[nmeta++] = (struct clab_meta_kv){"stacks", "1"};
	if (controlled(r))
		meta[nmeta++] = (struct clab_meta_kv){
		    "sched", clab_sched_mode_name(r->sched->o.mode)};
	for (size_t i = 0; i < r->nextra && i < CLAB_RUN_MAX_EXTRA; i++)
		meta[nmeta++] = r->extra[i];
	for (size_t p = 0; p < r->lab->nparams && p < CLAB_LAB_MAX_PARAMS;
	     p++) {
		snprintf(pkey[p], sizeof(pkey[p]), "param.%s",
			 r->lab->params[p].name);
		snprintf(pbuf[p], sizeof(pbuf[p]), "%ld", r->ctx.param[p]);
		meta[nmeta++] = (struct clab_meta_kv){pkey[p], pbuf[p]};
	}
	/*
	 * Every thread inherits this mask; one thread takes the signals.
	 * One signal thread for the process, made by its first run:
	 * `conclab explore` runs one schedule after another in a child (a
	 * run that ended by itself leaves nothing behind: the watchdog is
	 * stopped, the trace closed), and the thread waits on sw.set, which
	 * stays as that first run made it.
	 */
	static struct sigwaiter sw;
	static int sig_thread;
	if (!sig_thread) {
		/*
		 * Not one the process was started ignoring (nohup's SIGHUP, a
		 * background job's SIGINT): a blocked signal is not
		 * discarded, and sigwait would take it.
		 */
		static const int stops[] = {SIGINT, SIGTERM, SIGHUP};
		sigemptyset(&sw.set);
		for (size_t k = 0; k < sizeof(stops) / sizeof(stops[0]); k++) {
			struct sigaction sa;
			if (sigaction(stops[k], NULL, &sa) != 0 ||
			    sa.sa_handler != SIG_IGN)
				sigaddset(&sw.set, stops[k]);
		}
		if (r->crash)
			sigaddset(&sw.set, CRASH_NOTIFY);
	}
	atomic_store(&sw.r, r);
	pthread_sigmask(SIG_BLOCK, &sw.set, NULL);
	pthread_t sigthr;
	if (!sig_thread &&
	    pthread_create(&sigthr, NULL, signal_main, &sw) == 0) {
		pthread_detach(sigthr);
		sig_thread = 1;
	}
	atomic_store(&ending, 0);
	struct clab_tracer_opts topts = {
	    .path = r->file,
	    .meta = meta,
	    .nmeta = nmeta,
	    .compress = -1,
	    .virtual_time = controlled(r),
	    .on_crash = r->crash ? on_crash : NULL,
	    .key = r->key,
	    .key_len = r->key_len,
	    .codec = r->codec,
	    .buffer_mb = r->buffer_mb,
	};
	int err = clab_tracer_open(&topts);
	if (err) {
		fprintf(stderr, "conclab run: cannot create the trace %s: %s\n",
			r->trace, clab_strerror(err));
		return -CLAB_EXIT_IO;
	}
	clab_set_stacks(stacks);
	clab_thread_self(); /* the main thread is T0 */
	struct clab_watchdog_opts wopts = {
	    .period_ms = 100,
	    .run_limit_ms = (unsigned)limit_s * 1000u,
	    .on_stuck = on_stuck,
	    .arg = r,
	};
	err = clab_watchdog_start(&wopts);
	if (err) {
		fprintf(stderr, "conclab run: cannot start the watchdog: %s\n",
			clab_strerror(err));
		clab_tracer_close(NULL);
		return -CLAB_EXIT_IO;
	}
	if (controlled(r)) {
		err = clab_sched_start(&r->sched->o);
		if (err) {
			fprintf(stderr,
				"conclab %s: cannot start the scheduler: %s\n",
				r->cmdname ? r->cmdname : "run",
				err == CLAB_EINVAL && r->sched->replay
				    ? "the schedule string is malformed"
				    : clab_strerror(err));
			clab_watchdog_stop();
			clab_tracer_close(NULL);
			return -CLAB_EXIT_USAGE;
		}
	}
	if (!quiet && !r->body)
		printf("conclab: %s --variant %s --seed %ld\n", r->lab->name,
		       r->variant, seed);
	else if (!quiet)
		printf("conclab: %s %s --seed %ld\n", r->lab->name, r->variant,
		       seed);
	fflush(stdout);
	int lrc = r->body ? r->body(&r->ctx, r->arg) : r->lab->run(&r->ctx);
	save_schedule(r, 1, stdout);
	end_once();
	clab_watchdog_stop();
	struct clab_tracer_stats st;
	err = clab_tracer_close(&st);
	fflush(stdout);
	if (err) {
		fprintf(stderr,
			"conclab run: could not write the trace %s: %s\n",
			r->trace, clab_strerror(err));
		return -CLAB_EXIT_IO;
	}
	if (lrc < 0) {
		fprintf(stderr, "conclab run: the lab failed to run: %s\n",
			clab_strerror(lrc));
		return -CLAB_EXIT_IO;
	}
	int rc = report_trace(r);
	/* a controlled run's bytes depend on when the writer ran: not shown */
	if (controlled(r))
		printf("\ntrace: %s (%" PRIu64 " records", r->trace,
		       st.records);
	else
		printf("\ntrace: %s (%" PRIu64 " records, %" PRIu64 " bytes",
		       r->trace, st.records, st.bytes);
	if (st.drops)
		printf(", %" PRIu64 " DROPPED", st.drops);
	printf(")\n");
	return rc;
}

int clab_lab_args_opt(const struct clab_cmd *cmd, struct clab_lab_args *a,
		      const char *key, const char *val)
{
	if (strcmp(key, "variant") == 0) {
		a->variant = val;
		return 0;
	}
	if (a->nparams == sizeof(a->params) / sizeof(a->params[0]))
		return clab_cmd_misuse(cmd, "too many parameters");
	a->params[a->nparams].name = strdup(key);
	if (!a->params[a->nparams].name)
		return CLAB_EXIT_IO;
	a->params[a->nparams++].value = val;
	return 0;
}

void clab_lab_args_print(FILE *out, const struct clab_lab_ctx *ctx)
{
	struct clab_lab_ctx def;
	clab_lab_ctx_init(&def, ctx->lab, ctx->variant);
	for (size_t p = 0; p < ctx->lab->nparams; p++)
		if (ctx->param[p] != def.param[p])
			fprintf(out, " --%s %ld", ctx->lab->params[p].name,
				ctx->param[p]);
}

void clab_lab_args_fini(struct clab_lab_args *a)
{
	for (size_t i = 0; i < a->nparams; i++)
		free(a->params[i].name);
	a->nparams = 0;
}

int clab_lab_args_resolve(const struct clab_cmd *cmd,
			  const struct clab_lab_args *a,
			  struct clab_lab_ctx *ctx, int *vi)
{
	const struct clab_lab *lab = clab_lab_find(a->lab);
	if (!lab) {
		fprintf(stderr,
			"conclab %s: no lab called '%s' (see 'conclab list')\n",
			cmd->name, a->lab);
		return CLAB_EXIT_USAGE;
	}
	*vi = 0;
	if (a->variant) {
		*vi = clab_lab_variant_find(lab, a->variant);
		if (*vi < 0) {
			fprintf(stderr,
				"conclab %s: %s has no variant '%s'; it has:",
				cmd->name, lab->name, a->variant);
			for (size_t v = 0; v < lab->nvariants; v++)
				fprintf(stderr, " %s", lab->variants[v].name);
			fprintf(stderr, "\n");
			return CLAB_EXIT_USAGE;
		}
	}
	clab_lab_ctx_init(ctx, lab, (unsigned)*vi);
	for (size_t i = 0; i < a->nparams; i++) {
		int p = clab_lab_param_find(lab, a->params[i].name);
		long v;
		if (p < 0)
			return clab_cmd_misuse(cmd, "%s has no parameter '%s'",
					       lab->name, a->params[i].name);
		const struct clab_lab_param *pa = &lab->params[p];
		if (clab_cmd_parse_long(a->params[i].value, &v) ||
		    v < pa->min || v > pa->max)
			return clab_cmd_misuse(
			    cmd,
			    "--%s wants a number in %ld..%ld, "
			    "not '%s'",
			    pa->name, pa->min, pa->max, a->params[i].value);
		ctx->param[p] = v;
	}
	return 0;
}

/*
 * --param NAME=VALUE: the lab's parameter NAME, under a spelling no
 * command's own option takes (explore's --procs and processes' procs).
 */
static int set_param(const struct clab_cmd *cmd, void *base, const char *val,
		     long num)
{
	const char *eq = strchr(val, '=');
	char name[64];
	(void)num;
	if (!eq || eq == val || !eq[1] || (size_t)(eq - val) >= sizeof(name))
		return -1;
	memcpy(name, val, eq - val);
	name[eq - val] = 0;
	if (strcmp(name, "variant") == 0)
		return -1;
	return clab_lab_args_opt(cmd, base, name, eq + 1);
}

const struct clab_opt clab_cmd_lab_opts[] = {
    {.name = "variant",
     .type = CLAB_OPT_STRING,
     .arg = "V",
     .off = offsetof(struct clab_lab_args, variant),
     .def = "the first",
     .help = "the lab's variant"},
    {.name = "param",
     .type = CLAB_OPT_STRING,
     .arg = "NAME=VALUE",
     .parse = set_param,
     .want = "a lab parameter's NAME=VALUE",
     .help = "the lab's parameter NAME, as --NAME VALUE; for a parameter "
	     "named as one of the command's options (processes' procs "
	     "under explore)"},
    CLAB_OPT_TABLE_END,
};

/* In the order of enum clab_trace_codec. */
static const char *const codec_names[] = {"zstd", "zlib", "none", NULL};

const struct clab_opt clab_cmd_record_opts[] = {
    {.name = "codec",
     .type = CLAB_OPT_CHOICE,
     .arg = "C",
     .off = offsetof(struct clab_cmd_record, codec),
     .choices = codec_names,
     .want = "zstd, zlib or none",
     .def = "zstd",
     .help = "compress the trace's records with zstd, zlib (what conclab "
	     "before trace format 1.5 reads) or none; zstd leaves a chunk "
	     "raw while threads wait for the writer"},
    {.name = "buffer-mb",
     .type = CLAB_OPT_LONG,
     .arg = "MB",
     .off = offsetof(struct clab_cmd_record, buffer_mb),
     .min = 1,
     .max = 4096,
     .want = "megabytes (1..4096)",
     .def = "8",
     .help = "memory for records not yet written; a thread that fills it "
	     "waits for the writer (a stall), none is lost"},
    CLAB_OPT_TABLE_END,
};

struct run_opts {
	long seed, limit_s;
	const char *trace, *key;
	int quiet, no_check, stacks, view;
};

static const struct clab_opt run_opts[] = {
    {.name = "seed",
     .type = CLAB_OPT_LONG,
     .arg = "N",
     .off = offsetof(struct run_opts, seed),
     .max = LONG_MAX,
     .def = "1",
     .help = "seed for the lab's random delays"},
    {.name = "trace",
     .type = CLAB_OPT_STRING,
     .arg = "FILE",
     .off = offsetof(struct run_opts, trace),
     .def = "LAB-VARIANT.clt",
     .help = "trace file"},
    {.name = "time-limit",
     .type = CLAB_OPT_LONG,
     .arg = "SEC",
     .off = offsetof(struct run_opts, limit_s),
     .max = 86400,
     .want = "seconds (0..86400)",
     .def = "60; 0 = none",
     .help = "stop a run that takes longer"},
    CLAB_CMD_KEY_OPT(struct run_opts, key),
    {.name = "no-check",
     .type = CLAB_OPT_FLAG,
     .off = offsetof(struct run_opts, no_check),
     .help = "do not check the lab's properties"},
    {.name = "stacks",
     .type = CLAB_OPT_FLAG,
     .off = offsetof(struct run_opts, stacks),
     .help = "record full call stacks of waits and locks (function, file, "
	     "line; slower)"},
    {.name = "view",
     .type = CLAB_OPT_FLAG,
     .off = offsetof(struct run_opts, view),
     .help = "open the viewer (conclab replay) when the run ends: at the "
	     "deadlock if there was one, else at the start; needs a "
	     "terminal; the exit code is the run's, after q"},
    {.name = "quiet",
     .abbrev = 'q',
     .type = CLAB_OPT_FLAG,
     .off = offsetof(struct run_opts, quiet),
     .help = "no narration, only the results"},
    CLAB_OPT_TABLE_END,
};

static int run_exec(int argc, char **argv)
{
	struct run r = {.check = 1, .variant_meta = 1, .cmdname = "run"};
	struct clab_lab_args la = {0};
	struct run_opts o = {.seed = -1, .limit_s = 60};
	struct clab_opts_rest rest = {.lab = &la, .own_help = 1};
	char default_trace[256];
	static struct clab_cmd_key runkey;
	struct clab_cmd_sched sched;
	clab_cmd_sched_init(&sched);
	struct clab_cmd_record rec = {0};
	void *const bases[] = {&o, &sched, &la, &rec};

	int rc = clab_opts_parse(&clab_cmd_run, argc, argv, bases, &rest);
	if (rc)
		goto out;
	int help = rest.help, quiet = o.quiet, stacks = o.stacks;
	int seed_given = o.seed >= 0;
	long seed = seed_given ? o.seed : 1, limit_s = o.limit_s;
	const char *keypath = o.key;
	r.check = !o.no_check;
	r.view = o.view;
	r.trace = o.trace;
	r.codec = rec.codec;
	r.buffer_mb = (unsigned)rec.buffer_mb;
	int vi = 0;
	if (help && !la.lab) {
		run_help(NULL, 0);
		rc = CLAB_EXIT_OK;
		goto out;
	}
	if (!la.lab) {
		rc = clab_cmd_misuse(&clab_cmd_run, "which lab? (see "
						    "'conclab list')");
		goto out;
	}
	if (help) {
		/* the lab and variant must exist; parameters do not matter */
		struct clab_lab_args h = {.lab = la.lab, .variant = la.variant};
		rc = clab_lab_args_resolve(&clab_cmd_run, &h, &r.ctx, &vi);
		if (rc == 0)
			run_help(r.ctx.lab, vi);
		goto out;
	}
	rc = clab_lab_args_resolve(&clab_cmd_run, &la, &r.ctx, &vi);
	if (rc)
		goto out;
	rc = clab_cmd_key_load(&clab_cmd_run, keypath, &runkey);
	if (rc)
		goto out;
	if (runkey.len) {
		r.key = runkey.bytes;
		r.key_len = runkey.len;
	}
	r.lab = r.ctx.lab;
	if (!seed_given && sched.has_trace_seed)
		seed = sched.trace_seed; /* --replay TRACE: that run's seed */
	rc = clab_cmd_sched_ready(&clab_cmd_run, &sched, (uint64_t)seed);
	if (rc)
		goto out;
	r.sched = &sched;
	r.ctx.seed = (uint64_t)seed;
	r.ctx.out = quiet ? NULL : stdout;
	if (!r.trace) {
		snprintf(default_trace, sizeof(default_trace), "%s-%s.clt",
			 r.lab->name, r.lab->variants[vi].name);
		r.trace = default_trace;
	}
	r.file = r.trace;

	if (r.view && (!isatty(0) || !isatty(1))) {
		fprintf(stderr,
			"conclab run: --view needs a terminal; see the trace "
			"with conclab replay %s\n",
			r.trace);
		r.view = 0;
	}

	r.variant = r.lab->variants[vi].name;
	/* the children's traces of the run this one replaces */
	clab_cmd_remove_children(r.trace);
	rc = run_traced(&r, seed, limit_s, stacks, quiet);
	if (rc < 0) {
		rc = -rc;
		goto out;
	}
	int vrc = view_trace(&r, 0);
	if (vrc > 0)
		rc = vrc;
out:
	clab_cmd_key_wipe(&runkey);
	clab_lab_args_fini(&la);
	clab_cmd_sched_fini(&sched);
	return rc;
}

int clab_run_lab(const struct clab_lab_ctx *ctx, const char *trace,
		 const struct clab_cmd_sched *sched, int quiet)
{
	/* the signal thread and the watchdog keep a pointer to it */
	static struct run r;
	memset(&r, 0, sizeof(r));
	r.lab = ctx->lab;
	r.ctx = *ctx;
	r.trace = trace;
	r.file = trace;
	r.check = 1;
	r.variant_meta = 1;
	r.variant = ctx->lab->variants[ctx->variant].name;
	r.sched = sched;
	r.cmdname = "run";
	int rc = run_traced(&r, (long)ctx->seed, 60, 0, quiet);
	return rc < 0 ? -rc : rc;
}

static void run_from_spec(struct run *r, const struct clab_run_spec *s)
{
	memset(r, 0, sizeof(*r));
	r->lab = s->lab;
	r->ctx = *s->ctx;
	r->trace = s->trace;
	r->file = s->trace_file ? s->trace_file : s->trace;
	r->check = 1;
	r->variant = s->variant;
	r->extra = s->extra;
	r->nextra = s->nextra;
	r->body = s->body;
	r->arg = s->arg;
	r->crash = 1;
	r->sched = s->sched;
	r->replay_as = s->replay_as;
	r->key = s->key;
	r->key_len = s->key_len;
	r->rubric = s->rubric;
}

/* The run of clab_run_traced(), for clab_run_abandon(). */
static struct run *current;

int clab_run_traced(const struct clab_run_spec *s)
{
	/* the signal thread and the watchdog keep a pointer to it */
	static struct run r;
	run_from_spec(&r, s);
	current = &r;
	int rc = run_traced(&r, (long)s->ctx->seed, s->limit_s, 0, s->quiet);
	return rc < 0 ? -rc : rc;
}

_Noreturn void clab_run_abandon(const char *why)
{
	struct run *r = current;
	fflush(stdout);
	if (r == NULL) { /* no run yet: nothing recorded to save */
		fprintf(stderr, "\nconclab: %s\n", why);
		clab_supervise_end(CLAB_EXIT_CHECK);
	}
	end_once();
	fprintf(stderr, "\nconclab: %s; saving the trace\n", why);
	save_and_report(r, CLAB_EXIT_IO, "");
	clab_supervise_end(CLAB_EXIT_CHECK);
}

int clab_run_check(const struct clab_run_spec *s)
{
	struct run r;
	run_from_spec(&r, s);
	return report_trace(&r);
}

const struct clab_cmd clab_cmd_run = {
    .name = "run",
    .args = "LAB [--variant V] [--PARAM VALUE]... [OPTIONS]",
    .summary = "run a lab under the tracer and the deadlock watchdog",
    .help = "Runs one variant of a lab on conclab's instrumented threads,\n"
	    "records every synchronisation operation in a trace file, and\n"
	    "checks the lab's properties on that trace.  A deadlock is\n"
	    "caught by the watchdog: it prints which thread waits on what\n"
	    "and who holds it, saves the trace and exits with code 3.\n\n"
	    "Each --PARAM VALUE sets a lab parameter; 'conclab run LAB "
	    "--help' lists\nthe lab's variants and parameters.\n",
    .groups = (const struct clab_opt_group[]){{clab_cmd_lab_opts, 2},
					      {run_opts, 0},
					      {clab_cmd_record_opts, 3},
					      {clab_cmd_sched_mode_opts, 1},
					      {clab_cmd_sched_pct_opts, 1},
					      {clab_cmd_sched_opts, 1},
					      {NULL, 0}},
    .help_help = "this text; with LAB, its variants and parameters",
    .more = "Ctrl-C (or SIGTERM, SIGHUP) stops the run and saves the trace.\n\n"
	    "A controlled run (--sched random, pct or replay) prints its\n"
	    "schedule and the command that replays it (docs/scheduler.md).\n\n"
	    "Exit codes: 0 the run ended and every check passed; 1 a check\n"
	    "failed; 2 usage error (or a key file that cannot be read, or\n"
	    "is shorter than 32 bytes); 3 deadlock; 4 time limit (or, under\n"
	    "control, the step limit: a livelock); 5 the trace could not be\n"
	    "written; 128+N stopped by signal N (130: Ctrl-C).\n",
    .exec = run_exec,
};
