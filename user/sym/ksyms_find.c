// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "proc/procfs.h"
#include "sym/ksyms_priv.h"

size_t ksyms__count(const struct ksyms *ks)
{
	return ks->n;
}

const struct ksym *ksyms__get(const struct ksyms *ks, size_t i)
{
	return i < ks->n ? &ks->v[i] : NULL;
}

bool ksyms__hidden(const struct ksyms *ks)
{
	return ks->hidden;
}

int ksyms__check_addrs(const struct ksyms *ks)
{
	struct procfs_buf b = {0};
	int level = -1;

	if (!ks->hidden)
		return 0;
	if (!procfs__read_file("/proc/sys/kernel/kptr_restrict", 64, &b))
		level = b.data[0] >= '0' && b.data[0] <= '2' ? b.data[0] - '0' : -1;
	procfs_buf__clear(&b);
	return err_fail(EPERM,
			"/proc/kallsyms shows every address as 0 (kernel.kptr_restrict=%d): "
			"kernel frames cannot be symbolized; run gotrace as root with "
			"CAP_SYSLOG%s",
			level, level == 2 ? ", and set sysctl kernel.kptr_restrict=1" : "");
}

const struct ksym *ksyms__map_addr(const struct ksyms *ks, uint64_t addr, uint64_t *offset)
{
	size_t lo = 0, hi = ks->n;

	if (ks->hidden) {
		errno = EPERM;
		return NULL;
	}
	/* The first symbol above addr; the one before it holds addr. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ks->v[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0) {
		errno = ENOENT;
		return NULL;
	}
	/* Back to the first (preferred) of the symbols sharing that address. */
	while (lo > 1 && ks->v[lo - 2].addr == ks->v[lo - 1].addr)
		lo--;
	if (offset)
		*offset = addr - ks->v[lo - 1].addr;
	return &ks->v[lo - 1];
}

/* The first by_name entry whose name is >= name. */
static size_t lower_bound(const struct ksyms *ks, const char *name)
{
	size_t lo = 0, hi = ks->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(ks->by_name[mid]->name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct ksym *ksyms__get_symbol(const struct ksyms *ks, const char *name, const char *module)
{
	for (size_t i = lower_bound(ks, name); i < ks->n; i++) {
		const struct ksym *k = ks->by_name[i];

		if (strcmp(k->name, name))
			break;
		if (!module || (k->module && !strcmp(k->module, module)))
			return k;
	}
	errno = ENOENT;
	return NULL;
}
