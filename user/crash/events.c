// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel events → facts. Each handler builds one fact with the identity of
 * the process, adds what can still be learned about it (a held process is
 * inspected, then released), and stores it; an exit is a death and gets
 * its verdict right away: every fact that explains it arrived before it.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "crash/crash_int.h"
#include "crash/names.h"

static const char *const sc_names[] = {
	[CRASH_SC_OPENAT] = "openat", [CRASH_SC_CONNECT] = "connect",
	[CRASH_SC_BIND] = "bind",     [CRASH_SC_LISTEN] = "listen",
	[CRASH_SC_EXECVE] = "execve", [CRASH_SC_WRITE] = "write",
	[CRASH_SC_WRITEV] = "writev", [CRASH_SC_GETSOCKOPT] = "getsockopt",
};

static void set_str_n(struct fact *f, const char *key, const char *s, size_t max)
{
	char buf[CRASH_PATH_LEN + 1];
	size_t n = strnlen(s, max < CRASH_PATH_LEN ? max : CRASH_PATH_LEN);

	memcpy(buf, s, n);
	buf[n] = '\0';
	fact_set_str(f, key, buf);
}

static void set_errno(struct fact *f, int ret)
{
	fact_set_int(f, "errno", -ret);
	fact_set_str(f, "errno_name", crash_errno_name(-ret));
}

static void on_exec(struct crash_session *s, const struct crash_exec *e)
{
	const struct crash_ident *ci = crash_ident__get(s, e->h.cgroup_id, &e->cg, e->h.pid);
	struct fact *f;

	if (!ci->in_filter) {
		if (e->flags & CRASH_F_HELD)
			crash_release(e->h.pid);
		return;
	}
	if (s->o.on_exec)
		s->o.on_exec(s->o.exec_ctx, e->h.pid);
	/* While it is stopped before its first instruction: probes and a snapshot. */
	if ((e->flags & CRASH_F_HELD) || (e->flags & CRASH_F_NS_INIT))
		crash_snap__take(s, e->h.pid, e->h.time_ns);
	if (e->flags & CRASH_F_HELD) {
		crash_gobin__inspect(s, e->h.pid, e->dev, e->ino, e->filename);
		crash_release(e->h.pid);
	}
	f = crash_fact_new(s, "exec", ci, &e->h);
	if (!f)
		return;
	set_str_n(f, "filename", e->filename, sizeof(e->filename));
	fact_set_int(f, "ppid", e->ppid);
	fact_set_bool(f, "container_init", e->flags & CRASH_F_NS_INIT);
	crash_emit_fact(s, f);
}

static void on_exec_fail(struct crash_session *s, const struct crash_exec_fail *e)
{
	const struct crash_ident *ci = crash_ident__get(s, e->h.cgroup_id, &e->cg, e->h.pid);
	struct fact *f = ci->in_filter ? crash_fact_new(s, "exec_fail", ci, &e->h) : NULL;
	char path[CRASH_PATH_LEN + 1];

	if (f) {
		memcpy(path, e->filename, CRASH_PATH_LEN);
		path[CRASH_PATH_LEN] = '\0';
		fact_set_str(f, "path", path);
		set_errno(f, e->err);
		crash_exec_explain(s, e->h.pid, path, -e->err, f);
	}
	if (e->flags & CRASH_F_HELD)
		crash_release(e->h.pid);
	if (f)
		crash_emit_fact(s, f);
}

/* The ring as the kernel kept it, oldest byte first; returns the length. */
static size_t ring_text(const char *ring, uint64_t total, char *out)
{
	size_t n = total > CRASH_OUT_RING ? CRASH_OUT_RING : (size_t)total;
	size_t start = total > CRASH_OUT_RING ? (size_t)(total % CRASH_OUT_RING) : 0;

	memcpy(out, ring + start, n - start);
	memcpy(out + (n - start), ring, start);
	out[n] = '\0';
	return n;
}

static void output_fact(struct crash_session *s, const struct crash_ident *ci,
			const struct crash_exit *e)
{
	char tail[CRASH_OUT_RING + 1];
	struct fact *f;

	if (!e->out_total || !ring_text(e->out, e->out_total, tail))
		return;
	f = crash_fact_new(s, "output", ci, &e->h);
	if (!f)
		return;
	fact_set_str(f, "tail", tail);
	fact_set_int(f, "total_bytes", (int64_t)e->out_total);
	fact_set_bool(f, "truncated", e->flags & CRASH_F_OUT_TRUNC);
	if (e->flags & CRASH_F_OUT_GAP) {
		/* Over the capture budget: some writes were not copied (tail may be stale). */
		fact_set_int(f, "skipped_bytes", (int64_t)e->out_skipped);
		fact_set_int(f, "skipped_after_bytes", (int64_t)e->out_skipped_after);
		if (s->o.out_budget_kib != UINT32_MAX)
			fact_set_int(f, "capture_budget_kib",
				     s->o.out_budget_kib ?: CRASH_OUT_BUDGET_KIB);
	}
	crash_emit_fact(s, f);
}

