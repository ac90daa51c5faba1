// SPDX-License-Identifier: GPL-2.0
#include <bpf/libbpf.h>
#include <errno.h>
#include <string.h>

#include "base/err.h"
#include "kern/attach.h"

int kern_stage_fail(const char *stage, int err)
{
	const char *name;

	err = err < 0 ? -err : err;
	name = strerrorname_np(err);
	return err_fail(err, "%s: %s (%s)", stage, name ? name : "?", strerror(err));
}

int kern_prog__prepare(struct bpf_program *prog, const struct kern_target *t)
{
	int err;

	bpf_program__set_autoload(prog, true);
	if (t->mech != MECH_FENTRY && t->mech != MECH_TP_BTF)
		return 0;
	err = bpf_program__set_attach_target(prog, 0, t->name);
	return err ? kern_stage_fail("no BTF attach target", err) : 0;
}

int kern_prog__attach(struct bpf_program *prog, const struct kern_target *t, struct bpf_link **out)
{
	struct bpf_link *link;

	switch (t->mech) {
	case MECH_FENTRY:
	case MECH_TP_BTF:
		link = bpf_program__attach_trace(prog);
		break;
	case MECH_KPROBE:
		link = bpf_program__attach_kprobe(prog, false, t->name);
		break;
	case MECH_RAW_TP:
		link = bpf_program__attach_raw_tracepoint(prog, t->name);
		break;
	case MECH_TRACEPOINT:
		link = bpf_program__attach_tracepoint(prog, t->category, t->name);
		break;
	default:
		return err_fail(EINVAL, "%s is not a kernel hook mechanism",
				kern_mech_name(t->mech));
	}
	*out = link;
	return link ? 0 : kern_stage_fail("attach failed", errno);
}
