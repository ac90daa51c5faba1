/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_RANK_FACT_H
#define GOTRACE_RANK_FACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "out/json.h"

/*
 * The one fact model (DESIGN.md): a fact is something observed — an OOM
 * kill, an exit with its signal and sender, a failed exec with its errno, a
 * goroutine blocked 30 s at a stack, a memory limit, an env var. Tracers and
 * checks produce facts; rules (rank/rules.h) read them and produce
 * candidates. Facts are plain data so they can be recorded (--json) and
 * replayed into rule unit tests.
 *
 *   kind      what was observed, snake_case: "oom_kill", "exit", "exec_fail"
 *   subject   whom it concerns, a stable key (proc/identity.h):
 *             "pod:<uid>/<container>", "container:<id>", "cgroup:<path>",
 *             "pid:<pid>"
 *   time_ns   when, CLOCK_REALTIME nanoseconds
 *   attrs     typed key/value pairs; keys snake_case with units in their
 *             names (limit_bytes, rss_kib, blocked_ns)
 */

enum attr_type { ATTR_STR, ATTR_INT, ATTR_FLOAT, ATTR_BOOL };

struct fact_attr {
	char *key;
	enum attr_type type;
	union {
		char *s;
		int64_t i;
		double f;
		bool b;
	};
};

struct fact {
	char *kind;
	char *subject;
	uint64_t time_ns;
	uint64_t seq; /* order of arrival in its store */
	struct fact_attr *attrs;
	size_t nattrs;
};

struct fact *fact_new(const char *kind, const char *subject, uint64_t time_ns);
void fact_free(struct fact *f);
/* Setters replace an existing key. 0 or -ENOMEM. */
int fact_set_str(struct fact *f, const char *key, const char *val);
int fact_set_int(struct fact *f, const char *key, int64_t val);
int fact_set_float(struct fact *f, const char *key, double val);
int fact_set_bool(struct fact *f, const char *key, bool val);

const struct fact_attr *fact_attr(const struct fact *f, const char *key);
/* NULL when absent or not a string. */
const char *fact_str(const struct fact *f, const char *key);
/* def when absent or not a number. */
int64_t fact_int(const struct fact *f, const char *key, int64_t def);
double fact_float(const struct fact *f, const char *key, double def);
bool fact_bool(const struct fact *f, const char *key, bool def);
bool fact_has(const struct fact *f, const char *key);

/* {"kind":...,"subject":...,"time_ns":...,"attrs":{...}} */
void fact_write_json(struct json_writer *w, const char *key, const struct fact *f);
/* The same fields inside an object the caller opened (e.g. with a "type" key first). */
void fact_write_json_fields(struct json_writer *w, const struct fact *f);
/* Parses what fact_write_json wrote (one line). -GT_EFORMAT with a message. */
int fact_read_json(const char *text, size_t len, struct fact **out);

/* A copy of f (e.g. for a second store). NULL on ENOMEM. */
struct fact *fact_clone(const struct fact *f);

/*
 * Where a tracer hands its facts when something else (watch, doctor) ranks
 * them: add() gets every fact as it is observed and copies what it keeps.
 */
struct fact_sink {
	void (*add)(void *ctx, const struct fact *f);
	void *ctx;
};

/* An ordered collection of facts; it owns them. */
struct fact_store {
	struct fact **v;
	size_t n;
	size_t cap;
	uint64_t next_seq;
};

int fact_store__add(struct fact_store *fs, struct fact *f); /* takes ownership, even on error */
/*
 * Iteration: *cursor starts at 0; returns the next fact of kind (NULL: any)
 * about subject (NULL: any), or NULL at the end.
 */
const struct fact *fact_store__next(const struct fact_store *fs, size_t *cursor, const char *kind,
				    const char *subject);
/* The newest fact of kind about subject, or NULL. */
const struct fact *fact_store__latest(const struct fact_store *fs, const char *kind,
				      const char *subject);
void fact_store__clear(struct fact_store *fs);
/* Frees all but the newest keep facts (long runs: a bounded window). */
void fact_store__trim(struct fact_store *fs, size_t keep);
/* About what f takes in memory (its allocations with malloc's headers). */
size_t fact_bytes(const struct fact *f);
/*
 * Drops the oldest facts until the store takes at most budget bytes: first
 * those spare() does not spare (NULL: any), then, if that is not enough,
 * any. Returns the bytes the store takes then.
 */
size_t fact_store__trim_bytes(struct fact_store *fs, size_t budget,
			      bool (*spare)(const struct fact *f));
/* Moves every fact of src to the end of dst, in order; src is left empty. */
int fact_store__take(struct fact_store *dst, struct fact_store *src);
/* Loads newline-delimited facts (recorded with --json) from a file. */
int fact_store__load_jsonl(struct fact_store *fs, const char *path);

#endif