static void on_exit(struct crash_session *s, const struct crash_exit *e)
{
	const struct crash_ident *ci = crash_ident__get(s, e->h.cgroup_id, &e->cg, e->h.pid);
	int sig = e->exit_code & 0x7f;
	struct fact *f;

	crash_snap__drop(s, e->h.pid);
	if (!ci->in_filter)
		return;
	output_fact(s, ci, e);
	f = crash_fact_new(s, "exit", ci, &e->h);
	if (!f)
		return;
	if (sig) {
		fact_set_int(f, "signal", sig);
		fact_set_str(f, "signal_name", crash_signal_name(sig));
		fact_set_bool(f, "core_dumped", e->flags & CRASH_F_CORE);
	} else {
		fact_set_int(f, "exit_code", (e->exit_code >> 8) & 0xff);
	}
	fact_set_bool(f, "container_init", e->flags & CRASH_F_NS_INIT);
	fact_set_int(f, "ppid", e->ppid);
	if (e->start_ns && e->h.time_ns > e->start_ns)
		fact_set_int(f, "lifetime_ms", (int64_t)((e->h.time_ns - e->start_ns) / 1000000));
	crash_emit_fact(s, f);
	s->deaths++;
	crash_verdict(s, f);
}

/* The tracefs fallback names the target by pid only: then its identity comes from /proc. */
static void on_signal(struct crash_session *s, const struct crash_signal *e)
{
	const struct crash_ident *ci = crash_ident__get(s, e->h.cgroup_id, &e->cg, e->h.pid);
	char comm[CRASH_COMM_LEN + 1], cg[1024];
	struct fact *f;

	if (!ci->in_filter)
		return;
	f = crash_fact_new(s, e->h.type == CRASH_EV_SIGNAL ? "signal" : "signal_deliver", ci,
			   &e->h);
	if (!f)
		return;
	fact_set_int(f, "signal", e->sig);
	fact_set_str(f, "signal_name", crash_signal_name(e->sig));
	fact_set_int(f, "si_code", e->code);
	if (crash_si_code_name(e->code))
		fact_set_str(f, "si_code_name", crash_si_code_name(e->code));
	if (e->h.type == CRASH_EV_SIG_DELIVER) {
		fact_set_str(f, "handler",
			     e->handler == 2 ? "handler"
			     : e->handler    ? "ignored"
					     : "default");
		if (e->info_pid)
			fact_set_int(f, "sender_pid_in_ns", e->info_pid);
		crash_emit_fact(s, f);
		return;
	}
	fact_set_bool(f, "ignored", e->result == CRASH_SIG_IGNORED);
	if (e->result > CRASH_SIG_IGNORED) /* already pending, overflow, lost info */
		fact_set_int(f, "result", e->result);
	fact_set_int(f, "sender_pid", e->sender_pid);
	memcpy(comm, e->sender_comm, CRASH_COMM_LEN);
	comm[CRASH_COMM_LEN] = '\0';
	fact_set_str(f, "sender_comm", comm);
	fact_set_int(f, "sender_ppid", e->sender_ppid);
	memcpy(comm, e->sender_pcomm, CRASH_COMM_LEN);
	fact_set_str(f, "sender_parent_comm", comm);
	crash_cgpath_string(&e->sender_cg, cg, sizeof(cg));
	fact_set_str(f, "sender_cgroup", cg);
	/* Who, in one word: the rules and the reader both want it. */
	fact_set_str(f, "sender_kind",
		     e->code == SI_KERNEL	 ? "kernel"
		     : e->sender_pid == e->h.pid ? "self"
						 : "process");
	crash_emit_fact(s, f);
}

