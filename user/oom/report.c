// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/signals.h"
#include "bpf_oom.h"
#include "oom/report.h"
#include "oom/watch.h"
#include "proc/procfs.h"
#include "sym/ksyms.h"

/* From 2^62 bytes up a page counter means "no limit" on any page size. */
#define PAGES_NO_LIMIT_BYTES (1ULL << 62)

static uint64_t page_size(void)
{
	long p = sysconf(_SC_PAGESIZE);

	return p > 0 ? (uint64_t)p : 4096;
}

static uint64_t pages_to_limit(uint64_t pages)
{
	uint64_t ps = page_size();

	return pages >= PAGES_NO_LIMIT_BYTES / ps ? MEMCG_NO_LIMIT : pages * ps;
}

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* /proc/PID/stat ticks of a task_struct start_boottime (nsec_to_clock_t). */
static uint64_t boot_ns_to_ticks(uint64_t ns)
{
	long hz = sysconf(_SC_CLK_TCK);

	return ns / (1000000000ULL / (uint64_t)(hz > 0 ? hz : 100));
}

/*
 * The victim first, before it is gone: its /proc entries if the pid is
 * still the same process (start time), else what was read ahead.
 */
static void read_victim(struct oom_report *r, const struct oom_enrich_ctx *cx)
{
	pid_t pid = (pid_t)r->ev.victim_pid;
	uint64_t want = 0;
	const struct proc_info *cached;
	struct proc_info live;

	if (r->ev.flags & OOM_F_START_TIME)
		want = boot_ns_to_ticks(r->ev.victim_start_boottime_ns);
	if (pid > 0 && !proc_info__read(pid, &live) && (!want || live.start_ticks == want) &&
	    (!live.env_err || !live.exe_err)) {
		r->info = live;
		r->have_info = true;
		r->victim_source = VICTIM_LIVE;
		/* Exiting (no mm left): its /proc/PID/cgroup may already say "/" on v1. */
		if (!live.env_err)
			r->have_id = !identity__from_pid(pid, cx->host_root, &r->id);
	}
	cached = cx->watch ? watch__proc(cx->watch, pid, want) : NULL;
	if (!cached)
		return;
	/* The heap words the kernel half read were named from this reading. */
	r->have_heap_addrs = cached->heap_tried;
	r->heap_addrs = cached->heap;
	r->heap_start_ticks = cached->start_ticks;
	/* Read too late (no mm left): the read-ahead knows more. */
	if (!r->have_info || r->info.env_err || r->info.exe_err) {
		r->info = *cached;
		r->have_info = true;
		r->victim_source = VICTIM_READ_AHEAD;
	}
}

static void symbolize(struct oom_report *r, const struct ksyms *ks)
{
	const char *names[OOM_STACK_DEPTH];
	int n = r->ev.kstack_bytes > 0 ? r->ev.kstack_bytes / 8 : 0;

	for (int i = 0; i < n && i < OOM_STACK_DEPTH && r->ev.kstack[i]; i++) {
		const struct ksym *s = ks ? ksyms__map_addr(ks, r->ev.kstack[i], NULL) : NULL;

		snprintf(r->frames[r->nframes], sizeof(r->frames[0]), "%s", s ? s->name : "?");
		names[r->nframes] = r->frames[r->nframes];
		r->nframes++;
	}
	r->kind = oom_classify_frames(names, r->nframes, &r->kind_via);
	if (r->ev.constraint != OOM_CONSTRAINT_UNKNOWN) {
		r->kind = oom_classify_constraint(r->ev.constraint);
		r->kind_via = "oom_control";
	}
}

static const char *path_of(const struct oom_enrich_ctx *cx, uint64_t id)
{
	if (cx->path_of)
		return cx->path_of(cx->path_ctx, id);
	return cx->watch ? watch__path_of(cx->watch, id) : NULL;
}

static void read_levels(struct oom_report *r, const struct oom_enrich_ctx *cx)
{
	uint64_t ps = page_size();

	r->nlevels = r->ev.nlevels < OOM_MAX_LEVELS ? r->ev.nlevels : OOM_MAX_LEVELS;
	r->levels_of_victim = r->ev.flags & OOM_F_LEVELS_OF_VICTIM;
	for (size_t i = 0; i < r->nlevels; i++) {
		const struct oom_memcg_level *k = &r->ev.levels[i];
		struct oom_level *l = &r->levels[i];
		const char *path = path_of(cx, k->cgroup_id);

		l->id = k->cgroup_id;
		snprintf(l->path, sizeof(l->path), "%s", path ? path : "");
		l->usage_bytes = k->usage_pages * ps;
		l->limit_bytes = pages_to_limit(k->max_pages);
		l->high_bytes = pages_to_limit(k->high_pages);
		l->failcnt = k->failcnt;
		l->ev_high = k->ev_high;
		l->ev_max = k->ev_max;
		l->ev_oom = k->ev_oom;
		l->ev_oom_kill = k->ev_oom_kill;
	}
}

