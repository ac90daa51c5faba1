// SPDX-License-Identifier: GPL-2.0
/* Opening a Go process for goroutine reads: binary facts, offsets, globals, load bias. */
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
#include "goelf/goglobals.h"
#include "goroutines/goroutines_int.h"
#include "proc/maps.h"

pid_t go_proc__pid(const struct go_proc *p)
{
	return p->pid;
}

const char *go_proc__comm(const struct go_proc *p)
{
	return p->comm;
}

const char *go_proc__go_version(const struct go_proc *p)
{
	return p->version;
}

const char *go_proc__offsets_source(const struct go_proc *p)
{
	return p->off_source;
}

const char *go_proc__allgs_source(const struct go_proc *p)
{
	return p->allgs_source;
}

const char *go_proc__waitreasons_source(const struct go_proc *p)
{
	return go_waitreasons_source_name(go_waitreasons__source(p->wr));
}

const char *go_proc__read_method(const struct go_proc *p)
{
	return pmem__method(p->mem);
}

uint64_t go_proc__read_syscalls(const struct go_proc *p)
{
	return pmem__syscalls(p->mem);
}

void go_proc__force_procmem(struct go_proc *p)
{
	pmem__force_procmem(p->mem);
}

struct symbolizer *go_proc__symbolizer(struct go_proc *p)
{
	return p->sym;
}

void go_proc__free(struct go_proc *p)
{
	if (!p)
		return;
	if (!p->borrowed) {
		go_waitreasons__free(p->wr);
		pmem__free(p->mem);
		pclntab__free(p->pcln);
		elf_file__free(p->ef);
	}
	if (p->pidfd >= 0)
		close(p->pidfd);
	symbolizer__free(p->sym);
	elf_syms__free(p->syms);
	free(p->scratch);
	go_memo__free(p->memo);
	free(p);
}

/* The executable through /proc/PID/exe (deleted files, other mount namespaces). */
static int open_exe(struct go_proc *p, struct stat *st)
{
	char path[64];
	int fd, err;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)p->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		return err == ENOENT || err == ESRCH
			       ? err_fail(ESRCH, "process %d exited (or is a kernel thread)",
					  (int)p->pid)
			       : err_fail(err == EACCES ? EACCES : err,
					  "cannot open the executable of process %d: %s (run as "
					  "root)",
					  (int)p->pid, strerror(err));
	}
	err = fstat(fd, st) ? -errno : elf_file__open_fd(fd, path, &p->ef);
	close(fd);
	return err;
}

/* The Go version (build info, or runtime.buildVersion for binaries without it). */
static int read_version(struct go_proc *p)
{
	struct go_buildinfo bi;
	int err = go_buildinfo__read(p->ef, &bi);

	if (err == -GT_ENOTGO || (!err && !bi.version))
		err = err_fail(GT_ENOTGO,
			       "process %d (%s) is not a Go program: it has no Go build "
			       "information or runtime version",
			       (int)p->pid, p->comm);
	if (err)
		return err;
	snprintf(p->version, sizeof(p->version), "%s", bi.version);
	if (go_version_parse(bi.version, &p->ver))
		memset(&p->ver, 0, sizeof(p->ver));
	go_buildinfo__clear(&bi);
	return 0;
}

/* Load bias from the executable's text mapping (0 for non-PIE). */
static int find_bias(struct go_proc *p, const struct stat *st)
{
	struct proc_maps *maps;
	int err;

	err = proc_maps__read(p->pid, &maps);
	if (err)
		return err;
	err = proc_maps__file_bias(maps, major(st->st_dev), minor(st->st_dev), st->st_ino,
				   elf_file__segment(p->ef, 0), elf_file__nsegments(p->ef),
				   &p->bias);
	proc_maps__free(maps);
	if (err)
		return err_fail(ENOENT, "process %d: its executable is not mapped (exited?)",
				(int)p->pid);
	return 0;
}

static struct go_func_range func_range(const struct go_proc *p, const char *name)
{
	struct pcln_func f;

	if (pclntab__find_name(p->pcln, name, &f))
		return (struct go_func_range){0, 0};
	return (struct go_func_range){f.entry + p->bias, f.end + p->bias};
}

