// SPDX-License-Identifier: GPL-2.0
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/err.h"
#include "bpf_crash.h"
#include "crash.skel.h"
#include "kern/hooks.h"
#include "kern/libbpf_log.h"
#include "kern/uprobe_set.h"

#define MAX_HOOKS 16
#define MAX_LINKS 64

/*
 * Programs per hook and mechanism (NULL: that mechanism has no variant).
 * Syscall hooks name their bit in generic_mask for the raw_syscalls
 * fallback, where one sys_enter/sys_exit program serves them all.
 */
struct hook_progs {
	const char *hook;
	enum crash_sc sc;
	const char *prog[MECH_NR];
	const char *kretprobe; /* MECH_KPROBE's return half */
};

static const struct hook_progs hook_table[] = {
	{"process_exec",
	 0,
	 {[MECH_TP_BTF] = "exec_tp_btf",
	  [MECH_RAW_TP] = "exec_raw_tp",
	  [MECH_TRACEPOINT] = "exec_tracepoint"}},
	{"process_exit",
	 0,
	 {[MECH_TP_BTF] = "exit_tp_btf",
	  [MECH_RAW_TP] = "exit_raw_tp",
	  [MECH_TRACEPOINT] = "exit_tracepoint"}},
	{"process_fork",
	 0,
	 {[MECH_TP_BTF] = "fork_tp_btf",
	  [MECH_RAW_TP] = "fork_raw_tp",
	  [MECH_TRACEPOINT] = "fork_tracepoint"}},
	{"signal_generate",
	 0,
	 {[MECH_TP_BTF] = "sig_gen_tp_btf",
	  [MECH_RAW_TP] = "sig_gen_raw_tp",
	  [MECH_TRACEPOINT] = "sig_gen_tracepoint"}},
	{"signal_deliver",
	 0,
	 {[MECH_TP_BTF] = "sig_del_tp_btf",
	  [MECH_RAW_TP] = "sig_del_raw_tp",
	  [MECH_TRACEPOINT] = "sig_del_tracepoint"}},
	{"cap_capable",
	 0,
	 {[MECH_FENTRY] = "cap_fexit",
	  [MECH_KPROBE] = "cap_kprobe",
	  [MECH_TP_BTF] = "cap_tp_btf",
	  [MECH_RAW_TP] = "cap_raw_tp",
	  [MECH_TRACEPOINT] = "cap_tracepoint"},
	 "cap_kretprobe"},
	{"sys_exit_execve",
	 CRASH_SC_EXECVE,
	 {[MECH_TP_BTF] = "sys_exit_tp_btf",
	  [MECH_RAW_TP] = "sys_exit_raw_tp",
	  [MECH_TRACEPOINT] = "execve_exit_tracepoint"}},
	{"sys_exit_openat",
	 CRASH_SC_OPENAT,
	 {[MECH_TP_BTF] = "sys_exit_tp_btf",
	  [MECH_RAW_TP] = "sys_exit_raw_tp",
	  [MECH_TRACEPOINT] = "openat_exit_tracepoint"}},
	{"sys_exit_connect",
	 CRASH_SC_CONNECT,
	 {[MECH_TP_BTF] = "sys_exit_tp_btf",
	  [MECH_RAW_TP] = "sys_exit_raw_tp",
	  [MECH_TRACEPOINT] = "connect_exit_tracepoint"}},
	{"sys_exit_bind",
	 CRASH_SC_BIND,
	 {[MECH_TP_BTF] = "sys_exit_tp_btf",
	  [MECH_RAW_TP] = "sys_exit_raw_tp",
	  [MECH_TRACEPOINT] = "bind_exit_tracepoint"}},
	{"sys_exit_listen",
	 CRASH_SC_LISTEN,
	 {[MECH_TP_BTF] = "sys_exit_tp_btf",
	  [MECH_RAW_TP] = "sys_exit_raw_tp",
	  [MECH_TRACEPOINT] = "listen_exit_tracepoint"}},
	{"sys_enter_write",
	 CRASH_SC_WRITE,
	 {[MECH_TP_BTF] = "sys_enter_tp_btf",
	  [MECH_RAW_TP] = "sys_enter_raw_tp",
	  [MECH_TRACEPOINT] = "write_enter_tracepoint"}},
	{"sys_enter_writev",
	 CRASH_SC_WRITEV,
	 {[MECH_TP_BTF] = "sys_enter_tp_btf",
	  [MECH_RAW_TP] = "sys_enter_raw_tp",
	  [MECH_TRACEPOINT] = "writev_enter_tracepoint"}},
	{"sys_exit_getsockopt",
	 CRASH_SC_GETSOCKOPT,
	 {[MECH_TP_BTF] = "sys_exit_tp_btf",
	  [MECH_RAW_TP] = "sys_exit_raw_tp",
	  [MECH_TRACEPOINT] = "getsockopt_exit_tracepoint"}},
};

