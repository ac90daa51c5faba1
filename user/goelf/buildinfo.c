// SPDX-License-Identifier: GPL-2.0
/*
 * The .go.buildinfo blob (go1.27 src/debug/buildinfo/buildinfo.go, read for
 * the format; cmd/link/internal/ld/data.go writes it):
 *
 *	0   14  magic "\xff Go buildinf:", the blob 16-byte aligned
 *	14   1  pointer size
 *	15   1  flags: bit 0 big-endian, bit 1 (0x2) strings inline
 *	16      go1.18+ (inline): uvarint length + version bytes, then uvarint
 *	        length + module-info bytes, from offset 32
 *	        before go1.18: two pointers to Go string headers {ptr, len} for
 *	        runtime.buildVersion and runtime.modinfo, through PT_LOAD vaddrs
 *
 * Found through the .go.buildinfo section, else (no section headers) by
 * scanning writable, non-executable PT_LOADs for the magic at 16-byte
 * alignment; the linker puts the blob first in the data segment, before
 * any []byte literal that could spell the magic (debug/buildinfo's own).
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "goelf/buildinfo_int.h"

#define MAGIC "\xff Go buildinf:"
#define MAGIC_LEN 14
#define BLOB_ALIGN 16
#define HEADER_SIZE 32
#define FLAG_BIG_ENDIAN 0x1
#define FLAG_INLINE 0x2
/* Real versions are ~10-40 bytes ("go1.22.0 X:boringcrypto,..."). */
#define MAX_VERSION_LEN 1024
#define MAX_UVARINT_LEN 10
/*
 * Real binaries have one magic (two when debug/buildinfo's own literal
 * happens to be aligned); a hostile file full of them, each framing a long
 * module info, must not cost quadratic time.
 */
#define MAX_CANDIDATES 8

/* cmd/go/internal/modload/build.go infoStart/infoEnd frame the module info. */
static const uint8_t info_start[16] = {0x30, 0x77, 0xaf, 0x0c, 0x92, 0x74, 0x08, 0x02,
				       0x41, 0xe1, 0xc1, 0x07, 0xe6, 0xd6, 0x18, 0xe6};
static const uint8_t info_end[16] = {0xf9, 0x32, 0x43, 0x31, 0x86, 0x18, 0x20, 0x72,
				     0x00, 0x82, 0x42, 0x10, 0x41, 0x16, 0xd8, 0xf2};

/* Where a failed candidate's message is kept while other candidates are tried. */
struct first_err {
	int err; /* negative, 0 when nothing failed */
	char msg[512];
	int tried;	 /* candidates decoded so far */
	uint64_t budget; /* bytes left to scan: overlapping segments are not rescanned forever */
};

const char *go_vaddr_string(const struct elf_file *ef, uint64_t vaddr, uint64_t len)
{
	uint64_t avail;
	const char *p = elf_file__vaddr_bytes(ef, vaddr, &avail);

	return p && len <= avail ? p : NULL;
}

/* encoding/binary.Uvarint: bytes used, 0 when truncated or over 64 bits. */
static size_t uvarint(const uint8_t *p, size_t avail, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	for (i = 0; i < avail && i < MAX_UVARINT_LEN; i++) {
		if (i == MAX_UVARINT_LEN - 1 && p[i] > 1)
			return 0;
		x |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (p[i] < 0x80) {
			*v = x;
			return i + 1;
		}
	}
	return 0;
}

/* A 1.18+ inline string at *addr: length-prefixed, inside one PT_LOAD. */
static int inline_string(const struct elf_file *ef, uint64_t *addr, const char **s, uint64_t *len,
			 const char *what)
{
	const char *name = elf_file__name(ef);
	uint64_t avail, l;
	const uint8_t *p = elf_file__vaddr_bytes(ef, *addr, &avail);
	size_t n;

	if (!p)
		return err_fail(GT_EFORMAT,
				"%s: Go build info: %s string at 0x%llx is outside the file", name,
				what, (unsigned long long)*addr);
	n = uvarint(p, avail, &l);
	if (!n)
		return err_fail(GT_EFORMAT,
				"%s: Go build info: bad or truncated length of the %s string", name,
				what);
	if (l > avail - n)
		return err_fail(GT_EFORMAT,
				"%s: Go build info: %s string of %llu bytes runs past the end of "
				"its segment",
				name, what, (unsigned long long)l);
	*s = (const char *)p + n;
	*len = l;
	*addr += n + l;
	return 0;
}

