// SPDX-License-Identifier: GPL-2.0
/* DWARF section loading: find, decompress, keep. The DIE walk is in dwarf_die.c. */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "base/err.h"
#include "goelf/dwarf_int.h"

/* A hostile header can claim any size: no Go binary's DWARF section is near this. */
#define DWARF_MAX_SECTION (1ULL << 30)

static int inflate_zlib(const uint8_t *src, size_t len, uint8_t *dst, size_t dlen)
{
	z_stream zs = {0};
	int rc;

	if (len > UINT32_MAX || dlen > UINT32_MAX || inflateInit(&zs) != Z_OK)
		return -GT_EFORMAT;
	zs.next_in = (Bytef *)src;
	zs.avail_in = (uInt)len;
	zs.next_out = dst;
	zs.avail_out = (uInt)dlen;
	rc = inflate(&zs, Z_FINISH);
	inflateEnd(&zs);
	return rc == Z_STREAM_END && zs.total_out == dlen ? 0 : -GT_EFORMAT;
}

static int inflate_zstd(const uint8_t *src, size_t len, uint8_t *dst, size_t dlen)
{
	size_t n = ZSTD_decompress(dst, dlen, src, len);

	return !ZSTD_isError(n) && n == dlen ? 0 : -GT_EFORMAT;
}

/* Decompresses src into a new buffer of dlen bytes. */
static int decompress(struct dwarf_sec *sec, const uint8_t *src, size_t len, uint64_t dlen,
		      bool zstd)
{
	uint8_t *buf;
	int err;

	if (!dlen || dlen > DWARF_MAX_SECTION)
		return -GT_EFORMAT;
	buf = malloc(dlen);
	if (!buf)
		return -ENOMEM;
	err = zstd ? inflate_zstd(src, len, buf, dlen) : inflate_zlib(src, len, buf, dlen);
	if (err) {
		free(buf);
		return err;
	}
	sec->data = buf;
	sec->len = dlen;
	sec->owned = buf;
	return 0;
}

/* SHF_COMPRESSED: an Elf64_Chdr (type, size) before the stream (Go 1.19+, binutils). */
static int load_chdr(struct dwarf_sec *sec, const uint8_t *p, uint64_t size)
{
	Elf64_Chdr ch;

	if (size < sizeof(ch))
		return -GT_EFORMAT;
	memcpy(&ch, p, sizeof(ch));
	if (ch.ch_type != ELFCOMPRESS_ZLIB && ch.ch_type != 2 /* ELFCOMPRESS_ZSTD */)
		return -GT_EFORMAT;
	return decompress(sec, p + sizeof(ch), size - sizeof(ch), ch.ch_size,
			  ch.ch_type != ELFCOMPRESS_ZLIB);
}

/* .zdebug_*: "ZLIB", 8-byte big-endian size, zlib stream (Go 1.11-1.18, -gz=zlib-gnu). */
static int load_zdebug(struct dwarf_sec *sec, const uint8_t *p, uint64_t size)
{
	uint64_t dlen = 0;
	int i;

	if (size < 12 || memcmp(p, "ZLIB", 4))
		return -GT_EFORMAT;
	for (i = 0; i < 8; i++)
		dlen = dlen << 8 | p[4 + i];
	return decompress(sec, p + 12, size - 12, dlen, false);
}

/* .debug_NAME, else .zdebug_NAME; a missing section leaves sec empty. */
static int load_section(const struct elf_file *ef, const char *name, struct dwarf_sec *sec)
{
	const struct elf_section *s;
	const uint8_t *p;
	char zname[64];
	int err;

	s = elf_file__find_section(ef, name);
	if (!s) {
		snprintf(zname, sizeof(zname), ".z%s", name + 1);
		s = elf_file__find_section(ef, zname);
	}
	if (!s || s->type == SHT_NOBITS)
		return 0;
	p = elf_file__section_bytes(ef, s);
	if (!p)
		return err_fail(GT_EFORMAT, "%s: section %s lies outside the file",
				elf_file__name(ef), s->name);
	if (s->flags & SHF_COMPRESSED)
		err = load_chdr(sec, p, s->size);
	else if (!strncmp(s->name, ".zdebug", 7))
		err = load_zdebug(sec, p, s->size);
	else {
		sec->data = p;
		sec->len = s->size;
		err = 0;
	}
	if (err == -GT_EFORMAT)
		return err_fail(GT_EFORMAT, "%s: section %s cannot be decompressed",
				elf_file__name(ef), s->name);
	return err;
}

int dwarf__open(const struct elf_file *ef, struct dwarf **out)
{
	struct dwarf *d = calloc(1, sizeof(*d));
	int err;

	if (!d)
		return -ENOMEM;
	err = load_section(ef, ".debug_info", &d->info);
	if (!err)
		err = load_section(ef, ".debug_abbrev", &d->abbrev);
	if (!err)
		err = load_section(ef, ".debug_str", &d->str);
	if (!err)
		err = load_section(ef, ".debug_line_str", &d->line_str);
	if (!err && (!d->info.len || !d->abbrev.len))
		err = err_fail(ENOENT,
			       "%s has no DWARF (built with -ldflags=-w or -s, or stripped)",
			       elf_file__name(ef));
	if (err) {
		dwarf__free(d);
		return err;
	}
	*out = d;
	return 0;
}

int dwarf__open_mem(const void *info, size_t info_len, const void *abbrev, size_t abbrev_len,
		    const void *str, size_t str_len, struct dwarf **out)
{
	struct dwarf *d = calloc(1, sizeof(*d));

	if (!d)
		return -ENOMEM;
	d->info = (struct dwarf_sec){.data = info, .len = info_len};
	d->abbrev = (struct dwarf_sec){.data = abbrev, .len = abbrev_len};
	d->str = (struct dwarf_sec){.data = str, .len = str_len};
	*out = d;
	return 0;
}

void dwarf__free(struct dwarf *d)
{
	if (!d)
		return;
	free(d->info.owned);
	free(d->abbrev.owned);
	free(d->str.owned);
	free(d->line_str.owned);
	free(d);
}
