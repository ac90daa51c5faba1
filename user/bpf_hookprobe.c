// SPDX-License-Identifier: GPL-2.0
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "bpf_hookprobe.h"
#include "hookprobe.h"
#include "hookprobe.skel.h"
#include "kern/attach.h"
#include "kern/libbpf_log.h"

struct hookprobe {
	struct hookprobe_bpf *skel;
	struct bpf_link *link;
	unsigned slot;
};

static struct bpf_program *prog_for(struct hookprobe_bpf *s, enum kern_mech m)
{
	switch (m) {
	case MECH_FENTRY:
		return s->progs.hookprobe_fentry;
	case MECH_KPROBE:
		return s->progs.hookprobe_kprobe;
	case MECH_TP_BTF:
		return s->progs.hookprobe_tp_btf;
	case MECH_RAW_TP:
		return s->progs.hookprobe_raw_tp;
	case MECH_TRACEPOINT:
		return s->progs.hookprobe_tracepoint;
	default:
		return NULL;
	}
}

/* The open → rodata/autoload/target → load half of the lifecycle. */
static int load(struct hookprobe *hp, const struct kern_target *t, pid_t filter_parent)
{
	struct bpf_program *prog;
	int err;

	hp->skel = hookprobe_bpf__open();
	if (!hp->skel)
		return kern_stage_fail("cannot open the BPF object", errno);
	prog = prog_for(hp->skel, t->mech);
	if (!prog)
		return err_fail(EINVAL, "%s is not a kernel hook mechanism",
				kern_mech_name(t->mech));
	hp->skel->rodata->slot = hp->slot;
	hp->skel->rodata->filter_parent_tgid = filter_parent > 0 ? (__u32)filter_parent : 0;
	err = kern_prog__prepare(prog, t);
	if (err)
		return err;
	err = hookprobe_bpf__load(hp->skel);
	if (err)
		return kern_stage_fail("program load refused", err);
	return 0;
}

static int attach(struct hookprobe *hp, const struct kern_target *t)
{
	return kern_prog__attach(prog_for(hp->skel, t->mech), t, &hp->link);
}

int hookprobe__prepare(const struct kern_target *t, unsigned slot, pid_t filter_parent,
		       struct hookprobe **out)
{
	struct hookprobe *hp;
	int err;

	*out = NULL;
	if (slot >= HOOKPROBE_SLOTS)
		return err_fail(EINVAL, "hook slot %u out of range", slot);
	hp = calloc(1, sizeof(*hp));
	if (!hp)
		return -ENOMEM;
	libbpf_log__init();
	hp->slot = slot;
	err = load(hp, t, filter_parent);
	if (!err)
		err = attach(hp, t);
	if (err) {
		hookprobe__finish(hp);
		return err;
	}
	*out = hp;
	return 0;
}

int hookprobe__hits(const struct hookprobe *hp, uint64_t *hits)
{
	__u32 key = hp->slot;
	__u64 val = 0;
	int err;

	err = bpf_map__lookup_elem(hp->skel->maps.hits, &key, sizeof(key), &val, sizeof(val), 0);
	if (err)
		return kern_stage_fail("cannot read the hit counter", err);
	*hits = val;
	return 0;
}

void hookprobe__finish(struct hookprobe *hp)
{
	if (!hp)
		return;
	bpf_link__destroy(hp->link);
	hookprobe_bpf__destroy(hp->skel);
	free(hp);
}

int hookprobe__try(const struct kern_target *t)
{
	struct hookprobe *hp;
	bool was_quiet = libbpf_log__quiet(true);
	int err = hookprobe__prepare(t, 0, 0, &hp);

	libbpf_log__quiet(was_quiet);
	hookprobe__finish(hp);
	return err;
}
