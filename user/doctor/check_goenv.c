// SPDX-License-Identifier: GPL-2.0
/*
 * go.env: the Go runtime's knobs in the process's environment, read with
 * the rules of its Go version (proc/goenv.h): GOGC, GOMEMLIMIT, GOMAXPROCS,
 * GODEBUG. A malformed GOMEMLIMIT makes the runtime throw before main (a
 * crash loop with "invalid GOMEMLIMIT" on stderr); a malformed GOGC or
 * GOMAXPROCS is silently ignored; GODEBUG tracing settings flood the logs
 * and cost CPU. Comparisons with the container's limits are in memory.limit
 * and cpu.quota.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/num.h"
#include "doctor/check.h"
#include "doctor/goproc.h"
#include "doctor/target.h"
#include "rank/fact.h"

/* GODEBUG settings that print on every GC / scheduler tick or slow everything down. */
static const char *const noisy[] = {
	"gctrace=1",   "gctrace=2",	   "schedtrace=",      "scheddetail=1", "allocfreetrace=1",
	"inittrace=1", "gcstoptheworld=1", "gcstoptheworld=2", "efence=1",
};

static void godebug(const struct go_env_var *v, struct check_result *r)
{
	char list[GO_ENV_VAL_MAX + 2], *tok, *save = NULL;

	snprintf(list, sizeof(list), "%s", v->val);
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		for (size_t i = 0; i < sizeof(noisy) / sizeof(noisy[0]); i++)
			if (!strncmp(tok, noisy[i], strlen(noisy[i]))) {
				check_finding(
					r, CHECK_WARN,
					"GODEBUG=%s: a debugging setting left on (log floods, "
					"CPU cost)",
					tok);
				check_fix(r, "remove %s from GODEBUG", tok);
			}
}

/* A number the runtime's readGOGC takes ("+" only from go1.26; accepting it is harmless). */
static bool gogc_number(const char *s)
{
	int64_t v;

	return !num_parse_i64(s[0] == '+' ? s + 1 : s, INT32_MIN, INT32_MAX, &v);
}

static void judge(const struct doctor_go *g, struct check_result *r)
{
	const struct go_env *e = &g->env;
	uint32_t n;

	if (e->gomemlimit.set && !e->memlimit_valid) {
		check_finding(r, CHECK_FAIL,
			      "GOMEMLIMIT=%s is malformed: the runtime exits at start (\"invalid "
			      "GOMEMLIMIT\")",
			      e->gomemlimit.val);
		check_fix(r, "write it as a byte count with an optional KiB/MiB/GiB/TiB unit, "
			     "e.g. GOMEMLIMIT=512MiB (\"MB\" is not accepted)");
	}
	if (e->gogc.set && strcmp(e->gogc.val, "off") && !gogc_number(e->gogc.val)) {
		check_finding(r, CHECK_WARN,
			      "GOGC=%s is not a number or \"off\": the runtime "
			      "ignores it and uses 100",
			      e->gogc.val);
		check_fix(r, "set GOGC to a percentage or \"off\"");
	} else if (e->gc_percent < 0) {
		check_finding(r, CHECK_WARN, "GOGC=%s: the GC is off%s", e->gogc.val,
			      e->memlimit_bytes == INT64_MAX ? " and no GOMEMLIMIT bounds the heap"
							     : "; only GOMEMLIMIT bounds the heap");
	}
	if (e->gomaxprocs.set && num_parse_u32(e->gomaxprocs.val, 1, 1 << 20, &n))
		check_finding(r, CHECK_WARN, "GOMAXPROCS=%s is not a positive number: ignored",
			      e->gomaxprocs.val);
	if (e->godebug.set)
		godebug(&e->godebug, r);
	if (r->status == CHECK_PASS)
		check_finding(r, CHECK_PASS, "GOGC=%s GOMEMLIMIT=%s GOMAXPROCS=%s GODEBUG=%s",
			      go_env_var__show(&e->gogc), go_env_var__show(&e->gomemlimit),
			      e->gomaxprocs.set ? e->gomaxprocs.val : "unset",
			      e->godebug.set ? e->godebug.val : "unset");
}

static void add_fact(const struct doctor_target *t, const struct doctor_go *g,
		     struct check_result *r)
{
	struct fact *f = check_fact(r, t, "go_env");
	const struct go_env *e = &g->env;

	if (!f)
		return;
	fact_set_bool(f, "is_go", true);
	if (g->version[0])
		fact_set_str(f, "go_version", g->version);
	if (e->gogc.set)
		fact_set_str(f, "gogc", e->gogc.val);
	if (e->gomemlimit.set)
		fact_set_str(f, "gomemlimit", e->gomemlimit.val);
	if (e->gomaxprocs.set)
		fact_set_str(f, "gomaxprocs", e->gomaxprocs.val);
	if (e->godebug.set)
		fact_set_str(f, "godebug", e->godebug.val);
	fact_set_int(f, "gogc_percent", e->gc_percent);
	fact_set_bool(f, "gomemlimit_valid", !e->gomemlimit.set || e->memlimit_valid);
	if (e->memlimit_valid && e->memlimit_bytes != INT64_MAX)
		fact_set_int(f, "gomemlimit_bytes", e->memlimit_bytes);
}

static void run(const struct doctor_check *self, const struct doctor_target *t,
		struct check_result *r)
{
	struct doctor_go g;

	doctor_go__read(t, DOCTOR_GO_ENV, &g);
	if (g.exe_err == 0 && !g.is_go) {
		check_skip(r, "not a Go program");
		return;
	}
	if (g.env_err) {
		check_skip(r, "cannot read %s/environ: %s", t->proc_dir,
			   g.env_err == -ENODATA ? "empty (the process is exiting)"
						 : "no permission or the process exited");
		return;
	}
	check_evidence(r, "%s/environ (%s): GOGC=%s GOMEMLIMIT=%s GOMAXPROCS=%s GODEBUG=%s",
		       t->proc_dir, g.version[0] ? g.version : "Go version unknown",
		       g.env.gogc.set ? g.env.gogc.val : "unset",
		       g.env.gomemlimit.set ? g.env.gomemlimit.val : "unset",
		       g.env.gomaxprocs.set ? g.env.gomaxprocs.val : "unset",
		       g.env.godebug.set ? g.env.godebug.val : "unset");
	if (g.env.environ_truncated)
		check_evidence(r, "the environment is larger than gotrace reads: the tail is "
				  "unchecked");
	add_fact(t, &g, r);
	judge(&g, r);
}

const struct doctor_check check_goenv = {
	.id = "go.env",
	.description = "GOGC, GOMEMLIMIT, GOMAXPROCS, GODEBUG in the environment, read as its Go "
		       "version does",
	.timeout_ms = 2000,
	.needs = NEED_PID,
	.run = run,
};
