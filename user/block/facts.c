// SPDX-License-Identifier: GPL-2.0
/*
 * What block observed, as facts for the shared rules (rank/rule_block_*.c):
 * one block_site per site, block_stuck per group of still-parked
 * goroutines, the scheduling latency, and the process's CPU budget.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "base/signals.h"
#include "block/block.h"
#include "proc/cpuquota.h"
#include "proc/identity.h"
#include "rank/fact.h"

static bool stack_has(const struct block_stack *st, const char *prefix)
{
	size_t i, n = strlen(prefix);

	for (i = 0; st && i < st->nframes; i++)
		if (!strncmp(st->frames[i].func, prefix, n))
			return true;
	return false;
}

/* A lock wait: the reason says so (go1.20+), or a semacquire under a sync lock (go1.19). */
static bool is_lock(const char *reason, const struct block_stack *st)
{
	return strstr(reason, "Mutex") || stack_has(st, "sync.(*Mutex).Lock") ||
	       stack_has(st, "sync.(*RWMutex).Lock") || stack_has(st, "sync.(*RWMutex).RLock");
}

void block_fact_site_attrs(struct fact *f, const char *reason, const struct block_stack *st)
{
	const struct sym_frame *u = st && st->user_frame >= 0 ? &st->frames[st->user_frame] : NULL;

	fact_set_str(f, "reason", reason);
	if (u) {
		fact_set_str(f, "user_func", u->func);
		fact_set_str(f, "user_file", u->file ? u->file : "?");
		fact_set_int(f, "user_line", u->line);
	}
	fact_set_bool(f, "http_handler", stack_has(st, "net/http.(*conn).serve"));
	fact_set_bool(f, "lock", is_lock(reason, st));
}

static struct fact *new_fact(const char *kind, const struct identity *id, const char *subject)
{
	struct fact *f = fact_new(kind, subject, real_ns());

	if (f)
		identity__to_fact(id, f);
	return f;
}

static int add_sites(struct fact_store *fs, const struct block_report_full *rep,
		     const struct identity *id, const char *subj)
{
	size_t i;
	int err = 0;

	for (i = 0; i < rep->r.nrows && !err; i++) {
		const struct block_row *row = &rep->r.rows[i];
		const struct block_site_stats *t = &row->total;
		struct fact *f;

		if (!t->count)
			continue;
		f = new_fact("block_site", id, subj);
		if (!f)
			return -ENOMEM;
		block_fact_site_attrs(f, row->reason, row->stack);
		fact_set_int(f, "count", (int64_t)t->count);
		fact_set_int(f, "total_ns", (int64_t)t->total_ns);
		fact_set_int(f, "window_ns", (int64_t)rep->r.elapsed_ns);
		fact_set_int(f, "p50_ns", (int64_t)block_hist_quantile(t, 0.5));
		fact_set_int(f, "p99_ns", (int64_t)block_hist_quantile(t, 0.99));
		fact_set_int(f, "max_ns", (int64_t)t->max_ns);
		err = fact_store__add(fs, f);
	}
	return err;
}

static int add_stuck(struct fact_store *fs, const struct block_report_full *rep,
		     const struct identity *id, const char *subj)
{
	size_t i;
	int err = 0;

	for (i = 0; i < rep->nstuck && !err; i++) {
		const struct block_stuck *g = &rep->stuck[i];
		struct fact *f = new_fact("block_stuck", id, subj);

		if (!f)
			return -ENOMEM;
		block_fact_site_attrs(f, g->reason, g->stack);
		fact_set_int(f, "goroutines", (int64_t)g->count);
		fact_set_int(f, "oldest_ns", (int64_t)g->oldest_ns);
		fact_set_float(f, "growth_per_s", g->growth_per_s);
		err = fact_store__add(fs, f);
	}
	return err;
}

static int add_pre(struct fact_store *fs, const struct block_session *s)
{
	size_t i;
	int err = 0;

	for (i = 0; i < s->npre && !err; i++) {
		const struct block_pre *p = &s->pre[i];
		struct fact *f = new_fact("block_stuck", &s->id, s->subject);

		if (!f)
			return -ENOMEM;
		block_fact_site_attrs(f, p->reason, &p->stack);
		fact_set_bool(f, "before_attach", true);
		fact_set_int(f, "goroutines", (int64_t)p->count);
		fact_set_int(f, "oldest_ns", (int64_t)p->oldest_ns);
		err = fact_store__add(fs, f);
	}
	return err;
}

static int add_sched(struct fact_store *fs, struct block_session *s,
		     const struct block_report_full *rep, const struct identity *id,
		     const char *subj)
{
	struct fact *f = new_fact("sched_latency", id, subj);
	struct cpu_budget b;
	int err;

	if (!f)
		return -ENOMEM;
	fact_set_int(f, "runs", (int64_t)rep->r.sched.count);
	fact_set_int(f, "p50_ns", (int64_t)block_hist_quantile(&rep->r.sched, 0.5));
	fact_set_int(f, "p99_ns", (int64_t)block_hist_quantile(&rep->r.sched, 0.99));
	fact_set_int(f, "avg_ns",
		     rep->r.sched.count ? (int64_t)(rep->r.sched.total_ns / rep->r.sched.count)
					: 0);
	err = fact_store__add(fs, f);
	if (err || cpu_budget__read(s->target.pid,
				    s->target.facts.ver_ok ? s->target.facts.ver.minor : 0, &b))
		return err;
	f = new_fact("cpu_budget", id, subj);
	if (!f)
		return -ENOMEM;
	cpu_budget__to_fact(&b, f);
	return fact_store__add(fs, f);
}

int block_facts(struct block_session *s, const struct block_report_full *rep, struct fact_store *fs)
{
	int err = add_sites(fs, rep, &s->id, s->subject);

	if (!err)
		err = add_stuck(fs, rep, &s->id, s->subject);
	if (!err)
		err = add_pre(fs, s);
	if (!err)
		err = add_sched(fs, s, rep, &s->id, s->subject);
	return err;
}
