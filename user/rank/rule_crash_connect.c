// SPDX-License-Identifier: GPL-2.0
/*
 * crash_connect_fail: the process exited non-zero after a connect was
 * refused (or timed out): a dependency that is down or a wrong address.
 * A blocking connect reports its errno itself; a non-blocking one (Go's)
 * returns EINPROGRESS and learns the error later from getsockopt(SO_ERROR):
 * the fact then says nonblocking, and the evidence shows both steps.
 */
#include <stdio.h>

#include "rank/crash_facts.h"
#include "rank/rules.h"

static void eval(const struct fact_store *fs, struct cand_list *out)
{
	const struct fact *d, *f, *last;
	size_t cur = 0, c2;
	char t[32];

	while ((d = fact_store__next(fs, &cur, "exit", NULL))) {
		struct candidate *c;

		if (fact_int(d, "exit_code", 0) == 0)
			continue;
		last = NULL;
		c2 = 0;
		while ((f = crash_facts__of_pid(fs, &c2, "connect_fail", d)))
			last = f;
		if (!last || !(c = crash_cand(out, "crash_connect_fail", last)))
			continue;
		c->severity = SEV_CRITICAL;
		crash_facts__clock(last->time_ns, t, sizeof(t));
		cand_cause(c,
			   "connect to %s failed: %s (nothing listens there or it is "
			   "unreachable), then the process exited",
			   fact_str(last, "address") ?: "?", fact_str(last, "errno_name") ?: "?");
		if (fact_bool(last, "nonblocking", false))
			cand_evidence(c,
				      "%s connect(%s) = -EINPROGRESS, then %s = %s after %lld ms",
				      t, fact_str(last, "address") ?: "?",
				      fact_str(last, "reported_by") ?: "getsockopt(SO_ERROR)",
				      fact_str(last, "errno_name") ?: "?",
				      (long long)fact_int(last, "wait_ms", 0));
		else
			cand_evidence(c, "%s connect(%s) = -%s", t,
				      fact_str(last, "address") ?: "?",
				      fact_str(last, "errno_name") ?: "?");
		cand_fix(c,
			 "check that the dependency at %s is up and the address is right; retry "
			 "with back-off instead of exiting",
			 fact_str(last, "address") ?: "?");
		cand_basis(c, 60, "connect_fail %s, then exit code %lld",
			   fact_str(last, "errno_name") ?: "?",
			   (long long)fact_int(d, "exit_code", 0));
		crash_cand_death(c, fs, d);
	}
}

const struct rule rule_crash_connect_fail = {
	.id = "crash_connect_fail",
	.summary = "exited after a refused or unreachable connect (a dependency down)",
	.eval = eval,
};
