/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_KERN_UPROBE_SET_H
#define GOTRACE_KERN_UPROBE_SET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct bpf_link;
struct bpf_program;

/*
 * One BPF program on several offsets of one file, attached and detached as
 * a whole: a single uprobe_multi link where the kernel has them (detach
 * costs one synchronization; see kern/uprobe_multi.h), else one classic
 * perf-event uprobe per offset.
 *
 *   uprobe_set__prepare(prog)   before the object is loaded, once
 *   uprobe_set__attach(...)     any number of times after load
 *   uprobe_set__detach(&set)
 */
struct uprobe_set {
	int multi_fd; /* the uprobe_multi link, or -1 */
	struct bpf_link **links;
	size_t nlinks;
};

#define UPROBE_SET_INIT                                                                            \
	{                                                                                          \
		.multi_fd = -1                                                                     \
	}

/*
 * Loads prog for uprobe_multi links when the kernel has them (and
 * --no-feature did not rule them out). Every set of that program must then
 * go through uprobe_set__attach. Returns whether it did.
 */
bool uprobe_set__prepare(struct bpf_program *prog);

/*
 * Attaches prog at offsets[0..n) of path, cookies[i] (or 0 when NULL) for
 * offsets[i], in process pid only (-1: every process that maps the file).
 * On failure nothing stays attached; errors are reported through err_fail.
 */
int uprobe_set__attach(struct uprobe_set *s, struct bpf_program *prog, const char *path, pid_t pid,
		       const uint64_t *offsets, const uint64_t *cookies, size_t n);
void uprobe_set__detach(struct uprobe_set *s);
bool uprobe_set__attached(const struct uprobe_set *s);

#endif
