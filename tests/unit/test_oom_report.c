// SPDX-License-Identifier: GPL-2.0
/*
 * `gotrace oom`'s userspace pipeline (kill record → report → fact → rules)
 * replayed on kills as the kernel logged them (tests/unit/facts/oom_*_kmsg.txt).
 * The test turns each log into the record the BPF side would have produced
 * (victim and trigger, RSS, oom_score_adj, the OOM killer's kernel stack as
 * addresses in a kallsyms made for the names, the victim's memcg path) and
 * checks the report against the log's own lines: "Killed process", the
 * "oom-kill:" summary (oom_memcg, task_memcg), "memory: usage, limit".
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "oom/report.h"
#include "rank/fact.h"
#include "rank/rules.h"
#include "sym/ksyms.h"
#include "testutil.h"

#define NO_LIMIT_PAGES (1ULL << 51)

/* What the kernel's log says about one kill. */
struct kmsg_kill {
	bool memcg;
	uint32_t pid, trigger_pid, uid;
	char comm[16], trigger_comm[16];
	uint64_t anon, file, shmem, total_vm, pgtables;
	int adj;
	char task_memcg[512], oom_memcg[512];
	uint64_t usage_kib, limit_kib;
	char frames[OOM_STACK_DEPTH][64];
	size_t nframes;
};

static void parse_line(struct kmsg_kill *k, const char *l)
{
	const char *p;
	char name[64];

	if ((p = strstr(l, "Killed process ")))
		assert_int_equal(
			sscanf(p,
			       "Killed process %u (%15[^)]) total-vm:%lukB, anon-rss:%lukB, "
			       "file-rss:%lukB, shmem-rss:%lukB, UID:%u pgtables:%lukB "
			       "oom_score_adj:%d",
			       &k->pid, k->comm, &k->total_vm, &k->anon, &k->file, &k->shmem,
			       &k->uid, &k->pgtables, &k->adj),
			9);
	if (strstr(l, "Memory cgroup out of memory"))
		k->memcg = true;
	if ((p = strstr(l, " PID: ")))
		assert_int_equal(sscanf(p, " PID: %u Comm: %15s", &k->trigger_pid, k->trigger_comm),
				 2);
	if ((p = strstr(l, "task_memcg=")))
		sscanf(p, "task_memcg=%511[^,]", k->task_memcg);
	if ((p = strstr(l, "oom_memcg=")))
		sscanf(p, "oom_memcg=%511[^,]", k->oom_memcg);
	if ((p = strstr(l, "] memory: usage ")))
		sscanf(p, "] memory: usage %lukB, limit %lukB", &k->usage_kib, &k->limit_kib);
	/* "  name+0x1/0x2" frames; "? name" ones are unreliable guesses, skipped. */
	if ((p = strstr(l, "]  ")) && (isalpha((unsigned char)p[3]) || p[3] == '_') &&
	    sscanf(p + 3, "%63[^+ ]+0x", name) == 1 && k->nframes < OOM_STACK_DEPTH)
		snprintf(k->frames[k->nframes++], 64, "%s", name);
}

static void read_kmsg(const char *file, struct kmsg_kill *k)
{
	char path[PATH_MAX], line[2048];
	FILE *f;

	memset(k, 0, sizeof(*k));
	snprintf(path, sizeof(path), "%s/tests/unit/facts/%s", tu_repo_root(), file);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (line[0] != '#')
			parse_line(k, line);
	fclose(f);
	assert_true(k->pid && k->nframes > 4 && k->task_memcg[0]);
}

/* The victim's memcg path and its ancestors: level i is "path with i components cut". */
struct paths {
	char p[OOM_MAX_LEVELS][512];
	size_t n;
};

static const char *path_of(void *ctx, uint64_t id)
{
	struct paths *ps = ctx;

	return id >= 1 && id <= ps->n ? ps->p[id - 1] : NULL;
}

