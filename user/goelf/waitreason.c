// SPDX-License-Identifier: GPL-2.0
/* runtime.waitReasonStrings from the binary: symbol, or the byte-pattern scan. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "goelf/goglobals.h"
#include "goelf/waitreason.h"

#define MAX_REASONS 256 /* waitReason is a uint8 */
#define MAX_REASON_LEN 128
#define PT_LOAD_ 1
#define PF_W_ 2

struct go_waitreasons {
	uint64_t vaddr;
	uint32_t count;
	enum go_waitreasons_source source;
	char **names; /* count entries; NULL where the entry is unreadable */
};

const char *go_gstatus_name(uint32_t status)
{
	/* gStatusStrings (traceback.go); 10-11 are go1.26+. */
	static const char *const names[] = {
		[GO_G_IDLE] = "idle",		[GO_G_RUNNABLE] = "runnable",
		[GO_G_RUNNING] = "running",	[GO_G_SYSCALL] = "syscall",
		[GO_G_WAITING] = "waiting",	[GO_G_DEAD] = "dead",
		[GO_G_COPYSTACK] = "copystack", [GO_G_PREEMPTED] = "preempted",
		[GO_G_LEAKED] = "leaked",	[GO_G_DEADEXTRA] = "waiting for cgo callback",
	};

	status &= ~(uint32_t)GO_G_SCAN;
	return status < sizeof(names) / sizeof(names[0]) ? names[status] : NULL;
}

const char *go_waitreasons_source_name(enum go_waitreasons_source s)
{
	switch (s) {
	case GO_WR_SYMBOL:
		return "symbol";
	case GO_WR_SCAN_CODE:
		return "scan+code";
	default:
		return "scan";
	}
}

