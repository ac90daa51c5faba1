// SPDX-License-Identifier: GPL-2.0
/* The process block traces: is it traceable, and where do the probes go. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "block/block.h"
#include "goelf/gooffsets.h"
#include "goelf/schedsites.h"
#include "proc/procfs.h"

static const struct go_probe_site *probe_site(const struct bin_facts *f, const char *fn)
{
	size_t i;

	for (i = 0; i < f->nprobes; i++)
		if (!strcmp(f->probes[i].function, fn) && f->probes[i].found)
			return &f->probes[i];
	return NULL;
}

static int check_traceable(const struct block_target *t)
{
	const struct bin_facts *f = &t->facts;

	if (!f->is_go)
		return err_fail(GT_ENOTGO,
				"process %d (%s) is not a Go program: block traces the "
				"Go runtime's scheduler",
				(int)t->pid, t->exe);
	if (!f->uprobe_supported)
		return err_fail(GT_ETARGET, "process %d cannot be traced: %s", (int)t->pid,
				f->uprobe_reason);
	if (!probe_site(f, "runtime.gopark"))
		return err_fail(GT_ETARGET, "process %d: runtime.gopark not found in %s",
				(int)t->pid, t->exe);
	return 0;
}

static int add_probe(struct block_target *t, uint64_t off, bool gopark, uint32_t cookie)
{
	struct block_uprobe *v = realloc(t->probes, (t->nprobes + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	t->probes = v;
	t->probes[t->nprobes++] = (struct block_uprobe){off, gopark, cookie};
	return 0;
}

/*
 * park_m's 2 -> 4 site can start parks when the runtime.g offsets of the
 * reason and of gp.sched are known (DWARF or the version table).
 */
static bool park_m_layout(struct block_target *t, struct block_park_layout *l)
{
	struct go_offsets o;

	if (go_offsets__for(t->ef, t->facts.ver_ok ? &t->facts.ver : NULL, &o, NULL)) {
		err_clear();
		return false;
	}
	if (o.sched_pc < 0 || o.sched_bp < 0 || o.waitreason < 0)
		return false;
	l->g_sched_pc = (uint32_t)o.sched_pc;
	l->g_sched_bp = (uint32_t)o.sched_bp;
	l->g_waitreason = (uint32_t)o.waitreason;
	return true;
}

static ssize_t park_m_site(const struct sched_site *sites, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (sites[i].in_park_m && sites[i].oldval == 2 && sites[i].newval == 4)
			return (ssize_t)i;
	return -1;
}

/*
 * Every casgstatus call site block needs, parks starting at park_m's when
 * it can (one trap per park fewer), else at gopark after its stack check;
 * if no call site can be found, gopark and casgstatus's own entry
 * (costlier: every transition, syscalls included, traps).
 */
static int plan_probes(struct block_target *t)
{
	const struct go_probe_site *park = probe_site(&t->facts, "runtime.gopark"), *casg;
	struct sched_site *sites = NULL;
	size_t i, n = 0;
	ssize_t at_park_m;
	int err = 0;

	if (!go_sched_sites(t->ef, t->facts.pcln, &sites, &n) && n > 0) {
		/* GOTRACE_PARKS_AT_GOPARK=1: the fallback, for the tests (test_block.py). */
		at_park_m = getenv("GOTRACE_PARKS_AT_GOPARK") ? -1 : park_m_site(sites, n);
		t->parks_at_park_m = at_park_m >= 0 && park_m_layout(t, &t->park_layout);
		if (!t->parks_at_park_m)
			err = add_probe(t, park->probe_file_offset, true, 0);
		for (i = 0; i < n && !err; i++) {
			uint32_t cookie = sites[i].in_park_m ? CASG_FROM_PARK_M : 0;

			if (t->parks_at_park_m && (ssize_t)i == at_park_m)
				cookie |= CASG_RECORD_PARK;
			err = add_probe(t, sites[i].file_offset, false, cookie);
		}
		t->nsched_sites = n;
		free(sites);
		return err;
	}
	free(sites);
	err_clear();
	casg = probe_site(&t->facts, "runtime.casgstatus");
	if (!casg)
		return err_fail(GT_ETARGET, "process %d: runtime.casgstatus not found",
				(int)t->pid);
	t->casg_entry_fallback = true;
	err = add_probe(t, park->probe_file_offset, true, 0);
	return err ? err : add_probe(t, casg->probe_file_offset, false, 0);
}

int block_target__open(pid_t pid, struct block_target *t)
{
	char path[64];
	ssize_t len;
	int fd, err;

	memset(t, 0, sizeof(*t));
	t->pid = pid;
	err = proc_pid__check(pid);
	if (err)
		return err;
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	len = readlink(path, t->exe, sizeof(t->exe) - 1);
	t->exe[len > 0 ? len : 0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_fail(errno == ENOENT ? ESRCH : errno, "process %d: cannot open %s: %s",
				(int)pid, path, strerror(errno));
	err = elf_file__open_fd(fd, path, &t->ef);
	close(fd);
	if (!err)
		err = bin_facts__collect(t->ef, &t->facts);
	if (!err)
		err = check_traceable(t);
	if (!err)
		err = plan_probes(t);
	if (!err && go_waitreasons__load(t->ef, NULL, t->facts.pcln, &t->reasons))
		t->reasons = NULL; /* without names, reasons print as numbers */
	return err;
}

void block_target__close(struct block_target *t)
{
	go_waitreasons__free(t->reasons);
	free(t->probes);
	bin_facts__clear(&t->facts);
	elf_file__free(t->ef);
	memset(t, 0, sizeof(*t));
}

const char *block_target__reason(const struct block_target *t, uint32_t reason, char *buf,
				 size_t len)
{
	const char *name = t->reasons ? go_waitreasons__name(t->reasons, reason) : NULL;

	if (name && name[0])
		return name;
	snprintf(buf, len, "reason %u", reason);
	return buf;
}
