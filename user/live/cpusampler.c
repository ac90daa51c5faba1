// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/num.h"
#include "base/signals.h"
#include "goelf/buildinfo.h"
#include "goelf/elf.h"
#include "goelf/goversion.h"
#include "kern/cgroup_layout.h"
#include "live/cpusampler.h"
#include "proc/cpuquota.h"
#include "proc/goruntime.h"
#include "proc/identity.h"
#include "proc/procfs.h"
#include "rank/fact.h"

#define DEFAULT_INTERVAL_NS 5000000000ULL
#define MIN_PERIODS 10		       /* fewer periods in an interval say nothing */
#define THROTTLED_PERCENT 5	       /* doctor's cpu.throttling warns from here too */
#define REPORT_EVERY_NS 60000000000ULL /* a cgroup throttled for hours: one report a minute */
#define MAX_DEPTH 16		       /* kubepods.slice/.../cri-containerd-<id>.scope is ~5 */
#define MAX_CGROUPS 20000
#define MAX_PIDS_TRIED 16 /* processes of a throttled cgroup examined for a Go one */

struct cg_slot {
	char *path; /* relative to the cpu controller's mount, as /proc/PID/cgroup shows it */
	struct cpu_budget last;
	uint64_t last_ns;
	uint64_t reported_ns; /* 0: never */
	uint64_t gen;
};

struct cpu_sampler {
	struct cpu_sampler_opts o;
	struct cgroup_layout cl;
	bool have_layout;
	struct cg_slot *v;
	size_t n, cap;
	uint64_t gen;
	uint64_t next_ns;
	size_t visited; /* cgroups walked this round */
};

int cpu_sampler__new(const struct cpu_sampler_opts *o, struct cpu_sampler **out)
{
	struct cpu_sampler *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (!s)
		return -ENOMEM;
	s->o = *o;
	if (!s->o.interval_ns)
		s->o.interval_ns = DEFAULT_INTERVAL_NS;
	/* No cpu controller (or no cgroups at all): the sampler stays idle. */
	s->have_layout = !cgroup_layout__read(&s->cl) && s->cl.cpu_version && s->cl.cpu_mount[0];
	*out = s;
	return 0;
}

void cpu_sampler__free(struct cpu_sampler *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].path);
	free(s->v);
	free(s);
}

static struct cg_slot *slot_of(struct cpu_sampler *s, const char *path)
{
	struct cg_slot *c;

	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].path, path))
			return &s->v[i];
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 32;
		struct cg_slot *nv;

		if (ncap > MAX_CGROUPS || !(nv = realloc(s->v, ncap * sizeof(*nv))))
			return NULL;
		s->v = nv;
		s->cap = ncap;
	}
	c = &s->v[s->n];
	memset(c, 0, sizeof(*c));
	if (!(c->path = strdup(path)))
		return NULL;
	s->n++;
	return c;
}

/* The Go minor version of pid's executable; 0 when it is not Go (or is gone). */
static int go_minor_of(pid_t pid)
{
	struct elf_file *ef = NULL;
	struct go_buildinfo bi;
	struct go_version v;
	char path[64];
	int fd, minor = 0;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (elf_file__open_fd(fd, path, &ef)) {
		close(fd);
		return 0;
	}
	close(fd);
	if (!go_buildinfo__read(ef, &bi) && bi.version && !go_version_parse(bi.version, &v))
		minor = v.minor > 0 ? v.minor : 1;
	go_buildinfo__clear(&bi);
	elf_file__free(ef);
	return minor;
}

/* A Go process directly in the cgroup dir (its cgroup.procs), or 0. */
static pid_t go_process_in(const char *dir, int *minor)
{
	struct procfs_buf b;
	char path[PATH_MAX + 16], *line, *save = NULL;
	pid_t found = 0;
	int tried = 0;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	if (procfs__read_file(path, 1 << 20, &b))
		return 0;
	for (line = strtok_r(b.data, "\n", &save); line && !found && tried < MAX_PIDS_TRIED;
	     line = strtok_r(NULL, "\n", &save), tried++) {
		uint32_t pid;

		if (!num_parse_u32(line, 1, INT_MAX, &pid) && (*minor = go_minor_of((pid_t)pid)))
			found = (pid_t)pid;
	}
	procfs_buf__clear(&b);
	return found;
}

static struct fact *new_fact(const char *kind, const struct identity *id, const char *subject,
			     pid_t pid, uint64_t now_real)
{
	struct fact *f = fact_new(kind, subject, now_real);

	if (f && (identity__to_fact(id, f) || fact_set_int(f, "pid", pid))) {
		fact_free(f);
		return NULL;
	}
	return f;
}

/*
 * The cgroup was throttled over the last interval: the facts doctor's cpu
 * checks write, about a Go process in it (none: nothing a Go rule can say).
 */
