// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the synthetic seeds of tests/fuzz/corpus/{buildinfo,elf}/ (not
 * built by make; the seeds are checked in). Regenerate with
 *
 *	cc -Iuser -o /tmp/gen_seeds tests/fuzz/gen_seeds.c && /tmp/gen_seeds tests/fuzz/corpus
 *
 * buildinfo seeds follow fuzz_buildinfo.c's first-byte modes; elf seeds are
 * whole images from synth_elf.h. Small real ELFs built with
 * `gcc -nostdlib` sit next to them (see tests/fuzz/corpus/README).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synth_elf.h"

static const uint8_t info_start[16] = {0x30, 0x77, 0xaf, 0x0c, 0x92, 0x74, 0x08, 0x02,
				       0x41, 0xe1, 0xc1, 0x07, 0xe6, 0xd6, 0x18, 0xe6};
static const uint8_t info_end[16] = {0xf9, 0x32, 0x43, 0x31, 0x86, 0x18, 0x20, 0x72,
				     0x00, 0x82, 0x42, 0x10, 0x41, 0x16, 0xd8, 0xf2};

/* Module info as cmd/go writes it, with the quoting cases of runtime/debug. */
static const char modinfo[] = "path\texample.com/parked\n"
			      "mod\texample.com/parked\t(devel)\t\n"
			      "dep\tgolang.org/x/sys\tv0.1.0\th1:abc=\n"
			      "dep\texample.com/dep\tv1.2.3\n"
			      "=>\t./dep\t(devel)\t\n"
			      "build\t-buildmode=exe\n"
			      "build\t-gcflags=\"all=-N -l\"\n"
			      "build\t-ldflags=\"-s -w -X main.foo=a\\\"b`c\"\n"
			      "build\t\"odd key\"=`raw value`\n"
			      "build\tk=\"\\x41\\u00e9\\U0001F600\\101\\t\"\n"
			      "build\tCGO_ENABLED=1\n"
			      "build\tGOARCH=amd64\n"
			      "build\tvcs.modified=false\n";

struct buf {
	uint8_t b[4096];
	size_t n;
};

static void put(struct buf *b, const void *p, size_t n)
{
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void put_uvarint(struct buf *b, uint64_t v)
{
	do {
		b->b[b->n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
}

static void put_u64(struct buf *b, uint64_t v)
{
	put(b, &v, 8);
}

static void inline_blob(struct buf *b, const char *version)
{
	b->n = 0;
	put(b, "\xff Go buildinf:\x08\x02", 16);
	put(b, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	put_uvarint(b, strlen(version));
	put(b, version, strlen(version));
	put_uvarint(b, strlen(modinfo) + 32);
	put(b, info_start, 16);
	put(b, modinfo, strlen(modinfo));
	put(b, info_end, 16);
}

/* Pre-1.18: pointers to {ptr, len} headers, strings in the same segment. */
static void pointer_blob(struct buf *b)
{
	uint64_t base = SYNTH_DATA_VADDR, mlen = strlen(modinfo) + 32;

	b->n = 0;
	put(b, "\xff Go buildinf:\x08\x00", 16);
	put_u64(b, base + 32);
	put_u64(b, base + 48);
	put_u64(b, base + 64);
	put_u64(b, 8);
	put_u64(b, base + 72);
	put_u64(b, mlen);
	put(b, "go1.16.3", 8);
	put(b, info_start, 16);
	put(b, modinfo, strlen(modinfo));
	put(b, info_end, 16);
}

static void write_seed(const char *dir, const char *name, const void *p, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f)) {
		perror(path);
		exit(1);
	}
}

/* A buildinfo seed: the mode byte, then the payload. */
static void bi_seed(const char *dir, const char *name, uint8_t mode, const void *p, size_t n)
{
	struct buf s = {.n = 0};

	put(&s, &mode, 1);
	put(&s, p, n);
	write_seed(dir, name, s.b, s.n);
}

static void elf_seed(const char *dir, const char *name, const struct synth_spec *sp)
{
	size_t len;
	uint8_t *img = synth_elf(sp, &len);

	write_seed(dir, name, img, len);
	free(img);
}

int main(int argc, char **argv)
{
	char bdir[4096], edir[4096];
	struct buf b, hdr = {.n = 0};
	static const char ro[] = "xx_go1.26.go\0go1.26.5\0\0\0";
	struct synth_sym sym = {"runtime.buildVersion", SYNTH_DATA_VADDR, 16, STT_OBJECT};
	struct synth_spec sp = {.sections = true, .data_sec_name = ".go.buildinfo"};

	if (argc != 2)
		return 2;
	snprintf(bdir, sizeof(bdir), "%s/buildinfo", argv[1]);
	snprintf(edir, sizeof(edir), "%s/elf", argv[1]);

	inline_blob(&b, "go1.22.0 X:boringcrypto");
	bi_seed(bdir, "inline-section", 0, b.b, b.n);
	bi_seed(bdir, "inline-nosection", 1, b.b, b.n);
	sp.data = b.b;
	sp.data_len = sp.data_sec_len = b.n;
	elf_seed(edir, "synth-inline", &sp);
	pointer_blob(&b);
	bi_seed(bdir, "pointer-section", 0, b.b, b.n);
	sp.data_len = sp.data_sec_len = b.n;
	elf_seed(edir, "synth-pointer", &sp);
	bi_seed(bdir, "modinfo-text", 2, modinfo, strlen(modinfo) - 1);

	/* No blob: a {ptr, len} header in data to the version in read-only data. */
	put_u64(&hdr, SYNTH_RO_VADDR + 13);
	put_u64(&hdr, 8);
	memset(b.b, 0, sizeof(b.b));
	memcpy(b.b, hdr.b, 16);
	/* fuzz_buildinfo splits the payload in halves: 24 bytes of data, 24 of ro. */
	memcpy(b.b + 24, ro, sizeof(ro) - 1);
	b.n = 48;
	bi_seed(bdir, "buildversion-header", 3, b.b, b.n);
	bi_seed(bdir, "buildversion-symbol", 4, b.b, b.n);
	sp.data = hdr.b;
	sp.data_len = 16;
	sp.data_sec_name = NULL;
	sp.ro = ro;
	sp.ro_len = sizeof(ro) - 1;
	sp.syms = &sym;
	sp.nsyms = 1;
	elf_seed(edir, "synth-buildversion-symtab", &sp);
	return 0;
}