/* A Go string (ptr, len) of the file: printable ASCII of sane length, else NULL. */
static const char *file_string(const struct elf_file *ef, uint64_t ptr, uint64_t len)
{
	const char *p;
	uint64_t avail, i;

	if (!len || len > MAX_REASON_LEN)
		return NULL;
	p = elf_file__vaddr_bytes(ef, ptr, &avail);
	if (!p || avail < len)
		return NULL;
	for (i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return NULL;
	return p;
}

static bool string_is(const struct elf_file *ef, const uint8_t *entry, const char *want)
{
	uint64_t len = elf_rd64(entry + 8);
	const char *s = file_string(ef, elf_rd64(entry), len);

	return s && len == strlen(want) && !memcmp(s, want, len);
}

/* §5.2: (0,0) ("", 0), (p1,17) "GC assist marking", (p2,7) "IO wait", 8-aligned. */
static bool pattern_at(const struct elf_file *ef, const uint8_t *q)
{
	return elf_rd64(q) == 0 && elf_rd64(q + 8) == 0 && elf_rd64(q + 24) == 17 &&
	       elf_rd64(q + 40) == 7 && string_is(ef, q + 16, "GC assist marking") &&
	       string_is(ef, q + 32, "IO wait");
}

int go_waitreasons__scan(const struct elf_file *ef, uint64_t *vaddr)
{
	size_t i;
	uint64_t off;

	for (i = 0; i < elf_file__nsegments(ef); i++) {
		const struct elf_segment *s = elf_file__segment(ef, i);
		const uint8_t *b;

		if (s->type != PT_LOAD_ || !(s->flags & PF_W_) || s->filesz < 48)
			continue;
		b = elf_file__bytes(ef, s->offset, s->filesz);
		if (!b)
			continue;
		for (off = (8 - (s->vaddr & 7)) & 7; off + 48 <= s->filesz; off += 8) {
			if (pattern_at(ef, b + off)) {
				*vaddr = s->vaddr + off;
				return 0;
			}
		}
	}
	return err_fail(ENOENT,
			"%s: no runtime.waitReasonStrings (neither the symbol nor the "
			"\"GC assist marking\", \"IO wait\" pattern in its data)",
			elf_file__name(ef));
}

/* Entries that are valid strings, counted from 1 (entry 0 is ""), up to max. */
static uint32_t count_valid(const struct elf_file *ef, uint64_t vaddr, uint32_t max)
{
	const uint8_t *t;
	uint64_t avail;
	uint32_t n;

	t = elf_file__vaddr_bytes(ef, vaddr, &avail);
	if (!t)
		return 0;
	for (n = 1; n < max && (uint64_t)(n + 1) * 16 <= avail; n++)
		if (!file_string(ef, elf_rd64(t + 16 * n), elf_rd64(t + 16 * n + 8)))
			break;
	return n;
}

/* Copies count entries at vaddr; unreadable ones stay NULL. */
static int copy_names(const struct elf_file *ef, struct go_waitreasons *wr)
{
	const uint8_t *t;
	uint64_t avail;
	uint32_t i;

	t = elf_file__vaddr_bytes(ef, wr->vaddr, &avail);
	if (!t || avail < (uint64_t)wr->count * 16)
		return err_fail(ENOENT, "%s: waitReasonStrings at 0x%llx is not in the file",
				elf_file__name(ef), (unsigned long long)wr->vaddr);
	wr->names = calloc(wr->count, sizeof(*wr->names));
	if (!wr->names)
		return -ENOMEM;
	for (i = 0; i < wr->count; i++) {
		uint64_t len = elf_rd64(t + 16 * i + 8);
		const char *s = i ? file_string(ef, elf_rd64(t + 16 * i), len) : "";

		if (!s)
			continue;
		wr->names[i] = strndup(s, i ? len : 0);
		if (!wr->names[i])
			return -ENOMEM;
	}
	return 0;
}

/* Where the table is and how long: symbol, else scan (+ the String method's bound). */
static int locate(const struct elf_file *ef, const struct elf_syms *syms,
		  const struct pclntab *pcln, struct go_waitreasons *wr)
{
	struct elf_sym sym;
	uint64_t code_table = 0;
	uint32_t code_count = 0;
	int err;

	if (syms && !elf_syms__find(syms, "runtime.waitReasonStrings", &sym) && sym.size >= 16) {
		wr->vaddr = sym.start;
		wr->count = (uint32_t)(sym.size / 16 < MAX_REASONS ? sym.size / 16 : MAX_REASONS);
		wr->source = GO_WR_SYMBOL;
		return 0;
	}
	err = go_waitreasons__scan(ef, &wr->vaddr);
	if (err)
		return err;
	if (!go_globals__waitreasons_from_code(ef, pcln, &code_table, &code_count) &&
	    code_table == wr->vaddr) {
		wr->count = code_count;
		wr->source = GO_WR_SCAN_CODE;
	} else {
		wr->count = count_valid(ef, wr->vaddr, MAX_REASONS);
		wr->source = GO_WR_SCAN;
	}
	err_clear();
	return 0;
}

int go_waitreasons__load(const struct elf_file *ef, const struct elf_syms *syms,
			 const struct pclntab *pcln, struct go_waitreasons **out)
{
	struct go_waitreasons *wr = calloc(1, sizeof(*wr));
	int err;

	if (!wr)
		return -ENOMEM;
	err = locate(ef, syms, pcln, wr);
	if (!err)
		err = copy_names(ef, wr);
	if (err) {
		go_waitreasons__free(wr);
		return err;
	}
	*out = wr;
	return 0;
}

void go_waitreasons__free(struct go_waitreasons *wr)
{
	uint32_t i;

	if (!wr)
		return;
	for (i = 0; wr->names && i < wr->count; i++)
		free(wr->names[i]);
	free(wr->names);
	free(wr);
}

uint32_t go_waitreasons__count(const struct go_waitreasons *wr)
{
	return wr->count;
}

const char *go_waitreasons__name(const struct go_waitreasons *wr, uint32_t reason)
{
	return reason < wr->count ? wr->names[reason] : NULL;
}

uint64_t go_waitreasons__vaddr(const struct go_waitreasons *wr)
{
	return wr->vaddr;
}

enum go_waitreasons_source go_waitreasons__source(const struct go_waitreasons *wr)
{
	return wr->source;
}
