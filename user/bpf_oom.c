// SPDX-License-Identifier: GPL-2.0
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "bpf_oom.h"
#include "kern/attach.h"
#include "kern/hooks.h"
#include "kern/libbpf_log.h"
#include "oom.skel.h"

struct oom_tracer {
	struct oom_bpf *skel;
	struct ring_buffer *rb;
	struct bpf_link *links[OOM_HOOK_NR];
	struct oom_hook_state hooks[OOM_HOOK_NR];
	oom_kill_fn fn;
	oom_exec_fn exec_fn;
	void *fn_ctx;
	int records;
	int cb_err;
};

static const char *const hook_names[OOM_HOOK_NR] = {
	[OOM_HOOK_KILL] = "oom_kill",
	[OOM_HOOK_EVENTS] = "memcg_events",
	[OOM_HOOK_RECLAIM_BEGIN] = "memcg_reclaim_begin",
	[OOM_HOOK_RECLAIM_END] = "memcg_reclaim_end",
	[OOM_HOOK_SIGKILL] = "signal_deliver",
	[OOM_HOOK_EXEC] = "process_exec",
};

/* The program of hook h for mechanism m; NULL when the hook has none for it. */
static struct bpf_program *prog_for(struct oom_bpf *s, enum oom_hook h, enum kern_mech m)
{
	struct bpf_program *const table[OOM_HOOK_NR][MECH_NR] = {
		[OOM_HOOK_KILL] = {s->progs.oom_kill_fentry, s->progs.oom_kill_kprobe,
				   s->progs.oom_victim_tp_btf, s->progs.oom_victim_raw_tp,
				   s->progs.oom_victim_tp},
		[OOM_HOOK_EVENTS] = {NULL, NULL, s->progs.memcg_events_tp_btf,
				     s->progs.memcg_events_raw_tp, s->progs.memcg_events_tp},
		[OOM_HOOK_RECLAIM_BEGIN] = {NULL, NULL, s->progs.reclaim_begin_tp_btf,
					    s->progs.reclaim_begin_raw_tp,
					    s->progs.reclaim_begin_tp},
		[OOM_HOOK_RECLAIM_END] = {NULL, NULL, s->progs.reclaim_end_tp_btf,
					  s->progs.reclaim_end_raw_tp, s->progs.reclaim_end_tp},
		[OOM_HOOK_SIGKILL] = {NULL, NULL, s->progs.sigkill_tp_btf, s->progs.sigkill_raw_tp,
				      s->progs.sigkill_tp},
		[OOM_HOOK_EXEC] = {NULL, NULL, s->progs.exec_tp_btf, s->progs.exec_raw_tp,
				   s->progs.exec_tp},
	};

	return m < MECH_NR ? table[h][m] : NULL;
}

/* The kill hook's target for a forced mechanism (tests): the table's own candidate. */
static int forced_target(enum kern_mech m, struct kern_target *t)
{
	const struct hook_info *hi = hooks__get(hooks__find("oom_kill"));
	int c;

	for (c = 0; hi && c < hi->ncands; c++) {
		if (hi->cands[c].t.mech == m) {
			*t = hi->cands[c].t;
			return 0;
		}
	}
	return err_fail(GT_EUSAGE, "the oom_kill hook has no %s candidate", kern_mech_name(m));
}

/* Picks each hook's mechanism; only the kill hook is required. */
static int choose(struct oom_tracer *ot, const struct oom_tracer_opts *o)
{
	int h, err;

	for (h = 0; h < OOM_HOOK_NR; h++) {
		struct oom_hook_state *hs = &ot->hooks[h];

		hs->hook = hook_names[h];
		if (h == OOM_HOOK_EXEC && !o->want_exec) {
			snprintf(hs->why_not, sizeof(hs->why_not),
				 "not needed: execs come from the crash tracer");
			continue;
		}
		if (h == OOM_HOOK_KILL && o->force_kill_mech != MECH_NR)
			err = forced_target(o->force_kill_mech, &hs->t);
		else
			err = hooks__choice(hs->hook, &hs->t);
		if (!err && !prog_for(ot->skel, h, hs->t.mech))
			err = err_fail(GT_ENOFEAT, "no %s program for %s",
				       kern_mech_name(hs->t.mech), hs->hook);
		if (err && h == OOM_HOOK_KILL)
			return err;
		if (err) {
			snprintf(hs->why_not, sizeof(hs->why_not), "%s", err_msg());
			continue;
		}
		hs->used = true;
	}
	/* Reclaim time needs both ends. */
	if (ot->hooks[OOM_HOOK_RECLAIM_BEGIN].used != ot->hooks[OOM_HOOK_RECLAIM_END].used) {
		for (h = OOM_HOOK_RECLAIM_BEGIN; h <= OOM_HOOK_RECLAIM_END; h++)
			if (ot->hooks[h].used) {
				ot->hooks[h].used = false;
				snprintf(ot->hooks[h].why_not, sizeof(ot->hooks[h].why_not),
					 "its other end is unavailable");
			}
	}
	return 0;
}

