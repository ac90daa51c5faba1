// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "proc/maps.h"
#include "proc/maps_priv.h"
#include "proc/procfs.h"

/* A process with a million mappings prints about 100 MiB; more is not maps. */
#define MAPS_MAX_BYTES (256u << 20)

void proc_maps__free(struct proc_maps *maps)
{
	if (!maps)
		return;
	free(maps->v);
	free(maps->text);
	free(maps);
}

size_t proc_maps__count(const struct proc_maps *maps)
{
	return maps->n;
}

const struct proc_map *proc_maps__get(const struct proc_maps *maps, size_t i)
{
	return i < maps->n ? &maps->v[i] : NULL;
}

/* Binary search over mappings sorted by start: the last one starting <= addr. */
const struct proc_map *proc_maps__find(const struct proc_maps *maps, uint64_t addr)
{
	size_t lo = 0, hi = maps->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (maps->v[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || addr >= maps->v[lo - 1].end)
		return NULL;
	return &maps->v[lo - 1];
}

const struct proc_map *proc_maps__find_exec(const struct proc_maps *maps, const char *path)
{
	for (size_t i = 0; i < maps->n; i++) {
		const struct proc_map *m = &maps->v[i];

		if ((m->perms & PROC_MAP_X) && !strcmp(m->path, path))
			return m;
	}
	return NULL;
}

int proc_map__map_files_path(pid_t pid, const struct proc_map *m, char *buf, size_t size)
{
	int n = snprintf(buf, size, "/proc/%d/map_files/%llx-%llx", (int)pid,
			 (unsigned long long)m->start, (unsigned long long)m->end);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int proc_maps__read(pid_t pid, struct proc_maps **out)
{
	struct procfs_buf b;
	int err;

	*out = NULL;
	err = procfs__read_pid(pid, "maps", MAPS_MAX_BYTES, &b);
	if (err)
		return err;
	if (b.truncated) {
		procfs_buf__clear(&b);
		return err_fail(EFBIG, "/proc/%d/maps is larger than %u MiB", (int)pid,
				MAPS_MAX_BYTES >> 20);
	}
	err = proc_maps__parse(b.data, b.len, out);
	if (err) {
		char why[256];

		/* err_msg() is the buffer err_set() writes: copy it first. */
		snprintf(why, sizeof(why), "%s", err_msg());
		err_set("/proc/%d/maps: %s", (int)pid, why);
	}
	procfs_buf__clear(&b);
	return err;
}
