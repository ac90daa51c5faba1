// SPDX-License-Identifier: GPL-2.0
/*
 * crash_restart_loop: a container that keeps dying. Per subject (a pod's
 * container across its instances): how many deaths, the intervals, whether
 * the back-off doubles (the kubelet's CrashLoopBackOff: 10 s doubling to
 * 5 min), and whether every death had the same cause.
 */
#include <stdio.h>
#include <string.h>

#include "rank/crash_facts.h"
#include "rank/rules.h"

#define MAX_DEATHS 64

/* A death's cause in a few words, from the facts of the same pid. */
static void signature(const struct fact_store *fs, const struct fact *d, char *buf, size_t len)
{
	const struct fact *f;

	if ((f = crash_facts__first(fs, "exec_fail", d)))
		snprintf(buf, len, "exec %s", fact_str(f, "errno_name") ?: "?");
	else if ((f = crash_facts__first(fs, "go_fatal", d)))
		snprintf(buf, len, "%s", fact_str(f, "message") ?: "Go fatal error");
	else if (fact_has(d, "signal"))
		snprintf(buf, len, "%s", fact_str(d, "signal_name") ?: "signal");
	else
		snprintf(buf, len, "exit code %lld", (long long)fact_int(d, "exit_code", 0));
}

static bool is_instance_death(const struct fact *d)
{
	return fact_bool(d, "container_init", false) &&
	       (fact_has(d, "signal") || fact_int(d, "exit_code", 0) != 0 ||
		fact_bool(d, "container_init", false));
}

static void one_subject(const struct fact_store *fs, const char *subject, struct cand_list *out)
{
	const struct fact *d, *deaths[MAX_DEATHS];
	char sig[160], first[160], buf[300];
	size_t cur = 0, n = 0, len = 0;
	bool same = true, doubling = true;
	struct candidate *c;

	while ((d = fact_store__next(fs, &cur, "exit", subject)) && n < MAX_DEATHS)
		if (is_instance_death(d))
			deaths[n++] = d;
	if (n < 2 || !(c = cand_list__add(out, "crash_restart_loop", subject)))
		return;
	rank__display(deaths[n - 1], c->display, sizeof(c->display));
	snprintf(c->merge_key, sizeof(c->merge_key), "loop:%.120s", subject);
	signature(fs, deaths[0], first, sizeof(first));
	buf[0] = '\0';
	for (size_t i = 1; i < n; i++) {
		double gap = (double)(deaths[i]->time_ns - deaths[i - 1]->time_ns) / 1e9;

		signature(fs, deaths[i], sig, sizeof(sig));
		same &= !strcmp(sig, first);
		if (i >= 2) {
			double prev =
				(double)(deaths[i - 1]->time_ns - deaths[i - 2]->time_ns) / 1e9;

			doubling &= gap > 1.5 * prev;
		}
		len += (size_t)snprintf(buf + len, len < sizeof(buf) ? sizeof(buf) - len : 0,
					"%s%.1f s", i > 1 ? ", " : "", gap);
	}
	for (size_t i = 0; i < n; i++)
		cand_seen(c, deaths[i]->time_ns);
	c->severity = SEV_CRITICAL;
	cand_cause(c, "restart loop: %zu deaths, %s each time", n,
		   same ? "the same cause" : "different causes");
	cand_evidence(c, "intervals between deaths: %s%s", buf,
		      n >= 3 && doubling ? " (doubling: the kubelet's back-off)" : "");
	if (same)
		cand_evidence(c, "cause of every death: %s", first);
	cand_fix(c, "fix the cause of the first death (above); restarts will not");
	cand_basis(c, 40, "%zu deaths of the same container", n);
	if (same)
		cand_basis(c, 10, "every death had the same cause");
}

static void eval(const struct fact_store *fs, struct cand_list *out)
{
	const char *seen[256];
	const struct fact *d;
	size_t cur = 0, nseen = 0, i;

	while ((d = fact_store__next(fs, &cur, "exit", NULL)) && nseen < 256) {
		for (i = 0; i < nseen && strcmp(seen[i], d->subject); i++)
			;
		if (i < nseen || !is_instance_death(d))
			continue;
		seen[nseen++] = d->subject;
		one_subject(fs, d->subject, out);
	}
}

const struct rule rule_crash_restart_loop = {
	.id = "crash_restart_loop",
	.summary = "a container that keeps dying: deaths, intervals, back-off, same cause",
	.eval = eval,
};
