// SPDX-License-Identifier: GPL-2.0
#include <bpf/bpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kern/uprobe_multi.h"

/*
 * The BPF_LINK_CREATE member of union bpf_attr with its uprobe_multi arm,
 * as the kernel lays it out (include/uapi/linux/bpf.h, 6.6+). Sized like a
 * whole bpf_attr of a recent kernel; the kernel checks the tail is zero.
 */
struct link_create_uprobe_multi {
	uint32_t prog_fd;
	uint32_t target_fd;
	uint32_t attach_type;
	uint32_t flags;
	uint64_t path; /* user pointers, as __aligned_u64 */
	uint64_t offsets;
	uint64_t ref_ctr_offsets;
	uint64_t cookies;
	uint32_t cnt;
	uint32_t multi_flags; /* BPF_F_UPROBE_MULTI_RETURN: never, gotrace uses no return probes */
	uint32_t pid;
	uint8_t zero_tail[76];
} __attribute__((aligned(8)));

int uprobe_multi__attach(int prog_fd, const char *path, const uint64_t *offsets,
			 const uint64_t *cookies, uint32_t n, pid_t pid)
{
	struct link_create_uprobe_multi a;
	long fd;

	memset(&a, 0, sizeof(a));
	a.prog_fd = (uint32_t)prog_fd;
	a.attach_type = UPROBE_MULTI_ATTACH_TYPE;
	a.path = (uint64_t)(uintptr_t)path;
	a.offsets = (uint64_t)(uintptr_t)offsets;
	a.cookies = (uint64_t)(uintptr_t)cookies;
	a.cnt = n;
	a.pid = pid > 0 ? (uint32_t)pid : 0;
	fd = syscall(__NR_bpf, BPF_LINK_CREATE, &a, sizeof(a));
	return fd < 0 ? -errno : (int)fd;
}

/*
 * The way libbpf probes it: a program loaded for uprobe_multi, attached to
 * "/". A kernel that knows the link type gets as far as the path and
 * refuses a directory with EBADF; an older one refuses the program or the
 * attach type (EINVAL).
 */
int uprobe_multi__probe(void)
{
	const struct bpf_insn insns[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
		{.code = BPF_JMP | BPF_EXIT},
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = UPROBE_MULTI_ATTACH_TYPE);
	const uint64_t offset = 0;
	int prog, link;

	prog = bpf_prog_load(BPF_PROG_TYPE_KPROBE, "gt_umulti_probe", "GPL", insns, 2, &opts);
	if (prog < 0)
		return prog == -EINVAL ? 0 : prog;
	link = uprobe_multi__attach(prog, "/", &offset, NULL, 1, 0);
	close(prog);
	if (link >= 0) {
		close(link);
		return 1; /* not expected, but it attached */
	}
	if (link == -EBADF)
		return 1;
	return link == -EINVAL || link == -EOPNOTSUPP ? 0 : link;
}