static void build_paths(struct paths *ps, const char *memcg)
{
	char cur[512];

	snprintf(cur, sizeof(cur), "%s", memcg);
	for (ps->n = 0; ps->n < OOM_MAX_LEVELS;) {
		char *slash = strrchr(cur, '/');

		snprintf(ps->p[ps->n++], sizeof(ps->p[0]), "%s", cur);
		if (!strcmp(cur, "/"))
			break;
		if (slash == cur)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
}

/* The record bpf/oom.bpf.c (tp_btf mark_victim) would have produced for this kill. */
static void to_event(const struct kmsg_kill *k, const struct paths *ps, struct oom_kill_event *e,
		     char *kallsyms, size_t len)
{
	size_t off = 0;

	memset(e, 0, sizeof(*e));
	e->source = OOM_SRC_VICTIM_TASK;
	e->flags = OOM_F_LEVELS_OF_VICTIM | OOM_F_RSS | OOM_F_SCORE_ADJ;
	e->constraint = OOM_CONSTRAINT_UNKNOWN;
	e->victim_pid = e->victim_tid = k->pid;
	e->trigger_pid = e->trigger_tid = k->trigger_pid;
	snprintf(e->victim_comm, sizeof(e->victim_comm), "%s", k->comm);
	snprintf(e->trigger_comm, sizeof(e->trigger_comm), "%s", k->trigger_comm);
	e->victim_uid = k->uid;
	e->oom_score_adj = k->adj;
	e->anon_rss_kib = k->anon;
	e->file_rss_kib = k->file;
	e->shmem_rss_kib = k->shmem;
	e->total_vm_kib = k->total_vm;
	e->pgtables_kib = k->pgtables;
	for (size_t i = 0; i < k->nframes; i++) {
		uint64_t addr = 0xffffffff81000000ULL + i * 0x1000;

		off += snprintf(kallsyms + off, len - off, "%016llx T %s\n",
				(unsigned long long)addr, k->frames[i]);
		e->kstack[i] = addr + 0x10;
	}
	e->kstack_bytes = (int)(k->nframes * 8);
	e->nlevels = ps->n;
	for (size_t i = 0; i < ps->n; i++) {
		e->levels[i].cgroup_id = i + 1;
		e->levels[i].max_pages = NO_LIMIT_PAGES;
		e->levels[i].usage_pages = k->usage_kib / 4;
	}
	/* The memcg the kernel names as the OOM domain holds the "memory:" line's numbers. */
	for (size_t i = 0; k->oom_memcg[0] && i < ps->n; i++)
		if (!strcmp(ps->p[i], k->oom_memcg))
			e->levels[i].max_pages = k->limit_kib / 4;
}

struct replay {
	struct kmsg_kill k;
	struct paths ps;
	struct ksyms *ks;
	struct oom_report *r;
	struct fact_store fs;
	struct cand_list cands;
};

static void replay(struct replay *rp, const char *file)
{
	static const char *const prefixes[] = {"oom_", NULL};
	struct oom_kill_event e;
	char kallsyms[8192];
	struct oom_enrich_ctx cx = {.path_of = path_of,
				    .path_ctx = &rp->ps,
				    .host_root = "/nonexistent",
				    .mechanism = "tp_btf mark_victim",
				    .window_ns = 60000000000ULL};

	memset(rp, 0, sizeof(*rp));
	read_kmsg(file, &rp->k);
	build_paths(&rp->ps, rp->k.task_memcg);
	to_event(&rp->k, &rp->ps, &e, kallsyms, sizeof(kallsyms));
	assert_int_equal(ksyms__parse(kallsyms, strlen(kallsyms), &rp->ks), 0);
	cx.ksyms = rp->ks;
	rp->r = calloc(1, sizeof(*rp->r));
	assert_non_null(rp->r);
	/* The victim pid is not alive here (or is someone else): kernel facts only. */
	e.flags |= OOM_F_START_TIME;
	e.victim_start_boottime_ns = UINT64_MAX / 2; /* no live process started then */
	oom_report__build(rp->r, &e, &cx);
	assert_int_equal(fact_store__add(&rp->fs, oom_report__to_fact(rp->r)), 0);
	rank__evaluate(&rp->fs, prefixes, &rp->cands);
}

static void release(struct replay *rp)
{
	cand_list__clear(&rp->cands);
	fact_store__clear(&rp->fs);
	ksyms__free(rp->ks);
	free(rp->r);
}

static void assert_victim(const struct replay *rp)
{
	const struct fact *f = rp->fs.v[0];

	assert_int_equal(fact_int(f, "victim_pid", -1), rp->k.pid);
	assert_string_equal(fact_str(f, "victim_comm"), rp->k.comm);
	assert_int_equal(fact_int(f, "anon_rss_kib", -1), rp->k.anon);
	assert_int_equal(fact_int(f, "file_rss_kib", -1), rp->k.file);
	assert_int_equal(fact_int(f, "shmem_rss_kib", -1), rp->k.shmem);
	assert_int_equal(fact_int(f, "oom_score_adj", -9999), rp->k.adj);
	assert_string_equal(fact_str(f, "victim_source"), "kernel");
	assert_false(fact_has(f, "is_go"));
	assert_string_equal(fact_str(f, "memcg"), rp->k.task_memcg);
}

static void test_memcg(void **state)
{
	struct replay rp;
	const struct fact *f;

	replay(&rp, "oom_memcg_kmsg.txt");
	f = rp.fs.v[0];
	assert_true(rp.k.memcg);
	assert_int_equal(rp.r->kind, OOM_KIND_MEMCG);
	assert_string_equal(fact_str(f, "oom_kind"), "memcg");
	assert_string_equal(fact_str(f, "oom_cgroup"), rp.k.oom_memcg);
	assert_int_equal(fact_int(f, "limit_bytes", -1), rp.k.limit_kib * 1024);
	assert_victim(&rp);
	/* The trigger was the victim itself (the same pid in both lines). */
	assert_int_equal(rp.k.trigger_pid, rp.k.pid);
	assert_true(fact_bool(f, "trigger_is_victim", false));
	assert_int_equal(rp.cands.n, 1);
	assert_string_equal(rp.cands.v[0].rule, "oom_memcg");
	release(&rp);
}

static void test_node(void **state)
{
	struct replay rp;
	const struct fact *f;
	char adj[32];

	replay(&rp, "oom_node_kmsg.txt");
	f = rp.fs.v[0];
	assert_false(rp.k.memcg);
	assert_int_equal(rp.r->kind, OOM_KIND_NODE);
	assert_int_equal(rp.r->domain, -1);
	assert_string_equal(fact_str(f, "oom_kind"), "node");
	assert_false(fact_has(f, "limit_bytes"));
	assert_victim(&rp);
	assert_false(fact_bool(f, "trigger_is_victim", true));
	assert_int_equal(fact_int(f, "trigger_pid", -1), rp.k.trigger_pid);
	/* The QoS class is the path's: /kubepods/besteffort/... */
	assert_non_null(strstr(rp.k.task_memcg, "/besteffort/"));
	assert_string_equal(fact_str(f, "qos"), "besteffort");
	assert_int_equal(rp.cands.n, 1);
	assert_string_equal(rp.cands.v[0].rule, "oom_node");
	snprintf(adj, sizeof(adj), "oom_score_adj=%d", rp.k.adj);
	assert_non_null(strstr(rp.cands.v[0].cause, adj));
	assert_non_null(strstr(rp.cands.v[0].fix, "requests"));
	release(&rp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memcg),
		cmocka_unit_test(test_node),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
