/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_OUT_PPROF_H
#define GOTRACE_OUT_PPROF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A profile.proto writer (github.com/google/pprof/proto/profile.proto),
 * gzip-compressed as `go tool pprof` expects. Samples are stacks of frames,
 * innermost first; frames that share a pc become one Location with several
 * Lines (inlined callees first, the physical function last).
 */

struct pprof;

struct pprof_frame {
	uint64_t pc;
	const char *function;
	const char *file; /* NULL: unknown */
	int64_t line;
};

/* types: n (type, unit) pairs, e.g. {"contentions","count","delay","nanoseconds"}. */
int pprof__new(const char *const *types, size_t n, struct pprof **out);
/* values has one entry per sample type. */
int pprof__add(struct pprof *p, const struct pprof_frame *frames, size_t nframes,
	       const int64_t *values);
void pprof__set_period(struct pprof *p, const char *type, const char *unit, int64_t period);
int pprof__write_gz(struct pprof *p, const char *path, uint64_t time_ns, uint64_t duration_ns);
void pprof__free(struct pprof *p);

#endif
