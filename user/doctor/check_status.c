// SPDX-License-Identifier: GPL-2.0
/*
 * proc.status: the process as the kernel sees it (/proc/PID/status): its
 * state, RSS and virtual size, and its thread count. A Go program dies with
 * "runtime: program exceeds 10000-thread limit" (debug.SetMaxThreads'
 * default) when blocking syscalls or cgo calls pile up threads; a process
 * in D state is stuck in the kernel (NFS, a FUSE mount, a frozen cgroup);
 * a tracer attached (TracerPid) stops it at every signal. Virtual size is
 * shown but not judged: the Go runtime reserves address space freely.
 */
#include <errno.h>
#include <stdio.h>

#include "doctor/check.h"
#include "doctor/goproc.h"
#include "doctor/target.h"
#include "out/units.h"
#include "proc/status.h"
#include "rank/fact.h"

#define GO_MAX_THREADS 10000 /* runtime/debug.SetMaxThreads default */
#define WARN_THREADS 1000

static void add_fact(const struct doctor_target *t, const struct proc_status *st,
		     struct check_result *r)
{
	struct fact *f = check_fact(r, t, "proc_status");
	char state[2] = {st->state, '\0'};

	if (!f)
		return;
	fact_set_str(f, "state", state);
	fact_set_int(f, "threads", st->threads);
	fact_set_int(f, "rss_kib", (int64_t)st->vm_rss_kb);
	fact_set_int(f, "vm_size_kib", (int64_t)st->vm_size_kb);
	fact_set_int(f, "vm_hwm_kib", (int64_t)st->vm_hwm_kb);
	fact_set_int(f, "uid", st->uid[1]);
	fact_set_int(f, "cap_eff", (int64_t)st->cap_eff);
	fact_set_int(f, "tracer_pid", st->tracer_pid);
}

static void judge(const struct proc_status *st, struct check_result *r)
{
	char rss[32];

	if (st->threads >= GO_MAX_THREADS * 8 / 10) {
		check_finding(r, CHECK_FAIL,
			      "%u threads: near the Go runtime's limit of %d (it dies with "
			      "\"program exceeds 10000-thread limit\")",
			      st->threads, GO_MAX_THREADS);
		check_fix(r, "find what blocks threads (syscalls, cgo calls, LockOSThread): "
			     "`gotrace goroutines --pid PID` shows them");
	} else if (st->threads >= WARN_THREADS) {
		check_finding(r, CHECK_WARN, "%u threads: blocking syscalls or cgo calls pile up",
			      st->threads);
		check_fix(r,
			  "`gotrace goroutines --pid PID` shows where goroutines sit in syscalls");
	}
	if (st->state == 'D')
		check_finding(r, CHECK_WARN,
			      "in uninterruptible sleep (state D): stuck in the "
			      "kernel");
	else if (st->state == 'Z')
		check_finding(r, CHECK_FAIL, "a zombie: it exited and nobody reaped it");
	else if (st->state == 't' || st->state == 'T')
		check_finding(r, CHECK_WARN, "stopped (state %c)", st->state);
	if (st->tracer_pid)
		check_finding(r, CHECK_WARN,
			      "traced by pid %d (a debugger stops it at every signal)",
			      (int)st->tracer_pid);
	if (r->status == CHECK_PASS)
		check_finding(r, CHECK_PASS, "state %c, %u threads, RSS %s", st->state, st->threads,
			      fmt_bytes(st->vm_rss_kb << 10, rss, sizeof(rss)));
}

static void run(const struct doctor_check *self, const struct doctor_target *t,
		struct check_result *r)
{
	struct proc_status st;
	struct procfs_buf b;
	char a[32], c[32], d[32];
	int err;

	err = doctor_proc_file(t, "status", 64 * 1024, &b);
	if (!err)
		err = proc_status__parse(b.data, b.len, &st);
	procfs_buf__clear(&b);
	if (err) {
		check_skip(r, "cannot read %s/status: %s", t->proc_dir,
			   err == -ESRCH || err == -ENOENT ? "the process exited" : "malformed");
		return;
	}
	check_evidence(r, "State %c, Threads %u, VmRSS %s, VmHWM %s, VmSize %s (%s/status)",
		       st.state, st.threads, fmt_bytes(st.vm_rss_kb << 10, a, sizeof(a)),
		       fmt_bytes(st.vm_hwm_kb << 10, c, sizeof(c)),
		       fmt_bytes(st.vm_size_kb << 10, d, sizeof(d)), t->proc_dir);
	check_evidence(r, "Uid %u, CapEff %016llx, NSpid %d, TracerPid %d", st.uid[1],
		       (unsigned long long)st.cap_eff, (int)st.ns_pid, (int)st.tracer_pid);
	add_fact(t, &st, r);
	judge(&st, r);
}

const struct doctor_check check_status = {
	.id = "proc.status",
	.description = "process state, RSS, virtual size and thread count (/proc/PID/status)",
	.timeout_ms = 1000,
	.needs = NEED_PID,
	.run = run,
};
