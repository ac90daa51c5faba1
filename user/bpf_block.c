// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "base/err.h"
#include "block.skel.h"
#include "bpf_block.h"
#include "kern/uprobe_set.h"

/*
 * The probes in the order they attach; they detach in reverse. A uprobe
 * set arms its offsets one by one, so the sites where parks start come last
 * (and go first): a park recorded while its wake's site is not armed yet (or
 * no longer) would be counted as a wake we missed. Measured: 1.4% of parks
 * "unmatched" in default mode on the channel benchmark when they shared one
 * uprobe_multi link.
 */
enum probe_set {
	SET_TRANSITIONS, /* casgstatus sites: wakes, run queue, park confirmations */
	SET_PARK_STARTS, /* park_m's 2 -> 4 site recording parks */
	SET_GOPARK,	 /* gopark, where parks start at gopark */
	SET_NR,
};

static enum probe_set set_of(const struct block_uprobe *p)
{
	if (p->is_gopark)
		return SET_GOPARK;
	return p->cookie & CASG_RECORD_PARK ? SET_PARK_STARTS : SET_TRANSITIONS;
}

struct block_tracer {
	struct block_bpf *skel;
	pid_t pid;
	char exe[64];
	struct uprobe_set sets[SET_NR];
	int ncpu;
	int stats_fd; /* keeps BPF run-time statistics on; -1 when refused or stopped */
};

int block_tracer__open(pid_t pid, uint64_t min_block_ns,
		       const struct block_park_layout *park_layout, struct block_tracer **out)
{
	struct block_tracer *b = calloc(1, sizeof(*b));
	int err;

	if (!b)
		return -ENOMEM;
	b->pid = pid;
	for (int i = 0; i < SET_NR; i++)
		b->sets[i] = (struct uprobe_set)UPROBE_SET_INIT;
	b->ncpu = libbpf_num_possible_cpus();
	b->stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	snprintf(b->exe, sizeof(b->exe), "/proc/%d/exe", (int)pid);
	if (libbpf_probe_bpf_helper(BPF_PROG_TYPE_KPROBE, BPF_FUNC_loop, NULL) == 0) {
		err = err_fail(GT_ENOFEAT,
			       "block: this kernel has no bpf_loop() helper (Linux < 5.17), which "
			       "the stack walk needs");
		goto fail;
	}
	b->skel = block_bpf__open();
	if (!b->skel) {
		err = err_fail(errno, "block: opening the BPF object failed: %s", strerror(errno));
		goto fail;
	}
	b->skel->rodata->filter_tgid = pid;
	b->skel->rodata->min_block_ns = min_block_ns;
	if (park_layout) {
		b->skel->rodata->g_sched_pc = park_layout->g_sched_pc;
		b->skel->rodata->g_sched_bp = park_layout->g_sched_bp;
		b->skel->rodata->g_waitreason = park_layout->g_waitreason;
	}
	uprobe_set__prepare(b->skel->progs.block_gopark);
	uprobe_set__prepare(b->skel->progs.block_casg);
	err = block_bpf__load(b->skel);
	if (err) {
		err = err_fail(-err,
			       "block: loading the BPF programs failed: %s (root, or "
			       "CAP_BPF and CAP_PERFMON, is needed)",
			       strerror(-err));
		goto fail;
	}
	*out = b;
	return 0;
fail:
	block_tracer__free(b);
	return err;
}

static int attach_set(struct block_tracer *b, const struct block_uprobe *probes, size_t n,
		      enum probe_set set)
{
	struct bpf_program *prog =
		set == SET_GOPARK ? b->skel->progs.block_gopark : b->skel->progs.block_casg;
	uint64_t *offsets = calloc(n ? n : 1, sizeof(*offsets));
	uint64_t *cookies = calloc(n ? n : 1, sizeof(*cookies));
	size_t i, cnt = 0;
	int err;

	if (!offsets || !cookies) {
		free(offsets);
		free(cookies);
		return err_fail(ENOMEM, "block: out of memory for the probe list");
	}
	for (i = 0; i < n; i++) {
		if (set_of(&probes[i]) != set)
			continue;
		offsets[cnt] = probes[i].file_offset;
		cookies[cnt] = probes[i].cookie;
		cnt++;
	}
	/* pid-scoped: the kernel only traps this process's mm. */
	err = uprobe_set__attach(&b->sets[set], prog, b->exe, b->pid, offsets, cookies, cnt);
	free(offsets);
	free(cookies);
	return err;
}

int block_tracer__attach(struct block_tracer *b, const struct block_uprobe *probes, size_t n)
{
	int set, err = 0;

	block_tracer__detach(b);
	for (set = 0; set < SET_NR && !err; set++)
		err = attach_set(b, probes, n, set);
	if (err)
		block_tracer__detach(b);
	return err;
}

void block_tracer__detach(struct block_tracer *b)
{
	for (int set = SET_NR - 1; set >= 0; set--)
		uprobe_set__detach(&b->sets[set]);
}

