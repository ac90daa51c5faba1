// SPDX-License-Identifier: GPL-2.0
/* Where a Go process's heap statistics are (cached per executable), and what they said. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/err.h"
#include "goelf/buildinfo.h"
#include "goelf/elf.h"
#include "goelf/elfsyms.h"
#include "goelf/pclntab.h"
#include "oom/goheap.h"
#include "proc/maps.h"

#define CACHE_MAX 64 /* executables remembered (a node runs few distinct ones) */
#define SEGS_MAX 16  /* PT_LOADs kept for the load bias */

_Static_assert(GO_HEAP_NFIELDS <= OOM_GO_HEAP_WORDS, "the BPF record holds every heap word");

/* One executable, identified by its file (a rebuilt binary is another entry). */
struct heap_exe {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	uint64_t used; /* LRU clock */
	int err;
	char why[320];
	struct go_heap_layout layout;
	bool pie;
	size_t nsegs;
	struct elf_segment segs[SEGS_MAX];
};

struct heap_cache {
	struct heap_exe *v[CACHE_MAX];
	size_t n;
	uint64_t clock;
};

int heap_cache__new(struct heap_cache **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void heap_cache__free(struct heap_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i]);
	free(c);
}

static bool same_file(const struct heap_exe *e, const struct stat *st)
{
	return e->dev == st->st_dev && e->ino == st->st_ino && e->size == st->st_size &&
	       e->mtime.tv_sec == st->st_mtim.tv_sec && e->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

/* The layout of the file behind fd: version, pclntab, symbols, then goelf/goheap.h. */
static int layout_of(struct elf_file *ef, struct heap_exe *e)
{
	struct go_buildinfo bi;
	struct go_version ver, *vp = NULL;
	struct elf_syms *syms = NULL;
	struct pclntab *pcln = NULL;
	int err;

	err = go_buildinfo__read(ef, &bi);
	if (err)
		return err;
	if (bi.version && !go_version_parse(bi.version, &ver))
		vp = &ver;
	go_buildinfo__clear(&bi);
	err = pclntab__open(ef, &pcln);
	if (!err)
		err = elf_syms__load(ef, &syms);
	if (!err)
		err = go_heap_layout__find(ef, syms, pcln, vp, &e->layout);
	elf_syms__free(syms);
	pclntab__free(pcln);
	return err;
}

static void fill_exe(struct heap_exe *e, int fd, const struct stat *st)
{
	struct elf_file *ef = NULL;

	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->size = st->st_size;
	e->mtime = st->st_mtim;
	e->err = elf_file__open_fd(fd, "the executable", &ef);
	if (!e->err)
		e->err = layout_of(ef, e);
	if (e->err) {
		snprintf(e->why, sizeof(e->why), "%s", err_msg());
	} else {
		e->pie = elf_file__type(ef) != 2 /* ET_EXEC */;
		for (size_t i = 0; i < elf_file__nsegments(ef) && e->nsegs < SEGS_MAX; i++)
			e->segs[e->nsegs++] = *elf_file__segment(ef, i);
	}
	elf_file__free(ef);
}

/* The cached entry for the file, reading it on a miss (the least recently used goes). */
static const struct heap_exe *exe_for(struct heap_cache *c, int fd, const struct stat *st)
{
	size_t i, lru = 0;
	struct heap_exe *e;

	for (i = 0; i < c->n; i++) {
		if (same_file(c->v[i], st)) {
			c->v[i]->used = ++c->clock;
			return c->v[i];
		}
		if (c->v[i]->used < c->v[lru]->used)
			lru = i;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	fill_exe(e, fd, st);
	e->used = ++c->clock;
	if (c->n < CACHE_MAX) {
		c->v[c->n++] = e;
	} else {
		free(c->v[lru]);
		c->v[lru] = e;
	}
	return e;
}

/* runtime address - link vaddr of the executable in pid (0 for a non-PIE). */
static int bias_of(pid_t pid, const struct heap_exe *e, uint64_t *bias)
{
	struct proc_maps *maps;
	int err;

	*bias = 0;
	if (!e->pie)
		return 0;
	err = proc_maps__read(pid, &maps);
	if (err)
		return err;
	err = proc_maps__file_bias(maps, major(e->dev), minor(e->dev), e->ino, e->segs, e->nsegs,
				   bias);
	proc_maps__free(maps);
	return err ? err_fail(err, "the executable is not in /proc/%d/maps (exiting?)", (int)pid)
		   : 0;
}

static void fail(struct proc_heap *out, int err, const char *why)
{
	out->err = err ? err : -EINVAL;
	snprintf(out->why, sizeof(out->why), "%s", why);
}

void heap_cache__resolve(struct heap_cache *c, pid_t pid, struct proc_heap *out)
{
	const struct heap_exe *e;
	struct stat st;
	char path[64];
	uint64_t bias;
	int fd, err;

	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		fail(out, -errno, "its executable could not be opened (exited?)");
		if (fd >= 0)
			close(fd);
		return;
	}
	e = exe_for(c, fd, &st);
	close(fd);
	err = !e ? -ENOMEM : e->err ? e->err : bias_of(pid, e, &bias);
	if (err) {
		fail(out, err, !e ? "out of memory" : e->err ? e->why : err_msg());
		return;
	}
	out->minor = e->layout.minor;
	snprintf(out->source, sizeof(out->source), "%s offsets, %s globals",
		 e->layout.offsets_source, go_global_source_name(e->layout.globals_source));
	for (int f = 0; f < GO_HEAP_NFIELDS; f++)
		out->addr[f] = go_heap_layout__addr(&e->layout, f) + bias;
}

static const char *const where_words[] = {
	[OOM_HEAP_AT_KILL] = "at the kill, in the victim (it ran the OOM killer itself)",
	[OOM_HEAP_AT_SIGKILL] = "at its SIGKILL's delivery",
};

/* Why a Go victim has no heap state; NULL when the snapshot is good. */
static const char *why_not(const struct proc_heap *ph, const struct oom_go_heap_snap *snap,
			   bool same_process, const char *why_none, char *buf, size_t len)
{
	if (ph->err)
		return ph->why;
	if (!snap)
		return why_none ? why_none : "no reading was taken";
	if (!same_process)
		return "the reading was of another process with its pid";
	if (!snap->err && snap->nread >= GO_HEAP_NFIELDS)
		return NULL;
	snprintf(buf, len,
		 "reading the runtime's statistics failed (%s): its memory was no longer there",
		 strerror(snap->err ? -snap->err : EFAULT));
	return buf;
}

void heap_report__from_snap(struct heap_report *hr, const struct proc_heap *ph,
			    const struct oom_go_heap_snap *snap, bool same_process,
			    uint64_t kill_ktime_ns, const char *why_none)
{
	uint64_t words[GO_HEAP_NFIELDS];
	const char *why;
	char buf[200];

	memset(hr, 0, sizeof(*hr));
	snprintf(hr->source, sizeof(hr->source), "%s", ph->source);
	if (snap)
		hr->snap = *snap;
	why = why_not(ph, snap, same_process, why_none, buf, sizeof(buf));
	if (why) {
		hr->status = HEAP_UNAVAILABLE;
		snprintf(hr->why, sizeof(hr->why), "%s", why);
		return;
	}
	hr->status = HEAP_READ;
	hr->read_before_kill_ns = (int64_t)(snap->ktime_ns - kill_ktime_ns);
	for (int f = 0; f < GO_HEAP_NFIELDS; f++)
		words[f] = snap->words[f];
	go_heap_state__decode(words, ph->minor, &hr->st);
}

const char *heap_report__where(const struct heap_report *hr)
{
	uint32_t w = hr->snap.where;

	return w == OOM_HEAP_AT_KILL || w == OOM_HEAP_AT_SIGKILL ? where_words[w] : "?";
}

bool heap_gc_percent_set_in_code(int env_percent, int32_t effective)
{
	return (env_percent < 0) != (effective < 0) || (effective >= 0 && env_percent != effective);
}

bool heap_memory_limit_set_in_code(int64_t env_bytes, int64_t effective)
{
	return env_bytes != effective;
}
