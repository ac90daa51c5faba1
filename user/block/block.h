/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_BLOCK_BLOCK_H
#define GOTRACE_BLOCK_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "block.h"
#include "bpf_block.h"
#include "goelf/binfacts.h"
#include "goelf/elf.h"
#include "goelf/waitreason.h"
#include "out/json.h"
#include "proc/identity.h"
#include "sym/symbolizer.h"

/* The traced process: its binary's facts and where the probes go. */
struct block_target {
	pid_t pid;
	char exe[4096];
	struct elf_file *ef;
	struct bin_facts facts;
	struct block_uprobe *probes;
	size_t nprobes;
	size_t nsched_sites; /* casgstatus CALL sites among the probes */
	/*
	 * Parks recorded at park_m's 2 -> 4 site from these runtime.g offsets
	 * (gopark not probed); false: at gopark.
	 */
	bool parks_at_park_m;
	struct block_park_layout park_layout;
	bool casg_entry_fallback;	/* no call sites found: casgstatus entry probed */
	struct go_waitreasons *reasons; /* the binary's waitReasonStrings; NULL when not found */
};

/* -GT_ENOTGO / -ENOTSUP with a message when the process cannot be traced. */
int block_target__open(pid_t pid, struct block_target *t);
void block_target__close(struct block_target *t);
/* "chan receive", or "reason 14" when the table is unknown. */
const char *block_target__reason(const struct block_target *t, uint32_t reason, char *buf,
				 size_t len);

#define BLOCK_MAX_FRAMES 64

/* A symbolized stack: frames innermost first, inlined frames expanded. */
struct block_stack {
	size_t nframes;
	struct sym_frame frames[BLOCK_MAX_FRAMES];
	uint64_t pcs[BLOCK_MAX_FRAMES]; /* the pc each frame came from */
	int user_frame;			/* index of the first user frame, -1 when none */
	int display_frame;		/* the user frame, else the first library frame, else -1 */
};

/* One row: a wait reason at a stack, with its statistics for the window. */
struct block_row {
	struct block_site_key key;
	char reason[64];
	const struct block_stack *stack;
	struct block_site_stats stats; /* this window (delta) */
	struct block_site_stats total; /* since the start */
};

struct block_report {
	struct block_row *rows;
	size_t nrows;
	uint64_t counters[BC_NR];      /* since the start */
	struct block_site_stats sched; /* scheduling latency, since the start */
	uint64_t window_ns;
	uint64_t elapsed_ns;
};

/* Goroutines still parked, grouped by site (block/stuck.c). */
struct block_stuck {
	struct block_site_key key;
	char reason[64];
	const struct block_stack *stack;
	uint64_t count;
	uint64_t oldest_ns;  /* age of the longest-parked one */
	double growth_per_s; /* change of count since the previous report */
};

/* Goroutines blocked for the whole window, since before attach (block/preexisting.c). */
struct block_pre {
	uint32_t reason_code;
	char reason[64];
	uint64_t pcs[BLOCK_MAX_FRAMES];
	uint32_t npcs;
	struct block_stack stack;
	uint64_t count;
	uint64_t oldest_ns; /* at least the window; more when g.waitsince says so */
};

struct block_prev {
	struct block_site_key key;
	struct block_site_stats total;
};

/* Everything one `gotrace block` run keeps between reports. */
struct block_session {
	struct block_target target;
	struct block_tracer *tracer;
	struct block_stacks *stacks;
	struct block_prev *prev; /* totals at the previous report, for deltas */
	size_t nprev;
	struct block_stuck *prev_stuck;
	size_t nprev_stuck;
	uint64_t start_ns, last_report_ns;
	uint64_t stuck_min_ns; /* report goroutines parked at least this long */
	struct identity id;    /* taken at start: the target may be gone at the end */
	char subject[512];
	struct go_proc *gp;	   /* memory reader for the goroutine dumps */
	struct go_snapshot *snap0; /* the dump at attach */
	struct block_pre *pre;	   /* blocked through the whole window */
	size_t npre;
	bool pre_done;
	char pre_error[256]; /* why there is no dump, "" when there is */
};