/*
 * The memcg whose limit was hit: oom_control names it; else the limited
 * level with the least headroom (the one the charge failed against has
 * none left), innermost on a tie.
 */
static int pick_domain(const struct oom_report *r)
{
	uint64_t best = UINT64_MAX;
	int dom = -1;

	for (size_t i = 0; i < r->nlevels; i++) {
		const struct oom_level *l = &r->levels[i];
		uint64_t room;

		if ((r->ev.flags & OOM_F_OC_MEMCG) && l->id == r->ev.oc_memcg_id)
			return (int)i;
		if (l->limit_bytes == MEMCG_NO_LIMIT)
			continue;
		room = l->limit_bytes > l->usage_bytes ? l->limit_bytes - l->usage_bytes : 0;
		if (room < best) {
			best = room;
			dom = (int)i;
		}
	}
	return dom;
}

static void read_meminfo(struct oom_report *r)
{
	struct procfs_buf b;
	const char *p;
	unsigned long long kib;

	if (procfs__read_file("/proc/meminfo", 16384, &b))
		return;
	p = strstr(b.data, "MemTotal:");
	if (p && sscanf(p, "MemTotal: %llu kB", &kib) == 1)
		r->mem_total_bytes = kib * 1024;
	p = strstr(b.data, "MemAvailable:");
	if (p && sscanf(p, "MemAvailable: %llu kB", &kib) == 1)
		r->mem_available_bytes = kib * 1024;
	procfs_buf__clear(&b);
}

static void choose_domain(struct oom_report *r)
{
	r->domain = r->kind == OOM_KIND_NODE ? -1 : pick_domain(r);
	if (r->kind == OOM_KIND_UNKNOWN && r->domain >= 0) {
		const struct oom_level *l = &r->levels[r->domain];

		/* No stack to go by: a memcg at its limit is the likely domain. */
		if (l->limit_bytes - l->usage_bytes <= l->limit_bytes / 64 + (2u << 20)) {
			r->kind = OOM_KIND_MEMCG;
			r->kind_via = "limit reached";
		} else {
			r->domain = -1;
		}
	}
	read_meminfo(r);
	if (r->domain >= 0) {
		r->limit_bytes = r->levels[r->domain].limit_bytes;
		r->usage_bytes = r->levels[r->domain].usage_bytes;
	} else {
		r->limit_bytes = r->mem_total_bytes;
		r->usage_bytes = r->mem_total_bytes - r->mem_available_bytes;
	}
}

/*
 * The victim's memory cgroup: the kernel's, captured at the kill, else
 * what /proc said (at the kill or read ahead). The pod and container are
 * named from it when /proc could not be read or disagrees.
 */
static void identify(struct oom_report *r, const struct oom_enrich_ctx *cx)
{
	const char *memcg = "";

	if (r->levels_of_victim && r->nlevels && r->levels[0].path[0])
		memcg = r->levels[0].path;
	else if (r->have_id && r->id.memcg[0])
		memcg = r->id.memcg;
	else if (r->have_info)
		memcg = r->info.memcg;
	snprintf(r->victim_memcg, sizeof(r->victim_memcg), "%s", memcg);
	if (r->have_id && memcg[0] && strcmp(r->id.memcg, memcg))
		r->have_id = false;
	if (!r->have_id && memcg[0]) {
		identity__from_cgroup(memcg, cx->host_root, &r->id);
		r->id.pid = (pid_t)r->ev.victim_pid;
		snprintf(r->id.memcg, sizeof(r->id.memcg), "%s", memcg);
		r->have_id = true;
	}
	if (r->have_id) {
		snprintf(r->id.comm, sizeof(r->id.comm), "%s", r->ev.victim_comm);
		identity__subject(&r->id, r->subject, sizeof(r->subject));
	} else {
		snprintf(r->subject, sizeof(r->subject), "pid:%u", r->ev.victim_pid);
	}
}

/* What the domain did before the kill: usage samples, reclaim, PSI, its files. */
static void history(struct oom_report *r, const struct oom_enrich_ctx *cx)
{
	const struct oom_level *d = r->domain >= 0 ? &r->levels[r->domain] : NULL;
	struct watch_cg *c = d && cx->watch ? watch__by_id(cx->watch, d->id) : NULL;

	if (!d)
		return;
	if (c) {
		r->nsamples = watch_cg__samples(c, r->samples, TRAJ_MAX_SAMPLES);
		r->have_files = c->full_ns != 0;
		r->files = c->full;
	}
	trajectory__analyze(r->samples, r->nsamples, r->ev.ktime_ns, d->usage_bytes, d->limit_bytes,
			    cx->window_ns, &r->traj);
	r->have_traj = true;
}