/* "oom: kill hook kprobe oom_kill_process: attach failed: ENOENT (...)": exit 3. */
static int kill_hook_fail(const struct oom_tracer *ot)
{
	const struct kern_target *t = &ot->hooks[OOM_HOOK_KILL].t;
	char tgt[96], why[300];

	snprintf(why, sizeof(why), "%s", err_msg());
	kern_target__format(t, tgt, sizeof(tgt));
	return err_fail(GT_ENOFEAT, "oom: kill hook %s %s: %s", kern_mech_name(t->mech), tgt, why);
}

static int load(struct oom_tracer *ot, const struct oom_tracer_opts *o)
{
	long page = sysconf(_SC_PAGESIZE);
	int h, err, shift = 0;

	while (page > 1024 && shift < 16) {
		page >>= 1;
		shift++;
	}
	ot->skel->rodata->kib_shift = (__u32)shift;
	err = choose(ot, o);
	if (err)
		return err;
	for (h = 0; h < OOM_HOOK_NR; h++) {
		if (!ot->hooks[h].used)
			continue;
		err = kern_prog__prepare(prog_for(ot->skel, h, ot->hooks[h].t.mech),
					 &ot->hooks[h].t);
		if (err)
			return err;
	}
	err = oom_bpf__load(ot->skel);
	if (err) {
		kern_stage_fail("program load refused", err);
		return kill_hook_fail(ot);
	}
	return 0;
}

/* A failed optional hook is dropped with its reason; a failed kill hook ends the run. */
static int attach(struct oom_tracer *ot)
{
	int h, err;

	for (h = 0; h < OOM_HOOK_NR; h++) {
		struct oom_hook_state *hs = &ot->hooks[h];
		char tgt[96];

		if (!hs->used || h == OOM_HOOK_EVENTS)
			continue;
		err = kern_prog__attach(prog_for(ot->skel, h, hs->t.mech), &hs->t, &ot->links[h]);
		hs->armed = !err;
		if (!err)
			continue;
		if (h == OOM_HOOK_KILL)
			return kill_hook_fail(ot);
		kern_target__format(&hs->t, tgt, sizeof(tgt));
		hs->used = false;
		snprintf(hs->why_not, sizeof(hs->why_not), "%s %s: %s", kern_mech_name(hs->t.mech),
			 tgt, err_msg());
	}
	return 0;
}

static int on_exec_record(void *ctx, void *data, size_t size)
{
	struct oom_tracer *ot = ctx;
	const struct oom_exec_event *e = data;

	if (size >= sizeof(*e) && ot->exec_fn)
		ot->exec_fn(ot->fn_ctx, (pid_t)e->pid);
	return 0;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct oom_tracer *ot = ctx;

	if (size < sizeof(struct oom_kill_event))
		return 0;
	ot->records++;
	ot->cb_err = ot->fn(ot->fn_ctx, data);
	return ot->cb_err < 0 ? ot->cb_err : 0;
}

int oom_tracer__open(const struct oom_tracer_opts *o, struct oom_tracer **out)
{
	struct oom_tracer *ot = calloc(1, sizeof(*ot));
	bool quiet;
	int err;

	*out = NULL;
	if (!ot)
		return -ENOMEM;
	libbpf_log__init();
	ot->skel = oom_bpf__open();
	if (!ot->skel) {
		err = kern_stage_fail("cannot open the BPF object", errno);
		goto fail;
	}
	/* A forced mechanism is a test of its failure too: the error says why, once. */
	quiet = libbpf_log__quiet(o->force_kill_mech != MECH_NR);
	err = load(ot, o);
	if (!err && !o->load_only)
		err = attach(ot);
	libbpf_log__quiet(quiet);
	if (!err && !o->load_only) {
		ot->rb = ring_buffer__new(bpf_map__fd(ot->skel->maps.events), on_record, ot, NULL);
		if (!ot->rb)
			err = kern_stage_fail("cannot open the ring buffer", errno);
		else if (ot->hooks[OOM_HOOK_EXEC].used &&
			 ring_buffer__add(ot->rb, bpf_map__fd(ot->skel->maps.execs), on_exec_record,
					  ot))
			err = kern_stage_fail("cannot open the exec ring buffer", errno);
	}
	if (err)
		goto fail;
	*out = ot;
	return 0;
fail:
	oom_tracer__free(ot);
	return err;
}

