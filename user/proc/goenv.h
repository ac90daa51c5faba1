/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_PROC_GOENV_H
#define GOTRACE_PROC_GOENV_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct proc_strlist;

/*
 * The Go runtime's knobs in a process's environment (/proc/PID/environ, the
 * environment it started with), read the way the runtime reads them:
 *
 *   GOGC        readGOGC (runtime/mgcpacer.go): "off" → off; an int32
 *               → that percent, negative also off; anything else → 100.
 *   GOMEMLIMIT  readGOMEMLIMIT (go1.19+): "" or "off" → no limit; else
 *               parseByteCount: ^[0-9]+(([KMGT]i)?B)?$ in bytes, at most
 *               MaxInt64; a malformed value makes the runtime throw at
 *               start, so a running process never has one.
 *
 * The number syntax changed: up to go1.24 the runtime's own atoi64 (an
 * optional '-', digits; "-" alone is 0; no '+'), from go1.26 on
 * strconv.ParseInt(s, 10, bits) (an optional '+' or '-', then at least one
 * digit). Both checked against the runtime's own reading of the values
 * (tests/unit/test_goenv.c); go1.25 is not available to check and gets the
 * old rules.
 *   GODEBUG, GOMAXPROCS  reported as set.
 *
 * The environment is what the process was started with: a limit set in
 * code (debug.SetMemoryLimit, debug.SetGCPercent) is not visible here.
 * Values are raw strings from the process: escape them before printing.
 */

#define GO_ENV_VAL_MAX 256

struct go_env_var {
	bool set;
	char val[GO_ENV_VAL_MAX]; /* raw, cut at GO_ENV_VAL_MAX - 1 bytes */
	bool cut;
};

struct go_env {
	struct go_env_var gogc, gomemlimit, godebug, gomaxprocs;
	int gc_percent;		/* effective: 100 by default, -1 when off */
	bool memlimit_valid;	/* GOMEMLIMIT parsed (or unset/off) */
	int64_t memlimit_bytes; /* effective limit; INT64_MAX when none */
	bool environ_truncated; /* /proc held more than gotrace read */
};

/* From an environ list, read with the newest runtime's rules. Never fails. */
void go_env__from_list(const struct proc_strlist *env, struct go_env *out);
/* Re-reads the raw values the way Go 1.<minor> does (0: the newest). */
void go_env__interpret(struct go_env *e, int minor);
/* /proc/PID/environ; -ESRCH when the process is gone (err_set says so). */
int go_env__read(pid_t pid, struct go_env *out);

/* The runtime's parseByteCount (Go 1.<minor>, 0: newest); false when it would reject s. */
bool go_env__parse_byte_count(const char *s, int minor, int64_t *bytes);
/* The runtime's readGOGC on a value (NULL: unset). */
int go_env__gc_percent(const char *s, int minor);

/* "unset", "off", "100", ...: how a knob reads in one word (gogc, gomemlimit). */
const char *go_env_var__show(const struct go_env_var *v);

#endif
