// SPDX-License-Identifier: GPL-2.0
/*
 * crash_exit: every death gets at least this candidate — the exit code
 * and the last lines the process wrote, for any language. A specific rule
 * that explains the same death (same merge key) outranks it and absorbs
 * its evidence.
 */
#include <stdio.h>

#include "rank/crash_facts.h"
#include "rank/rules.h"

static void eval(const struct fact_store *fs, struct cand_list *out)
{
	const struct fact *d;
	size_t cur = 0;
	char tail[1024];

	while ((d = fact_store__next(fs, &cur, "exit", NULL))) {
		int64_t code = fact_int(d, "exit_code", -1);
		bool init = fact_bool(d, "container_init", false);
		struct candidate *c;

		if (fact_has(d, "signal") || (code == 0 && !init))
			continue; /* signals: crash_killed; a helper's clean exit: nothing */
		c = crash_cand(out, "crash_exit", d);
		if (!c)
			return;
		crash_facts__tail(fs, d, 1, tail, sizeof(tail));
		if (code == 0) {
			c->severity = SEV_WARNING;
			cand_cause(c,
				   "the container's process exited with code 0: it finished, and "
				   "restartPolicy Always restarts it");
			cand_fix(c, "a server must not return from main; a job belongs in a Job, "
				    "not a Deployment");
			cand_basis(c, 30, "clean exit of the container's init");
		} else {
			c->severity = SEV_CRITICAL;
			cand_cause(c, "exited with code %lld%s%.200s", (long long)code,
				   tail[0] ? "; last output: " : "", tail);
			cand_fix(c, "read the last output above: the program chose to exit");
			cand_basis(c, tail[0] ? 30 : 20, "exit code %lld%s", (long long)code,
				   tail[0] ? " with output" : "");
		}
		crash_cand_death(c, fs, d);
		/* After a Go fatal error the output is the runtime's traceback: that rule has it.
		 */
		if (!crash_facts__first(fs, "go_fatal", d))
			crash_cand_output(c, fs, d, 3);
	}
}

const struct rule rule_crash_exit = {
	.id = "crash_exit",
	.summary = "a death's exit code and last output (any language)",
	.eval = eval,
};
