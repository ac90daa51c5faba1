// SPDX-License-Identifier: GPL-2.0
/*
 * The Go version of a binary whose .go.buildinfo blob is gone (esbuild
 * 0.28.2 from npm: go1.26.5, stripped, no blob, no .note.go.buildid).
 *
 * runtime.buildVersion is a package-level string the linker initializes
 * statically (cmd/link addstrdata): the data segment holds its 16-byte
 * header {ptr, len} and the bytes live in read-only data. In order:
 *
 * 1. .symtab names runtime.buildVersion: read its header. Exact.
 * 2. Otherwise, look for the header itself: an 8-aligned {ptr, len} pair in
 *    a writable PT_LOAD whose ptr lands in a non-writable PT_LOAD where
 *    exactly len bytes spell a complete, grammatical Go version
 *    (goversion.c). This is reliable because the two words must agree with
 *    each other and with the bytes: random data or pointers would have to
 *    hit the first byte of a "go1." string *and* carry its exact length;
 *    file names such as ".../fips140only_go1.26.go" fail the grammar, and
 *    Go string bytes are not NUL-terminated (go1.15's "go1.15" runs
 *    straight into its neighbour in .rodata), so only a header says where
 *    the version ends. Other static Go strings that are themselves version
 *    names are possible in principle; they are ranked below.
 * 3. Otherwise, a bare "go1.N[.P][rcN|betaN]" in non-writable data with a
 *    clean boundary before it and a NUL (or the segment end) after it:
 *    GOVER_VERSION_STRING, the weakest evidence.
 *
 * Ranking among several candidates: a toolchain release name beats a
 * language version (since go1.21 releases are "go1.21.0", so "go1.21"
 * alone names a language version, as in go.mod), then the newer version
 * wins (a binary is built by a toolchain at least as new as any version
 * its code mentions).
 */
#include <elf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "goelf/buildinfo_int.h"
#include "goelf/elfsyms.h"
#include "goelf/goversion.h"

#define MIN_VERSION_LEN 3   /* "go1" */
#define MAX_VERSION_LEN 128 /* "devel go1.23-abcdef <date>" with experiments is ~80 */
#define GO_STRING_HDR 16

struct candidate {
	const char *s;
	size_t len;
	struct go_version v;
	bool release; /* a toolchain release name, not a language version */
};

