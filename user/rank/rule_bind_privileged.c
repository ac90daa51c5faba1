// SPDX-License-Identifier: GPL-2.0
/*
 * bind_privileged: bind to a port below net.ipv4.ip_unprivileged_port_start
 * failed with EACCES because the process lacks CAP_NET_BIND_SERVICE (a
 * non-root container image, or capabilities dropped).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rank/crash_facts.h"
#include "rank/rules.h"

/* The kernel's own verdict, when the capability tracepoint saw it. */
static void cap_denial(struct candidate *c, const struct fact_store *fs, const struct fact *b)
{
	const struct fact *f;
	size_t cur = 0;
	char t[32];

	while ((f = crash_facts__of_pid(fs, &cur, "cap_denied", b))) {
		if (fact_int(f, "cap", -1) != 10 /* CAP_NET_BIND_SERVICE */ ||
		    f->time_ns > b->time_ns + 1000000000ULL ||
		    f->time_ns + 1000000000ULL < b->time_ns)
			continue;
		crash_facts__clock(f->time_ns, t, sizeof(t));
		cand_evidence(c, "%s capability check CAP_NET_BIND_SERVICE denied (uid %lld)", t,
			      (long long)fact_int(f, "uid", 0));
		cand_basis(c, 5, "the kernel's cap_capable verdict agrees");
		return;
	}
}

static void eval(const struct fact_store *fs, struct cand_list *out)
{
	const struct fact *b;
	size_t cur = 0;
	char t[32];

	while ((b = fact_store__next(fs, &cur, "bind", NULL))) {
		int64_t port = fact_int(b, "port", 0),
			start = fact_int(b, "ip_unprivileged_port_start", 1024);
		struct candidate *c;

		if (fact_int(b, "errno", 0) != EACCES || port <= 0 || port >= start ||
		    fact_bool(b, "cap_net_bind_service", false))
			continue;
		c = crash_cand(out, "bind_privileged", b);
		if (!c)
			return;
		c->severity = SEV_CRITICAL;
		crash_facts__clock(b->time_ns, t, sizeof(t));
		cand_cause(c,
			   "%s %s failed with EACCES: port %lld is below "
			   "net.ipv4.ip_unprivileged_port_start=%lld and the process (uid %lld) "
			   "lacks CAP_NET_BIND_SERVICE",
			   fact_str(b, "syscall") ?: "bind", fact_str(b, "address") ?: "?",
			   (long long)port, (long long)start, (long long)fact_int(b, "uid", 0));
		cand_evidence(c, "%s %s(%s) = -EACCES", t, fact_str(b, "syscall") ?: "bind",
			      fact_str(b, "address") ?: "?");
		cand_evidence(c, "effective capabilities %s: no CAP_NET_BIND_SERVICE",
			      fact_str(b, "caps_effective") ?: "?");
		cap_denial(c, fs, b);
		cand_fix(c,
			 "add NET_BIND_SERVICE to securityContext.capabilities.add, or listen on "
			 "a port >= %lld (e.g. 8080) and map port %lld in the Service",
			 (long long)start, (long long)port);
		cand_basis(c, 85,
			   "bind EACCES below ip_unprivileged_port_start without the capability");
		crash_cand_death(c, fs, b);
	}
}

const struct rule rule_bind_privileged = {
	.id = "bind_privileged",
	.summary = "bind below ip_unprivileged_port_start without CAP_NET_BIND_SERVICE",
	.eval = eval,
};