#define NHOOK_PROGS (sizeof(hook_table) / sizeof(hook_table[0]))

struct crash_tracer {
	struct crash_bpf *skel;
	struct crash_tracer_opts o;
	struct ring_buffer *rb;
	struct crash_hook_state hooks[MAX_HOOKS];
	size_t nhooks;
	struct bpf_program *progs[MAX_LINKS]; /* enabled kernel programs, attached after load */
	size_t nprogs;
	struct bpf_link *links[MAX_LINKS];
	size_t nlinks;
	struct uprobe_set *gosets; /* one set per Go binary: its fatal-path probes */
	size_t ngosets;
	uint32_t generic_mask;
	bool closing;
};

static int stage_fail(const char *stage, int err)
{
	const char *name;

	err = err < 0 ? -err : err;
	name = strerrorname_np(err);
	return err_fail(err, "crash: %s: %s (%s)", stage, name ? name : "?", strerror(err));
}

static const struct hook_progs *progs_for(const char *hook)
{
	size_t i;

	for (i = 0; i < NHOOK_PROGS; i++)
		if (!strcmp(hook_table[i].hook, hook))
			return &hook_table[i];
	return NULL;
}

static int enable(struct crash_tracer *b, const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(b->skel->obj, name);
	size_t i;

	if (!p)
		return err_fail(ENOENT, "crash: no BPF program %s", name);
	for (i = 0; i < b->nprogs; i++)
		if (b->progs[i] == p)
			return 0; /* the generic syscall programs serve several hooks */
	if (b->nprogs >= MAX_LINKS)
		return -E2BIG;
	bpf_program__set_autoload(p, true);
	b->progs[b->nprogs++] = p;
	return 0;
}

/* One hook: the chain's choice, its program(s), and the generic-syscall bit. */
static int choose(struct crash_tracer *b, const char *hook)
{
	const struct hook_progs *hp = progs_for(hook);
	struct crash_hook_state *st;
	struct kern_target t;
	char tgt[80];
	int err;

	if (!hp || b->nhooks >= MAX_HOOKS)
		return err_fail(EINVAL, "crash: no programs for hook %s", hook);
	st = &b->hooks[b->nhooks++];
	st->hook = hp->hook;
	err = hooks__choice(hook, &t);
	if (err) {
		snprintf(st->why, sizeof(st->why), "%s", err_msg());
		return err;
	}
	if (!hp->prog[t.mech]) {
		snprintf(st->why, sizeof(st->why), "no %s variant", kern_mech_name(t.mech));
		return err_fail(GT_ENOFEAT, "crash: hook %s: %s", hook, st->why);
	}
	kern_target__format(&t, tgt, sizeof(tgt));
	snprintf(st->mech, sizeof(st->mech), "%s %s", kern_mech_name(t.mech), tgt);
	if (hp->sc && t.syscall_nr >= 0)
		b->generic_mask |= 1u << hp->sc;
	err = enable(b, hp->prog[t.mech]);
	if (!err && t.mech == MECH_KPROBE && hp->kretprobe)
		err = enable(b, hp->kretprobe);
	return err;
}

