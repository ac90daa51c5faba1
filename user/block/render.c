// SPDX-License-Identifier: GPL-2.0
/* block's table (text) and per-site objects (JSON). */
#include <string.h>

#include "block/block.h"
#include "out/units.h"
#include "out/utf8.h"

#define SAFE(buf, s)                                                                               \
	(term_sanitize((buf), sizeof(buf), (s) ? (s) : "?", (s) ? strlen(s) : 1), (buf))

static const char *basename_of(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;

	return s ? s + 1 : (path ? path : "?");
}

/* "main.waitMutex main.go:44", or the innermost non-runtime frame when no user frame. */
static void site_text(const struct block_stack *st, char *buf, size_t len)
{
	const struct sym_frame *f;
	char fn[256], file[256];

	if (!st || !st->nframes) {
		snprintf(buf, len, "(stack unavailable)");
		return;
	}
	f = &st->frames[st->display_frame >= 0 ? (size_t)st->display_frame : 0];
	snprintf(buf, len, "%s %s:%d", SAFE(fn, f->func), SAFE(file, basename_of(f->file)),
		 f->line);
}

static void print_stack(FILE *out, const struct block_stack *st)
{
	char fn[256], file[1024];
	size_t i;

	for (i = 0; st && i < st->nframes; i++)
		fprintf(out, "        %s%s\n          %s:%d\n", SAFE(fn, st->frames[i].func),
			st->frames[i].inlined ? " (inlined)" : "", SAFE(file, st->frames[i].file),
			st->frames[i].line);
}

/* Only runtime frames: the GC's workers, the scavenger, finalizers; noise for a reader. */
static bool runtime_only(const struct block_stack *st)
{
	return st && st->user_frame < 0 && st->display_frame >= 0 &&
	       !strncmp(st->frames[st->display_frame].func, "runtime.", 8);
}

void block_print_rows(FILE *out, const struct block_report_full *rep, bool totals, int verbose,
		      size_t max_rows)
{
	char c[32], t[16], p50[16], p99[16], mx[16], sq[16], site[600];
	size_t i, shown = 0, hidden = 0;

	fprintf(out, "%-22s %9s %9s %9s %9s %9s %9s  %s\n", "REASON", "COUNT", "TOTAL", "P50",
		"P99", "MAX", "RUNQ AVG", "WHERE (first user frame)");
	for (i = 0; i < rep->r.nrows && shown < max_rows; i++) {
		const struct block_row *row = &rep->r.rows[i];
		const struct block_site_stats *s = totals ? &row->total : &row->stats;

		if (!s->count)
			continue;
		if (verbose < 1 && runtime_only(row->stack)) {
			hidden++;
			continue;
		}
		shown++;
		site_text(row->stack, site, sizeof(site));
		fprintf(out, "%-22.22s %9s %9s %9s %9s %9s %9s  %s\n", row->reason,
			fmt_count(s->count, c, sizeof(c)), fmt_duration(s->total_ns, t, sizeof(t)),
			fmt_duration(block_hist_quantile(s, 0.5), p50, sizeof(p50)),
			fmt_duration(block_hist_quantile(s, 0.99), p99, sizeof(p99)),
			fmt_duration(s->max_ns, mx, sizeof(mx)),
			s->sched_count
				? fmt_duration(s->sched_total_ns / s->sched_count, sq, sizeof(sq))
				: "-",
			site);
		if (verbose >= 1)
			print_stack(out, row->stack);
	}
	if (hidden)
		fprintf(out,
			"(%zu sites of the runtime's own goroutines -- GC, scavenger, finalizers "
			"-- "
			"not shown; -v shows them, with stacks)\n",
			hidden);
}

void block_print_stuck(FILE *out, const struct block_report_full *rep, int verbose)
{
	char age[16], site[600];
	size_t i;

	if (!rep->nstuck)
		return;
	fprintf(out, "still parked:\n");
	for (i = 0; i < rep->nstuck && i < 20; i++) {
		const struct block_stuck *g = &rep->stuck[i];

		site_text(g->stack, site, sizeof(site));
		fprintf(out, "  %llu goroutine%s in %s at %s for up to %s",
			(unsigned long long)g->count, g->count == 1 ? "" : "s", g->reason, site,
			fmt_duration(g->oldest_ns, age, sizeof(age)));
		if (g->growth_per_s >= 0.5 || g->growth_per_s <= -0.5)
			fprintf(out, " (count %+.0f/s)", g->growth_per_s);
		fputc('\n', out);
		if (verbose >= 1)
			print_stack(out, g->stack);
	}
}