static void report(struct cpu_sampler *s, struct cg_slot *c, const char *dir,
		   const struct cpu_budget *now, uint64_t now_ns)
{
	struct go_runtime_knobs k;
	struct cpu_budget b;
	struct identity id;
	struct fact *budget, *thr;
	char subject[PATH_MAX + 64];
	uint64_t real = real_ns();
	int minor = 0;
	pid_t pid = go_process_in(dir, &minor);

	if (!pid || cpu_budget__read(pid, minor, &b) ||
	    identity__from_pid(pid, s->o.host_root, &id))
		return;
	/* The value in effect wins over the environment (runtime.GOMAXPROCS(n) in code). */
	if (!go_runtime_knobs__read(pid, &k) && k.have_gomaxprocs) {
		b.gomaxprocs = k.gomaxprocs;
		b.gomaxprocs_source = "runtime.gomaxprocs (in effect)";
	}
	identity__subject(&id, subject, sizeof(subject));
	budget = new_fact("cpu_budget", &id, subject, pid, real);
	thr = new_fact("cpu_throttling", &id, subject, pid, real);
	if (budget && thr && !cpu_budget__to_fact(&b, budget) &&
	    !cpu_throttling__to_fact(&c->last, now, now_ns - c->last_ns, thr)) {
		s->o.sink->add(s->o.sink->ctx, budget);
		s->o.sink->add(s->o.sink->ctx, thr);
		c->reported_ns = now_ns;
	}
	fact_free(budget);
	fact_free(thr);
}

static bool throttled(const struct cpu_budget *a, const struct cpu_budget *b)
{
	uint64_t periods = b->nr_periods - a->nr_periods;

	return periods >= MIN_PERIODS &&
	       (b->nr_throttled - a->nr_throttled) * 100 >= periods * THROTTLED_PERCENT;
}

static void sample(struct cpu_sampler *s, const char *rel, const char *dir, uint64_t now)
{
	struct cpu_budget b = {0};
	struct cg_slot *c;

	if (cpu_budget__read_cgroup(dir, s->cl.cpu_version, &b) || !b.has_quota || !b.have_stat)
		return;
	if (!(c = slot_of(s, rel)))
		return;
	c->gen = s->gen;
	if (c->last_ns && b.nr_periods >= c->last.nr_periods &&
	    b.nr_throttled >= c->last.nr_throttled && throttled(&c->last, &b) &&
	    (!c->reported_ns || now - c->reported_ns >= REPORT_EVERY_NS))
		report(s, c, dir, &b, now);
	c->last = b;
	c->last_ns = now;
}

/* Every cgroup under dir (rel: its path in the hierarchy) that is in scope. */
static void walk(struct cpu_sampler *s, char *dir, size_t dlen, char *rel, int depth, uint64_t now)
{
	DIR *d;
	struct dirent *e;

	if (!s->o.in_scope || s->o.in_scope(s->o.scope_ctx, rel))
		sample(s, rel, dir, now);
	if (++s->visited >= MAX_CGROUPS || depth >= MAX_DEPTH || !(d = opendir(dir)))
		return;
	while ((e = readdir(d))) {
		size_t rlen = strlen(rel), nlen = strlen(e->d_name);

		if (e->d_type != DT_DIR || e->d_name[0] == '.' || dlen + nlen + 2 > PATH_MAX ||
		    rlen + nlen + 2 > PATH_MAX)
			continue;
		snprintf(dir + dlen, PATH_MAX - dlen, "/%s", e->d_name);
		if (rlen == 1) /* "/" */
			snprintf(rel + 1, PATH_MAX - 1, "%s", e->d_name);
		else
			snprintf(rel + rlen, PATH_MAX - rlen, "/%s", e->d_name);
		walk(s, dir, dlen + nlen + 1, rel, depth + 1, now);
		dir[dlen] = '\0';
		rel[rlen] = '\0';
	}
	closedir(d);
}

/* Cgroups that are gone (not seen this round) are forgotten. */
static void sweep(struct cpu_sampler *s)
{
	size_t out = 0;

	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i].gen != s->gen) {
			free(s->v[i].path);
			continue;
		}
		s->v[out++] = s->v[i];
	}
	s->n = out;
}

void cpu_sampler__tick(struct cpu_sampler *s, uint64_t now)
{
	char dir[PATH_MAX], rel[PATH_MAX] = "/";

	if (!s || !s->have_layout || now < s->next_ns)
		return;
	s->next_ns = now + s->o.interval_ns;
	s->gen++;
	s->visited = 0;
	snprintf(dir, sizeof(dir), "%s", s->cl.cpu_mount);
	walk(s, dir, strlen(dir), rel, 0, now);
	sweep(s);
}
