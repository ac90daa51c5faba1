/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_GOELF_ELF_H
#define GOTRACE_GOELF_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A read-only view of a 64-bit little-endian ELF file (x86-64 or arm64; what
 * Go builds for linux/amd64 and linux/arm64). Everything from the file is
 * untrusted: every offset and size is checked against the file before use,
 * and a file that lies gets -GT_EFORMAT with a message, never a crash.
 * Section headers are optional (a stripped-to-the-bone binary may have none);
 * program headers are what the loader and uprobes use.
 */

struct elf_file;

struct elf_section {
	const char *name; /* "" when the name is missing or invalid */
	uint32_t type;
	uint32_t link;
	uint64_t flags;
	uint64_t addr;
	uint64_t offset;
	uint64_t size;
	uint64_t entsize;
};

struct elf_segment {
	uint32_t type;
	uint32_t flags;
	uint64_t offset;
	uint64_t vaddr;
	uint64_t filesz;
	uint64_t memsz;
	uint64_t align;
};

/* Opens and maps path read-only. */
int elf_file__open(const char *path, struct elf_file **out);
/* Opens an already open fd (e.g. /proc/PID/exe); the fd stays the caller's. */
int elf_file__open_fd(int fd, const char *display_name, struct elf_file **out);
/* Parses caller-owned memory, which must outlive the elf_file (fuzzing, tests). */
int elf_file__open_mem(const void *data, size_t size, struct elf_file **out);
void elf_file__free(struct elf_file *ef);

const char *elf_file__name(const struct elf_file *ef);
uint16_t elf_file__type(const struct elf_file *ef);    /* ET_EXEC, ET_DYN, ... */
uint16_t elf_file__machine(const struct elf_file *ef); /* EM_X86_64, EM_AARCH64 */
uint64_t elf_file__size(const struct elf_file *ef);

size_t elf_file__nsections(const struct elf_file *ef);
const struct elf_section *elf_file__section(const struct elf_file *ef, size_t i);
const struct elf_section *elf_file__find_section(const struct elf_file *ef, const char *name);
size_t elf_file__nsegments(const struct elf_file *ef);
const struct elf_segment *elf_file__segment(const struct elf_file *ef, size_t i);

/* Pointer to [off, off+len) of the file, or NULL when it is not all inside. */
const void *elf_file__bytes(const struct elf_file *ef, uint64_t off, uint64_t len);
/* The bytes of a section (NULL for SHT_NOBITS or out-of-file sections). */
const void *elf_file__section_bytes(const struct elf_file *ef, const struct elf_section *s);
/*
 * Link-time virtual address → file offset through the PT_LOAD that maps it
 * from the file (not its zero-filled .bss tail). -ENOENT when none does.
 */
int elf_file__vaddr_to_offset(const struct elf_file *ef, uint64_t vaddr, uint64_t *off);
/*
 * Pointer to the file bytes at vaddr; *avail is how many bytes from there
 * are backed by the same PT_LOAD's file image. NULL when unmapped.
 */
const void *elf_file__vaddr_bytes(const struct elf_file *ef, uint64_t vaddr, uint64_t *avail);
/* The lowest PT_LOAD p_vaddr (the load bias reference for PIE). */
uint64_t elf_file__base_vaddr(const struct elf_file *ef);

/* Dynamic linking facts (elf_dyn.c). */
struct elf_dyn_info {
	char *interp;  /* PT_INTERP, NULL for static binaries */
	char **needed; /* DT_NEEDED entries */
	size_t nneeded;
	char *soname;	  /* DT_SONAME */
	bool has_dynamic; /* PT_DYNAMIC present */
	bool pie;	  /* ET_DYN with an entry point and not a plain library, or DF_1_PIE */
	bool static_pie;  /* ET_DYN, no interpreter */
};
int elf_file__dyn_info(const struct elf_file *ef, struct elf_dyn_info *info);
void elf_dyn_info__clear(struct elf_dyn_info *info);

/* Little-endian reads from bytes already bounds-checked by the caller. */
static inline uint16_t elf_rd16(const void *p)
{
	const uint8_t *b = p;
	return (uint16_t)(b[0] | b[1] << 8);
}

static inline uint32_t elf_rd32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static inline uint64_t elf_rd64(const void *p)
{
	return (uint64_t)elf_rd32(p) | (uint64_t)elf_rd32((const uint8_t *)p + 4) << 32;
}

#endif
