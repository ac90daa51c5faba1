// SPDX-License-Identifier: GPL-2.0
/* gotrace goroutines: text like the runtime's own dumps, and JSON. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "goelf/waitreason.h"
#include "goroutines/render.h"
#include "out/utf8.h"

#define MAX_SYM 32

static const char *stack_state_name(enum go_stack_state s)
{
	static const char *const names[] = {"ok", "running", "none", "truncated", "partial"};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

/* Frames of one pc, innermost first; 0 when it cannot be symbolized. */
static int frames_of(const struct go_render *r, const struct go_pc *pc, struct sym_frame *fr)
{
	int n = symbolizer__symbolize(go_proc__symbolizer(r->proc), pc->lookup, fr, MAX_SYM);

	return n < 0 ? 0 : n > MAX_SYM ? MAX_SYM : n;
}

static void text(FILE *f, const char *s)
{
	term_write_sanitized(f, s ? s : "?", s ? strlen(s) : 1);
}

/* "3m12s", "850ms": a duration for people. */
static void print_duration(FILE *f, uint64_t ns)
{
	uint64_t s = ns / 1000000000ULL;

	if (s >= 3600)
		fprintf(f, "%" PRIu64 "h%02" PRIu64 "m", s / 3600, s / 60 % 60);
	else if (s >= 60)
		fprintf(f, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
	else if (s)
		fprintf(f, "%" PRIu64 ".%01" PRIu64 "s", s, (uint64_t)(ns / 100000000ULL % 10));
	else
		fprintf(f, "%" PRIu64 "ms", (uint64_t)(ns / 1000000ULL));
}

/* "[chan receive, waiting >= 3m12s, locked to thread]" */
static void print_state(FILE *f, const struct go_goroutine *g, int64_t wait_ns)
{
	fputc('[', f);
	text(f, g->state);
	if (g->scan)
		fputs(" (scan)", f);
	if (wait_ns >= 0) {
		fputs(", waiting >= ", f);
		print_duration(f, (uint64_t)wait_ns);
	}
	if (g->locked_to_thread)
		fputs(", locked to thread", f);
	fputc(']', f);
}

/* Why there is no (complete) stack, in the runtime's words where it has some. */
static void print_stack_note(FILE *f, const struct go_goroutine *g, const char *indent)
{
	switch (g->stack) {
	case GO_STACK_RUNNING:
		fprintf(f, "%sgoroutine running on ", indent);
		if (g->thread_id > 0)
			fprintf(f, "thread %" PRId64, g->thread_id);
		else
			fputs("another thread", f);
		fputs("; stack unavailable\n", f);
		break;
	case GO_STACK_NONE:
		fprintf(f, "%sno saved stack context\n", indent);
		break;
	case GO_STACK_TRUNCATED:
		fprintf(f, "%s...additional frames elided...\n", indent);
		break;
	case GO_STACK_PARTIAL:
		fprintf(f, "%s...stack unreadable past this frame...\n", indent);
		break;
	default:
		break;
	}
}

/* Runtime style: "func(...)\n\tfile:line +0xoff" per frame, inlined frames without +0x. */
static void print_frames_runtime(const struct go_render *r, const struct go_goroutine *g)
{
	struct sym_frame fr[MAX_SYM];
	uint32_t i;
	int k, n;

	for (i = 0; i < g->npcs; i++) {
		n = frames_of(r, &g->pcs[i], fr);
		if (!n) {
			fprintf(r->out, "?()\n\tpc=0x%" PRIx64 "\n", g->pcs[i].pc);
			continue;
		}
		for (k = 0; k < n; k++) {
			text(r->out, fr[k].func);
			fputs("(...)\n\t", r->out);
			text(r->out, fr[k].file);
			fprintf(r->out, ":%d", fr[k].line);
			if (!fr[k].inlined)
				fprintf(r->out, " +0x%" PRIx64,
					fr[k].func_offset + (g->pcs[i].pc - g->pcs[i].lookup));
			fputc('\n', r->out);
		}
	}
}

static void print_creator(const struct go_render *r, const struct go_goroutine *g,
			  bool runtime_style)
{
	struct sym_frame c;

	if (!go_proc__creator(r->proc, g, &c))
		return;
	fputs(runtime_style ? "created by " : "\tcreated by ", r->out);
	text(r->out, c.func);
	if (g->parent_goid)
		fprintf(r->out, " in goroutine %" PRIu64, g->parent_goid);
	fputs(runtime_style ? "\n\t" : " at ", r->out);
	text(r->out, c.file);
	fprintf(r->out, ":%d", c.line);
	if (runtime_style)
		fprintf(r->out, " +0x%" PRIx64, c.func_offset);
	fputc('\n', r->out);
}

static void print_goroutine(const struct go_render *r, const struct go_goroutine *g)
{
	fprintf(r->out, "goroutine %" PRIu64 " ", g->goid);
	print_state(r->out, g, g->wait_ns);
	fputs(":\n", r->out);
	if (g->stack == GO_STACK_RUNNING || g->stack == GO_STACK_NONE)
		print_stack_note(r->out, g, "\t");
	print_frames_runtime(r, g);
	if (g->stack == GO_STACK_TRUNCATED || g->stack == GO_STACK_PARTIAL)
		print_stack_note(r->out, g, "");
	print_creator(r, g, true);
	fputc('\n', r->out);
}

/* pprof debug=1 style: "#\t0xpc\tfunc+0xoff\tfile:line", inlined frames share the pc. */
static void print_frames_pprof(const struct go_render *r, const struct go_group *gr)
{
	struct sym_frame fr[MAX_SYM];
	uint32_t i;
	int k, n;

	for (i = 0; i < gr->npcs; i++) {
		n = frames_of(r, &gr->pcs[i], fr);
		if (!n)
			fprintf(r->out, "#\t0x%" PRIx64 "\t?\n", gr->pcs[i].pc);
		for (k = 0; k < n; k++) {
			fprintf(r->out, "#\t0x%" PRIx64 "\t", gr->pcs[i].lookup);
			text(r->out, fr[k].func);
			if (!fr[k].inlined)
				fprintf(r->out, "+0x%" PRIx64, fr[k].func_offset);
			fputc('\t', r->out);
			text(r->out, fr[k].file);
			fprintf(r->out, ":%d%s\n", fr[k].line, fr[k].inlined ? " (inlined)" : "");
		}
	}
}

static void print_group(const struct go_render *r, const struct go_group *gr)
{
	size_t i;

	fprintf(r->out, "%" PRIu64 " goroutine%s ", gr->count, gr->count == 1 ? "" : "s");
	print_state(r->out, &gr->rep, gr->max_wait_ns);
	fputs(":", r->out);
	for (i = 0; i < gr->ngoids; i++)
		fprintf(r->out, " %" PRIu64, gr->goids[i]);
	fputs(gr->count > gr->ngoids ? " ...\n" : "\n", r->out);
	if (gr->stack == GO_STACK_RUNNING || gr->stack == GO_STACK_NONE)
		print_stack_note(r->out, &gr->rep, "#\t");
	print_frames_pprof(r, gr);
	if (gr->stack == GO_STACK_TRUNCATED || gr->stack == GO_STACK_PARTIAL)
		print_stack_note(r->out, &gr->rep, "#\t");
	print_creator(r, &gr->rep, false);
	fputc('\n', r->out);
}

static void json_frames(const struct go_render *r, struct json_writer *w, const struct go_pc *pcs,
			uint32_t npcs)
{
	struct sym_frame fr[MAX_SYM];
	uint32_t i;
	int k, n;

	json_arr_begin(w, "frames");
	for (i = 0; i < npcs; i++) {
		n = frames_of(r, &pcs[i], fr);
		for (k = 0; k < (n ? n : 1); k++) {
			json_obj_begin(w, NULL);
			json_hex(w, "pc", pcs[i].pc);
			json_str(w, "function", n ? fr[k].func : NULL);
			json_str(w, "file", n ? fr[k].file : NULL);
			json_i64(w, "line", n ? fr[k].line : 0);
			json_bool(w, "inlined", n && fr[k].inlined);
			json_obj_end(w);
		}
	}
	json_arr_end(w);
}

static void json_creator(const struct go_render *r, struct json_writer *w,
			 const struct go_goroutine *g)
{
	struct sym_frame c;

	if (!go_proc__creator(r->proc, g, &c)) {
		json_null(w, "created_by");
		return;
	}
	json_obj_begin(w, "created_by");
	json_str(w, "function", c.func);
	json_str(w, "file", c.file);
	json_i64(w, "line", c.line);
	json_hex(w, "pc", g->gopc);
	if (g->parent_goid)
		json_u64(w, "goid", g->parent_goid);
	else
		json_null(w, "goid");
	json_obj_end(w);
}

/* The fields a goroutine and a group share. */
static void json_state(struct json_writer *w, const struct go_goroutine *g, int64_t wait_ns)
{
	json_str(w, "state", g->state);
	json_str(w, "status", go_gstatus_name(g->status));
	if (g->status == GO_G_WAITING && g->waitreason)
		json_str(w, "wait_reason", g->state);
	else
		json_null(w, "wait_reason");
	if (wait_ns >= 0)
		json_i64(w, "wait_min_ns", wait_ns);
	else
		json_null(w, "wait_min_ns");
	json_str(w, "stack", stack_state_name(g->stack));
}

static void json_goroutine(const struct go_render *r, struct json_writer *w,
			   const struct go_goroutine *g)
{
	json_obj_begin(w, NULL);
	json_u64(w, "goid", g->goid);
	json_state(w, g, g->wait_ns);
	json_bool(w, "scan", g->scan);
	json_bool(w, "locked_to_thread", g->locked_to_thread);
	if (g->thread_id > 0)
		json_i64(w, "thread_id", g->thread_id);
	else
		json_null(w, "thread_id");
	json_hex(w, "g", g->gaddr);
	json_frames(r, w, g->pcs, g->npcs);
	json_creator(r, w, g);
	json_obj_end(w);
}

static void json_group(const struct go_render *r, struct json_writer *w, const struct go_group *gr,
		       bool samples)
{
	size_t i;

	json_obj_begin(w, NULL);
	json_u64(w, samples ? "samples" : "count", gr->count);
	json_state(w, &gr->rep, gr->max_wait_ns);
	if (!samples) {
		json_arr_begin(w, "goids");
		for (i = 0; i < gr->ngoids; i++)
			json_u64(w, NULL, gr->goids[i]);
		json_arr_end(w);
	}
	json_frames(r, w, gr->pcs, gr->npcs);
	json_creator(r, w, &gr->rep);
	json_obj_end(w);
}

/* pid, binary facts and the read's own numbers: the head of every document. */
static void json_head(const struct go_render *r, struct json_writer *w)
{
	json_i64(w, "pid", go_proc__pid(r->proc));
	json_str(w, "comm", go_proc__comm(r->proc));
	json_str(w, "go_version", go_proc__go_version(r->proc));
	json_str(w, "offsets_source", go_proc__offsets_source(r->proc));
	json_str(w, "allgs_source", go_proc__allgs_source(r->proc));
	json_str(w, "wait_reasons_source", go_proc__waitreasons_source(r->proc));
	json_str(w, "read_method", go_proc__read_method(r->proc));
}

static void text_head(const struct go_render *r)
{
	fprintf(r->out, "pid %d (", (int)go_proc__pid(r->proc));
	text(r->out, go_proc__comm(r->proc));
	fputs("), ", r->out);
	text(r->out, go_proc__go_version(r->proc));
}

static void text_sources(const struct go_render *r)
{
	if (r->verbose)
		fprintf(r->out,
			"g offsets from %s; allgs from %s; wait reasons from %s; read with %s\n",
			go_proc__offsets_source(r->proc), go_proc__allgs_source(r->proc),
			go_proc__waitreasons_source(r->proc), go_proc__read_method(r->proc));
}

static int snapshot_json(const struct go_render *r, const struct go_snapshot *s,
			 struct go_group **groups, size_t ngroups)
{
	struct json_writer w;
	size_t i;

	json_init(&w, r->out);
	json_obj_begin(&w, NULL);
	json_head(r, &w);
	json_u64(&w, "goroutine_count", s->n);
	json_u64(&w, "exited", s->dead);
	json_u64(&w, "dropped", s->dropped);
	json_u64(&w, "read_ns", s->read_ns);
	if (r->stacks) {
		json_arr_begin(&w, "goroutines");
		for (i = 0; i < s->n; i++)
			json_goroutine(r, &w, &s->v[i]);
	} else {
		json_arr_begin(&w, "groups");
		for (i = 0; i < ngroups; i++)
			json_group(r, &w, groups[i], false);
	}
	json_arr_end(&w);
	json_obj_end(&w);
	json_end_line(&w);
	return 0;
}

static void snapshot_text(const struct go_render *r, const struct go_snapshot *s,
			  struct go_group **groups, size_t ngroups)
{
	size_t i;

	text_head(r);
	fprintf(r->out, ": %zu goroutine%s (%zu exited not listed", s->n, s->n == 1 ? "" : "s",
		s->dead);
	if (s->dropped)
		fprintf(r->out, "; %zu dropped: they changed while being read", s->dropped);
	fprintf(r->out, "), read in %.2f ms\n", s->read_ns / 1e6);
	text_sources(r);
	fputc('\n', r->out);
	if (r->stacks) {
		for (i = 0; i < s->n; i++)
			print_goroutine(r, &s->v[i]);
		return;
	}
	for (i = 0; i < ngroups; i++)
		print_group(r, groups[i]);
}

int go_render_snapshot(const struct go_render *r, const struct go_snapshot *s)
{
	struct go_groups *t = NULL;
	struct go_group **groups = NULL;
	size_t i, n = 0;
	int err = 0;

	if (!r->stacks) {
		err = go_groups__new(&t);
		for (i = 0; i < s->n && !err; i++)
			err = go_groups__add(t, &s->v[i]);
		if (!err)
			n = go_groups__sorted(t, &groups);
	}
	if (!err && r->json)
		err = snapshot_json(r, s, groups, n);
	else if (!err)
		snapshot_text(r, s, groups, n);
	go_groups__free(t);
	return err;
}

static void samples_json(const struct go_render *r, const struct go_sample_stats *st,
			 struct go_group **groups, size_t n)
{
	struct json_writer w;
	size_t i;

	json_init(&w, r->out);
	json_obj_begin(&w, NULL);
	json_head(r, &w);
	json_f64(&w, "sample_hz", st->hz);
	json_u64(&w, "duration_ns", st->duration_ns);
	json_u64(&w, "snapshots", st->snapshots);
	json_u64(&w, "snapshots_failed", st->failed);
	json_u64(&w, "ticks_missed", st->missed);
	json_u64(&w, "goroutine_samples", st->goroutine_samples);
	json_u64(&w, "dropped", st->dropped);
	json_u64(&w, "retried", st->retried);
	json_u64(&w, "stacks_reused", st->reused);
	json_u64(&w, "cpu_ns", st->cpu_ns);
	json_u64(&w, "read_syscalls", st->read_syscalls);
	json_arr_begin(&w, "groups");
	for (i = 0; i < n; i++)
		json_group(r, &w, groups[i], true);
	json_arr_end(&w);
	json_obj_end(&w);
	json_end_line(&w);
}

/* The innermost frame that is not runtime plumbing: where the goroutine waits, for people. */
static void print_where(const struct go_render *r, const struct go_group *gr)
{
	struct sym_frame fr[MAX_SYM];
	uint32_t i;
	int n = 0;

	for (i = 0; i < gr->npcs; i++) {
		n = frames_of(r, &gr->pcs[i], fr);
		if (n && strncmp(fr[0].func, "runtime.", 8) && strncmp(fr[0].func, "internal/", 9))
			break;
	}
	/*
	 * Runtime plumbing all the way down (GC workers): the goroutine's own
	 * function, the frame above runtime.goexit, says more than gopark.
	 */
	if (i == gr->npcs && gr->npcs) {
		n = frames_of(r, &gr->pcs[gr->npcs >= 2 ? gr->npcs - 2 : 0], fr);
		if (n > 1)
			fr[0] = fr[n - 1]; /* the physical function, not what it inlined there */
	}
	if (!n) {
		fputs(gr->stack == GO_STACK_RUNNING ? "(running)\n" : "?\n", r->out);
		return;
	}
	text(r->out, fr[0].func);
	fputc(' ', r->out);
	text(r->out, fr[0].file);
	fprintf(r->out, ":%d\n", fr[0].line);
}

static void samples_text(const struct go_render *r, const struct go_sample_stats *st,
			 struct go_group **groups, size_t n)
{
	double snaps = st->snapshots ? (double)st->snapshots : 1;
	size_t i;

	text_head(r);
	fprintf(r->out,
		": %" PRIu64 " snapshots at %.0f Hz in %.1f s (%" PRIu64 " failed, %" PRIu64
		" ticks missed), %.1f goroutines on average; gotrace used %.3f ms CPU per "
		"snapshot; %.0f%% of the stacks were not read again (their goroutines had not "
		"run since the snapshot before)\n",
		st->snapshots, st->hz, st->duration_ns / 1e9, st->failed, st->missed,
		st->goroutine_samples / snaps, st->cpu_ns / 1e6 / snaps,
		100.0 * st->reused / (st->goroutine_samples ? st->goroutine_samples : 1));
	text_sources(r);
	fprintf(r->out, "\n  %6s %8s  %-28s %s\n", "share", "avg", "state", "where");
	for (i = 0; i < n; i++) {
		fprintf(r->out, "  %5.1f%% %8.2f  ",
			100.0 * groups[i]->count /
				(st->goroutine_samples ? st->goroutine_samples : 1),
			groups[i]->count / snaps);
		fprintf(r->out, "%-28.28s ", groups[i]->state);
		print_where(r, groups[i]);
	}
	if (!r->stacks)
		return;
	fputc('\n', r->out);
	for (i = 0; i < n; i++) {
		fprintf(r->out, "%" PRIu64 " samples [", groups[i]->count);
		text(r->out, groups[i]->state);
		fputs("]:\n", r->out);
		print_frames_pprof(r, groups[i]);
		print_creator(r, &groups[i]->rep, false);
		fputc('\n', r->out);
	}
}

int go_render_samples(const struct go_render *r, const struct go_sample_stats *st,
		      struct go_groups *groups)
{
	struct go_group **v;
	size_t n = go_groups__sorted(groups, &v);

	if (r->json)
		samples_json(r, st, v, n);
	else
		samples_text(r, st, v, n);
	return 0;
}
