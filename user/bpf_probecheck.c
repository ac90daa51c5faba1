// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "base/err.h"
#include "bpf_probecheck.h"
#include "probecheck.skel.h"

struct probecheck {
	struct probecheck_bpf *skel;
	pid_t pid;
	char exe[64];
	struct bpf_link *links[PROBECHECK_MAX_SLOTS];
	size_t nlinks;
};

int probecheck__open(pid_t pid, struct probecheck **out)
{
	struct probecheck *pc = calloc(1, sizeof(*pc));
	int err;

	if (!pc)
		return -ENOMEM;
	pc->pid = pid;
	snprintf(pc->exe, sizeof(pc->exe), "/proc/%d/exe", (int)pid);
	pc->skel = probecheck_bpf__open();
	if (!pc->skel) {
		err = err_fail(errno, "probe check: opening the BPF object failed: %s",
			       strerror(errno));
		goto fail;
	}
	pc->skel->rodata->filter_tgid = pid;
	err = probecheck_bpf__load(pc->skel);
	if (err) {
		err = err_fail(-err,
			       "probe check: loading the BPF program failed: %s (root or "
			       "CAP_BPF+CAP_PERFMON needed)",
			       strerror(-err));
		goto fail;
	}
	*out = pc;
	return 0;
fail:
	probecheck__free(pc);
	return err;
}

int probecheck__add(struct probecheck *pc, uint64_t file_offset, uint32_t slot)
{
	LIBBPF_OPTS(bpf_uprobe_opts, opts, .bpf_cookie = slot);
	struct bpf_link *link;

	if (slot >= PROBECHECK_MAX_SLOTS || pc->nlinks >= PROBECHECK_MAX_SLOTS)
		return -E2BIG;
	/* pid-scoped perf event: the uprobe filters on the target's mm in the kernel. */
	link = bpf_program__attach_uprobe_opts(pc->skel->progs.probecheck_uprobe, pc->pid, pc->exe,
					       file_offset, &opts);
	if (!link)
		return err_fail(errno, "uprobe at %s+0x%llx: %s", pc->exe,
				(unsigned long long)file_offset, strerror(errno));
	pc->links[pc->nlinks++] = link;
	return 0;
}

int probecheck__read(struct probecheck *pc, uint32_t slot, struct probecheck_slot *out)
{
	int ncpu = libbpf_num_possible_cpus(), i, err;
	struct probecheck_slot *vals;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	err = bpf_map__lookup_elem(pc->skel->maps.slots, &slot, sizeof(slot), vals,
				   ncpu * sizeof(*vals), 0);
	memset(out, 0, sizeof(*out));
	for (i = 0; !err && i < ncpu; i++) {
		out->hits += vals[i].hits;
		out->g_nonzero += vals[i].g_nonzero;
	}
	free(vals);
	return err;
}

void probecheck__free(struct probecheck *pc)
{
	size_t i;

	if (!pc)
		return;
	for (i = 0; i < pc->nlinks; i++)
		bpf_link__destroy(pc->links[i]);
	probecheck_bpf__destroy(pc->skel);
	free(pc);
}
