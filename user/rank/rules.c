// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "rank/rules.h"

extern const struct rule rule_block_lock, rule_block_leak, rule_block_handler, rule_block_sched;
extern const struct rule rule_oom_memcg, rule_oom_node, rule_oom_memlimit_unset,
	rule_oom_memlimit_above, rule_oom_gogc_off, rule_oom_go_heap;
extern const struct rule rule_doctor_memlimit, rule_doctor_oom, rule_doctor_cpu, rule_doctor_exec,
	rule_doctor_bind, rule_doctor_config, rule_doctor_crash;

extern const struct rule rule_crash_exec_fail;
extern const struct rule rule_crash_go_fatal;
extern const struct rule rule_crash_killed;
extern const struct rule rule_crash_open_fail;
extern const struct rule rule_crash_connect_fail;
extern const struct rule rule_crash_exit;
extern const struct rule rule_crash_restart_loop;
extern const struct rule rule_bind_privileged;
extern const struct rule rule_bind_in_use;

/* Every rule, one line each (rank/rule_<name>.c). */
static const struct rule *const all_rules[] = {
	&rule_block_lock,	  &rule_block_leak,	    &rule_block_handler,
	&rule_block_sched,	  &rule_oom_memcg,	    &rule_oom_node,
	&rule_oom_memlimit_unset, &rule_oom_memlimit_above, &rule_oom_gogc_off,
	&rule_oom_go_heap,	  &rule_crash_exec_fail,    &rule_crash_go_fatal,
	&rule_crash_killed,	  &rule_crash_open_fail,    &rule_crash_connect_fail,
	&rule_crash_exit,	  &rule_crash_restart_loop, &rule_bind_privileged,
	&rule_bind_in_use,	  &rule_doctor_memlimit,    &rule_doctor_oom,
	&rule_doctor_cpu,	  &rule_doctor_exec,	    &rule_doctor_bind,
	&rule_doctor_config,	  &rule_doctor_crash,
};

#define NRULES (sizeof(all_rules) / sizeof(all_rules[0]))

size_t rules__count(void)
{
	size_t i, n = 0;

	for (i = 0; i < NRULES; i++)
		n += all_rules[i] != NULL;
	return n;
}

const struct rule *rules__get(size_t i)
{
	size_t k;

	for (k = 0; k < NRULES; k++) {
		if (!all_rules[k])
			continue;
		if (i-- == 0)
			return all_rules[k];
	}
	return NULL;
}

const struct rule *rules__find(const char *id)
{
	size_t k;

	for (k = 0; k < NRULES; k++)
		if (all_rules[k] && !strcmp(all_rules[k]->id, id))
			return all_rules[k];
	return NULL;
}

static bool selected(const struct rule *r, const char *const *prefixes)
{
	if (!prefixes)
		return true;
	for (; *prefixes; prefixes++)
		if (!strncmp(r->id, *prefixes, strlen(*prefixes)))
			return true;
	return false;
}

void rank__evaluate(const struct fact_store *fs, const char *const *prefixes, struct cand_list *out)
{
	size_t k;

	cand_list__clear(out);
	for (k = 0; k < NRULES; k++)
		if (all_rules[k] && selected(all_rules[k], prefixes))
			all_rules[k]->eval(fs, out);
	cand_list__finish(out);
}

/*
 * "pod shop/api-7f9 container api (restart 4)", "container 3f2a9c1b0d4e",
 * "cgroup /system.slice/x.service", "pid 4242 (server)".
 */
void rank__display(const struct fact *f, char *buf, size_t len)
{
	const char *ns = fact_str(f, "namespace"), *pod = fact_str(f, "pod");
	const char *ctr = fact_str(f, "container"), *cid = fact_str(f, "container_id");
	const char *cg = fact_str(f, "cgroup"), *comm = fact_str(f, "comm");
	int64_t restart = fact_int(f, "restart", -1), pid = fact_int(f, "pid", 0);

	if (pod && ctr)
		snprintf(buf, len, "pod %s/%s container %s%s", ns ? ns : "?", pod, ctr,
			 restart >= 0 ? "" : "");
	else if (pod)
		snprintf(buf, len, "pod %s/%s", ns ? ns : "?", pod);
	else if (cid)
		snprintf(buf, len, "container %.12s", cid);
	else if (cg && strcmp(cg, "/"))
		snprintf(buf, len, "cgroup %s", cg);
	else if (pid)
		snprintf(buf, len, "pid %lld (%s)", (long long)pid, comm ? comm : "?");
	else
		snprintf(buf, len, "%s", f->subject);
	if (pod && ctr && restart >= 0) {
		size_t n = strlen(buf);

		snprintf(buf + n, len - n, " (restart %lld)", (long long)restart);
	}
}
