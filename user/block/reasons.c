// SPDX-License-Identifier: GPL-2.0
/*
 * Wait reason names come from the target binary itself: the numbering
 * changes between Go versions (GO-RUNTIME.md §5.1). runtime.waitReasonStrings
 * is a [N]string in .data: through .symtab when present; in stripped
 * binaries by its shape (§5.2): 16-byte records {0,0}, {p,17} -> "GC assist
 * marking", {p,7} -> "IO wait" (entries 1 and 2 in every version since 1.17),
 * then strings while they stay printable Go strings in read-only data.
 */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "block/block.h"
#include "goelf/elfsyms.h"

#define MAX_REASONS 128

static bool str_at(const struct elf_file *ef, uint64_t ptr, uint64_t len, const char *want)
{
	uint64_t avail;
	const char *s = elf_file__vaddr_bytes(ef, ptr, &avail);

	return s && avail >= len && strlen(want) == len && !memcmp(s, want, len);
}

/* A plausible Go string: printable ASCII in the file, 1..63 bytes. */
static char *go_string(const struct elf_file *ef, uint64_t ptr, uint64_t len)
{
	uint64_t avail, i;
	const char *s = elf_file__vaddr_bytes(ef, ptr, &avail);

	if (!s || len == 0 || len >= 64 || avail < len)
		return NULL;
	for (i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return NULL;
	return strndup(s, len);
}

static int read_table(struct block_target *t, const uint8_t *p, uint64_t avail, size_t max)
{
	size_t i;

	t->reasons = calloc(max, sizeof(*t->reasons));
	if (!t->reasons)
		return -ENOMEM;
	t->reasons[0] = strdup("");
	for (i = 1; i < max && (i + 1) * 16 <= avail; i++) {
		t->reasons[i] = go_string(t->ef, elf_rd64(p + i * 16), elf_rd64(p + i * 16 + 8));
		if (!t->reasons[i])
			break;
	}
	t->nreasons = i;
	return 0;
}

static bool looks_like_table(const struct elf_file *ef, const uint8_t *p)
{
	return elf_rd64(p) == 0 && elf_rd64(p + 8) == 0 &&
	       str_at(ef, elf_rd64(p + 16), elf_rd64(p + 24), "GC assist marking") &&
	       str_at(ef, elf_rd64(p + 32), elf_rd64(p + 40), "IO wait");
}

static int from_symbol(struct block_target *t)
{
	struct elf_syms *syms;
	struct elf_sym sym;
	const uint8_t *p;
	uint64_t avail;
	int err = -ENOENT;

	if (elf_syms__load(t->ef, &syms))
		return -ENOENT;
	if (!elf_syms__find(syms, "runtime.waitReasonStrings", &sym) &&
	    (p = elf_file__vaddr_bytes(t->ef, sym.start, &avail)) && avail >= 48 &&
	    looks_like_table(t->ef, p)) {
		err = read_table(t, p, avail < sym.size ? avail : sym.size,
				 sym.size / 16 < MAX_REASONS ? sym.size / 16 : MAX_REASONS);
		t->reasons_source = "runtime.waitReasonStrings symbol";
	}
	elf_syms__free(syms);
	return err;
}

static int from_scan(struct block_target *t)
{
	size_t i;

	for (i = 0; i < elf_file__nsegments(t->ef); i++) {
		const struct elf_segment *s = elf_file__segment(t->ef, i);
		const uint8_t *p = elf_file__bytes(t->ef, s->offset, s->filesz);
		uint64_t off;

		if (s->type != PT_LOAD || !(s->flags & PF_W) || !p)
			continue;
		for (off = (16 - (s->vaddr & 15)) & 15; off + 48 <= s->filesz; off += 16) {
			if (!looks_like_table(t->ef, p + off))
				continue;
			t->reasons_source = "waitReasonStrings found by its shape (stripped binary)";
			return read_table(t, p + off, s->filesz - off, MAX_REASONS);
		}
	}
	return -ENOENT;
}

int block_reasons__load(struct block_target *t)
{
	int err = from_symbol(t);

	if (err == -ENOENT)
		err = from_scan(t);
	return err;
}
