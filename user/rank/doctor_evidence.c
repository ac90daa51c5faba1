// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "rank/doctor_evidence.h"
#include "rank/rules.h"

bool doctor_go_mem(const struct fact_store *fs, const char *subject, struct doctor_go_mem *m)
{
	const struct fact *env = fact_store__latest(fs, "go_env", subject);
	const struct fact *rt = fact_store__latest(fs, "go_runtime", subject);

	memset(m, 0, sizeof(*m));
	m->memlimit = INT64_MAX;
	m->gc_percent = 100;
	if (env) {
		m->known = true;
		m->memlimit = fact_int(env, "gomemlimit_bytes", INT64_MAX);
		m->gc_percent = (int)fact_int(env, "gogc_percent", 100);
		m->from = "environment";
		m->version = fact_str(env, "go_version");
	}
	if (rt && fact_has(rt, "memory_limit_set") && fact_has(rt, "gc_percent")) {
		m->known = true;
		m->memlimit = fact_bool(rt, "memory_limit_set", false)
				      ? fact_int(rt, "memory_limit_bytes", INT64_MAX)
				      : INT64_MAX;
		m->gc_percent = (int)fact_int(rt, "gc_percent", 100);
		m->from = "in effect";
	}
	return m->known;
}

int64_t doctor_oom_kills(const struct fact_store *fs, const char *subject, const char **scope)
{
	const struct fact *f;
	size_t cur = 0;
	int64_t best = 0;

	*scope = NULL;
	while ((f = fact_store__next(fs, &cur, "oom_events", subject)))
		if (fact_int(f, "oom_kill", 0) > best) {
			best = fact_int(f, "oom_kill", 0);
			*scope = fact_str(f, "scope");
		}
	return best;
}

bool doctor_crash_looping(const struct fact_store *fs, const char *subject, int64_t *restarts)
{
	const struct fact *h = fact_store__latest(fs, "restart_history", subject);

	*restarts = h ? fact_int(h, "restarts", 0) : 0;
	return h && (*restarts > 0 || !fact_bool(h, "running", true));
}

struct candidate *doctor_candidate(struct cand_list *out, const char *rule, const struct fact *f,
				   const char *merge_key, enum severity sev)
{
	struct candidate *c = cand_list__add(out, rule, f->subject);

	if (!c)
		return NULL;
	rank__display(f, c->display, sizeof(c->display));
	snprintf(c->merge_key, sizeof(c->merge_key), "%s", merge_key ? merge_key : "");
	c->severity = sev;
	cand_seen(c, f->time_ns);
	return c;
}

bool doctor_log_newest(const struct fact_store *fs, const struct fact *f, int *count)
{
	const char *cls = fact_str(f, "class");
	const struct fact *g;
	size_t cur = 0;
	bool newest = true;

	*count = 0;
	while ((g = fact_store__next(fs, &cur, "log_error", f->subject))) {
		const char *gc = fact_str(g, "class");

		if (!cls || !gc || strcmp(cls, gc))
			continue;
		(*count)++;
		if (g->seq > f->seq)
			newest = false;
	}
	return newest;
}
