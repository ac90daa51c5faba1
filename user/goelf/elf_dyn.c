// SPDX-License-Identifier: GPL-2.0
/*
 * Dynamic-linking facts: the interpreter a binary asks the kernel for, the
 * libraries it needs, and whether it is PIE. These explain the classic
 * "exec format error"/"no such file or directory" for a binary that exists:
 * a glibc-linked Go binary (CGO_ENABLED=1) in an Alpine or distroless image.
 */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "goelf/elf.h"

#define MAX_NEEDED 256

static char *dup_bounded(const char *s, uint64_t maxlen)
{
	const char *end = memchr(s, '\0', maxlen);

	return end ? strndup(s, end - s) : NULL;
}

static char *read_interp(const struct elf_file *ef, const struct elf_segment *ph)
{
	const char *s = elf_file__bytes(ef, ph->offset, ph->filesz);

	if (!s || ph->filesz == 0 || ph->filesz > 4096)
		return NULL;
	return dup_bounded(s, ph->filesz);
}

/* The string table the dynamic section points at, found through segments. */
static const char *dynstr(const struct elf_file *ef, uint64_t vaddr, uint64_t size, uint64_t *avail)
{
	const char *s = elf_file__vaddr_bytes(ef, vaddr, avail);

	if (s && size && size < *avail)
		*avail = size;
	return s;
}

static int add_needed(struct elf_dyn_info *info, char *name)
{
	char **n;

	if (!name)
		return 0;
	if (info->nneeded >= MAX_NEEDED) {
		free(name);
		return 0;
	}
	n = realloc(info->needed, (info->nneeded + 1) * sizeof(*n));
	if (!n) {
		free(name);
		return -ENOMEM;
	}
	info->needed = n;
	info->needed[info->nneeded++] = name;
	return 0;
}

static int read_dynamic(const struct elf_file *ef, const struct elf_segment *ph,
			struct elf_dyn_info *info)
{
	const uint8_t *d = elf_file__bytes(ef, ph->offset, ph->filesz);
	uint64_t n = ph->filesz / sizeof(Elf64_Dyn), i, strtab = 0, strsz = 0, flags1 = 0, avail;
	uint64_t soname = UINT64_MAX;
	const char *str;
	int err;

	if (!d)
		return 0; /* a lying PT_DYNAMIC: no dynamic facts rather than an error */
	for (i = 0; i < n; i++) {
		uint64_t tag = elf_rd64(d + i * 16), val = elf_rd64(d + i * 16 + 8);

		if (tag == DT_NULL)
			break;
		if (tag == DT_STRTAB)
			strtab = val;
		else if (tag == DT_STRSZ)
			strsz = val;
		else if (tag == DT_FLAGS_1)
			flags1 = val;
	}
	if (flags1 & DF_1_PIE)
		info->pie = true;
	str = strtab ? dynstr(ef, strtab, strsz, &avail) : NULL;
	if (!str)
		return 0;
	for (i = 0; i < n; i++) {
		uint64_t tag = elf_rd64(d + i * 16), val = elf_rd64(d + i * 16 + 8);

		if (tag == DT_NULL)
			break;
		if (tag == DT_SONAME)
			soname = val;
		if (tag != DT_NEEDED || val >= avail)
			continue;
		err = add_needed(info, dup_bounded(str + val, avail - val));
		if (err)
			return err;
	}
	if (soname < avail)
		info->soname = dup_bounded(str + soname, avail - soname);
	return 0;
}

int elf_file__dyn_info(const struct elf_file *ef, struct elf_dyn_info *info)
{
	size_t i;
	int err = 0;

	memset(info, 0, sizeof(*info));
	for (i = 0; i < elf_file__nsegments(ef) && !err; i++) {
		const struct elf_segment *ph = elf_file__segment(ef, i);

		if (ph->type == PT_INTERP && !info->interp)
			info->interp = read_interp(ef, ph);
		else if (ph->type == PT_DYNAMIC && !info->has_dynamic) {
			info->has_dynamic = true;
			err = read_dynamic(ef, ph, info);
		}
	}
	if (err) {
		elf_dyn_info__clear(info);
		return err;
	}
	/*
	 * ET_DYN is a library or a PIE executable. An interpreter or DF_1_PIE
	 * says executable; a static-pie has neither interpreter nor soname.
	 */
	if (elf_file__type(ef) == ET_DYN) {
		if (info->interp)
			info->pie = true;
		else if (!info->soname) {
			info->pie = true;
			info->static_pie = true;
		}
	}
	return 0;
}

void elf_dyn_info__clear(struct elf_dyn_info *info)
{
	size_t i;

	if (!info)
		return;
	free(info->interp);
	for (i = 0; i < info->nneeded; i++)
		free(info->needed[i]);
	free(info->needed);
	free(info->soname);
	memset(info, 0, sizeof(*info));
}
