// SPDX-License-Identifier: GPL-2.0
/*
 * Go build info behind a valid ELF: the input is wrapped so the fuzzer
 * spends its time in the blob and module-info parsers rather than in ELF
 * headers. The first byte picks the wrapping:
 *
 *	0  the rest is the data segment, named .go.buildinfo
 *	1  the same without section headers (the segment scan)
 *	2  the rest is module-info text: wrapped in a valid 1.18+ blob
 *	3  the rest is split into writable data and read-only data, with no
 *	   blob: the runtime.buildVersion header and bare-string fallbacks
 *	4  as 3, plus a .symtab naming runtime.buildVersion at the data start
 */
#include <stdlib.h>
#include <string.h>

#include "synth_elf.h"
#include "goelf/buildinfo.h"
#include "goelf/elf.h"
#include "goelf/goversion.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t info_start[16] = {0x30, 0x77, 0xaf, 0x0c, 0x92, 0x74, 0x08, 0x02,
				       0x41, 0xe1, 0xc1, 0x07, 0xe6, 0xd6, 0x18, 0xe6};
static const uint8_t info_end[16] = {0xf9, 0x32, 0x43, 0x31, 0x86, 0x18, 0x20, 0x72,
				     0x00, 0x82, 0x42, 0x10, 0x41, 0x16, 0xd8, 0xf2};

static size_t put_uvarint(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	do {
		p[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	return n;
}

/* A go1.18+ blob whose module info is text (plus a final newline) inside the sentinels. */
static uint8_t *wrap_modinfo(const uint8_t *text, size_t len, size_t *out_len)
{
	static const char version[] = "go1.22.0";
	size_t mlen = 16 + len + 1 + 16, n = 0;
	uint8_t *b = malloc(32 + 10 + sizeof(version) + 10 + mlen);

	if (!b)
		return NULL;
	memcpy(b, "\xff Go buildinf:\x08\x02", 16);
	memset(b + 16, 0, 16);
	n = 32;
	n += put_uvarint(b + n, sizeof(version) - 1);
	memcpy(b + n, version, sizeof(version) - 1);
	n += sizeof(version) - 1;
	n += put_uvarint(b + n, mlen);
	memcpy(b + n, info_start, 16);
	memcpy(b + n + 16, text, len);
	b[n + 16 + len] = '\n';
	memcpy(b + n + 17 + len, info_end, 16);
	*out_len = n + mlen;
	return b;
}

static void read_image(const struct synth_spec *sp)
{
	struct elf_file *ef;
	struct go_buildinfo bi;
	struct go_version v;
	size_t len, i;
	uint8_t *img = synth_elf(sp, &len);

	if (!img)
		return;
	if (!elf_file__open_mem(img, len, &ef)) {
		if (!go_buildinfo__read(ef, &bi)) {
			(void)go_version_parse(bi.version, &v);
			for (i = 0; i < bi.nsettings && i < 64; i++) /* the lookup is linear */
				(void)go_buildinfo__setting(&bi, bi.settings[i].key);
			go_buildinfo__clear(&bi);
		}
		elf_file__free(ef);
	}
	free(img);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct synth_spec sp = {.sections = true};
	struct synth_sym sym = {"runtime.buildVersion", SYNTH_DATA_VADDR, 16, STT_OBJECT};
	uint8_t *wrapped = NULL;
	size_t half;

	if (size < 1 || size > (1 << 20))
		return 0;
	switch (data[0] % 5) {
	case 0:
	case 1:
		sp.data = data + 1;
		sp.data_len = size - 1;
		sp.data_sec_name = ".go.buildinfo";
		sp.data_sec_len = sp.data_len;
		sp.sections = data[0] % 5 == 0;
		break;
	case 2:
		wrapped = wrap_modinfo(data + 1, size - 1, &sp.data_len);
		if (!wrapped)
			return 0;
		sp.data = wrapped;
		sp.data_sec_name = ".go.buildinfo";
		sp.data_sec_len = sp.data_len;
		break;
	default:
		half = (size - 1) / 2;
		sp.data = data + 1;
		sp.data_len = half;
		sp.ro = data + 1 + half;
		sp.ro_len = size - 1 - half;
		if (data[0] % 5 == 4) {
			sp.syms = &sym;
			sp.nsyms = 1;
		}
		break;
	}
	read_image(&sp);
	free(wrapped);
	return 0;
}
