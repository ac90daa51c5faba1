// SPDX-License-Identifier: GPL-2.0
/* /proc/PID/status, /proc/PID/stat and NUL-separated lists on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proc/procfs.h"
#include "proc/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_list(const char *data, size_t size)
{
	struct proc_strlist l;
	size_t total = 0;

	if (proc_strlist__parse(data, size, &l))
		return;
	for (size_t i = 0; i < l.n; i++) {
		if (l.v[i] < l.buf || l.v[i] > l.buf + l.len)
			abort();
		total += strlen(l.v[i]) + 1;
	}
	if (l.v[l.n] != NULL || total < l.len || total > l.len + 1)
		abort();
	(void)proc_strlist__getenv(&l, "PATH");
	proc_strlist__clear(&l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proc_status st;
	uint64_t t;

	if (proc_status__parse((const char *)data, size, &st) == 0 &&
	    (strlen(st.name) >= sizeof(st.name) || !(st.seen & PROC_ST_TGID)))
		abort();
	(void)proc_stat__parse_start_time((const char *)data, size, &t);
	check_list((const char *)data, size);
	return 0;
}