/* Where allgs is, and the runtime functions the unwinder recognizes. */
static int find_runtime(struct go_proc *p)
{
	struct go_globals gl;
	int err;

	err = go_globals__find(p->ef, p->syms, p->pcln, &gl);
	if (err)
		return err;
	p->allgs = gl.allgs + p->bias;
	snprintf(p->allgs_source, sizeof(p->allgs_source), "%s",
		 go_global_source_name(gl.allgs_source));
	err = go_waitreasons__load(p->ef, p->syms, p->pcln, &p->wr);
	if (err)
		return err;
	p->goexit = func_range(p, "runtime.goexit");
	p->asyncpreempt = func_range(p, "runtime.asyncPreempt");
	p->sigpanic = func_range(p, "runtime.sigpanic");
	p->mstart = func_range(p, "runtime.mstart");
	p->fp_injected_121 = go_version_cmp_minor(&p->ver, 1, 21) >= 0;
	if (!p->goexit.start)
		return err_fail(GT_EFORMAT, "process %d: no runtime.goexit in its pclntab",
				(int)p->pid);
	return 0;
}

/* The binary's Go facts: version, tables, offsets (or a refusal that says why). */
static int load_binary(struct go_proc *p, const struct stat *st)
{
	int err;

	err = read_version(p);
	if (!err)
		err = pclntab__open(p->ef, &p->pcln);
	if (!err)
		err = elf_syms__load(p->ef, &p->syms);
	if (!err)
		err = go_offsets__for(p->ef, p->ver.major ? &p->ver : NULL, &p->off,
				      &p->off_source);
	if (!err)
		err = find_bias(p, st);
	if (!err)
		err = find_runtime(p);
	p->g_read = go_offsets__g_read_size(&p->off);
	return err;
}

int go_proc__open(pid_t pid, struct go_proc **out)
{
	struct go_proc *p = calloc(1, sizeof(*p));
	struct stat st;
	int err;

	if (!p)
		return -ENOMEM;
	p->pid = pid;
	p->pidfd = -1;
	err = proc_pid__check(pid);
	if (!err)
		err = proc_pid_ref__init(&p->ref, pid);
	if (!err)
		p->pidfd = proc_pid_ref__pidfd(&p->ref);
	if (!err && proc_pid__comm(pid, p->comm, sizeof(p->comm)))
		snprintf(p->comm, sizeof(p->comm), "?");
	if (!err)
		err = open_exe(p, &st);
	if (!err)
		err = load_binary(p, &st);
	if (!err)
		err = symbolizer__open_pid(pid, &p->sym);
	if (!err)
		err = pmem__open(pid, &p->mem);
	p->scratch = calloc(GO_MAX_FRAMES + 1, sizeof(*p->scratch));
	if (!err && !p->scratch)
		err = -ENOMEM;
	if (!err)
		err = proc_pid_ref__check(&p->ref);
	if (err) {
		go_proc__free(p);
		return err;
	}
	*out = p;
	return 0;
}

/*
 * runtime.printcreatedby: the physical function holding the go statement,
 * with the file:line of its innermost (possibly inlined) position at the
 * CALL (gopc - 1). Goroutine 1 has no creator.
 */
int go_proc__creator(struct go_proc *p, const struct go_goroutine *g, struct sym_frame *fr)
{
	struct sym_frame frames[16];
	struct pcln_func f;
	uint64_t lookup;
	int n;

	if (!g->gopc || g->goid == 1)
		return 0;
	lookup = g->gopc;
	if (g->gopc >= p->bias && !pclntab__find_func(p->pcln, g->gopc - p->bias, &f) &&
	    g->gopc - p->bias > f.entry)
		lookup--;
	n = symbolizer__symbolize(p->sym, lookup, frames, 16);
	if (n <= 0)
		return 0;
	if (n > 16)
		n = 16;
	*fr = frames[0];
	fr->func = frames[n - 1].func;
	fr->inlined = false;
	fr->func_offset = frames[n - 1].func_offset + (g->gopc - lookup);
	return 1;
}

int go_proc__open_image(struct elf_file *ef, struct pclntab *pcln, struct go_waitreasons *wr,
			const struct go_offsets *off, uint64_t allgs, struct go_func_range goexit,
			struct pmem *mem, struct go_proc **out)
{
	struct go_proc *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->borrowed = true; /* field by field: the struct is too big for a stack temporary */
	p->pidfd = -1;
	p->ef = ef;
	p->pcln = pcln;
	p->wr = wr;
	p->mem = mem;
	p->off = *off;
	p->allgs = allgs;
	p->goexit = goexit;
	p->fp_injected_121 = true;
	p->off_source = "image";
	p->g_read = go_offsets__g_read_size(off);
	p->scratch = calloc(GO_MAX_FRAMES + 1, sizeof(*p->scratch));
	if (!p->scratch) {
		free(p);
		return -ENOMEM;
	}
	*out = p;
	return 0;
}