int block_pre__attach(struct block_session *s);
/* The dump at the end; fills s->pre. Once. */
int block_pre__finish(struct block_session *s);
void block_pre__free(struct block_session *s);
/* Picks user_frame and display_frame of a symbolized stack (block/stacks.c). */
void block_stack__pick_frames(struct block_stack *st);
struct go_goroutine;
/* A goroutine of a memory dump (goroutines/) as a symbolized stack. */
void block_stack__from_goroutine(struct symbolizer *sym, const struct go_goroutine *g,
				 struct block_stack *st);

struct block_report_full {
	struct block_report r;
	struct block_stuck *stuck;
	size_t nstuck;
};

/*
 * Opens pid and starts tracing it: the binary's facts and probe offsets,
 * who it is (identity under host_root), the BPF tracer and its uprobes, the
 * goroutine dump at attach. `block` and doctor's live component both start
 * here; the overhead governor stays with the caller. On error the session
 * holds what was opened: block_session__close() it.
 */
int block_session__start(struct block_session *s, pid_t pid, uint64_t min_block_ns,
			 uint64_t stuck_min_ns, const char *host_root);
/* Reads the maps: rows with window deltas and totals, counters, still-parked groups. */
int block_session__report(struct block_session *s, struct block_report_full *out);
void block_report_full__clear(struct block_report_full *r);
/* Groups the still-open parks older than stuck_min_ns (block/stuck.c). */
int block_stuck__collect(struct block_session *s, struct block_report_full *out);
/* Remembers this report's totals as the base of the next window's deltas. */
int block_session__advance(struct block_session *s, const struct block_report_full *r);
void block_session__close(struct block_session *s);

/* Views (block/render.c). totals: since the start instead of this window. */
void block_print_rows(FILE *out, const struct block_report_full *rep, bool totals, int verbose,
		      size_t max_rows);
void block_print_stuck(FILE *out, const struct block_report_full *rep, int verbose);
void block_json_rows(struct json_writer *w, const struct block_report_full *rep, pid_t pid,
		     uint64_t interval_end_ns);
void block_json_stuck(struct json_writer *w, const struct block_report_full *rep, pid_t pid);
/* Goroutines blocked since before attach (only at the end). */
void block_print_pre(FILE *out, const struct block_session *s, int verbose);
void block_json_pre(struct json_writer *w, const struct block_session *s);

/* --pprof and --folded at the end of the run (block/profile.c). NULL paths: skipped. */
int block_write_outputs(struct block_session *s, const struct block_report_full *rep,
			const char *pprof_path, const char *folded_path);

/* A gzip profile.proto with Go's block-profile sample types (block/pprof.c). */
int block_write_pprof(struct block_session *s, const struct block_report_full *rep,
		      const char *path);

struct fact_store;
struct fact;
struct go_proc;
struct go_snapshot;
/* reason, user frame, http_handler, lock: the attributes of a blocking site's fact. */
void block_fact_site_attrs(struct fact *f, const char *reason, const struct block_stack *st);
/* The report as facts for the rules (block/facts.c). */
int block_facts(struct block_session *s, const struct block_report_full *rep,
		struct fact_store *fs);

/* Stack symbolization with a cache keyed by (stack id, caller). */
struct block_stacks;
int block_stacks__open(pid_t pid, struct block_stacks **out);
const struct block_stack *block_stacks__get(struct block_stacks *bs, struct block_tracer *tr,
					    const struct block_site_key *k);
void block_stacks__free(struct block_stacks *bs);

/* Is this frame user code (package main or a path with a dot), not the runtime or std? */
bool block_frame_is_user(const struct sym_frame *f);

/* Percentile (0..1) of a log2 histogram, interpolated inside the bucket. */
uint64_t block_hist_quantile(const struct block_site_stats *s, double q);

#endif
