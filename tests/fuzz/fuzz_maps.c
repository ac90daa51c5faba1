// SPDX-License-Identifier: GPL-2.0
/* /proc/PID/maps parser and the load-bias segment picker on arbitrary text. */
#include <elf.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "goelf/elf.h"
#include "proc/maps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct elf_segment segs[] = {
	{PT_LOAD, PF_R, 0, 0x400000, 0x5e4, 0x5e4, 0x1000},
	{PT_LOAD, PF_R | PF_X, 0x5f0, 0x4015f0, 0x120000, 0x120000, 0x1000},
	{PT_LOAD, PF_R | PF_W, 0x121000, 0x522000, 0x10, UINT64_MAX, 0x1000},
	{PT_LOAD, PF_R, UINT64_MAX - 4, 0, 0x100, 0x100, 0x1000},
	{PT_DYNAMIC, PF_R, 0, 0, 0, 0, 8},
};

static void check_map(const struct proc_maps *maps, const struct proc_map *m)
{
	const struct proc_map *f;
	char buf[80];

	if (m->start >= m->end || strlen(m->path) > 1u << 20)
		abort();
	if ((m->kind == PROC_MAP_ANON) != (m->path[0] == '\0'))
		abort();
	f = proc_maps__find(maps, m->start);
	if (f && (m->start < f->start || m->start >= f->end))
		abort();
	f = proc_maps__find(maps, m->end - 1);
	if (f && (m->end - 1 < f->start || m->end - 1 >= f->end))
		abort();
	for (uint64_t a = m->start; a < m->end && a - m->start < 0x3000; a += 0x7ff) {
		const struct elf_segment *s = proc_map__pick_segment(m, segs, 5, a);

		if (s)
			(void)proc_map__link_vaddr_with(m, s->offset, s->vaddr, a);
	}
	proc_map__map_files_path(1, m, buf, sizeof(buf));
	(void)proc_maps__find_exec(maps, m->path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proc_maps *maps;

	if (proc_maps__parse((const char *)data, size, &maps))
		return 0;
	for (size_t i = 0; i < proc_maps__count(maps); i++) {
		const struct proc_map *m = proc_maps__get(maps, i);

		if (i && proc_maps__get(maps, i - 1)->start > m->start)
			abort();
		check_map(maps, m);
	}
	proc_maps__free(maps);
	return 0;
}
