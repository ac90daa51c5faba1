/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_GOELF_BINFACTS_H
#define GOTRACE_GOELF_BINFACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "goelf/buildinfo.h"
#include "goelf/elf.h"
#include "goelf/goversion.h"
#include "goelf/pclntab.h"
#include "goelf/probes.h"

/*
 * Everything gotrace knows about an executable from the file alone: the ELF
 * facts that decide whether it can start at all (interpreter, libc, needed
 * libraries) and the Go facts that decide whether and how it can be traced.
 * `info` prints them; `crash` and `doctor` use them to explain exec failures
 * and library mismatches.
 */

enum libc_kind {
	LIBC_NONE, /* static binary: needs no libc */
	LIBC_GLIBC,
	LIBC_MUSL,
	LIBC_OTHER, /* dynamic, interpreter of another kind */
};

struct bin_facts {
	/* ELF */
	uint16_t elf_type;
	uint16_t machine;
	bool is_static;
	bool stripped; /* no .symtab */
	bool has_section_headers;
	struct elf_dyn_info dyn;
	enum libc_kind libc;

	/* Go (valid when is_go) */
	bool is_go;
	struct go_buildinfo bi;
	struct go_version ver;
	bool ver_ok;
	struct pclntab *pcln; /* NULL when none */
	int pcln_err;	      /* why pcln is NULL (0 when present) */
	char pcln_errmsg[256];
	bool uprobe_supported;
	const char *uprobe_reason;
	struct go_probe_site *probes;
	size_t nprobes;
};

/* Fills f from ef, which must outlive f. Only allocation failure is an error. */
int bin_facts__collect(const struct elf_file *ef, struct bin_facts *f);
void bin_facts__clear(struct bin_facts *f);

const char *libc_kind_name(enum libc_kind k);
const char *elf_machine_name(uint16_t machine);
const char *elf_type_name(uint16_t type);

#endif
