/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_GOELF_BUILDINFO_INT_H
#define GOTRACE_GOELF_BUILDINFO_INT_H

/* Shared between buildinfo.c, buildinfo_modinfo.c and buildversion.c only. */

#include <stddef.h>
#include <stdint.h>

#include "goelf/buildinfo.h"
#include "goelf/elf.h"

/*
 * Parses the module-info text (sentinels already stripped) into bi: path,
 * mod, dep, "=>" and build lines. -GT_EFORMAT naming the line on bad input.
 */
int go_modinfo__parse(const char *name, const char *text, size_t len, struct go_buildinfo *bi);

void go_module__clear(struct go_module *m);

/*
 * Unquotes a Go double-quoted or back-quoted string that is exactly
 * s[0..len) (strconv.Unquote). Returns a malloc'd string or NULL with
 * errno EINVAL (bad syntax, or a NUL byte C cannot hold) or ENOMEM.
 */
char *go_unquote(const char *s, size_t len);
/* Length of the quoted string starting at s (strconv.QuotedPrefix), 0 if none. */
size_t go_quoted_prefix(const char *s, size_t len);

/*
 * The version of a binary without a blob: runtime.buildVersion through
 * .symtab, else its string header in data, else a bare version string.
 * Fills version and version_source; -GT_ENOTGO when nothing is found.
 */
int go_buildversion__find(const struct elf_file *ef, struct go_buildinfo *bi);

/*
 * The len bytes at vaddr when all of them are backed by one PT_LOAD's file
 * image, else NULL.
 */
const char *go_vaddr_string(const struct elf_file *ef, uint64_t vaddr, uint64_t len);
/* A malloc'd NUL-terminated copy of len bytes; NULL (errno EINVAL) if they hold a NUL. */
char *go_strdup_exact(const char *s, size_t len);

#endif
