// SPDX-License-Identifier: GPL-2.0
/*
 * The whole ELF stack on one hostile file: the reader (headers, sections,
 * segments, vaddr translation), dynamic-linking facts, symbol tables with
 * lookups, and the Go build info reader with its version fallbacks.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "goelf/buildinfo.h"
#include "goelf/elf.h"
#include "goelf/elfsyms.h"
#include "goelf/goversion.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Touches every byte a section or segment claims, so ASan sees bad bounds. */
static unsigned touch(const void *p, uint64_t len)
{
	const uint8_t *b = p;
	unsigned x = 0;
	uint64_t i;

	for (i = 0; b && i < len; i += 61)
		x += b[i];
	if (b && len)
		x += b[len - 1];
	return x;
}

static unsigned walk_layout(const struct elf_file *ef)
{
	unsigned x = 0;
	size_t i;

	for (i = 0; i < elf_file__nsections(ef); i++) {
		const struct elf_section *s = elf_file__section(ef, i);

		x += strlen(s->name);
		x += touch(elf_file__section_bytes(ef, s), s->size);
		x += elf_file__find_section(ef, s->name) != NULL;
	}
	for (i = 0; i < elf_file__nsegments(ef); i++) {
		const struct elf_segment *p = elf_file__segment(ef, i);
		uint64_t avail = 0, off;

		x += touch(elf_file__vaddr_bytes(ef, p->vaddr, &avail), avail);
		x += touch(elf_file__vaddr_bytes(ef, p->vaddr + p->filesz - 1, &avail), avail);
		x += elf_file__vaddr_to_offset(ef, p->vaddr, &off) == 0;
		x += touch(elf_file__bytes(ef, p->offset, p->filesz), p->filesz);
	}
	return x + (unsigned)elf_file__base_vaddr(ef);
}

static unsigned walk_dyn(const struct elf_file *ef)
{
	struct elf_dyn_info info;
	unsigned x = 0;
	size_t i;

	if (elf_file__dyn_info(ef, &info))
		return 0;
	if (info.interp)
		x += strlen(info.interp);
	for (i = 0; i < info.nneeded; i++)
		x += strlen(info.needed[i]);
	if (info.soname)
		x += strlen(info.soname);
	elf_dyn_info__clear(&info);
	return x;
}

static unsigned walk_syms(const struct elf_file *ef)
{
	struct elf_syms *syms;
	struct elf_sym s, t;
	unsigned x = 0;
	size_t i, n;

	if (elf_syms__load(ef, &syms))
		return 0;
	n = elf_syms__count_kind(syms, ELF_SYM_FUNC);
	for (i = 0; i < n && i < 4096; i++) {
		if (elf_syms__nth(syms, ELF_SYM_FUNC, i, &s))
			break;
		x += strlen(s.name);
		x += elf_syms__lookup_addr(syms, s.start, &t) == 0;
		x += elf_syms__lookup_addr(syms, s.start + s.size, &t) == 0;
		x += elf_syms__lookup_addr(syms, s.start + s.size / 2, &t) == 0;
		x += elf_syms__find(syms, s.name, &t) == 0;
	}
	n = elf_syms__count_kind(syms, ELF_SYM_OBJECT);
	for (i = 0; i < n && i < 4096; i++)
		if (!elf_syms__nth(syms, ELF_SYM_OBJECT, i, &s))
			x += elf_syms__lookup_object(syms, s.start + 1, &t) == 0;
	x += elf_syms__find(syms, "runtime.buildVersion", &s) == 0;
	x += elf_syms__lookup_addr(syms, 0, &s) == 0;
	x += elf_syms__lookup_addr(syms, UINT64_MAX, &s) == 0;
	x += (unsigned)elf_syms__count(syms);
	elf_syms__free(syms);
	return x;
}

static unsigned walk_buildinfo(const struct elf_file *ef)
{
	struct go_buildinfo bi;
	struct go_version v;
	unsigned x = 0;
	size_t i;

	if (go_buildinfo__read(ef, &bi))
		return 0;
	x += go_version_parse(bi.version, &v) == 0;
	for (i = 0; i < bi.ndeps; i++)
		x += strlen(bi.deps[i].path) + strlen(bi.deps[i].version);
	for (i = 0; i < bi.nsettings && i < 64; i++) /* the lookup is linear */
		x += go_buildinfo__setting(&bi, bi.settings[i].key) != NULL;
	x += strlen(go_version_source_name(bi.version_source));
	go_buildinfo__clear(&bi);
	return x;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_file *ef;
	volatile unsigned sink = 0;

	if (elf_file__open_mem(data, size, &ef))
		return 0;
	sink += walk_layout(ef);
	sink += walk_dyn(ef);
	sink += walk_syms(ef);
	sink += walk_buildinfo(ef);
	(void)sink;
	elf_file__free(ef);
	return 0;
}
