// SPDX-License-Identifier: GPL-2.0
/*
 * bind_in_use: bind failed with EADDRINUSE — who holds the port in the
 * process's network namespace: another container of the same pod, a
 * previous instance of the same container that has not exited, or any
 * other process sharing the namespace.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rank/crash_facts.h"
#include "rank/rules.h"

static void holder(struct candidate *c, const struct fact *b, const char *addr)
{
	long long hp = (long long)fact_int(b, "holder_pid", 0);
	const char *comm = fact_str(b, "holder_comm") ?: "?";
	const char *hctr = fact_str(b, "holder_container");

	if (fact_bool(b, "holder_previous_instance", false)) {
		cand_cause(c,
			   "bind %s failed with EADDRINUSE: the previous instance of this "
			   "container (pid %lld %s, restart %lld) still holds the port",
			   addr, hp, comm, (long long)fact_int(b, "holder_restart", -1));
		cand_fix(c, "make the old instance exit promptly on SIGTERM, or set SO_REUSEPORT "
			    "only if both may serve at once");
	} else if (fact_bool(b, "holder_same_pod", false)) {
		cand_cause(c, "bind %s failed with EADDRINUSE: container %.12s of the same pod (pid "
			      "%lld %s) holds the port",
			   addr, hctr ? hctr : fact_str(b, "holder_container_id") ?: "?", hp, comm);
		cand_fix(c, "two containers of the pod share its network namespace: give one of "
			    "them another port");
	} else {
		cand_cause(c, "bind %s failed with EADDRINUSE: pid %lld (%s) holds the port", addr,
			   hp, comm);
		cand_fix(c, "stop pid %lld (%s) or listen on another port", hp, comm);
	}
	cand_evidence(c, "holder: pid %lld (%s) %s, socket inode %lld", hp, comm,
		      fact_str(b, "holder_subject") ?: "",
		      (long long)fact_int(b, "holder_socket_inode", 0));
	cand_basis(c, 85, "bind EADDRINUSE and the holder found in the same netns");
}

static void eval(const struct fact_store *fs, struct cand_list *out)
{
	const struct fact *b;
	size_t cur = 0;
	char t[32];

	while ((b = fact_store__next(fs, &cur, "bind", NULL))) {
		const char *addr = fact_str(b, "address") ?: "?";
		struct candidate *c;

		if (fact_int(b, "errno", 0) != EADDRINUSE)
			continue;
		c = crash_cand(out, "bind_in_use", b);
		if (!c)
			return;
		c->severity = SEV_CRITICAL;
		crash_facts__clock(b->time_ns, t, sizeof(t));
		cand_evidence(c, "%s %s(%s) = -EADDRINUSE", t, fact_str(b, "syscall") ?: "bind",
			      addr);
		if (fact_has(b, "holder_pid")) {
			holder(c, b, addr);
		} else {
			cand_cause(c,
				   "bind %s failed with EADDRINUSE (the holder was gone when "
				   "looked up)",
				   addr);
			cand_fix(c, "find what else listens on port %lld in this network namespace",
				 (long long)fact_int(b, "port", 0));
			cand_basis(c, 60, "bind EADDRINUSE");
		}
		crash_cand_death(c, fs, b);
	}
}

const struct rule rule_bind_in_use = {
	.id = "bind_in_use",
	.summary =
		"bind EADDRINUSE, and who holds the port (another container, a previous instance)",
	.eval = eval,
};
