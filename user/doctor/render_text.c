// SPDX-License-Identifier: GPL-2.0
/* doctor's table view (doctor/render.h). */
#include <string.h>

#include "doctor/render.h"
#include "doctor/target.h"
#include "out/units.h"
#include "out/utf8.h"
#include "rank/render.h"

static const char *const colors[] = {
	[CHECK_PASS] = "\033[32m",
	[CHECK_SKIP] = "\033[2m",
	[CHECK_WARN] = "\033[33m",
	[CHECK_FAIL] = "\033[1;31m",
};

static void put(FILE *f, const char *s)
{
	term_write_sanitized(f, s, strlen(s));
}

void doctor_report__counts(const struct doctor_report *r, size_t counts[4])
{
	memset(counts, 0, 4 * sizeof(counts[0]));
	for (size_t i = 0; i < r->nchecks; i++)
		counts[r->checks[i].result.status]++;
}

static void header(FILE *f, const struct doctor_report *r)
{
	size_t c[4];
	char d[32];

	doctor_report__counts(r, c);
	fprintf(f, "gotrace doctor: ");
	put(f, r->t->display);
	fputc('\n', f);
	if (r->t->note[0]) {
		fprintf(f, "  note: ");
		put(f, r->t->note);
		fputc('\n', f);
	}
	if (!r->t->pid && r->t->why_no_pid[0]) {
		fprintf(f, "  ");
		put(f, r->t->why_no_pid);
		fputc('\n', f);
	}
	fprintf(f, "  %zu checks in %s: %zu FAIL, %zu WARN, %zu PASS, %zu SKIP\n\n", r->nchecks,
		fmt_duration(r->checks_ns, d, sizeof(d)), c[CHECK_FAIL], c[CHECK_WARN],
		c[CHECK_PASS], c[CHECK_SKIP]);
}

static void row(FILE *f, const struct check_outcome *o, bool color, int verbose)
{
	const struct check_result *res = &o->result;
	bool detail = verbose >= 1 || res->status >= CHECK_WARN;

	fprintf(f, "%s%-4s%s  %-16s ", color ? colors[res->status] : "",
		check_status_name(res->status), color ? "\033[0m" : "", o->check->id);
	put(f, res->summary);
	fputc('\n', f);
	if (!detail)
		return;
	fprintf(f, "%24s", "");
	put(f, o->check->description);
	fprintf(f, "\n");
	for (size_t i = 0; i < res->nevidence; i++) {
		fprintf(f, "%24s- ", "");
		put(f, res->evidence[i]);
		fputc('\n', f);
	}
	if (res->evidence_cut)
		fprintf(f, "%24s- (more evidence in --json)\n", "");
	if (res->fix[0] && res->status >= CHECK_WARN) {
		fprintf(f, "%24sfix: ", "");
		put(f, res->fix);
		fputc('\n', f);
	}
}

static void live(FILE *f, const struct live_window *w)
{
	char d[32];

	fprintf(f, "\nlive window: %s%s\n", fmt_duration(w->elapsed_ns, d, sizeof(d)),
		w->interrupted	 ? " (interrupted)"
		: w->ended_early ? " (ended early)"
				 : "");
	for (size_t i = 0; i < w->n; i++) {
		fprintf(f, "  %-8s %-7s ", w->v[i].c->name, live_state_name(w->v[i].state));
		put(f, w->v[i].detail);
		if (w->v[i].state == LIVE_RAN)
			fprintf(f, " (%zu facts)", w->v[i].nfacts);
		fputc('\n', f);
	}
}

void doctor_render_text(FILE *f, const struct doctor_report *r, bool color)
{
	header(f, r);
	/* Worst first: the rows to read come first; ties keep the checklist's order. */
	for (int s = CHECK_FAIL; s >= CHECK_PASS; s--)
		for (size_t i = 0; i < r->nchecks; i++)
			if ((int)r->checks[i].result.status == s)
				row(f, &r->checks[i], color, r->verbose);
	if (r->live)
		live(f, r->live);
	fprintf(f, "\nroot-cause candidates:\n");
	rank_print_text(f, r->cands, 5, r->verbose);
}
