/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_PROC_MAPS_H
#define GOTRACE_PROC_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct elf_file;
struct elf_segment;

/*
 * /proc/<pid>/maps, one struct proc_map per line, sorted by start address.
 * Line format (fs/proc/task_mmu.c show_map_vma):
 *   start-end perms offset major:minor inode   name
 * with hex start/end/offset/major/minor, decimal inode, and a name that may
 * hold spaces. The kernel escapes only '\n' (as "\012") in names and
 * appends " (deleted)" to unlinked files; a file really named "x (deleted)"
 * is indistinguishable. To open a mapped file, prefer
 * /proc/<pid>/map_files/<start>-<end> (proc_map__map_files_path) over the
 * printed name.
 */

enum proc_map_kind {
	PROC_MAP_ANON,	     /* no name */
	PROC_MAP_FILE,	     /* a path starting with '/' */
	PROC_MAP_HEAP,	     /* [heap] */
	PROC_MAP_STACK,	     /* [stack], and [stack:TID] before Linux 4.5 */
	PROC_MAP_VDSO,	     /* [vdso] */
	PROC_MAP_VVAR,	     /* [vvar], [vvar_vclock] (6.x) */
	PROC_MAP_VSYSCALL,   /* [vsyscall] */
	PROC_MAP_ANON_NAMED, /* [anon:NAME] (PR_SET_VMA_ANON_NAME, 5.17), [anon_shmem:NAME] */
	PROC_MAP_MEMFD,	     /* /memfd:NAME (always " (deleted)") */
	PROC_MAP_OTHER,	     /* [uprobes], anon_inode:..., socket:[...], ... */
};

enum {
	PROC_MAP_R = 1u << 0,
	PROC_MAP_W = 1u << 1,
	PROC_MAP_X = 1u << 2,
	PROC_MAP_SHARED = 1u << 3, /* 's'; 'p' (private, copy-on-write) otherwise */
};

struct proc_map {
	uint64_t start, end; /* [start, end) */
	uint64_t pgoff;	     /* file offset of start, in bytes */
	uint64_t inode;
	uint32_t dev_major, dev_minor;
	uint32_t perms; /* PROC_MAP_R | ... */
	enum proc_map_kind kind;
	bool deleted;	  /* " (deleted)" was stripped from path */
	const char *path; /* the name as printed; "" for anonymous; owned by the proc_maps */
};

struct proc_maps;

int proc_maps__read(pid_t pid, struct proc_maps **out);
/* Parses maps text (tests, fuzzing); -GT_EFORMAT names the bad line. */
int proc_maps__parse(const char *text, size_t len, struct proc_maps **out);
void proc_maps__free(struct proc_maps *maps);

size_t proc_maps__count(const struct proc_maps *maps);
const struct proc_map *proc_maps__get(const struct proc_maps *maps, size_t i);
/* The mapping that contains addr, or NULL. */
const struct proc_map *proc_maps__find(const struct proc_maps *maps, uint64_t addr);
/* The first mapping with this path and the X permission (the text), or NULL. */
const struct proc_map *proc_maps__find_exec(const struct proc_maps *maps, const char *path);

/* "/proc/<pid>/map_files/<start>-<end>", the kernel's own link to the mapped file. */
int proc_map__map_files_path(pid_t pid, const struct proc_map *m, char *buf, size_t size);

/*
 * Load bias (GO-RUNTIME.md §10.3): a runtime address in a file mapping to
 * the link-time virtual address in the ELF,
 *   link = addr - map_start + map_pgoff - p_offset + p_vaddr
 * with (p_offset, p_vaddr) of the PT_LOAD this mapping was made from.
 */
static inline uint64_t proc_map__link_vaddr_with(const struct proc_map *m, uint64_t p_offset,
						 uint64_t p_vaddr, uint64_t addr)
{
	return addr - m->start + m->pgoff - p_offset + p_vaddr;
}

/*
 * The PT_LOAD, among segs[0..n), that the kernel mapped at addr in m: the
 * one whose page-extended file range holds the file offset of addr;
 * several can share a page (lld -z noseparate-code), then the one whose
 * PF_X matches the mapping's x wins. NULL when none maps it.
 */
const struct elf_segment *proc_map__pick_segment(const struct proc_map *m,
						 const struct elf_segment *segs, size_t n,
						 uint64_t addr);
/* The same over ef's program headers, then the link vaddr; -ENOENT when unmapped. */
int proc_map__link_vaddr(const struct proc_map *m, const struct elf_file *ef, uint64_t addr,
			 uint64_t *vaddr);
/*
 * The load bias (runtime address - link vaddr; 0 for ET_EXEC) of the file
 * (device, inode) whose program headers are segs[0..n), from its first
 * mapping a PT_LOAD explains. -ENOENT when the file is not mapped.
 */
int proc_maps__file_bias(const struct proc_maps *maps, uint32_t dev_major, uint32_t dev_minor,
			 uint64_t inode, const struct elf_segment *segs, size_t n, uint64_t *bias);

#endif