static uint64_t read_ptr(const uint8_t *p, uint8_t ptrsize)
{
	return ptrsize == 8 ? elf_rd64(p) : elf_rd32(p);
}

/* A pre-1.18 string: the blob points at a {ptr, len} header in data. */
static int pointer_string(const struct elf_file *ef, uint8_t ptrsize, uint64_t hdr, const char **s,
			  uint64_t *len, const char *what)
{
	const uint8_t *h = (const uint8_t *)go_vaddr_string(ef, hdr, 2u * ptrsize);
	uint64_t data;

	if (!h)
		return err_fail(GT_EFORMAT,
				"%s: Go build info: pointer to the %s string header (0x%llx) is "
				"outside the file",
				elf_file__name(ef), what, (unsigned long long)hdr);
	data = read_ptr(h, ptrsize);
	*len = read_ptr(h + ptrsize, ptrsize);
	*s = *len ? go_vaddr_string(ef, data, *len) : "";
	if (!*s)
		return err_fail(
			GT_EFORMAT,
			"%s: Go build info: %s string (0x%llx, %llu bytes) is outside the file",
			elf_file__name(ef), what, (unsigned long long)data,
			(unsigned long long)*len);
	return 0;
}

/* Strips the sentinels runtime/debug strips (same test as debug/buildinfo) and parses. */
static int set_modinfo(const struct elf_file *ef, const char *mod, uint64_t len,
		       struct go_buildinfo *bi)
{
	if (!len)
		return 0; /* GOPATH-mode build: no module info */
	if (len < 33 || mod[len - 17] != '\n' || memcmp(mod, info_start, 16) ||
	    memcmp(mod + len - 16, info_end, 16))
		return err_fail(GT_EFORMAT,
				"%s: Go build info: module info (%llu bytes) is not framed by "
				"cmd/go's sentinels (truncated or unterminated)",
				elf_file__name(ef), (unsigned long long)len);
	bi->has_modinfo = true;
	return go_modinfo__parse(elf_file__name(ef), mod + 16, len - 32, bi);
}

static int set_version(const struct elf_file *ef, const char *v, uint64_t len,
		       struct go_buildinfo *bi)
{
	if (!len || len > MAX_VERSION_LEN)
		return err_fail(GT_EFORMAT, "%s: Go build info: implausible version length %llu",
				elf_file__name(ef), (unsigned long long)len);
	bi->version = go_strdup_exact(v, len);
	if (!bi->version)
		return errno == ENOMEM
			       ? -ENOMEM
			       : err_fail(GT_EFORMAT, "%s: Go build info: NUL byte in the version",
					  elf_file__name(ef));
	bi->version_source = GOVER_BUILDINFO;
	return 0;
}

static int decode_blob(const struct elf_file *ef, uint64_t addr, struct go_buildinfo *bi)
{
	const uint8_t *h = (const uint8_t *)go_vaddr_string(ef, addr, HEADER_SIZE);
	const char *vers, *mod;
	uint64_t vlen, mlen, a = addr + HEADER_SIZE;
	int err;

	if (!h)
		return err_fail(GT_EFORMAT, "%s: Go build info: header at 0x%llx is truncated",
				elf_file__name(ef), (unsigned long long)addr);
	bi->ptrsize = h[14];
	if (h[15] & FLAG_INLINE) {
		err = inline_string(ef, &a, &vers, &vlen, "version");
		if (!err)
			err = inline_string(ef, &a, &mod, &mlen, "module info");
	} else if (h[15] & FLAG_BIG_ENDIAN) {
		return err_fail(GT_EFORMAT,
				"%s: Go build info: big-endian blob in a little-endian ELF",
				elf_file__name(ef));
	} else if (bi->ptrsize != 4 && bi->ptrsize != 8) {
		return err_fail(GT_EFORMAT, "%s: Go build info: pointer size %u is neither 4 nor 8",
				elf_file__name(ef), bi->ptrsize);
	} else {
		err = pointer_string(ef, bi->ptrsize, read_ptr(h + 16, bi->ptrsize), &vers, &vlen,
				     "version");
		if (!err)
			err = pointer_string(ef, bi->ptrsize,
					     read_ptr(h + 16 + bi->ptrsize, bi->ptrsize), &mod,
					     &mlen, "module info");
	}
	if (!err)
		err = set_version(ef, vers, vlen, bi);
	if (!err)
		err = set_modinfo(ef, mod, mlen, bi);
	return err;
}