static void json_frames(struct json_writer *w, const char *key, const struct block_stack *st)
{
	size_t i;

	json_arr_begin(w, key);
	for (i = 0; st && i < st->nframes; i++) {
		json_obj_begin(w, NULL);
		json_str(w, "function", st->frames[i].func);
		json_str(w, "file", st->frames[i].file);
		json_i64(w, "line", st->frames[i].line);
		json_bool(w, "inlined", st->frames[i].inlined);
		json_hex(w, "pc", st->pcs[i]);
		json_obj_end(w);
	}
	json_arr_end(w);
}

static void json_user_frame(struct json_writer *w, const struct block_stack *st)
{
	const struct sym_frame *f;

	if (!st || st->user_frame < 0) {
		json_null(w, "user_frame");
		return;
	}
	f = &st->frames[st->user_frame];
	json_obj_begin(w, "user_frame");
	json_str(w, "function", f->func);
	json_str(w, "file", f->file);
	json_i64(w, "line", f->line);
	json_obj_end(w);
}

static void json_stats(struct json_writer *w, const char *key, const struct block_site_stats *s)
{
	json_obj_begin(w, key);
	json_u64(w, "count", s->count);
	json_u64(w, "total_ns", s->total_ns);
	json_u64(w, "p50_ns", block_hist_quantile(s, 0.5));
	json_u64(w, "p99_ns", block_hist_quantile(s, 0.99));
	json_u64(w, "max_ns", s->max_ns);
	json_u64(w, "runq_count", s->sched_count);
	json_u64(w, "runq_total_ns", s->sched_total_ns);
	json_obj_end(w);
}

void block_json_rows(struct json_writer *w, const struct block_report_full *rep, pid_t pid,
		     uint64_t interval_end_ns)
{
	size_t i;

	for (i = 0; i < rep->r.nrows; i++) {
		const struct block_row *row = &rep->r.rows[i];

		json_obj_begin(w, NULL);
		json_str(w, "type", "block_site");
		json_i64(w, "pid", pid);
		json_u64(w, "elapsed_ns", interval_end_ns);
		json_u64(w, "window_ns", rep->r.window_ns);
		json_str(w, "reason", row->reason);
		json_u64(w, "reason_code", row->key.reason);
		json_stats(w, "window", &row->stats);
		json_stats(w, "total", &row->total);
		json_user_frame(w, row->stack);
		json_frames(w, "stack", row->stack);
		json_obj_end(w);
		json_end_line(w);
	}
}

void block_json_stuck(struct json_writer *w, const struct block_report_full *rep, pid_t pid)
{
	size_t i;

	for (i = 0; i < rep->nstuck; i++) {
		const struct block_stuck *g = &rep->stuck[i];

		json_obj_begin(w, NULL);
		json_str(w, "type", "block_stuck");
		json_i64(w, "pid", pid);
		json_str(w, "reason", g->reason);
		json_u64(w, "goroutines", g->count);
		json_u64(w, "oldest_ns", g->oldest_ns);
		json_f64(w, "growth_per_s", g->growth_per_s);
		json_user_frame(w, g->stack);
		json_frames(w, "stack", g->stack);
		json_obj_end(w);
		json_end_line(w);
	}
}

void block_print_pre(FILE *out, const struct block_session *s, int verbose)
{
	char age[16], site[600];
	size_t i;

	if (s->pre_error[0]) {
		fprintf(out, "goroutines blocked since before tracing: unknown (%s)\n",
			s->pre_error);
		return;
	}
	if (!s->npre)
		return;
	fprintf(out, "blocked the whole time, since before tracing (goroutine dumps at attach and "
		     "at the end):\n");
	for (i = 0; i < s->npre && i < 20; i++) {
		const struct block_pre *p = &s->pre[i];

		if (verbose < 1 && runtime_only(&p->stack))
			continue;
		site_text(&p->stack, site, sizeof(site));
		fprintf(out, "  %llu goroutine%s in %s at %s for at least %s\n",
			(unsigned long long)p->count, p->count == 1 ? "" : "s", p->reason, site,
			fmt_duration(p->oldest_ns, age, sizeof(age)));
		if (verbose >= 1)
			print_stack(out, &p->stack);
	}
}

void block_json_pre(struct json_writer *w, const struct block_session *s)
{
	size_t i;

	for (i = 0; i < s->npre; i++) {
		const struct block_pre *p = &s->pre[i];

		json_obj_begin(w, NULL);
		json_str(w, "type", "block_stuck");
		json_i64(w, "pid", s->target.pid);
		json_bool(w, "before_attach", true);
		json_str(w, "reason", p->reason);
		json_u64(w, "goroutines", p->count);
		json_u64(w, "oldest_ns", p->oldest_ns);
		json_user_frame(w, &p->stack);
		json_frames(w, "stack", &p->stack);
		json_obj_end(w);
		json_end_line(w);
	}
}
