// SPDX-License-Identifier: GPL-2.0
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "kern/features.h"
#include "kern/uprobe_multi.h"
#include "kern/uprobe_set.h"

bool uprobe_set__prepare(struct bpf_program *prog)
{
	if (features__get(FEAT_UPROBE_MULTI)->state != FEAT_OK)
		return false;
	return !bpf_program__set_expected_attach_type(prog, UPROBE_MULTI_ATTACH_TYPE);
}

static bool is_multi(const struct bpf_program *prog)
{
	return bpf_program__expected_attach_type(prog) ==
	       (enum bpf_attach_type)UPROBE_MULTI_ATTACH_TYPE;
}

static int attach_multi(struct uprobe_set *s, struct bpf_program *prog, const char *path, pid_t pid,
			const uint64_t *offsets, const uint64_t *cookies, size_t n)
{
	int fd = uprobe_multi__attach(bpf_program__fd(prog), path, offsets, cookies, (uint32_t)n,
				      pid > 0 ? pid : 0);

	if (fd < 0)
		return err_fail(-fd, "uprobe_multi link on %s (%zu offsets, first +0x%llx): %s",
				path, n, (unsigned long long)offsets[0], strerror(-fd));
	s->multi_fd = fd;
	return 0;
}

static int attach_classic(struct uprobe_set *s, struct bpf_program *prog, const char *path,
			  pid_t pid, const uint64_t *offsets, const uint64_t *cookies, size_t n)
{
	size_t i;

	s->links = calloc(n, sizeof(*s->links));
	if (!s->links)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		LIBBPF_OPTS(bpf_uprobe_opts, opts, .bpf_cookie = cookies ? cookies[i] : 0);

		s->links[i] = bpf_program__attach_uprobe_opts(prog, pid > 0 ? pid : -1, path,
							      offsets[i], &opts);
		if (!s->links[i])
			return err_fail(errno, "uprobe at %s+0x%llx: %s", path,
					(unsigned long long)offsets[i], strerror(errno));
		s->nlinks = i + 1;
	}
	return 0;
}

int uprobe_set__attach(struct uprobe_set *s, struct bpf_program *prog, const char *path, pid_t pid,
		       const uint64_t *offsets, const uint64_t *cookies, size_t n)
{
	int err;

	uprobe_set__detach(s);
	if (!n)
		return 0;
	if (is_multi(prog))
		err = attach_multi(s, prog, path, pid, offsets, cookies, n);
	else
		err = attach_classic(s, prog, path, pid, offsets, cookies, n);
	if (err)
		uprobe_set__detach(s);
	return err;
}

void uprobe_set__detach(struct uprobe_set *s)
{
	size_t i;

	if (s->multi_fd >= 0)
		close(s->multi_fd);
	s->multi_fd = -1;
	for (i = 0; i < s->nlinks; i++)
		bpf_link__destroy(s->links[i]);
	free(s->links);
	s->links = NULL;
	s->nlinks = 0;
}

bool uprobe_set__attached(const struct uprobe_set *s)
{
	return s->multi_fd >= 0 || s->nlinks > 0;
}
