// SPDX-License-Identifier: GPL-2.0
/*
 * go.runtime: the knobs the Go runtime actually runs with, read from the
 * process's memory (proc/goruntime.h): runtime.gomaxprocs and
 * gcController's gcPercent and memoryLimit. They differ from the
 * environment when the program sets them itself (runtime.GOMAXPROCS,
 * debug.SetGCPercent, debug.SetMemoryLimit, automaxprocs), and go1.25+
 * changes GOMAXPROCS on its own when the CPU limit changes. memory.limit
 * and cpu.quota judge these values; this check shows them and where they
 * differ from the environment.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/num.h"
#include "doctor/check.h"
#include "doctor/goproc.h"
#include "doctor/target.h"
#include "out/units.h"
#include "rank/fact.h"

static void add_fact(const struct doctor_target *t, const struct go_runtime_knobs *k,
		     struct check_result *r)
{
	struct fact *f = check_fact(r, t, "go_runtime");

	if (!f)
		return;
	if (k->have_gomaxprocs)
		fact_set_int(f, "gomaxprocs", k->gomaxprocs);
	if (k->have_gc_percent)
		fact_set_int(f, "gc_percent", k->gc_percent);
	if (k->have_memory_limit) {
		fact_set_bool(f, "memory_limit_set", k->memory_limit != INT64_MAX);
		if (k->memory_limit != INT64_MAX)
			fact_set_int(f, "memory_limit_bytes", k->memory_limit);
	}
}

/* Where the value in effect differs from what the environment asks for: set in code. */
static void compare(const struct doctor_go *g, struct check_result *r)
{
	const struct go_runtime_knobs *k = &g->live;
	char a[32], b[32];
	uint32_t n;

	if (g->env_err)
		return;
	if (k->have_gc_percent && k->gc_percent != g->env.gc_percent)
		check_evidence(r,
			       "gcPercent %d differs from the environment's %d: set in code "
			       "(debug.SetGCPercent)",
			       (int)k->gc_percent, g->env.gc_percent);
	if (k->have_memory_limit && g->env.memlimit_valid &&
	    k->memory_limit != g->env.memlimit_bytes)
		check_evidence(r,
			       "memoryLimit %s differs from the environment's %s: set in code "
			       "(debug.SetMemoryLimit)",
			       k->memory_limit == INT64_MAX
				       ? "none"
				       : fmt_bytes((uint64_t)k->memory_limit, a, sizeof(a)),
			       g->env.memlimit_bytes == INT64_MAX
				       ? "none"
				       : fmt_bytes((uint64_t)g->env.memlimit_bytes, b, sizeof(b)));
	if (k->have_gomaxprocs && g->env.gomaxprocs.set &&
	    !num_parse_u32(g->env.gomaxprocs.val, 1, 1 << 20, &n) && (int32_t)n != k->gomaxprocs)
		check_evidence(r,
			       "gomaxprocs %d differs from GOMAXPROCS=%s: set in code "
			       "(runtime.GOMAXPROCS)",
			       (int)k->gomaxprocs, g->env.gomaxprocs.val);
}

static void run(const struct doctor_check *self, const struct doctor_target *t,
		struct check_result *r)
{
	struct doctor_go g;
	const struct go_runtime_knobs *k = &g.live;
	char a[32], p[16], gc[16];

	doctor_go__read(t, DOCTOR_GO_ENV | DOCTOR_GO_LIVE, &g);
	if (g.exe_err == 0 && !g.is_go) {
		check_skip(r, "not a Go program");
		return;
	}
	if (g.live_err) {
		check_skip(r, "the values in effect cannot be read: %s", g.live_msg);
		return;
	}
	check_evidence(r, "from the process's memory (symbols and DWARF of %s, %s)",
		       g.version[0] ? g.version : "its binary",
		       "runtime.gomaxprocs, "
		       "runtime.gcController");
	add_fact(t, k, r);
	compare(&g, r);
	snprintf(p, sizeof(p), "%d", (int)k->gomaxprocs);
	snprintf(gc, sizeof(gc), "%d", (int)k->gc_percent);
	check_finding(r, CHECK_PASS, "in effect: GOMAXPROCS=%s, GOGC=%s, GOMEMLIMIT=%s",
		      k->have_gomaxprocs ? p : "?",
		      !k->have_gc_percent ? "?"
		      : k->gc_percent < 0 ? "off"
					  : gc,
		      !k->have_memory_limit ? "?"
		      : k->memory_limit == INT64_MAX
			      ? "none"
			      : fmt_bytes((uint64_t)k->memory_limit, a, sizeof(a)));
}

const struct doctor_check check_goruntime = {
	.id = "go.runtime",
	.description = "GOMAXPROCS, GOGC and GOMEMLIMIT in effect, read from the process's memory",
	.timeout_ms = 3000,
	.needs = NEED_PID,
	.run = run,
};
