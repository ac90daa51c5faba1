// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include <time.h>

#include "out/utf8.h"
#include "rank/render.h"

static void put(FILE *f, const char *s)
{
	term_write_sanitized(f, s, strlen(s));
}

static void clock_str(uint64_t ns, char *buf, size_t len)
{
	time_t t = (time_t)(ns / 1000000000ULL);
	struct tm tm;

	if (!ns || !localtime_r(&t, &tm)) {
		snprintf(buf, len, "-");
		return;
	}
	strftime(buf, len, "%H:%M:%S", &tm);
}

static void print_one(FILE *f, size_t rank, const struct candidate *c, int verbose)
{
	char first[16], last[16];
	size_t i;

	fprintf(f, "#%zu  score %3d  %-8s  ", rank, c->score, severity_name(c->severity));
	put(f, c->display);
	fprintf(f, "\n    ");
	put(f, c->cause);
	fputc('\n', f);
	for (i = 0; i < c->nevidence; i++) {
		fprintf(f, "    - ");
		put(f, c->evidence[i]);
		fputc('\n', f);
	}
	if (c->fix[0]) {
		fprintf(f, "    fix: ");
		put(f, c->fix);
		fputc('\n', f);
	}
	if (c->count > 1 || verbose >= 1) {
		clock_str(c->first_seen_ns, first, sizeof(first));
		clock_str(c->last_seen_ns, last, sizeof(last));
		fprintf(f, "    seen %u time%s, first %s, last %s\n", c->count,
			c->count == 1 ? "" : "s", first, last);
	}
	if (verbose >= 1) {
		fprintf(f, "    score basis (rule %s%s%s):\n", c->rule,
			c->merged_rules[0] ? " + " : "", c->merged_rules);
		for (i = 0; i < c->nbasis; i++) {
			fprintf(f, "      ");
			put(f, c->basis[i]);
			fputc('\n', f);
		}
	}
}

void rank_print_text(FILE *f, const struct cand_list *l, size_t max, int verbose)
{
	size_t i;

	if (!l->n) {
		fprintf(f, "no root-cause candidates\n");
		return;
	}
	for (i = 0; i < l->n && (!max || i < max); i++)
		print_one(f, i + 1, &l->v[i], verbose);
}

void rank_write_json(struct json_writer *w, const char *key, const struct candidate *c)
{
	size_t i;

	json_obj_begin(w, key);
	json_str(w, "rule", c->rule);
	json_str(w, "subject", c->subject);
	json_str(w, "display", c->display);
	json_str(w, "merge_key", c->merge_key);
	json_i64(w, "score", c->score);
	json_str(w, "severity", severity_name(c->severity));
	json_str(w, "cause", c->cause);
	json_arr_begin(w, "evidence");
	for (i = 0; i < c->nevidence; i++)
		json_str(w, NULL, c->evidence[i]);
	json_arr_end(w);
	json_str(w, "fix", c->fix);
	json_arr_begin(w, "score_basis");
	for (i = 0; i < c->nbasis; i++)
		json_str(w, NULL, c->basis[i]);
	json_arr_end(w);
	if (c->merged_rules[0])
		json_str(w, "merged_rules", c->merged_rules);
	json_u64(w, "first_seen_ns", c->first_seen_ns);
	json_u64(w, "last_seen_ns", c->last_seen_ns);
	json_u64(w, "count", c->count);
	json_obj_end(w);
}

void rank_write_json_list(struct json_writer *w, const char *key, const struct cand_list *l)
{
	size_t i;

	json_arr_begin(w, key);
	for (i = 0; i < l->n; i++)
		rank_write_json(w, NULL, &l->v[i]);
	json_arr_end(w);
}
