// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "rank/crash_facts.h"
#include "rank/rules.h"

const struct fact *crash_facts__of_pid(const struct fact_store *fs, size_t *cursor,
				       const char *kind, const struct fact *f)
{
	int64_t pid = fact_int(f, "pid", -1);
	const struct fact *g;

	while ((g = fact_store__next(fs, cursor, kind, f->subject)))
		if (fact_int(g, "pid", -2) == pid)
			return g;
	return NULL;
}

const struct fact *crash_facts__first(const struct fact_store *fs, const char *kind,
				      const struct fact *f)
{
	size_t cur = 0;

	return crash_facts__of_pid(fs, &cur, kind, f);
}

void crash_facts__tail(const struct fact_store *fs, const struct fact *f, int n, char *buf,
		       size_t len)
{
	const struct fact *o = crash_facts__first(fs, "output", f);
	const char *t = o ? fact_str(o, "tail") : NULL, *end, *p;
	int lines = 0;

	buf[0] = '\0';
	if (!t || !*t)
		return;
	end = t + strlen(t);
	while (end > t && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	/* Walk back over n lines. */
	for (p = end; p > t; p--)
		if (p[-1] == '\n' && p < end && ++lines == n)
			break;
	snprintf(buf, len, "%.*s", (int)(end - p), p);
}

void crash_cand_output(struct candidate *c, const struct fact_store *fs, const struct fact *f,
		       int n)
{
	char tail[2048], *line, *save = NULL;

	crash_facts__tail(fs, f, n, tail, sizeof(tail));
	for (char *p = tail; *p; p++)
		if (*p == '\t')
			*p = ' ';
	for (line = strtok_r(tail, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		cand_evidence(c, "output: %s", line);
	crash_cand_output_gap(c, fs, f);
}

void crash_cand_output_gap(struct candidate *c, const struct fact_store *fs, const struct fact *f)
{
	const struct fact *o = crash_facts__first(fs, "output", f);
	int64_t after = o ? fact_int(o, "skipped_after_bytes", 0) : 0;

	if (after > 0)
		cand_evidence(c,
			      "output: (the last %lld bytes it wrote were not captured: over the "
			      "%lld KiB/s capture budget, --output-budget)",
			      (long long)after, (long long)fact_int(o, "capture_budget_kib", 0));
}

struct candidate *crash_cand(struct cand_list *out, const char *rule, const struct fact *f)
{
	struct candidate *c = cand_list__add(out, rule, f->subject);

	if (!c)
		return NULL;
	rank__display(f, c->display, sizeof(c->display));
	snprintf(c->merge_key, sizeof(c->merge_key), "death:%lld",
		 (long long)fact_int(f, "pid", 0));
	cand_seen(c, f->time_ns);
	return c;
}

void crash_facts__clock(uint64_t ns, char *buf, size_t len)
{
	time_t t = (time_t)(ns / 1000000000ULL);
	struct tm tm;
	char hms[16];

	gmtime_r(&t, &tm);
	strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03lluZ", hms, (unsigned long long)(ns / 1000000ULL % 1000));
}

void crash_cand_death(struct candidate *c, const struct fact_store *fs, const struct fact *f)
{
	const struct fact *d = crash_facts__first(fs, "exit", f);
	char t[32];

	if (!d)
		return;
	crash_facts__clock(d->time_ns, t, sizeof(t));
	if (fact_has(d, "signal"))
		cand_evidence(c, "%s pid %lld (%s) killed by %s after %lld ms", t,
			      (long long)fact_int(d, "pid", 0), fact_str(d, "comm") ?: "?",
			      fact_str(d, "signal_name"), (long long)fact_int(d, "lifetime_ms", 0));
	else
		cand_evidence(c, "%s pid %lld (%s) exited with code %lld after %lld ms", t,
			      (long long)fact_int(d, "pid", 0), fact_str(d, "comm") ?: "?",
			      (long long)fact_int(d, "exit_code", 0),
			      (long long)fact_int(d, "lifetime_ms", 0));
	if (d->time_ns > c->last_seen_ns) /* the same occurrence: widen, do not count */
		c->last_seen_ns = d->time_ns;
}
