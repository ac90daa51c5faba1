// SPDX-License-Identifier: GPL-2.0
/*
 * doctor --markdown: an incident report to paste into a ticket: the
 * verdict, the likely causes with their evidence and fixes, the checklist
 * as a table, and each check's evidence in a collapsed block.
 */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "doctor/render.h"
#include "doctor/target.h"
#include "out/markdown.h"
#include "out/units.h"

static void when(char *buf, size_t len, uint64_t ns)
{
	time_t t = (time_t)(ns / 1000000000ULL);
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, len, "?");
}

static void verdict(FILE *f, const struct doctor_report *r)
{
	char host[256] = "?", at[64], d[32];
	size_t c[4];

	doctor_report__counts(r, c);
	gethostname(host, sizeof(host) - 1);
	when(at, sizeof(at), r->started_ns);
	fprintf(f, "### gotrace doctor: ");
	md_write_text(f, r->t->display);
	fprintf(f,
		"\n\n**%s**: %zu failed, %zu warnings, %zu passed, %zu skipped. Checked %s on "
		"node `",
		r->worst == CHECK_FAIL	 ? "Problems found"
		: r->worst == CHECK_WARN ? "Warnings"
					 : "No problem found",
		c[CHECK_FAIL], c[CHECK_WARN], c[CHECK_PASS], c[CHECK_SKIP], at);
	md_write_text(f, host);
	fprintf(f, "` in %s (gotrace %s, exit code %d).\n\n",
		fmt_duration(r->elapsed_ns, d, sizeof(d)), GOTRACE_VERSION, r->exit_code);
	if (!r->t->pid && r->t->why_no_pid[0]) {
		fprintf(f, "> ");
		md_write_text(f, r->t->why_no_pid);
		fprintf(f, "\n\n");
	}
}

static void causes(FILE *f, const struct cand_list *l)
{
	fprintf(f, "#### Likely causes\n\n");
	if (!l->n)
		fprintf(f, "No root-cause candidate.\n\n");
	for (size_t i = 0; i < l->n && i < 5; i++) {
		const struct candidate *c = &l->v[i];

		fprintf(f, "%zu. **", i + 1);
		md_write_text(f, c->cause);
		fprintf(f, "** (score %d, %s, rule `%s`)\n", c->score, severity_name(c->severity),
			c->rule);
		for (size_t k = 0; k < c->nevidence; k++) {
			fprintf(f, "   - ");
			md_write_text(f, c->evidence[k]);
			fputc('\n', f);
		}
		if (c->fix[0]) {
			fprintf(f, "   - **Fix:** ");
			md_write_text(f, c->fix);
			fputc('\n', f);
		}
	}
	fputc('\n', f);
}

static void checklist(FILE *f, const struct doctor_report *r)
{
	fprintf(f, "#### Checklist\n\n| Status | Check | Finding | Fix |\n|---|---|---|---|\n");
	for (int s = CHECK_FAIL; s >= CHECK_PASS; s--)
		for (size_t i = 0; i < r->nchecks; i++) {
			const struct check_outcome *o = &r->checks[i];

			if ((int)o->result.status != s)
				continue;
			fprintf(f, "| **%s** | `%s` | ", check_status_name(o->result.status),
				o->check->id);
			md_write_text(f, o->result.summary);
			fprintf(f, " | ");
			md_write_text(f, o->result.status >= CHECK_WARN ? o->result.fix : "");
			fprintf(f, " |\n");
		}
	fputc('\n', f);
}

static void evidence(FILE *f, const struct doctor_report *r)
{
	fprintf(f, "#### Evidence\n\n");
	for (size_t i = 0; i < r->nchecks; i++) {
		const struct check_outcome *o = &r->checks[i];

		if (!o->result.nevidence)
			continue;
		fprintf(f, "<details><summary><code>%s</code> %s: ", o->check->id,
			check_status_name(o->result.status));
		md_write_text(f, o->check->description);
		fprintf(f, "</summary>\n\n");
		md_write_code(f, (const char *const *)o->result.evidence, o->result.nevidence);
		fprintf(f, "\n</details>\n\n");
	}
}

static void live(FILE *f, const struct live_window *w)
{
	char d[32];

	fprintf(f, "#### Live window (%s%s)\n\n", fmt_duration(w->elapsed_ns, d, sizeof(d)),
		w->interrupted ? ", interrupted" : "");
	for (size_t i = 0; i < w->n; i++) {
		fprintf(f, "- `%s` %s: ", w->v[i].c->name, live_state_name(w->v[i].state));
		md_write_text(f, w->v[i].detail);
		fputc('\n', f);
	}
	fputc('\n', f);
}

void doctor_render_markdown(FILE *f, const struct doctor_report *r)
{
	verdict(f, r);
	causes(f, r->cands);
	checklist(f, r);
	if (r->live)
		live(f, r->live);
	evidence(f, r);
}
