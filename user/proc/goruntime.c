// SPDX-License-Identifier: GPL-2.0
/* The runtime's knobs from a live Go process's memory (proc/goruntime.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/err.h"
#include "goelf/dwarf.h"
#include "goelf/elf.h"
#include "goelf/elfsyms.h"
#include "proc/goruntime.h"
#include "proc/maps.h"
#include "proc/pmem.h"

/* Where the knobs are, as link-time addresses; 0 when absent. */
struct knob_addrs {
	uint64_t gomaxprocs;
	uint64_t gc_percent;
	uint64_t memory_limit;
};

static uint64_t symbol(const struct elf_syms *syms, const char *name)
{
	struct elf_sym s;

	return elf_syms__find(syms, name, &s) ? 0 : s.start;
}

static int find_addrs(const struct elf_file *ef, struct knob_addrs *a)
{
	struct dwarf_member m[] = {{"gcPercent", -1}, {"memoryLimit", -1}};
	struct elf_syms *syms = NULL;
	struct dwarf *dw = NULL;
	uint64_t ctl, size;
	int err;

	memset(a, 0, sizeof(*a));
	err = elf_syms__load(ef, &syms);
	if (err)
		return err;
	a->gomaxprocs = symbol(syms, "runtime.gomaxprocs");
	ctl = symbol(syms, "runtime.gcController");
	elf_syms__free(syms);
	if (!a->gomaxprocs && !ctl)
		return err_fail(ENOENT,
				"the binary has no symbol table (stripped with -s): "
				"runtime.gomaxprocs and runtime.gcController cannot be found");
	if (ctl && !dwarf__open(ef, &dw) &&
	    !dwarf__struct_layout(dw, "runtime.gcControllerState", &size, m, 2)) {
		a->gc_percent = m[0].offset >= 0 ? ctl + (uint64_t)m[0].offset : 0;
		a->memory_limit = m[1].offset >= 0 ? ctl + (uint64_t)m[1].offset : 0;
	}
	dwarf__free(dw);
	return 0;
}

/* Opens /proc/PID/exe and finds its load bias in the maps (0 for non-PIE). */
static int open_exe(pid_t pid, struct elf_file **ef, uint64_t *bias)
{
	struct proc_maps *maps = NULL;
	char path[64];
	struct stat st;
	int fd, err;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	err = fstat(fd, &st) ? -errno : elf_file__open_fd(fd, path, ef);
	close(fd);
	if (!err)
		err = proc_maps__read(pid, &maps);
	if (!err)
		err = proc_maps__file_bias(maps, major(st.st_dev), minor(st.st_dev), st.st_ino,
					   elf_file__segment(*ef, 0), elf_file__nsegments(*ef),
					   bias);
	proc_maps__free(maps);
	return err;
}

static void read_values(struct pmem *pm, const struct knob_addrs *a, uint64_t bias,
			struct go_runtime_knobs *k)
{
	int32_t i32;
	int64_t i64;

	/* The runtime's own bounds: procresize caps at _MaxGomaxprocs (1 << 10 .. 1 << 20). */
	if (a->gomaxprocs && !pmem__read(pm, a->gomaxprocs + bias, &i32, 4) && i32 >= 1 &&
	    i32 <= (1 << 20)) {
		k->have_gomaxprocs = true;
		k->gomaxprocs = i32;
	}
	if (a->gc_percent && !pmem__read(pm, a->gc_percent + bias, &i32, 4) && i32 >= -1) {
		k->have_gc_percent = true;
		k->gc_percent = i32;
	}
	if (a->memory_limit && !pmem__read(pm, a->memory_limit + bias, &i64, 8) && i64 >= 0) {
		k->have_memory_limit = true;
		k->memory_limit = i64;
	}
}

int go_runtime_knobs__read(pid_t pid, struct go_runtime_knobs *k)
{
	struct elf_file *ef = NULL;
	struct pmem *pm = NULL;
	struct knob_addrs a;
	uint64_t bias = 0;
	int err;

	memset(k, 0, sizeof(*k));
	err = open_exe(pid, &ef, &bias);
	if (!err)
		err = find_addrs(ef, &a);
	if (!err)
		err = pmem__open(pid, &pm);
	if (!err)
		read_values(pm, &a, bias, k);
	if (!err && !k->have_gomaxprocs && !k->have_gc_percent && !k->have_memory_limit)
		err = err_fail(ENOENT, "none of the runtime's knobs could be read from its memory");
	pmem__free(pm);
	elf_file__free(ef);
	return err;
}