static void clear_map(int fd)
{
	uint64_t key, next, *prev = NULL;

	/* Deleting while walking: restart from the first key each time. */
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		if (bpf_map_delete_elem(fd, &key))
			prev = &key;
	}
}

void block_tracer__clear_inflight(struct block_tracer *b)
{
	clear_map(bpf_map__fd(b->skel->maps.parks));
}

bool block_tracer__attached(const struct block_tracer *b)
{
	for (int set = 0; set < SET_NR; set++)
		if (uprobe_set__attached(&b->sets[set]))
			return true;
	return false;
}

void block_tracer__free(struct block_tracer *b)
{
	if (!b)
		return;
	block_tracer__detach(b);
	block_bpf__destroy(b->skel);
	if (b->stats_fd >= 0)
		close(b->stats_fd);
	free(b);
}

void block_tracer__stop_run_stats(struct block_tracer *b)
{
	if (b->stats_fd >= 0)
		close(b->stats_fd);
	b->stats_fd = -1;
}

int block_tracer__prog_time(struct block_tracer *b, uint64_t *run_ns, uint64_t *runs)
{
	struct bpf_program *progs[] = {b->skel->progs.block_gopark, b->skel->progs.block_casg};
	size_t i;

	*run_ns = *runs = 0;
	if (b->stats_fd < 0)
		return -ENOTSUP;
	for (i = 0; i < 2; i++) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);

		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(bpf_program__fd(progs[i]), &info, &len))
			return -errno;
		*run_ns += info.run_time_ns;
		*runs += info.run_cnt;
	}
	return 0;
}

int block_tracer__counters(struct block_tracer *b, uint64_t out[BC_NR])
{
	uint64_t vals[b->ncpu];
	uint32_t k;
	int c, err;

	for (k = 0; k < BC_NR; k++) {
		err = bpf_map__lookup_elem(b->skel->maps.counters, &k, sizeof(k), vals,
					   sizeof(vals), 0);
		if (err)
			return err;
		out[k] = 0;
		for (c = 0; c < b->ncpu; c++)
			out[k] += vals[c];
	}
	return 0;
}

static void sum_stats(struct block_site_stats *dst, const struct block_site_stats *v, int ncpu)
{
	int c, i;

	memset(dst, 0, sizeof(*dst));
	for (c = 0; c < ncpu; c++) {
		dst->count += v[c].count;
		dst->total_ns += v[c].total_ns;
		if (v[c].max_ns > dst->max_ns)
			dst->max_ns = v[c].max_ns;
		dst->sched_count += v[c].sched_count;
		dst->sched_total_ns += v[c].sched_total_ns;
		for (i = 0; i < BLOCK_HIST_BUCKETS; i++)
			dst->hist[i] += v[c].hist[i];
	}
}

int block_tracer__each_site(struct block_tracer *b, block_site_cb cb, void *ctx)
{
	struct block_site_key key, next, *prev = NULL;
	struct block_site_stats *vals = calloc(b->ncpu, sizeof(*vals)), sum;
	int fd = bpf_map__fd(b->skel->maps.sites), err = 0;

	if (!vals)
		return -ENOMEM;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, vals))
			continue; /* deleted meanwhile */
		sum_stats(&sum, vals, b->ncpu);
		err = cb(&key, &sum, ctx);
		if (err)
			break;
	}
	free(vals);
	return err;
}

int block_tracer__sched_all(struct block_tracer *b, struct block_site_stats *out)
{
	struct block_site_stats *vals = calloc(b->ncpu, sizeof(*vals));
	uint32_t zero = 0;
	int err;

	if (!vals)
		return -ENOMEM;
	err = bpf_map_lookup_elem(bpf_map__fd(b->skel->maps.sched_all), &zero, vals);
	if (!err)
		sum_stats(out, vals, b->ncpu);
	free(vals);
	return err ? -errno : 0;
}

int block_tracer__stack(struct block_tracer *b, uint64_t stack, uint64_t *pcs, size_t max)
{
	uint64_t buf[BLOCK_STACK_DEPTH] = {0};
	size_t n = 0;

	if (!stack || bpf_map_lookup_elem(bpf_map__fd(b->skel->maps.stacks), &stack, buf))
		return 0;
	while (n < BLOCK_STACK_DEPTH && n < max && buf[n]) {
		pcs[n] = buf[n];
		n++;
	}
	return (int)n;
}

int block_tracer__each_park(struct block_tracer *b, block_park_cb cb, void *ctx)
{
	int fd = bpf_map__fd(b->skel->maps.parks), err = 0;
	uint64_t key, next, *prev = NULL;
	struct block_park p;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &p) || p.runnable || p.idle)
			continue; /* gone meanwhile, woken and waiting for a CPU, or running */
		err = cb(key, &p, ctx);
		if (err)
			break;
	}
	return err;
}
