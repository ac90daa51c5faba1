// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/num.h"
#include "base/signals.h"
#include "oom/goheap.h"
#include "oom/watch.h"
#include "proc/cgroup.h"
#include "proc/procfs.h"

/* Bounds that keep a node with thousands of containers cheap to watch. */
#define WATCH_MAX_CGROUPS 8192
#define WATCH_MAX_PROCS 4096
#define WALK_MAX_DEPTH 16
/* How long a vanished cgroup or process is remembered. */
#define GONE_KEEP_NS (60ULL * 1000000000)

struct proc_slot {
	struct proc_info pi;
	uint64_t gen;
	uint64_t gone_ns; /* 0 while it is listed in its cgroup */
};

struct watch {
	struct watch_cfg cfg;
	struct watch_cg **cgs;
	size_t ncgs, cap;
	struct proc_slot *procs;
	size_t nprocs, pcap;
	uint64_t gen;
	uint64_t next_sample, next_full;
	uint64_t exec_walk_ns;	 /* the last walk an exec asked for */
	struct heap_cache *heap; /* executables' heap layouts */
};

static char *dir_of(const struct watch *w, const char *path, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", w->cfg.mem_mount, strcmp(path, "/") ? path : "");
	return buf;
}

static void cg_free(struct watch_cg *c)
{
	if (!c)
		return;
	free(c->path);
	free(c->ring);
	free(c);
}

static struct watch_cg *cg_new(struct watch *w, const char *path, uint64_t id)
{
	struct watch_cg *c = calloc(1, sizeof(*c));
	size_t cap = w->cfg.window_ns / w->cfg.sample_ns + 2;

	if (!c)
		return NULL;
	c->path = strdup(path);
	c->ring = calloc(cap, sizeof(*c->ring));
	c->cap = cap;
	c->id = id;
	if (!c->path || !c->ring) {
		cg_free(c);
		return NULL;
	}
	return c;
}

struct watch_cg *watch__by_id(struct watch *w, uint64_t id)
{
	for (size_t i = 0; i < w->ncgs; i++)
		if (w->cgs[i]->id == id)
			return w->cgs[i];
	return NULL;
}

struct watch_cg *watch__by_path(struct watch *w, const char *path)
{
	for (size_t i = 0; i < w->ncgs; i++)
		if (!strcmp(w->cgs[i]->path, path))
			return w->cgs[i];
	return NULL;
}

