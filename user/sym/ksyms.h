/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_SYM_KSYMS_H
#define GOTRACE_SYM_KSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Kernel symbols from /proc/kallsyms, one line each:
 *   ffffffff821fb620 T schedule
 *   ffffffffc0201000 t ftrace_trampoline	[__builtin__ftrace]
 * (kernel/kallsyms.c s_show: address, type, name, a tab and the module in
 * brackets for module, BPF and ftrace symbols). kallsyms has no sizes: an
 * address belongs to the closest symbol at or below it.
 *
 * Under kptr_restrict (=1 without CAP_SYSLOG, or =2) the kernel prints
 * every address as 0. Loading still works (names are useful to know what
 * exists) but ksyms__hidden() is true, address lookups fail with -EPERM
 * and get_symbol() addresses are 0; ksyms__check_addrs() says why and how
 * to fix it.
 */

struct ksym {
	uint64_t addr;
	const char *name;
	const char *module; /* NULL for vmlinux */
	char type;	    /* T t D d B b R r W A ... as printed */
};

struct ksyms;

int ksyms__load(struct ksyms **out);
int ksyms__parse(const char *text, size_t len, struct ksyms **out);
void ksyms__free(struct ksyms *ks);

size_t ksyms__count(const struct ksyms *ks);
/* By address order. */
const struct ksym *ksyms__get(const struct ksyms *ks, size_t i);
bool ksyms__hidden(const struct ksyms *ks);
/* 0, or -EPERM with a sentence on kptr_restrict when addresses are hidden. */
int ksyms__check_addrs(const struct ksyms *ks);
/*
 * The symbol containing addr (the closest at or below it) and the offset
 * into it; NULL below the first symbol or when addresses are hidden. Of
 * symbols sharing an address, a global one (upper-case type) wins.
 */
const struct ksym *ksyms__map_addr(const struct ksyms *ks, uint64_t addr, uint64_t *offset);
/*
 * The symbol with this name, in this module (NULL: vmlinux or any module,
 * vmlinux first). Static functions can share a name: a global one wins,
 * else the lowest address.
 */
const struct ksym *ksyms__get_symbol(const struct ksyms *ks, const char *name, const char *module);

#endif
