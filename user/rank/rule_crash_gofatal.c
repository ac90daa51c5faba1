// SPDX-License-Identifier: GPL-2.0
/*
 * crash_go_fatal: a Go program died of an unrecovered panic
 * (runtime.fatalpanic) or a fatal error (runtime.throw, runtime.fatal),
 * captured by uprobes at the moment it happened: the message and the
 * failing goroutine's stack, symbolized from the binary's own pclntab.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rank/crash_facts.h"
#include "rank/rules.h"

/* "goroutine stack exceeds 1000000000-byte limit" from the runtime's own output. */
static long long stack_limit(const struct fact_store *fs, const struct fact *f)
{
	const char *key = "goroutine stack exceeds ", *t = fact_str(f, "output_before"), *p;
	const struct fact *o;

	p = t ? strstr(t, key) : NULL;
	if (!p && (o = crash_facts__first(fs, "output", f)) && (t = fact_str(o, "tail")))
		p = strstr(t, key);
	return p ? atoll(p + strlen(key)) : 0;
}

/*
 * The top frames of the stack for the evidence, from the first frame that
 * is not the runtime's own (fatalpanic, gopanic, sigpanic...); the whole
 * stack is in the fact.
 */
static void stack_evidence(struct candidate *c, const char *stack, int max)
{
	const char *p = stack, *user = stack;
	int n = 0, skipped = 0;

	while (user && !strncmp(user, "runtime.", 8) && strchr(user, '\n')) {
		user = strchr(user, '\n') + 1;
		skipped++;
	}
	if (user && *user && strncmp(user, "runtime.", 8)) {
		p = user;
		if (skipped)
			cand_evidence(c, "  (%d runtime frame%s above)", skipped,
				      skipped > 1 ? "s" : "");
	}
	while (p && *p && n < max) {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);

		cand_evidence(c, "  at %.*s", len, p);
		n++;
		p = nl ? nl + 1 : NULL;
	}
}

static void fix_for(struct candidate *c, const char *msg, const char *top)
{
	const char *where = top ? top : "the frame above";

	if (strstr(msg, "nil pointer dereference"))
		cand_fix(c,
			 "check for nil before the dereference in %s (an unset field or an "
			 "ignored error); the stack above is the runtime's own view of it",
			 where);
	else if (strstr(msg, "index out of range") || strstr(msg, "slice bounds"))
		cand_fix(c, "check the length before indexing in %s", where);
	else if (strstr(msg, "concurrent map"))
		cand_fix(c, "guard the map in %s with a sync.Mutex/RWMutex, or use sync.Map",
			 where);
	else if (strstr(msg, "deadlock"))
		cand_fix(c, "every goroutine is blocked: find the channel or lock nobody releases "
			    "(gotrace block)");
	else if (strstr(msg, "nil map"))
		cand_fix(c, "initialize the map with make() before writing to it in %s", where);
	else
		cand_fix(c, "handle the failure in %s; the stack above shows where it happened",
			 where);
}

static void overflow(struct candidate *c, const struct fact_store *fs, const struct fact *f,
		     const char *top)
{
	long long limit = stack_limit(fs, f);

	if (limit)
		cand_cause(c,
			   "goroutine stack overflow: unbounded recursion in %s (goroutine "
			   "stack exceeds %lld-byte limit)",
			   top ? top : "?", limit);
	else
		cand_cause(c, "goroutine stack overflow: unbounded recursion in %s",
			   top ? top : "?");
	cand_fix(c,
		 "give the recursion in %s a base case or make it iterative "
		 "(debug.SetMaxStack only moves the limit)",
		 top ? top : "the function above");
	cand_basis(c, 90, "runtime.throw(\"stack overflow\") captured by uprobe");
}

static void one(struct cand_list *out, const struct fact_store *fs, const struct fact *f)
{
	const char *fn = fact_str(f, "function") ?: "?", *msg = fact_str(f, "message") ?: "";
	const char *top = fact_str(f, "top_frame"), *stack = fact_str(f, "stack");
	struct candidate *c = crash_cand(out, "crash_go_fatal", f);
	const struct fact *d;
	char t[32];

	if (!c)
		return;
	c->severity = SEV_CRITICAL;
	crash_facts__clock(f->time_ns, t, sizeof(t));
	cand_evidence(c, "%s %s: \"%s\" (Go %s)", t, fn, msg, fact_str(f, "go_version") ?: "?");
	if (!strcmp(fn, "runtime.throw") && !strcmp(msg, "stack overflow")) {
		overflow(c, fs, f, top);
	} else {
		if (!strcmp(fn, "runtime.fatalpanic"))
			cand_cause(c, "Go panic: %s%s%s", msg[0] ? msg : "(value not a string)",
				   top ? " at " : "", top ? top : "");
		else
			cand_cause(c, "Go fatal error: %s%s%s", msg, top ? " at " : "",
				   top ? top : "");
		fix_for(c, msg, top);
		cand_basis(c, 85, "%s captured by uprobe at the moment of death", fn);
	}
	if (stack) {
		cand_evidence(c, "%s stack:",
			      fact_bool(f, "on_system_stack", false)
				      ? "failing goroutine's (m.curg)"
				      : "failing goroutine's");
		stack_evidence(c, stack, 6);
	}
	d = crash_facts__first(fs, "exit", f);
	if (d && fact_int(d, "exit_code", -1) == 2)
		cand_basis(c, 5, "exit code 2 is the Go runtime's for a fatal error");
	crash_cand_death(c, fs, f);
}

static void eval(const struct fact_store *fs, struct cand_list *out)
{
	const struct fact *f;
	size_t cur = 0;

	while ((f = fact_store__next(fs, &cur, "go_fatal", NULL)))
		one(out, fs, f);
}

const struct rule rule_crash_go_fatal = {
	.id = "crash_go_fatal",
	.summary = "a Go panic or fatal error, with the message and the failing goroutine's stack",
	.eval = eval,
};