static int add_cg(struct watch *w, struct watch_cg *c)
{
	if (w->ncgs == w->cap) {
		size_t ncap = w->cap ? w->cap * 2 : 64;
		struct watch_cg **n = realloc(w->cgs, ncap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		w->cgs = n;
		w->cap = ncap;
	}
	w->cgs[w->ncgs++] = c;
	return 0;
}

/* A cgroup seen by the walk: known ones are refreshed, new ones added. */
static int on_walk(void *ctx, const char *path, uint64_t id)
{
	struct watch *w = ctx;
	struct watch_cg *c = watch__by_path(w, path);

	if (c && c->id != id) /* deleted and recreated under the same name */
		c->id = id;
	if (!c) {
		if (w->ncgs >= WATCH_MAX_CGROUPS)
			return 0;
		c = cg_new(w, path, id);
		if (!c || add_cg(w, c)) {
			cg_free(c);
			return 0;
		}
	}
	c->gen = w->gen;
	c->gone = false;
	c->related = !w->cfg.in_scope || w->cfg.in_scope(w->cfg.scope_ctx, path);
	return 0;
}

/* An ancestor of a cgroup in scope can be the OOM domain (a pod-level limit). */
static void mark_ancestors(struct watch *w)
{
	for (size_t i = 0; i < w->ncgs; i++) {
		const char *p = w->cgs[i]->path;

		if (!w->cgs[i]->related || w->cgs[i]->gone)
			continue;
		for (size_t j = 0; j < w->ncgs; j++) {
			const char *a = w->cgs[j]->path;
			size_t n = strlen(a);

			if (!strcmp(a, "/") || (!strncmp(p, a, n) && p[n] == '/'))
				w->cgs[j]->related = true;
		}
	}
}

/* Vanished cgroups stay known for a while (a kill in a deleted container), then go. */
static void sweep(struct watch *w, uint64_t now)
{
	size_t i, out = 0;

	for (i = 0; i < w->ncgs; i++) {
		struct watch_cg *c = w->cgs[i];

		if (c->gen != w->gen && !c->gone) {
			c->gone = true;
			c->gone_ns = now;
		}
		if (c->gone && now - c->gone_ns > GONE_KEEP_NS) {
			cg_free(c);
			continue;
		}
		w->cgs[out++] = c;
	}
	w->ncgs = out;
}

static void walk(struct watch *w, uint64_t now)
{
	w->gen++;
	cgroup__walk(w->cfg.mem_mount, WALK_MAX_DEPTH, on_walk, w);
	sweep(w, now);
	mark_ancestors(w);
}

static void push(struct watch_cg *c, uint64_t t, uint64_t usage)
{
	c->ring[c->head] = (struct traj_sample){t, usage};
	c->head = (c->head + 1) % c->cap;
	if (c->n < c->cap)
		c->n++;
}

void watch__sample_now(struct watch *w, struct watch_cg *c, uint64_t now)
{
	struct memcg_state st;
	char dir[PATH_MAX];

	if (c->gone)
		return;
	if (memcg_state__read(dir_of(w, c->path, dir, sizeof(dir)), w->cfg.mem_version,
			      MEMCG_READ_USAGE, &st)) {
		c->gone = true;
		c->gone_ns = now;
		return;
	}
	push(c, now, st.usage_bytes);
}

static void read_psi(struct watch *w, struct watch_cg *c, uint64_t now)
{
	char path[PATH_MAX];

	if (!w->cfg.unified_mount || !w->cfg.unified_mount[0])
		return;
	snprintf(path, sizeof(path), "%s%s/memory.pressure", w->cfg.unified_mount,
		 strcmp(c->path, "/") ? c->path : "");
	c->have_psi = !psi__read(path, &c->psi);
	if (!c->have_psi)
		return;
	/* The base is the oldest reading still within the window: stall time over it. */
	if (!c->have_psi_base || now - c->psi_base_ns > w->cfg.window_ns) {
		c->psi_base = c->psi;
		c->psi_base_ns = now;
		c->have_psi_base = true;
	}
}

static void read_full(struct watch *w, struct watch_cg *c, uint64_t now)
{
	char dir[PATH_MAX];

	if (c->gone)
		return;
	if (memcg_state__read(dir_of(w, c->path, dir, sizeof(dir)), w->cfg.mem_version,
			      MEMCG_READ_ALL, &c->full)) {
		c->gone = true;
		c->gone_ns = now;
		return;
	}
	c->full_ns = now;
	c->limited = c->full.limit_bytes != MEMCG_NO_LIMIT;
	if (c->limited && c->related)
		read_psi(w, c, now);
}

static struct proc_slot *proc_slot(struct watch *w, pid_t pid)
{
	for (size_t i = 0; i < w->nprocs; i++)
		if (w->procs[i].pi.pid == pid)
			return &w->procs[i];
	return NULL;
}

static struct proc_slot *proc_new(struct watch *w)
{
	if (w->nprocs == w->pcap) {
		size_t ncap = w->pcap ? w->pcap * 2 : 64;
		struct proc_slot *n;

		if (ncap > WATCH_MAX_PROCS)
			return NULL;
		n = realloc(w->procs, ncap * sizeof(*n));
		if (!n)
			return NULL;
		w->procs = n;
		w->pcap = ncap;
	}
	return &w->procs[w->nprocs++];
}

static void proc_event(struct watch *w, const struct proc_info *pi, bool alive)
{
	if (w->cfg.on_proc)
		w->cfg.on_proc(w->cfg.proc_ctx, pi, alive);
}

/*
 * A pid listed in a watched cgroup: read it once per process instance,
 * with where a Go process keeps its heap statistics.
 */
static void see_pid(struct watch *w, pid_t pid)
{
	struct proc_slot *s = proc_slot(w, pid);
	struct proc_info pi;
	uint64_t start;

	if (proc_pid__start_time(pid, &start))
		return;
	if (s && s->pi.start_ticks == start) {
		s->gen = w->gen;
		s->gone_ns = 0;
		return;
	}
	if (proc_info__read(pid, &pi))
		return;
	if (pi.is_go && w->heap) {
		heap_cache__resolve(w->heap, pid, &pi.heap);
		pi.heap_tried = true;
	}
	if (s)
		proc_event(w, &s->pi, false); /* the pid's previous process */
	else
		s = proc_new(w);
	if (!s)
		return;
	s->pi = pi;
	s->gen = w->gen;
	s->gone_ns = 0;
	proc_event(w, &s->pi, true);
}

static void scan_procs(struct watch *w, struct watch_cg *c)
{
	struct procfs_buf b;
	char dir[PATH_MAX], path[PATH_MAX + 16];
	char *line, *save = NULL;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir_of(w, c->path, dir, sizeof(dir)));
	if (procfs__read_file(path, 1 << 20, &b))
		return;
	for (line = strtok_r(b.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		uint32_t pid;

		if (!num_parse_u32(line, 1, INT_MAX, &pid))
			see_pid(w, (pid_t)pid);
	}
	procfs_buf__clear(&b);
}

static void sweep_procs(struct watch *w, uint64_t now)
{
	size_t i, out = 0;

	for (i = 0; i < w->nprocs; i++) {
		struct proc_slot *s = &w->procs[i];

		if (s->gen != w->gen && !s->gone_ns)
			s->gone_ns = now;
		if (s->gone_ns && now - s->gone_ns > GONE_KEEP_NS) {
			proc_event(w, &s->pi, false);
			continue;
		}
		w->procs[out++] = *s;
	}
	w->nprocs = out;
}

/*
 * Over half its limit: a process here may die before the next full round
 * (a GOGC=off program fills 48 MiB in under a second), so its environment
 * and heap addresses are read ahead at the sample cadence instead. Only new
 * pids cost more than one read of cgroup.procs.
 */
static bool cg_above(const struct watch_cg *c, unsigned percent)
{
	uint64_t last;

	if (!c->n || !c->limited)
		return false;
	last = c->ring[(c->head + c->cap - 1) % c->cap].usage_bytes;
	return last >= c->full.limit_bytes / 100 * percent;
}

/* c, or the nearest ancestor of it, has a memory limit: the OOM domain. */
static bool limited_domain(struct watch *w, const struct watch_cg *c)
{
	char path[PATH_MAX], *slash;

	if (c->limited)
		return true;
	snprintf(path, sizeof(path), "%s", c->path);
	while ((slash = strrchr(path, '/')) && slash != path) {
		const struct watch_cg *a;

		*slash = '\0';
		a = watch__by_path(w, path);
		if (a && a->limited)
			return true;
	}
	return false;
}

/*
 * A container restarts into a cgroup the walk has not seen yet, and a
 * victim can die before the next full round (an oom-memcg restart lives
 * ~400 ms): on its exec, its memory cgroup is walked and read now and, if
 * it (or a pod-level ancestor) has a limit, the process is read ahead
 * while the runtime is still starting.
 */
void watch__see_exec(struct watch *w, pid_t pid)
{
	struct proc_cgroups *cgs;
	struct watch_cg *c;
	const char *path;

	if (w->cfg.no_read_ahead || proc_cgroups__read(pid, &cgs))
		return;
	path = w->cfg.mem_version == 2 ? proc_cgroups__unified(cgs)
				       : proc_cgroups__path(cgs, "memory");
	c = path ? watch__by_path(w, path) : NULL;
	/* At most one walk per sample period: a path no walk finds must not make every exec walk.
	 */
	if (path && !c && mono_ns() - w->exec_walk_ns >= w->cfg.sample_ns) {
		uint64_t now = mono_ns();

		w->exec_walk_ns = now;
		walk(w, now);
		c = watch__by_path(w, path);
		if (c && c->related)
			read_full(w, c, now);
	}
	/*
	 * Known but without a limit may only mean read too early: runc creates
	 * a container's cgroup and moves its init into it, then writes the
	 * limits, and a full round can fall in between. The exec comes after
	 * both: read it again. (Seen once in ~10 runs of doctor's oom-memcg
	 * scenario: the victim, 371 ms old, was found only at its kill, with no
	 * earlier samples and no heap state.)
	 */
	if (c && c->related && !c->gone && !limited_domain(w, c))
		read_full(w, c, mono_ns());
	if (c && c->related && !c->gone && limited_domain(w, c))
		see_pid(w, pid);
	proc_cgroups__free(cgs);
}

static void full_round(struct watch *w, uint64_t now)
{
	walk(w, now);
	for (size_t i = 0; i < w->ncgs; i++) {
		struct watch_cg *c = w->cgs[i];

		if (!c->related || c->gone)
			continue;
		read_full(w, c, now);
		if (c->limited && !c->gone && !w->cfg.no_read_ahead)
			scan_procs(w, c);
	}
	sweep_procs(w, now);
}

int watch__tick(struct watch *w, uint64_t now)
{
	if (now >= w->next_full) {
		full_round(w, now);
		w->next_full = now + w->cfg.full_ns;
	}
	if (now >= w->next_sample) {
		for (size_t i = 0; i < w->ncgs; i++) {
			struct watch_cg *c = w->cgs[i];

			if (!c->related || !c->limited)
				continue;
			watch__sample_now(w, c, now);
			if (cg_above(c, 50) && !c->gone && !w->cfg.no_read_ahead)
				scan_procs(w, c);
		}
		w->next_sample = now + w->cfg.sample_ns;
	}
	return 0;
}

const char *watch__path_of(struct watch *w, uint64_t id)
{
	struct watch_cg *c = watch__by_id(w, id);

	if (!c) {
		walk(w, mono_ns());
		c = watch__by_id(w, id);
	}
	return c ? c->path : NULL;
}

size_t watch_cg__samples(const struct watch_cg *c, struct traj_sample *out, size_t max)
{
	size_t n = c->n < max ? c->n : max, first = (c->head + c->cap - c->n) % c->cap;
	size_t skip = c->n - n;

	for (size_t i = 0; i < n; i++)
		out[i] = c->ring[(first + skip + i) % c->cap];
	return n;
}

const struct proc_info *watch__proc(const struct watch *w, pid_t pid, uint64_t start_ticks)
{
	for (size_t i = 0; i < w->nprocs; i++) {
		const struct proc_info *pi = &w->procs[i].pi;

		if (pi->pid == pid && (!start_ticks || pi->start_ticks == start_ticks))
			return pi;
	}
	return NULL;
}

bool watch__hot(const struct watch *w, unsigned percent)
{
	for (size_t i = 0; i < w->ncgs; i++) {
		const struct watch_cg *c = w->cgs[i];

		if (c->related && !c->gone && cg_above(c, percent))
			return true;
	}
	return false;
}

size_t watch__ncgroups(const struct watch *w, size_t *limited)
{
	size_t n = 0;

	for (size_t i = 0; i < w->ncgs; i++)
		n += w->cgs[i]->related && w->cgs[i]->limited;
	if (limited)
		*limited = n;
	return w->ncgs;
}

size_t watch__nprocs(const struct watch *w)
{
	return w->nprocs;
}

int watch__new(const struct watch_cfg *cfg, struct watch **out)
{
	struct watch *w = calloc(1, sizeof(*w));

	*out = NULL;
	if (!w)
		return -ENOMEM;
	w->cfg = *cfg;
	if (!cfg->no_read_ahead && heap_cache__new(&w->heap)) {
		free(w);
		return -ENOMEM;
	}
	if (!w->cfg.sample_ns)
		w->cfg.sample_ns = 100000000ULL;
	if (!w->cfg.full_ns)
		w->cfg.full_ns = 1000000000ULL;
	if (!w->cfg.window_ns)
		w->cfg.window_ns = 60000000000ULL;
	*out = w;
	return 0;
}

void watch__free(struct watch *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->ncgs; i++)
		cg_free(w->cgs[i]);
	free(w->cgs);
	free(w->procs);
	heap_cache__free(w->heap);
	free(w);
}