/* s[0..len) is a whole Go version: printable, and goversion.c's grammar. */
static bool parse_candidate(const char *s, size_t len, struct candidate *c)
{
	char buf[MAX_VERSION_LEN + 1];
	const char *tok;
	size_t i, dots = 0;

	if (len < MIN_VERSION_LEN || len > MAX_VERSION_LEN)
		return false;
	for (i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (go_version_parse(buf, &c->v) || c->v.major < 1)
		return false;
	tok = c->v.devel ? buf + strlen("devel ") : buf;
	for (i = 0; tok[i] && tok[i] != ' ' && tok[i] != '-'; i++)
		dots += tok[i] == '.';
	c->release = c->v.minor < 21 || dots >= 2 || c->v.prerelease || c->v.devel;
	c->s = s;
	c->len = len;
	return true;
}

static int cmp_int(int a, int b)
{
	return a < b ? -1 : a > b;
}

/* >0 when a is the better candidate. */
static int cmp_candidate(const struct candidate *a, const struct candidate *b)
{
	int c = cmp_int(a->release, b->release);

	if (!c)
		c = cmp_int(a->v.major, b->v.major);
	if (!c)
		c = cmp_int(a->v.minor, b->v.minor);
	if (!c)
		c = cmp_int(a->v.patch, b->v.patch);
	if (!c)
		c = cmp_int(!a->v.prerelease, !b->v.prerelease);
	return c;
}

static void consider(struct candidate *best, const struct candidate *c)
{
	if (!best->s || cmp_candidate(c, best) > 0)
		*best = *c;
}

static const struct elf_segment *load_segment(const struct elf_file *ef, uint64_t vaddr)
{
	size_t i;

	for (i = 0; i < elf_file__nsegments(ef); i++) {
		const struct elf_segment *s = elf_file__segment(ef, i);

		if (s->type == PT_LOAD && vaddr >= s->vaddr && vaddr - s->vaddr < s->filesz)
			return s;
	}
	return NULL;
}

/* The string a {ptr, len} header at p points at, when it is a version in read-only data. */
static bool header_candidate(const struct elf_file *ef, const uint8_t *p, struct candidate *c)
{
	uint64_t ptr = elf_rd64(p), len = elf_rd64(p + 8);
	const struct elf_segment *seg;
	const char *s;

	if (len < MIN_VERSION_LEN || len > MAX_VERSION_LEN)
		return false;
	seg = load_segment(ef, ptr);
	if (!seg || (seg->flags & PF_W))
		return false;
	s = go_vaddr_string(ef, ptr, len);
	if (!s || (memcmp(s, "go", 2) && memcmp(s, "de", 2)))
		return false;
	return parse_candidate(s, len, c);
}

/*
 * The symbol names the variable, so its string is the version even when
 * it is outside the grammar ("devel +abc Mon Jan 1 ..." before go1.21):
 * any printable string is taken.
 */
static bool symbol_candidate(const struct elf_file *ef, const uint8_t *hdr, struct candidate *c)
{
	uint64_t len = elf_rd64(hdr + 8);
	const char *s;
	size_t i;

	if (header_candidate(ef, hdr, c))
		return true;
	if (len == 0 || len > MAX_VERSION_LEN)
		return false;
	s = go_vaddr_string(ef, elf_rd64(hdr), len);
	for (i = 0; s && i < len; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	*c = (struct candidate){.s = s, .len = len, .release = true};
	return s != NULL;
}

/* Step 1: runtime.buildVersion by name, when .symtab survived. */
static int from_symbol(const struct elf_file *ef, struct candidate *best)
{
	struct elf_syms *syms = NULL;
	struct elf_sym sym;
	const uint8_t *hdr;
	struct candidate c;
	int err;

	err = elf_syms__load(ef, &syms);
	if (err)
		return err;
	if (!elf_syms__find(syms, "runtime.buildVersion", &sym)) {
		hdr = (const uint8_t *)go_vaddr_string(ef, sym.start, GO_STRING_HDR);
		if (hdr && symbol_candidate(ef, hdr, &c))
			consider(best, &c);
	}
	elf_syms__free(syms);
	return 0;
}

/*
 * Segments of a real file do not overlap, so scanning more than twice the
 * file means a hostile one lists the same bytes over and over: stop there.
 */
static void take_budget(uint64_t *budget, uint64_t *n)
{
	if (*n > *budget)
		*n = *budget;
	*budget -= *n;
}

/* Step 2: every 8-aligned {ptr, len} in writable data. */
static void from_headers(const struct elf_file *ef, struct candidate *best, uint64_t *budget)
{
	size_t i;

	for (i = 0; i < elf_file__nsegments(ef); i++) {
		const struct elf_segment *ph = elf_file__segment(ef, i);
		uint64_t a = (ph->vaddr + 7) & ~(uint64_t)7, avail, off;
		const uint8_t *p;
		struct candidate c;

		if (ph->type != PT_LOAD || !(ph->flags & PF_W) || a < ph->vaddr ||
		    a - ph->vaddr >= ph->filesz)
			continue;
		p = elf_file__vaddr_bytes(ef, a, &avail);
		if (!p)
			continue;
		if (avail > ph->filesz - (a - ph->vaddr))
			avail = ph->filesz - (a - ph->vaddr);
		take_budget(budget, &avail);
		for (off = 0; avail >= GO_STRING_HDR && off <= avail - GO_STRING_HDR; off += 8)
			if (header_candidate(ef, p + off, &c))
				consider(best, &c);
	}
}

static bool is_word_byte(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '/' || c == '-';
}

/* A bare "go1..." at s[i] bounded by a non-word byte before and a NUL (or the end) after. */
static bool bare_candidate(const char *s, size_t n, size_t i, struct candidate *c)
{
	size_t end = i;

	if (i > 0 && is_word_byte(s[i - 1]))
		return false;
	while (end < n && end - i <= MAX_VERSION_LEN &&
	       ((s[end] >= 'a' && s[end] <= 'z') || (s[end] >= '0' && s[end] <= '9') ||
		s[end] == '.'))
		end++;
	if (end < n && s[end] != '\0')
		return false;
	return parse_candidate(s + i, end - i, c);
}

/* Step 3: text search of non-writable, non-executable segments. */
static void from_bare_strings(const struct elf_file *ef, struct candidate *best, uint64_t *budget)
{
	size_t i;

	for (i = 0; i < elf_file__nsegments(ef); i++) {
		const struct elf_segment *ph = elf_file__segment(ef, i);
		const char *p, *hit;
		uint64_t n;
		struct candidate c;

		if (ph->type != PT_LOAD || (ph->flags & (PF_W | PF_X)))
			continue;
		p = elf_file__vaddr_bytes(ef, ph->vaddr, &n);
		if (!p)
			continue;
		take_budget(budget, &n);
		for (hit = p; hit && (size_t)(hit - p) < n;) {
			hit = memmem(hit, n - (hit - p), "go1", 3);
			if (!hit)
				break;
			if (bare_candidate(p, n, hit - p, &c))
				consider(best, &c);
			hit++;
		}
	}
}

int go_buildversion__find(const struct elf_file *ef, struct go_buildinfo *bi)
{
	struct candidate best = {0};
	uint64_t budget = 2 * elf_file__size(ef);
	int err;

	err = from_symbol(ef, &best);
	if (err)
		return err;
	if (!best.s)
		from_headers(ef, &best, &budget);
	bi->version_source = GOVER_BUILDVERSION;
	if (!best.s) {
		from_bare_strings(ef, &best, &budget);
		bi->version_source = GOVER_VERSION_STRING;
	}
	if (!best.s) {
		bi->version_source = GOVER_NONE;
		return err_fail(GT_ENOTGO,
				"%s: no Go build info and no Go version string: not a Go program?",
				elf_file__name(ef));
	}
	bi->version = go_strdup_exact(best.s, best.len);
	return bi->version ? 0 : -ENOMEM;
}
