// SPDX-License-Identifier: GPL-2.0
/*
 * proc.maps: the process's mappings (/proc/PID/maps): how many, how many
 * anonymous (heap, stacks, the Go arenas; PROT_NONE ones are address space
 * reserved, not memory), their total and the largest. The number of
 * mappings is capped per process by vm.max_map_count (65530 by default):
 * at the cap every mmap fails and the Go runtime dies with "runtime: cannot
 * allocate memory" however much memory is free.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/num.h"
#include "doctor/check.h"
#include "doctor/goproc.h"
#include "doctor/target.h"
#include "out/units.h"
#include "proc/maps.h"
#include "rank/fact.h"

#define MAPS_MAX (64u << 20)
#define DEFAULT_MAX_MAP_COUNT 65530

struct maps_sum {
	size_t count, anon, anon_rw, reserved;
	uint64_t anon_bytes, anon_rw_bytes, largest_anon;
	uint64_t max_map_count;
};

static bool is_anon(const struct proc_map *m)
{
	return m->kind == PROC_MAP_ANON || m->kind == PROC_MAP_HEAP ||
	       m->kind == PROC_MAP_ANON_NAMED || m->kind == PROC_MAP_STACK;
}

static void sum(const struct proc_maps *maps, struct maps_sum *s)
{
	size_t i;

	s->count = proc_maps__count(maps);
	for (i = 0; i < s->count; i++) {
		const struct proc_map *m = proc_maps__get(maps, i);
		uint64_t len = m->end - m->start;

		if (!is_anon(m))
			continue;
		s->anon++;
		s->anon_bytes += len;
		if (!(m->perms & (PROC_MAP_R | PROC_MAP_W | PROC_MAP_X)))
			s->reserved++;
		if (m->perms & PROC_MAP_W) {
			s->anon_rw++;
			s->anon_rw_bytes += len;
		}
		if (len > s->largest_anon)
			s->largest_anon = len;
	}
}

static uint64_t max_map_count(void)
{
	struct procfs_buf b;
	uint64_t v = DEFAULT_MAX_MAP_COUNT;

	if (!procfs__read_file("/proc/sys/vm/max_map_count", 64, &b)) {
		b.data[strcspn(b.data, "\n")] = '\0';
		if (num_parse_u64(b.data, 1, UINT64_MAX, &v))
			v = DEFAULT_MAX_MAP_COUNT;
	}
	procfs_buf__clear(&b);
	return v;
}

static void add_fact(const struct doctor_target *t, const struct maps_sum *s,
		     struct check_result *r)
{
	struct fact *f = check_fact(r, t, "proc_maps");

	if (!f)
		return;
	fact_set_int(f, "maps_count", (int64_t)s->count);
	fact_set_int(f, "max_map_count", (int64_t)s->max_map_count);
	fact_set_int(f, "anon_count", (int64_t)s->anon);
	fact_set_int(f, "anon_kib", (int64_t)(s->anon_bytes >> 10));
	fact_set_int(f, "anon_rw_kib", (int64_t)(s->anon_rw_bytes >> 10));
	fact_set_int(f, "largest_anon_kib", (int64_t)(s->largest_anon >> 10));
	fact_set_int(f, "reserved_count", (int64_t)s->reserved);
}

static void judge(const struct maps_sum *s, struct check_result *r)
{
	double use = (double)s->count / (double)s->max_map_count;

	if (use >= 0.9) {
		check_finding(r, CHECK_FAIL,
			      "%zu mappings, %.0f%% of vm.max_map_count (%llu): mmap fails at the "
			      "cap (\"runtime: cannot allocate memory\")",
			      s->count, 100 * use, (unsigned long long)s->max_map_count);
		check_fix(r, "raise vm.max_map_count on the node, or find what fragments the "
			     "address space (many small mmaps, cgo allocators)");
	} else if (use >= 0.5) {
		check_finding(r, CHECK_WARN, "%zu mappings, %.0f%% of vm.max_map_count (%llu)",
			      s->count, 100 * use, (unsigned long long)s->max_map_count);
		check_fix(r, "watch the count grow (wc -l /proc/PID/maps); raise vm.max_map_count "
			     "if it is legitimate");
	} else {
		check_finding(r, CHECK_PASS,
			      "%zu mappings (%zu anonymous), far from "
			      "vm.max_map_count (%llu)",
			      s->count, s->anon, (unsigned long long)s->max_map_count);
	}
}

static void run(const struct doctor_check *self, const struct doctor_target *t,
		struct check_result *r)
{
	struct maps_sum s = {0};
	struct proc_maps *maps = NULL;
	struct procfs_buf b;
	char a[32], c[32], d[32];
	int err;

	err = doctor_proc_file(t, "maps", MAPS_MAX, &b);
	if (!err)
		err = proc_maps__parse(b.data, b.len, &maps);
	procfs_buf__clear(&b);
	if (err) {
		check_skip(r, "cannot read %s/maps (%s)", t->proc_dir,
			   err == -ESRCH || err == -ENOENT ? "the process exited" : "malformed");
		return;
	}
	sum(maps, &s);
	proc_maps__free(maps);
	s.max_map_count = max_map_count();
	check_evidence(r,
		       "%zu mappings; %zu anonymous: %s in all, %zu writable (%s), %zu "
		       "reserved (PROT_NONE); largest anonymous %s (%s/maps)",
		       s.count, s.anon, fmt_bytes(s.anon_bytes, a, sizeof(a)), s.anon_rw,
		       fmt_bytes(s.anon_rw_bytes, c, sizeof(c)), s.reserved,
		       fmt_bytes(s.largest_anon, d, sizeof(d)), t->proc_dir);
	check_evidence(r, "vm.max_map_count = %llu (/proc/sys/vm/max_map_count)",
		       (unsigned long long)s.max_map_count);
	add_fact(t, &s, r);
	judge(&s, r);
}

const struct doctor_check check_maps = {
	.id = "proc.maps",
	.description = "memory mappings: count vs vm.max_map_count, anonymous mappings and sizes",
	.timeout_ms = 2000,
	.needs = NEED_PID,
	.run = run,
};
