// SPDX-License-Identifier: GPL-2.0
/*
 * crash_killed: the process died of a signal — who sent it and what came
 * before. SIGKILL a grace period after a SIGTERM from the same sender is
 * the kubelet's stop sequence (liveness probe failure, eviction, delete);
 * SIGKILL from the kernel (si_code SI_KERNEL) is the OOM killer or a
 * cgroup limit, and merges with the OOM rule's candidate for the same pid.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "rank/crash_facts.h"
#include "rank/rules.h"

/* The newest signal fact for this pid and signal number sent before t. */
static const struct fact *last_signal(const struct fact_store *fs, const struct fact *d,
				      const char *kind, int sig, uint64_t before)
{
	const struct fact *f, *best = NULL;
	size_t cur = 0;

	while ((f = crash_facts__of_pid(fs, &cur, kind, d)))
		if (fact_int(f, "signal", 0) == sig && f->time_ns <= before &&
		    !fact_bool(f, "ignored", false) && fact_int(f, "result", 0) == 0)
			best = f;
	return best;
}

static void sender_evidence(struct candidate *c, const struct fact *s)
{
	char t[32];

	crash_facts__clock(s->time_ns, t, sizeof(t));
	cand_evidence(c, "%s %s from pid %lld (%s), parent %lld (%s), cgroup %s, si_code %s", t,
		      fact_str(s, "signal_name") ?: "?", (long long)fact_int(s, "sender_pid", 0),
		      fact_str(s, "sender_comm") ?: "?", (long long)fact_int(s, "sender_ppid", 0),
		      fact_str(s, "sender_parent_comm") ?: "?", fact_str(s, "sender_cgroup") ?: "?",
		      fact_str(s, "si_code_name") ?: "fault");
}

/* SIGTERM first, then SIGKILL from the same process: a graceful stop that did not finish. */
static void term_then_kill(struct candidate *c, const struct fact_store *fs, const struct fact *d,
			   const struct fact *kill, const struct fact *term)
{
	const struct fact *del = last_signal(fs, d, "signal_deliver", SIGTERM, kill->time_ns);
	double grace = (double)(kill->time_ns - term->time_ns) / 1e9;

	cand_cause(c,
		   "killed by SIGKILL from pid %lld (%s) %.1f s after its SIGTERM: the process "
		   "did not exit within the grace period",
		   (long long)fact_int(kill, "sender_pid", 0), fact_str(kill, "sender_comm") ?: "?",
		   grace);
	sender_evidence(c, term);
	if (del)
		cand_evidence(c, "SIGTERM was delivered to %s",
			      !strcmp(fact_str(del, "handler") ?: "", "handler")
				      ? "the process's own handler: its shutdown did not finish"
				      : "the default action");
	sender_evidence(c, kill);
	cand_fix(c, "find what the shutdown waits on (gotrace block --pid, or the handler that "
		    "blocks the liveness probe); make SIGTERM handling finish in time or raise "
		    "terminationGracePeriodSeconds");
	cand_basis(c, 85, "SIGTERM then SIGKILL from the same sender %.1f s apart", grace);
}

static void by_sender(struct candidate *c, const struct fact_store *fs, const struct fact *d,
		      const struct fact *s, int sig)
{
	const char *kind = fact_str(s, "sender_kind") ?: "process";
	const struct fact *term;

	if (!strcmp(kind, "kernel")) {
		cand_cause(c,
			   "killed by %s from the kernel (si_code SI_KERNEL, in the context of "
			   "pid %lld %s): an OOM kill or a kernel-enforced limit",
			   fact_str(s, "signal_name") ?: "?",
			   (long long)fact_int(s, "sender_pid", 0),
			   fact_str(s, "sender_comm") ?: "?");
		sender_evidence(c, s);
		cand_fix(c, "check the container's memory limit and usage (gotrace oom)");
		cand_basis(c, 60, "%s with si_code SI_KERNEL", fact_str(s, "signal_name") ?: "?");
		return;
	}
	term = sig == SIGKILL ? last_signal(fs, d, "signal", SIGTERM, s->time_ns) : NULL;
	if (term && fact_int(term, "sender_pid", -1) == fact_int(s, "sender_pid", -2)) {
		term_then_kill(c, fs, d, s, term);
		return;
	}
	if (!strcmp(kind, "self")) {
		cand_cause(c, "died of %s it raised itself (%s)", fact_str(s, "signal_name") ?: "?",
			   fact_str(s, "si_code_name") ?: "a fault");
		cand_fix(c, "see its last output and core dump: an abort() or a crash in native "
			    "code");
		cand_basis(c, 60, "%s sent by the process itself",
			   fact_str(s, "signal_name") ?: "?");
	} else {
		cand_cause(c, "killed by %s from pid %lld (%s)", fact_str(s, "signal_name") ?: "?",
			   (long long)fact_int(s, "sender_pid", 0),
			   fact_str(s, "sender_comm") ?: "?");
		cand_fix(c,
			 "find out why %s stops it (a failing liveness probe, an eviction, a "
			 "deploy), and handle %s by exiting cleanly",
			 fact_str(s, "sender_comm") ?: "the sender",
			 fact_str(s, "signal_name") ?: "it");
		cand_basis(c, 70, "%s sent by another process", fact_str(s, "signal_name") ?: "?");
	}
	sender_evidence(c, s);
}

static void eval(const struct fact_store *fs, struct cand_list *out)
{
	const struct fact *d, *s;
	size_t cur = 0;

	while ((d = fact_store__next(fs, &cur, "exit", NULL))) {
		int sig = (int)fact_int(d, "signal", 0);
		struct candidate *c;

		if (!sig)
			continue;
		c = crash_cand(out, "crash_killed", d);
		if (!c)
			return;
		c->severity = SEV_CRITICAL;
		s = last_signal(fs, d, "signal", sig, d->time_ns);
		if (s) {
			by_sender(c, fs, d, s, sig);
		} else {
			cand_cause(c, "killed by %s (the sender was not seen)",
				   fact_str(d, "signal_name") ?: "?");
			cand_fix(c, "run gotrace crash before the next restart to see the sender");
			cand_basis(c, 40, "exit by %s, no signal_generate seen",
				   fact_str(d, "signal_name") ?: "?");
		}
		crash_cand_death(c, fs, d);
	}
}

const struct rule rule_crash_killed = {
	.id = "crash_killed",
	.summary = "died of a signal: who sent it (kernel, kubelet-like process, itself) and when",
	.eval = eval,
};
