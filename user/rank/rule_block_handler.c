// SPDX-License-Identifier: GPL-2.0
/*
 * An HTTP handler blocked for seconds: the liveness probe's request will
 * wait the same way, time out, and the kubelet will kill the container.
 */
#include <string.h>

#include "out/units.h"
#include <stdio.h>

#include "rank/rule_util.h"
#include "rank/rules.h"

#define MIN_BLOCKED_NS 1000000000LL

/*
 * Goroutines of the same dying process blocked elsewhere the whole time: a
 * sync.Mutex does not record its owner, but the holder is usually among them.
 */
static void add_others(struct candidate *c, const struct fact_store *fs, const struct fact *f)
{
	int64_t pid = fact_int(f, "death_pid", 0);
	const struct fact *o;
	size_t cur = 0, n = 0;
	char where[400];

	while ((o = fact_store__next(fs, &cur, "block_stuck", f->subject)) && n < 3) {
		if (o == f || fact_int(o, "death_pid", -1) != pid ||
		    fact_bool(o, "http_handler", false))
			continue;
		cand_evidence(c,
			      "also blocked the whole time: goroutine %lld in %s at %s (the lock's "
			      "holder?)",
			      (long long)fact_int(o, "goid", 0), fact_str(o, "reason"),
			      rule_where(o, where, sizeof(where)));
		n++;
	}
}

static void candidate_for(struct cand_list *out, const struct fact_store *fs, const struct fact *f,
			  int64_t ns, int64_t n)
{
	char where[400], d[16];
	struct candidate *c = rule_candidate(out, "block.handler_blocked", f);

	if (!c)
		return;
	rule_where(f, where, sizeof(where));
	/* The same site seen as a blocked handler and as lock contention is one story. */
	snprintf(c->merge_key, sizeof(c->merge_key), "site:%.80s:%.30s", where,
		 fact_str(f, "reason"));
	if (fact_bool(f, "at_sigterm", false)) {
		/* Dumped when the process was told to stop: part of that death's story. */
		snprintf(c->merge_key, sizeof(c->merge_key), "death:%lld",
			 (long long)fact_int(f, "death_pid", 0));
		add_others(c, fs, f);
	}
	c->severity = SEV_CRITICAL;
	cand_basis(c, fact_bool(f, "at_sigterm", false) ? 20 : 40,
		   "%s: an HTTP handler (net/http conn.serve on the stack) waits", f->kind);
	cand_basis(c, ns >= 10 * MIN_BLOCKED_NS ? 30 : 15, "for %s",
		   fmt_duration((uint64_t)ns, d, sizeof(d)));
	if (fact_bool(f, "lock", false))
		cand_basis(c, 10, "on a lock");
	cand_cause(c,
		   "HTTP handler blocked on %s at %s for %s%s: health checks through it will "
		   "time out",
		   fact_str(f, "reason"), where, d, n > 1 ? " (several requests)" : "");
	cand_evidence(c, "%lld handler goroutine%s in %s at %s", (long long)n, n == 1 ? "" : "s",
		      fact_str(f, "reason"), where);
	cand_fix(c,
		 fact_bool(f, "lock", false)
			 ? "find the lock's holder (`gotrace goroutines --pid`) and release it "
			   "sooner; keep health handlers off shared locks"
			 : "bound the handler's wait with the request context (r.Context()) or a "
			   "timeout; keep health handlers independent of it");
	cand_seen(c, f->time_ns);
}

static void eval(const struct fact_store *fs, struct cand_list *out)
{
	const struct fact *f;
	size_t cur = 0;

	while ((f = fact_store__next(fs, &cur, NULL, NULL))) {
		if (!fact_bool(f, "http_handler", false))
			continue;
		/* Still blocked when the kubelet gave up on it: long enough, whatever the dumps
		 * saw. */
		if (!strcmp(f->kind, "block_stuck") &&
		    (fact_int(f, "oldest_ns", 0) >= MIN_BLOCKED_NS ||
		     fact_bool(f, "at_sigterm", false)))
			candidate_for(out, fs, f, fact_int(f, "oldest_ns", 0),
				      fact_int(f, "goroutines", 1));
		else if (!strcmp(f->kind, "block_site") &&
			 fact_int(f, "max_ns", 0) >= MIN_BLOCKED_NS)
			candidate_for(out, fs, f, fact_int(f, "max_ns", 0),
				      fact_int(f, "count", 1));
	}
}

const struct rule rule_block_handler = {
	.id = "block.handler_blocked",
	.summary = "an HTTP handler waits for seconds (liveness probes will fail)",
	.eval = eval,
};