/* exec and exit are the minimum; a missing optional hook only loses detail. */
static bool hook_required(const char *hook)
{
	return !strcmp(hook, "process_exec") || !strcmp(hook, "process_exit");
}

static int choose_all(struct crash_tracer *b)
{
	const char *const *h;
	int err;

	for (h = b->o.hooks; *h; h++) {
		err = choose(b, *h);
		if (err && hook_required(*h))
			return err;
	}
	err_clear();
	return 0;
}

static void set_rodata(struct crash_tracer *b)
{
	struct crash_bpf__rodata *r = b->skel->rodata;
	const struct crash_tracer_opts *o = &b->o;

	r->scope_mode = o->scope;
	r->filter_cgroup_id = o->cgroup_id;
	r->self_tgid = (uint32_t)getpid();
	r->hold_new_binaries = o->hold_new_binaries;
	r->hold_exec_fail = o->hold_exec_fail;
	r->report_bind_ok = o->report_bind_ok;
	r->capture_output = o->capture_output;
	r->out_budget_bytes = o->out_budget_kib > 4194303 ? 0 : o->out_budget_kib * 1024;
	r->max_fail_per_sec = o->max_fail_per_sec ? o->max_fail_per_sec : 64;
	r->sig_mask = o->sig_mask;
	r->nr_openat = __NR_openat;
	r->nr_connect = __NR_connect;
	r->nr_bind = __NR_bind;
	r->nr_listen = __NR_listen;
	r->nr_execve = __NR_execve;
	r->nr_write = __NR_write;
	r->nr_writev = __NR_writev;
	r->nr_getsockopt = __NR_getsockopt;
	r->generic_mask = b->generic_mask;
}

static int attach_all(struct crash_tracer *b)
{
	size_t i;

	for (i = 0; i < b->nprogs; i++) {
		struct bpf_link *l = bpf_program__attach(b->progs[i]);

		if (!l) {
			char what[96];

			snprintf(what, sizeof(what), "attaching %s",
				 bpf_program__name(b->progs[i]));
			return stage_fail(what, errno);
		}
		b->links[b->nlinks++] = l;
	}
	return 0;
}

static int on_sample(void *ctx, void *data, size_t len)
{
	struct crash_tracer *b = ctx;

	if (len < sizeof(struct crash_hdr))
		return 0;
	return b->o.handler ? b->o.handler(b->o.ctx, data, len) : 0;
}

static int track_pid(struct crash_tracer *b)
{
	uint32_t pid = (uint32_t)b->o.pid;
	uint8_t one = 1;

	if (b->o.scope != CRASH_SCOPE_PIDS)
		return 0;
	if (bpf_map__update_elem(b->skel->maps.tracked, &pid, sizeof(pid), &one, sizeof(one), 0))
		return stage_fail("tracking the pid", errno);
	return 0;
}

static int load(struct crash_tracer *b)
{
	int err;

	b->skel = crash_bpf__open();
	if (!b->skel)
		return stage_fail("opening the BPF object", errno);
	err = choose_all(b);
	if (err)
		return err;
	bpf_program__set_autoload(b->skel->progs.crash_go_fatal, b->o.go_probes);
	if (b->o.go_probes)
		uprobe_set__prepare(b->skel->progs.crash_go_fatal);
	/*
	 * 2 MiB: ~500 deaths with their full 4 KiB of output between two polls
	 * (50 ms). The consumer maps the data twice (wrap-around), so a ring
	 * that has cycled costs twice its size in RSS for as long as watch runs.
	 */
	bpf_map__set_max_entries(b->skel->maps.events, 2 << 20);
	set_rodata(b);
	err = crash_bpf__load(b->skel);
	if (err)
		return stage_fail("loading the BPF programs", err);
	err = track_pid(b);
	if (!err)
		err = attach_all(b);
	if (err)
		return err;
	b->rb = ring_buffer__new(bpf_map__fd(b->skel->maps.events), on_sample, b, NULL);
	return b->rb ? 0 : stage_fail("creating the ring buffer", errno);
}

