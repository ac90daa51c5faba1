/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_OOM_TRAJECTORY_H
#define GOTRACE_OOM_TRAJECTORY_H

#include <stddef.h>
#include <stdint.h>

/*
 * How a memory cgroup got to its limit, from usage samples taken before the
 * kill plus the usage the kernel recorded at the kill. The question an
 * on-call engineer asks first: a leak (steady growth over seconds: find
 * what grows), one huge allocation (a jump within a fraction of a second:
 * find the request that did it), or a working set that sat at the limit
 * (the limit is simply too small)?
 */

struct traj_sample {
	uint64_t t_ns; /* CLOCK_MONOTONIC, as bpf_ktime_get_ns */
	uint64_t usage_bytes;
};

enum traj_kind {
	TRAJ_UNKNOWN,  /* no samples before the kill */
	TRAJ_GROWTH,   /* rose steadily to the limit */
	TRAJ_JUMP,     /* most of the rise within TRAJ_JUMP_WINDOW_NS of the kill */
	TRAJ_AT_LIMIT, /* little rise; sat near the limit before the kill */
};

/* At most this many samples are analyzed (the newest). */
#define TRAJ_MAX_SAMPLES 1024

/* A rise this fast counts as one allocation, not growth. */
#define TRAJ_JUMP_WINDOW_NS 300000000ULL

struct trajectory {
	enum traj_kind kind;
	size_t nsamples;	 /* samples before the kill that were used */
	uint64_t window_ns;	 /* first sample → kill */
	uint64_t from_bytes;	 /* where the rise began */
	uint64_t to_bytes;	 /* usage at the kill */
	uint64_t rise_ns;	 /* beginning of the rise → kill */
	double rate_bytes_per_s; /* (to - from) / rise */
	uint64_t jump_bytes;	 /* rise within the last TRAJ_JUMP_WINDOW_NS */
	uint64_t jump_ns;	 /* over how long (sample spacing bounds it) */
	uint64_t near_limit_ns;	 /* time at >= 95% of the limit, ending at the kill */
	uint64_t limit_bytes;	 /* MEMCG_NO_LIMIT-style UINT64_MAX when none */
};

/*
 * s[0..n) sorted by time, all before kill_ns; kill_usage is the usage at the
 * kill. Samples older than window_ns before the kill are ignored.
 */
void trajectory__analyze(const struct traj_sample *s, size_t n, uint64_t kill_ns,
			 uint64_t kill_usage, uint64_t limit, uint64_t window_ns,
			 struct trajectory *out);

/* One sentence: "grew 8.0 MiB/s for 6.5 s from 12.0 MiB to the 64.0 MiB limit". */
void trajectory__describe(const struct trajectory *t, char *buf, size_t len);
const char *traj_kind__name(enum traj_kind k);

#endif
