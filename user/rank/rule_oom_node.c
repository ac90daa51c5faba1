// SPDX-License-Identifier: GPL-2.0
/*
 * The node ran out of memory (no memcg limit was hit) and the kernel chose
 * a victim by badness: RSS plus oom_score_adj scaled to the node. The
 * kubelet sets oom_score_adj by QoS class (BestEffort 1000, Guaranteed
 * -997, Burstable in between by request), so a high score names the pods
 * that were sacrificed first because they asked for nothing.
 */
#include <string.h>

#include "out/units.h"
#include "rank/oom_evidence.h"
#include "rank/rules.h"

/* A score this high decided the choice more than the RSS did. */
#define HIGH_SCORE_ADJ 500

static void eval_one(const struct fact *f, struct cand_list *out)
{
	const char *kind = fact_str(f, "oom_kind"), *comm = fact_str(f, "victim_comm");
	const char *qos = fact_str(f, "qos");
	int64_t adj = fact_int(f, "oom_score_adj", 0);
	int64_t total = fact_int(f, "mem_total_bytes", 0);
	struct candidate *c;
	char a[32], b[32];

	if (!kind || strcmp(kind, "node") || !(c = oom_candidate(out, "oom_node", f)))
		return;
	cand_basis(c, 60, "oom_kill: node OOM (no memory cgroup limit was hit)");
	if (adj >= HIGH_SCORE_ADJ) {
		cand_cause(c, "node OOM: victim %s (pid %lld) chosen by oom_score_adj=%lld%s%s%s",
			   comm ? comm : "?", (long long)fact_int(f, "victim_pid", 0),
			   (long long)adj, qos ? " (" : "", qos ? qos : "", qos ? " pod)" : "");
		cand_basis(c, 10, "oom_score_adj=%lld weighed more than its RSS", (long long)adj);
		cand_fix(c, "the node is overcommitted: give pods memory requests and limits "
			    "(this one was sacrificed first because it asked for nothing), or add "
			    "memory to the node");
	} else {
		cand_cause(c,
			   "node OOM: the node ran out of memory%s%s; the kernel killed the "
			   "largest process, %s (pid %lld)",
			   total ? " (" : "", total ? fmt_bytes((uint64_t)total, a, sizeof(a)) : "",
			   comm ? comm : "?", (long long)fact_int(f, "victim_pid", 0));
		cand_fix(c, "memory limits below the node's capacity on every pod (limits stop a "
			    "leak in its own cgroup), or fewer pods on this node");
	}
	if (total)
		cand_evidence(
			c, "node memory %s, %s available at the kill",
			fmt_bytes((uint64_t)total, a, sizeof(a)),
			fmt_bytes((uint64_t)fact_int(f, "mem_available_bytes", 0), b, sizeof(b)));
	oom_evidence(c, f);
}

static void eval(const struct fact_store *fs, struct cand_list *out)
{
	const struct fact *f;
	size_t cur = 0;

	while ((f = fact_store__next(fs, &cur, "oom_kill", NULL)))
		eval_one(f, out);
}

const struct rule rule_oom_node = {
	.id = "oom_node",
	.summary = "the node ran out of memory: who was chosen and why",
	.eval = eval,
};
