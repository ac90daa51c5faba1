// SPDX-License-Identifier: GPL-2.0
/*
 * What doctor reads from a container's logs and the kernel log, all of it
 * text someone else wrote: each line through the kubelet log parsers (CRI,
 * docker json-file) and the error classifier; the whole input as /dev/kmsg
 * records through the OOM-kill reader.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "doctor/logscan.h"
#include "kern/kmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count(void *ctx, const struct kmsg_oom *k)
{
	(*(size_t *)ctx) += strlen(k->comm) + strlen(k->task_memcg) + (size_t)k->pid;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	size_t sum = 0;
	uint64_t oldest;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct log_line l;
		struct log_error e;

		if (log_line__parse(p, n, &l)) {
			if (log_line__classify(l.text, &e))
				sum += strlen(e.path) + strlen(e.addr) + (size_t)e.port;
			free(l.text);
		}
		p += n + 1;
	}
	kmsg__oom_kills_text((const char *)data, size, count, &sum, &oldest);
	return sum == (size_t)-1;
}
