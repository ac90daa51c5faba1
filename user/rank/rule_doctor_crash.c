// SPDX-License-Identifier: GPL-2.0
/*
 * The container crash-loops and its last instance said why on its way out:
 * a Go panic, a fatal runtime error (out of memory, the thread limit,
 * concurrent map writes). From doctor's restart_history and log_error
 * facts (the kubelet's log of the last instance, what `kubectl logs
 * --previous` shows). A crash loop whose log explains nothing still gets a
 * low-scored candidate, so the report always says it is crash-looping.
 */
#include <string.h>

#include "rank/doctor_evidence.h"
#include "rank/rules.h"

static bool go_death(const struct fact *f)
{
	const char *c = fact_str(f, "class");

	return c &&
	       (!strcmp(c, "go_panic") || !strcmp(c, "go_fatal") || !strcmp(c, "go_out_of_memory"));
}

static void died(const struct fact_store *fs, const struct fact *f, struct cand_list *out)
{
	int64_t restarts;
	struct candidate *c;
	int n;

	if (!doctor_log_newest(fs, f, &n) ||
	    !(c = doctor_candidate(out, "doctor.go_crash", f, "crash", SEV_CRITICAL)))
		return;
	cand_cause(c, "the %s instance died: %s",
		   !strcmp(fact_str(f, "instance") ?: "", "current") ? "running" : "last",
		   fact_str(f, "line") ?: "?");
	cand_basis(c, 45, "log_error %s", fact_str(f, "class"));
	cand_evidence(c, "log of instance %lld: %s", (long long)fact_int(f, "restart", -1),
		      fact_str(f, "line") ?: "?");
	if (doctor_crash_looping(fs, f->subject, &restarts)) {
		cand_basis(c, 15, "restart_history: %lld restarts", (long long)restarts);
		cand_evidence(c, "%lld restart%s", (long long)restarts, restarts == 1 ? "" : "s");
	}
	cand_fix(c, "%s",
		 !strcmp(fact_str(f, "class"), "go_panic")
			 ? "fix the panic: its goroutine's stack follows it in the log "
			   "(`gotrace watch` symbolizes it live)"
			 : "read the runtime's message: it names the limit that was hit");
}

static void looping(const struct fact_store *fs, const struct fact *h, struct cand_list *out)
{
	int64_t restarts;
	struct candidate *c;

	if (!doctor_crash_looping(fs, h->subject, &restarts) ||
	    !(c = doctor_candidate(out, "doctor.crash_loop", h, "crash", SEV_WARNING)))
		return;
	cand_cause(c, "crash-looping: %lld restart%s%s", (long long)restarts,
		   restarts == 1 ? "" : "s", fact_bool(h, "running", true) ? "" : ", none running");
	cand_basis(c, 15, "restart_history: %lld restarts", (long long)restarts);
	cand_evidence(c, "the last instance's log is in the pod.restarts check");
	cand_fix(c, "the checks above and `gotrace watch` (which sees the next exit) say why");
}

static void eval(const struct fact_store *fs, struct cand_list *out)
{
	const struct fact *f;
	size_t cur = 0;

	while ((f = fact_store__next(fs, &cur, "log_error", NULL)))
		if (go_death(f))
			died(fs, f, out);
	cur = 0;
	while ((f = fact_store__next(fs, &cur, "restart_history", NULL)))
		looping(fs, f, out);
}

const struct rule rule_doctor_crash = {
	.id = "doctor.crash",
	.summary = "a crash loop, and the Go panic or fatal error its last instance printed",
	.eval = eval,
};
