// SPDX-License-Identifier: GPL-2.0
/* Runtime address in a file mapping → link-time vaddr in its ELF. */
#include <elf.h>
#include <errno.h>
#include <stdbool.h>
#include <unistd.h>

#include "base/err.h"
#include "goelf/elf.h"
#include "proc/maps.h"

/*
 * How well a PT_LOAD explains the file offset off seen through m; 0 when
 * it cannot. The kernel maps a segment from rounddown(p_offset, page) up to
 * the page that holds p_offset + p_filesz (binfmt_elf elf_map), so a file
 * page can belong to two segments when the linker packs them (lld
 * -z noseparate-code); then the segment whose PF_X agrees with the
 * mapping's x bit is the one the kernel mapped here, and one that holds
 * off without the rounding beats one that holds it only through it.
 */
static int segment_score(const struct proc_map *m, const struct elf_segment *s, uint64_t off,
			 uint64_t page)
{
	uint64_t lo, hi;
	int score = 1;

	if (s->type != PT_LOAD || s->filesz > UINT64_MAX - s->offset)
		return 0;
	lo = s->offset & ~(page - 1);
	hi = s->offset + s->filesz;
	if (hi > UINT64_MAX - page)
		return 0;
	hi = (hi + page - 1) & ~(page - 1);
	if (off < lo || off >= hi)
		return 0;
	if (!!(s->flags & PF_X) == !!(m->perms & PROC_MAP_X))
		score += 2;
	if (off >= s->offset && off < s->offset + s->filesz)
		score += 1;
	return score;
}

static uint64_t page_size(void)
{
	long ps = sysconf(_SC_PAGESIZE);

	return ps > 0 && !(ps & (ps - 1)) ? (uint64_t)ps : 4096;
}

/* The file offset that addr shows through m, if addr is inside m. */
static bool file_offset(const struct proc_map *m, uint64_t addr, uint64_t *off)
{
	if (addr < m->start || addr >= m->end || addr - m->start > UINT64_MAX - m->pgoff)
		return false;
	*off = addr - m->start + m->pgoff;
	return true;
}

typedef const struct elf_segment *(*seg_getter)(const void *src, size_t i);

static const struct elf_segment *seg_of_array(const void *src, size_t i)
{
	return &((const struct elf_segment *)src)[i];
}

static const struct elf_segment *seg_of_elf(const void *src, size_t i)
{
	return elf_file__segment(src, i);
}

static const struct elf_segment *pick(const struct proc_map *m, uint64_t addr, seg_getter get,
				      const void *src, size_t n)
{
	const struct elf_segment *best = NULL;
	uint64_t off, page = page_size();
	int best_score = 0;

	if (!file_offset(m, addr, &off))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const struct elf_segment *s = get(src, i);
		int sc = segment_score(m, s, off, page);

		if (sc > best_score) {
			best = s;
			best_score = sc;
		}
	}
	return best;
}

const struct elf_segment *proc_map__pick_segment(const struct proc_map *m,
						 const struct elf_segment *segs, size_t n,
						 uint64_t addr)
{
	return pick(m, addr, seg_of_array, segs, n);
}

int proc_map__link_vaddr(const struct proc_map *m, const struct elf_file *ef, uint64_t addr,
			 uint64_t *vaddr)
{
	const struct elf_segment *s = pick(m, addr, seg_of_elf, ef, elf_file__nsegments(ef));

	if (!s)
		return err_fail(ENOENT, "%s: no PT_LOAD maps address 0x%llx of %s",
				elf_file__name(ef), (unsigned long long)addr,
				*m->path ? m->path : "an anonymous mapping");
	*vaddr = proc_map__link_vaddr_with(m, s->offset, s->vaddr, addr);
	return 0;
}

int proc_maps__file_bias(const struct proc_maps *maps, uint32_t dev_major, uint32_t dev_minor,
			 uint64_t inode, const struct elf_segment *segs, size_t n, uint64_t *bias)
{
	for (size_t i = 0; i < proc_maps__count(maps); i++) {
		const struct proc_map *m = proc_maps__get(maps, i);
		const struct elf_segment *s;

		if (m->kind != PROC_MAP_FILE || m->inode != inode || m->dev_major != dev_major ||
		    m->dev_minor != dev_minor)
			continue;
		s = proc_map__pick_segment(m, segs, n, m->start);
		if (s) {
			*bias = m->start -
				proc_map__link_vaddr_with(m, s->offset, s->vaddr, m->start);
			return 0;
		}
	}
	return -ENOENT;
}