int crash_tracer__open(const struct crash_tracer_opts *o, struct crash_tracer **out)
{
	struct crash_tracer *b = calloc(1, sizeof(*b));
	int err;

	*out = NULL;
	if (!b)
		return -ENOMEM;
	b->o = *o;
	libbpf_log__init();
	err = load(b);
	if (err) {
		crash_tracer__free(b);
		return err;
	}
	*out = b;
	return 0;
}

int crash_tracer__poll(struct crash_tracer *b, int timeout_ms)
{
	int n = ring_buffer__poll(b->rb, timeout_ms);

	return n == -EINTR ? 0 : n;
}

size_t crash_tracer__hooks(const struct crash_tracer *b, const struct crash_hook_state **states)
{
	*states = b->hooks;
	return b->nhooks;
}

int crash_tracer__attach_go(struct crash_tracer *b, const char *exe, const uint64_t *offsets,
			    const uint64_t *cookies, size_t n)
{
	struct uprobe_set *v;
	int err;

	if (!b->o.go_probes || b->closing)
		return -EINVAL;
	if (b->ngosets >= CRASH_MAX_BINARIES)
		return err_fail(E2BIG, "crash: too many Go binaries probed (%d)",
				CRASH_MAX_BINARIES);
	v = realloc(b->gosets, (b->ngosets + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	b->gosets = v;
	v[b->ngosets] = (struct uprobe_set)UPROBE_SET_INIT;
	/* pid -1: every process running this file, including later restarts. */
	err = uprobe_set__attach(&v[b->ngosets], b->skel->progs.crash_go_fatal, exe, -1, offsets,
				 cookies, n);
	if (err)
		return err;
	b->ngosets++;
	return 0;
}

int crash_tracer__set_go_layout(struct crash_tracer *b, uint32_t slot,
				const struct crash_go_layout *l)
{
	if (bpf_map__update_elem(b->skel->maps.go_layouts, &slot, sizeof(slot), l, sizeof(*l), 0))
		return stage_fail("storing the Go runtime layout", errno);
	return 0;
}

int crash_tracer__bin_done(struct crash_tracer *b, uint64_t dev, uint64_t ino)
{
	struct {
		uint64_t dev, ino;
	} k = {dev, ino};
	uint32_t done = 2; /* BIN_DONE */

	if (bpf_map__update_elem(b->skel->maps.bins, &k, sizeof(k), &done, sizeof(done), 0))
		return stage_fail("marking a binary done", errno);
	return 0;
}

int crash_tracer__stats(struct crash_tracer *b, uint64_t out[CRASH_STAT_NR])
{
	int ncpu = libbpf_num_possible_cpus(), i;
	uint32_t k;
	uint64_t *vals;

	memset(out, 0, CRASH_STAT_NR * sizeof(*out));
	if (ncpu <= 0)
		return -EINVAL;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (k = 0; k < CRASH_STAT_NR; k++) {
		if (bpf_map__lookup_elem(b->skel->maps.stats, &k, sizeof(k), vals,
					 ncpu * sizeof(*vals), 0))
			continue;
		for (i = 0; i < ncpu; i++)
			out[k] += vals[i];
	}
	free(vals);
	return 0;
}

/*
 * Detach first, then hand the caller what is left in the ring: a process
 * the kernel side held is released by the handler of its event.
 */
void crash_tracer__free(struct crash_tracer *b)
{
	size_t i;

	if (!b)
		return;
	b->closing = true;
	for (i = 0; i < b->nlinks; i++)
		bpf_link__destroy(b->links[i]);
	for (i = 0; i < b->ngosets; i++)
		uprobe_set__detach(&b->gosets[i]);
	free(b->gosets);
	if (b->rb)
		ring_buffer__consume(b->rb);
	ring_buffer__free(b->rb);
	crash_bpf__destroy(b->skel);
	free(b);
}

void crash_release(pid_t pid)
{
	if (pid > 0)
		kill(pid, SIGCONT);
}