int oom_tracer__arm_events(struct oom_tracer *ot, bool on)
{
	struct oom_hook_state *hs = &ot->hooks[OOM_HOOK_EVENTS];
	char tgt[96];
	int err;

	if (!hs->used || hs->armed == on)
		return 0;
	if (!on) {
		bpf_link__destroy(ot->links[OOM_HOOK_EVENTS]);
		ot->links[OOM_HOOK_EVENTS] = NULL;
		hs->armed = false;
		return 0;
	}
	err = kern_prog__attach(prog_for(ot->skel, OOM_HOOK_EVENTS, hs->t.mech), &hs->t,
				&ot->links[OOM_HOOK_EVENTS]);
	if (err) {
		kern_target__format(&hs->t, tgt, sizeof(tgt));
		hs->used = false;
		snprintf(hs->why_not, sizeof(hs->why_not), "%s %s: %s", kern_mech_name(hs->t.mech),
			 tgt, err_msg());
		return err;
	}
	hs->armed = true;
	return 0;
}

const struct oom_hook_state *oom_tracer__hook(const struct oom_tracer *ot, enum oom_hook h)
{
	return h < OOM_HOOK_NR ? &ot->hooks[h] : NULL;
}

int oom_tracer__poll(struct oom_tracer *ot, int timeout_ms, oom_kill_fn fn, oom_exec_fn exec_fn,
		     void *ctx)
{
	int err;

	if (!ot->rb)
		return 0;
	ot->fn = fn;
	ot->exec_fn = exec_fn;
	ot->fn_ctx = ctx;
	ot->records = 0;
	ot->cb_err = 0;
	err = ring_buffer__poll(ot->rb, timeout_ms);
	if (ot->cb_err < 0)
		return ot->cb_err;
	if (err == -EINTR)
		return ot->records;
	return err < 0 ? kern_stage_fail("ring buffer poll", err) : ot->records;
}

int oom_tracer__memcg(const struct oom_tracer *ot, uint64_t cgroup_id, struct oom_memcg_stats *out)
{
	__u64 key = cgroup_id;

	memset(out, 0, sizeof(*out));
	if (bpf_map__lookup_elem(ot->skel->maps.memcg_stats, &key, sizeof(key), out, sizeof(*out),
				 0))
		return -ENOENT;
	return 0;
}

int oom_tracer__stats(const struct oom_tracer *ot, struct oom_bpf_stats *out)
{
	__u32 zero = 0;
	int err;

	memset(out, 0, sizeof(*out));
	err = bpf_map__lookup_elem(ot->skel->maps.stats, &zero, sizeof(zero), out, sizeof(*out), 0);
	return err ? kern_stage_fail("cannot read the BPF statistics", err) : 0;
}

int oom_tracer__go_heap_set(struct oom_tracer *ot, uint32_t tgid, const uint64_t *addrs, uint32_t n)
{
	struct oom_go_heap_addrs a = {.nwords = n < OOM_GO_HEAP_WORDS ? n : OOM_GO_HEAP_WORDS};
	__u32 key = tgid;

	memcpy(a.addr, addrs, a.nwords * sizeof(a.addr[0]));
	return bpf_map__update_elem(ot->skel->maps.go_heap_addrs, &key, sizeof(key), &a, sizeof(a),
				    BPF_ANY);
}

void oom_tracer__go_heap_forget(struct oom_tracer *ot, uint32_t tgid)
{
	__u32 key = tgid;

	bpf_map__delete_elem(ot->skel->maps.go_heap_addrs, &key, sizeof(key), 0);
	bpf_map__delete_elem(ot->skel->maps.go_heap_snaps, &key, sizeof(key), 0);
}

int oom_tracer__go_heap_snap(const struct oom_tracer *ot, uint32_t tgid,
			     struct oom_go_heap_snap *out)
{
	__u32 key = tgid;

	if (bpf_map__lookup_elem(ot->skel->maps.go_heap_snaps, &key, sizeof(key), out, sizeof(*out),
				 0))
		return -ENOENT;
	return 0;
}

void oom_tracer__free(struct oom_tracer *ot)
{
	int h;

	if (!ot)
		return;
	ring_buffer__free(ot->rb);
	for (h = 0; h < OOM_HOOK_NR; h++)
		bpf_link__destroy(ot->links[h]);
	oom_bpf__destroy(ot->skel);
	free(ot);
}