static void add_stats(struct oom_memcg_stats *a, const struct oom_memcg_stats *b)
{
	a->reclaim_count += b->reclaim_count;
	a->reclaim_ns_total += b->reclaim_ns_total;
	if (b->reclaim_ns_max > a->reclaim_ns_max)
		a->reclaim_ns_max = b->reclaim_ns_max;
	a->reclaimed_pages += b->reclaimed_pages;
	a->pgscan_direct += b->pgscan_direct;
	a->pgsteal_direct += b->pgsteal_direct;
	a->pgmajfault += b->pgmajfault;
	a->oom_kill_vmevents += b->oom_kill_vmevents;
}

/*
 * The kernel aggregates per reclaiming task's memcg: sum the victim's path
 * from its own memcg up to the domain (a sibling container reclaiming for
 * a shared pod limit is not counted).
 */
static void reclaim(struct oom_report *r, const struct oom_enrich_ctx *cx)
{
	struct oom_memcg_stats s;

	if (r->domain < 0 || !cx->tracer || !r->levels_of_victim)
		return;
	for (int i = 0; i <= r->domain; i++) {
		if (oom_tracer__memcg(cx->tracer, r->levels[i].id, &s))
			continue;
		add_stats(&r->reclaim, &s);
		r->have_reclaim = true;
	}
}

static void pressure(struct oom_report *r, const struct oom_enrich_ctx *cx)
{
	const struct oom_level *d = r->domain >= 0 ? &r->levels[r->domain] : NULL;
	struct watch_cg *c = d && cx->watch ? watch__by_id(cx->watch, d->id) : NULL;
	char path[1024];

	r->psi_node = true;
	snprintf(path, sizeof(path), "/proc/pressure/memory");
	if (d && d->path[0] && cx->unified_mount && cx->unified_mount[0]) {
		snprintf(path, sizeof(path), "%s%s/memory.pressure", cx->unified_mount,
			 strcmp(d->path, "/") ? d->path : "");
		r->psi_node = false;
	}
	r->have_psi = !psi__read(path, &r->psi);
	if (!r->have_psi && !r->psi_node) {
		r->psi_node = true;
		r->have_psi = !psi__read("/proc/pressure/memory", &r->psi);
	}
	if (r->have_psi && !r->psi_node && c && c->have_psi_base) {
		r->psi_window_ns = r->recv_mono_ns - c->psi_base_ns;
		r->psi_some_stall_us = r->psi.some.total_us - c->psi_base.some.total_us;
		r->psi_full_stall_us = r->psi.full.total_us - c->psi_base.full.total_us;
	}
}

void oom_report__build(struct oom_report *r, const struct oom_kill_event *ev,
		       const struct oom_enrich_ctx *cx)
{
	uint64_t now;

	memset(r, 0, sizeof(*r));
	r->ev = *ev;
	r->recv_mono_ns = now = mono_ns();
	r->kill_realtime_ns = realtime_ns() - (now > ev->ktime_ns ? now - ev->ktime_ns : 0);
	snprintf(r->mechanism, sizeof(r->mechanism), "%s", cx->mechanism ? cx->mechanism : "");
	read_victim(r, cx);
	symbolize(r, cx->ksyms);
	read_levels(r, cx);
	choose_domain(r);
	identify(r, cx);
	history(r, cx);
	reclaim(r, cx);
	pressure(r, cx);
}

/* A Go victim (or one whose heap words were named, which only Go processes get)? */
static bool victim_is_go(const struct oom_report *r)
{
	return r->have_heap_addrs || (r->have_info && !r->info.exe_err && r->info.is_go);
}

int oom_report__heap(struct oom_report *r, const struct oom_enrich_ctx *cx, const char *why_none)
{
	struct oom_go_heap_snap snap;
	struct proc_heap none = {.err = -ENOENT};
	bool have;

	memset(&r->heap, 0, sizeof(r->heap));
	if (!victim_is_go(r))
		return 0; /* HEAP_NOT_GO */
	if (!r->have_heap_addrs) {
		snprintf(none.why, sizeof(none.why),
			 "gotrace had not read the process before it died (it reads the "
			 "processes of memory cgroups with a limit once a second)");
		heap_report__from_snap(&r->heap, &none, NULL, false, r->ev.ktime_ns, NULL);
		return 0;
	}
	have = !r->heap_addrs.err && cx->tracer &&
	       !oom_tracer__go_heap_snap(cx->tracer, r->ev.victim_pid, &snap);
	if (!have && !r->heap_addrs.err && !why_none && cx->tracer)
		return -EAGAIN;
	heap_report__from_snap(&r->heap, &r->heap_addrs, have ? &snap : NULL,
			       have && boot_ns_to_ticks(snap.start_boottime_ns) ==
					       r->heap_start_ticks,
			       r->ev.ktime_ns, why_none);
	return 0;
}

const char *victim_source__name(enum victim_source s)
{
	switch (s) {
	case VICTIM_LIVE:
		return "live";
	case VICTIM_READ_AHEAD:
		return "read_ahead";
	default:
		return "kernel";
	}
}
