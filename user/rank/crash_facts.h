/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_RANK_CRASH_FACTS_H
#define GOTRACE_RANK_CRASH_FACTS_H

#include <stddef.h>
#include <stdint.h>

#include "rank/candidate.h"
#include "rank/fact.h"

/*
 * What the crash rules (rule_crash_*.c, rule_bind_*.c) share: the facts
 * of one process (same subject and pid), its death, its last output, and
 * the candidate skeleton for "why did pid N die" (merge key "death:<pid>",
 * the key an OOM kill of the same pid uses too).
 *
 * Fact kinds of `gotrace crash` (attrs in README "gotrace crash"):
 * exec, exec_fail, exit, output, signal, signal_deliver, open_fail,
 * connect_fail, bind, cap_denied, go_fatal.
 */

/* The next fact of kind about the same subject and pid as f. */
const struct fact *crash_facts__of_pid(const struct fact_store *fs, size_t *cursor,
				       const char *kind, const struct fact *f);
/* The (first) fact of kind for that pid, or NULL. */
const struct fact *crash_facts__first(const struct fact_store *fs, const char *kind,
				      const struct fact *f);
/* The last n lines of the process's output, "\n"-joined; "" when none. */
void crash_facts__tail(const struct fact_store *fs, const struct fact *f, int n, char *buf,
		       size_t len);
/* The last n output lines as evidence lines ("output: ..."), tabs as spaces. */
void crash_cand_output(struct candidate *c, const struct fact_store *fs, const struct fact *f,
		       int n);
/* An evidence line when writes after the captured tail were not copied (capture budget). */
void crash_cand_output_gap(struct candidate *c, const struct fact_store *fs, const struct fact *f);
/* A candidate about f's process death, with subject, display and merge key set; NULL on ENOMEM. */
struct candidate *crash_cand(struct cand_list *out, const char *rule, const struct fact *f);
/* Evidence line for the death itself ("exit code 1 after 12 ms", "killed by SIGKILL"). */
void crash_cand_death(struct candidate *c, const struct fact_store *fs, const struct fact *f);
/* "HH:MM:SS.mmm" of a fact, for evidence lines. */
void crash_facts__clock(uint64_t ns, char *buf, size_t len);

#endif
