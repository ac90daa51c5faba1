// SPDX-License-Identifier: GPL-2.0
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "goelf/binfacts.h"

const char *libc_kind_name(enum libc_kind k)
{
	switch (k) {
	case LIBC_GLIBC:
		return "glibc";
	case LIBC_MUSL:
		return "musl";
	case LIBC_OTHER:
		return "other";
	default:
		return NULL;
	}
}

const char *elf_machine_name(uint16_t machine)
{
	switch (machine) {
	case EM_X86_64:
		return "x86_64";
	case EM_AARCH64:
		return "aarch64";
	case EM_386:
		return "i386";
	case EM_ARM:
		return "arm";
	case EM_RISCV:
		return "riscv";
	case EM_PPC64:
		return "ppc64";
	case EM_S390:
		return "s390";
	default:
		return "unknown";
	}
}

const char *elf_type_name(uint16_t type)
{
	switch (type) {
	case ET_EXEC:
		return "exec";
	case ET_DYN:
		return "dyn";
	case ET_REL:
		return "rel";
	case ET_CORE:
		return "core";
	default:
		return "unknown";
	}
}

/*
 * The interpreter names the C library: glibc's is ld-linux*.so.N
 * (/lib64/ld-linux-x86-64.so.2, /lib/ld-linux-aarch64.so.1), musl's is
 * ld-musl-<arch>.so.1. A library list without an interpreter can still say
 * it (libc.so.6 is glibc's soname, libc.musl-* musl's).
 */
static enum libc_kind classify_libc(const struct elf_dyn_info *dyn)
{
	const char *base;
	size_t i;

	if (dyn->interp) {
		base = strrchr(dyn->interp, '/');
		base = base ? base + 1 : dyn->interp;
		if (!strncmp(base, "ld-musl-", 8))
			return LIBC_MUSL;
		if (!strncmp(base, "ld-linux", 8))
			return LIBC_GLIBC;
	}
	for (i = 0; i < dyn->nneeded; i++) {
		if (!strncmp(dyn->needed[i], "libc.musl-", 10))
			return LIBC_MUSL;
		if (!strcmp(dyn->needed[i], "libc.so.6"))
			return LIBC_GLIBC;
	}
	return dyn->interp || dyn->nneeded ? LIBC_OTHER : LIBC_NONE;
}

static void collect_elf(const struct elf_file *ef, struct bin_facts *f)
{
	f->elf_type = elf_file__type(ef);
	f->machine = elf_file__machine(ef);
	f->has_section_headers = elf_file__nsections(ef) > 0;
	f->stripped = !elf_file__find_section(ef, ".symtab");
	f->is_static = !f->dyn.interp && f->dyn.nneeded == 0;
	f->libc = classify_libc(&f->dyn);
}

static int collect_probes(const struct elf_file *ef, struct bin_facts *f)
{
	size_t i, n = go_probe_count();
	int err;

	f->probes = calloc(n, sizeof(*f->probes));
	if (!f->probes)
		return -ENOMEM;
	f->nprobes = n;
	for (i = 0; i < n; i++) {
		err = go_probe_resolve(ef, f->pcln, go_probe_function(i), &f->probes[i]);
		if (err == -ENOMEM)
			return err;
	}
	return 0;
}

static int collect_go(const struct elf_file *ef, struct bin_facts *f)
{
	int err;

	err = go_buildinfo__read(ef, &f->bi);
	if (err == -ENOMEM)
		return err;
	f->pcln_err = pclntab__open(ef, &f->pcln);
	if (f->pcln_err == -ENOMEM)
		return -ENOMEM;
	if (f->pcln_err)
		snprintf(f->pcln_errmsg, sizeof(f->pcln_errmsg), "%s", err_msg());
	f->is_go = !err || f->pcln;
	if (!f->is_go)
		return 0;
	f->ver_ok = f->bi.version && !go_version_parse(f->bi.version, &f->ver);
	if (!f->pcln) {
		f->uprobe_reason = "no usable pclntab: gotrace cannot find the runtime's functions";
		return 0;
	}
	if (!f->ver_ok)
		f->uprobe_reason =
			"Go version unknown: cannot tell whether the register ABI is used";
	else
		f->uprobe_supported = go_uprobe_supported(&f->ver, f->machine, &f->uprobe_reason);
	return collect_probes(ef, f);
}

int bin_facts__collect(const struct elf_file *ef, struct bin_facts *f)
{
	int err;

	memset(f, 0, sizeof(*f));
	err = elf_file__dyn_info(ef, &f->dyn);
	if (err)
		return err;
	collect_elf(ef, f);
	err = collect_go(ef, f);
	if (err)
		bin_facts__clear(f);
	return err;
}

void bin_facts__clear(struct bin_facts *f)
{
	if (!f)
		return;
	elf_dyn_info__clear(&f->dyn);
	go_buildinfo__clear(&f->bi);
	pclntab__free(f->pcln);
	free(f->probes);
	memset(f, 0, sizeof(*f));
}