/*
 * Tries each 16-byte aligned magic in [start, start + size). 0 on the first
 * blob that decodes; -ENOENT when none does (the first failure kept in fe).
 */
static int scan_region(const struct elf_file *ef, uint64_t start, uint64_t size,
		       struct go_buildinfo *bi, struct first_err *fe)
{
	uint64_t a = (start + BLOB_ALIGN - 1) & ~(uint64_t)(BLOB_ALIGN - 1), avail, off;
	const uint8_t *p;
	int err;

	if (a < start || a - start >= size)
		return -ENOENT;
	p = elf_file__vaddr_bytes(ef, a, &avail);
	if (!p)
		return -ENOENT;
	if (avail > size - (a - start))
		avail = size - (a - start);
	if (avail > fe->budget)
		avail = fe->budget;
	fe->budget -= avail;
	for (off = 0; avail >= MAGIC_LEN && off <= avail - MAGIC_LEN; off += BLOB_ALIGN) {
		if (memcmp(p + off, MAGIC, MAGIC_LEN))
			continue;
		if (fe->tried++ >= MAX_CANDIDATES)
			break;
		err = decode_blob(ef, a + off, bi);
		if (!err || err == -ENOMEM)
			return err;
		go_buildinfo__clear(bi);
		if (!fe->err) {
			fe->err = err;
			snprintf(fe->msg, sizeof(fe->msg), "%s", err_msg());
		}
	}
	return -ENOENT;
}

/*
 * A blob in the .go.buildinfo section is the blob: its failure is final.
 * Without the section, every writable data segment is searched, and a magic
 * that does not decode (possibly a []byte literal equal to the magic) only
 * counts when nothing else about the version is found either.
 */
static int find_blob(const struct elf_file *ef, struct go_buildinfo *bi, struct first_err *fe)
{
	const struct elf_section *sec = elf_file__find_section(ef, ".go.buildinfo");
	size_t i;
	int err;

	if (sec && sec->type != SHT_NOBITS) {
		err = scan_region(ef, sec->addr, sec->size, bi, fe);
		if (err != -ENOENT)
			return err;
		if (fe->err) {
			err_set("%s", fe->msg);
			return fe->err;
		}
	}
	for (i = 0; i < elf_file__nsegments(ef); i++) {
		const struct elf_segment *ph = elf_file__segment(ef, i);

		if (ph->type != PT_LOAD || !(ph->flags & PF_W) || (ph->flags & PF_X))
			continue;
		err = scan_region(ef, ph->vaddr, ph->filesz, bi, fe);
		if (err != -ENOENT)
			return err;
	}
	return -ENOENT;
}

int go_buildinfo__read(const struct elf_file *ef, struct go_buildinfo *bi)
{
	/* Segments of a real file do not overlap: twice its size covers them all. */
	struct first_err fe = {.budget = 2 * elf_file__size(ef)};
	int err;

	memset(bi, 0, sizeof(*bi));
	err = find_blob(ef, bi, &fe);
	if (err == -ENOENT) {
		err = go_buildversion__find(ef, bi);
		if (err == -GT_ENOTGO && fe.err) {
			err_set("%s", fe.msg);
			err = fe.err;
		}
	}
	if (err)
		go_buildinfo__clear(bi);
	return err;
}

void go_buildinfo__clear(struct go_buildinfo *bi)
{
	size_t i;

	if (!bi)
		return;
	free(bi->version);
	free(bi->path);
	go_module__clear(&bi->main);
	for (i = 0; i < bi->ndeps; i++)
		go_module__clear(&bi->deps[i]);
	free(bi->deps);
	for (i = 0; i < bi->nsettings; i++) {
		free(bi->settings[i].key);
		free(bi->settings[i].value);
	}
	free(bi->settings);
	memset(bi, 0, sizeof(*bi));
}

const char *go_buildinfo__setting(const struct go_buildinfo *bi, const char *key)
{
	size_t i;

	for (i = 0; i < bi->nsettings; i++)
		if (!strcmp(bi->settings[i].key, key))
			return bi->settings[i].value;
	return NULL;
}

const char *go_version_source_name(enum go_version_source s)
{
	switch (s) {
	case GOVER_BUILDINFO:
		return "buildinfo";
	case GOVER_BUILDVERSION:
		return "buildversion";
	case GOVER_VERSION_STRING:
		return "version_string";
	default:
		return "none";
	}
}
