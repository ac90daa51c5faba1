/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_RANK_OOM_EVIDENCE_H
#define GOTRACE_RANK_OOM_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rank/candidate.h"
#include "rank/fact.h"

/*
 * What every rule about an "oom_kill" fact (rank/rule_oom_*.c, written by
 * `gotrace oom`, see user/oom/fact.c) shares: one candidate per death
 * (merge_key "death:<victim pid>", so the kill, its Go causes and the exit
 * 137 that follows merge into one), and the same evidence lines in the same
 * words, so merged candidates do not repeat themselves.
 */

/* A candidate for this kill, with subject, display, merge key and time set. */
struct candidate *oom_candidate(struct cand_list *out, const char *rule, const struct fact *f);
/* Limit/usage, trajectory, victim RSS, trigger, reclaim and PSI, Go facts. */
void oom_evidence(struct candidate *c, const struct fact *f);

/* "go1.22.5, GOGC=100 (unset), GOMEMLIMIT unset"; false when the Go facts are unknown. */
bool oom_go_line(const struct fact *f, char *buf, size_t len);
/* Go victim whose environment was read. */
bool oom_is_go_with_env(const struct fact *f);
/* GOMEMLIMIT to suggest for a limit: 90%, in whole MiB (the rest is non-heap memory). */
uint64_t oom_suggest_memlimit(uint64_t limit_bytes);
/* The memcg limit of a memcg OOM, else 0. */
uint64_t oom_memcg_limit(const struct fact *f);

/*
 * The Go runtime's knobs as they were in effect: read from the runtime at
 * the death when its heap state was read (go_*_effective: debug.SetGCPercent
 * and debug.SetMemoryLimit in code count), else from the environment.
 * oom_go_memlimit is -1 when there was no memory limit.
 */
int64_t oom_go_gc_percent(const struct fact *f);
int64_t oom_go_memlimit(const struct fact *f);
/* Was the Go heap state read at the death (go_heap_* attributes)? */
bool oom_go_heap_read(const struct fact *f);
/* "GOGC off (set in code: debug.SetGCPercent)", "GOGC=50", "GOGC 100 (default)". */
void oom_go_gogc_words(const struct fact *f, char *buf, size_t len);
/* "GOMEMLIMIT 48.0 MiB (set in code: debug.SetMemoryLimit)", "GOMEMLIMIT unset". */
void oom_go_memlimit_words(const struct fact *f, char *buf, size_t len);

#endif