static void on_syscall(struct crash_session *s, const struct crash_syscall *e)
{
	const struct crash_ident *ci = crash_ident__get(s, e->h.cgroup_id, &e->cg, e->h.pid);
	bool sock = e->nr != CRASH_SC_OPENAT;
	const char *kind = sock && (e->nr == CRASH_SC_BIND || e->nr == CRASH_SC_LISTEN) ? "bind"
			   : sock ? "connect_fail"
				  : "open_fail";
	char addr[128];
	int port, family;
	struct fact *f;

	if (!ci->in_filter || e->nr >= sizeof(sc_names) / sizeof(sc_names[0]))
		return;
	f = crash_fact_new(s, kind, ci, &e->h);
	if (!f)
		return;
	fact_set_str(f, "syscall", sc_names[e->nr]);
	fact_set_bool(f, "ok", e->ret >= 0);
	if (e->ret < 0)
		set_errno(f, e->ret);
	if (!sock) {
		set_str_n(f, "path", e->path, sizeof(e->path));
		fact_set_int(f, "open_flags", e->flags);
		crash_snap__explain_open(s, e->h.pid, fact_str(f, "path"), f);
		crash_emit_fact(s, f);
		return;
	}
	if (!crash_sockaddr_format(e->addr, e->addrlen ? e->addrlen : sizeof(e->addr), addr,
				   sizeof(addr), &port, &family)) {
		fact_set_str(f, "address", addr);
		fact_set_int(f, "port", port);
	}
	if (e->nr == CRASH_SC_CONNECT && (e->flags & CRASH_CONN_F_SO_ERROR)) {
		/* connect(2) said EINPROGRESS; getsockopt(SO_ERROR) brought the error later. */
		fact_set_bool(f, "nonblocking", true);
		fact_set_str(f, "reported_by", "getsockopt(SO_ERROR)");
		fact_set_int(f, "wait_ms", e->wait_ms);
	}
	fact_set_int(f, "uid", e->uid);
	fact_set_str(f, "caps_effective", "");
	snprintf(addr, sizeof(addr), "0x%llx", (unsigned long long)e->caps_eff);
	fact_set_str(f, "caps_effective", addr);
	fact_set_bool(f, "cap_net_bind_service",
		      e->caps_eff & (1ULL << CRASH_CAP_NET_BIND_SERVICE));
	fact_set_int(f, "ip_unprivileged_port_start", e->ip_prot_sock);
	fact_set_int(f, "netns", e->netns_ino);
	if (e->ret == -98 /* EADDRINUSE */ && port > 0)
		crash_port_holder(s, e->h.pid, e->netns_ino, port, false, f);
	crash_emit_fact(s, f);
	if (!strcmp(kind, "bind") && s->o.mode == CRASH_MODE_BIND)
		crash_bind_verdict(s, f);
}

static void on_cap(struct crash_session *s, const struct crash_cap *e)
{
	const struct crash_ident *ci = crash_ident__get(s, e->h.cgroup_id, &e->cg, e->h.pid);
	struct fact *f = ci->in_filter ? crash_fact_new(s, "cap_denied", ci, &e->h) : NULL;
	char caps[32];

	if (!f)
		return;
	fact_set_int(f, "cap", e->cap);
	fact_set_str(f, "cap_name", crash_cap_name(e->cap));
	fact_set_int(f, "uid", e->uid);
	snprintf(caps, sizeof(caps), "0x%llx", (unsigned long long)e->caps_eff);
	fact_set_str(f, "caps_effective", caps);
	crash_emit_fact(s, f);
}

static void on_go_fatal(struct crash_session *s, const struct crash_go_fatal *e)
{
	const struct crash_ident *ci = crash_ident__get(s, e->h.cgroup_id, &e->cg, e->h.pid);
	struct fact *f = ci->in_filter ? crash_fact_new(s, "go_fatal", ci, &e->h) : NULL;

	if (!f)
		return;
	if (crash_gobin__fact(s, e, f)) {
		fact_free(f);
		return;
	}
	if (e->out_total) {
		char text[CRASH_OUT_RING + 1];
		size_t n = ring_text(e->out, e->out_total, text);

		/* The last 2 KiB: the program's last words and the runtime's first. */
		fact_set_str(f, "output_before", text + (n > 2048 ? n - 2048 : 0));
	}
	crash_emit_fact(s, f);
}

#define NEED(T)                                                                                    \
	if (len < sizeof(T))                                                                       \
	return 0

int crash_on_event(void *ctx, const void *data, size_t len)
{
	struct crash_session *s = ctx;
	const struct crash_hdr *h = data;

	switch (h->type) {
	case CRASH_EV_EXEC:
		NEED(struct crash_exec);
		on_exec(s, data);
		break;
	case CRASH_EV_EXEC_FAIL:
		NEED(struct crash_exec_fail);
		on_exec_fail(s, data);
		break;
	case CRASH_EV_EXIT:
		NEED(struct crash_exit);
		on_exit(s, data);
		break;
	case CRASH_EV_SIGNAL:
	case CRASH_EV_SIG_DELIVER:
		NEED(struct crash_signal);
		on_signal(s, data);
		break;
	case CRASH_EV_SYSCALL:
		NEED(struct crash_syscall);
		on_syscall(s, data);
		break;
	case CRASH_EV_CAP:
		NEED(struct crash_cap);
		on_cap(s, data);
		break;
	case CRASH_EV_GO_FATAL:
		NEED(struct crash_go_fatal);
		on_go_fatal(s, data);
		break;
	}
	return 0;
}
