// SPDX-License-Identifier: GPL-2.0
/*
 * What `gotrace oom` parses from files a container can influence or the
 * kernel formats: PSI, memory.events / memory.oom_control, limits, and a
 * process's environment read as the Go runtime reads GOGC and GOMEMLIMIT.
 * The input is one NUL-terminated copy used for every parser.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proc/goenv.h"
#include "proc/memcg.h"
#include "proc/procfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_env(const char *data, size_t size)
{
	struct proc_strlist l;
	struct go_env e;

	if (proc_strlist__parse(data, size, &l))
		return;
	go_env__from_list(&l, &e);
	if (e.memlimit_bytes < 0 || e.gc_percent < -1 || strlen(e.gogc.val) >= GO_ENV_VAL_MAX)
		abort();
	go_env__interpret(&e, 22);
	if (e.memlimit_bytes < 0 || e.gc_percent < -1)
		abort();
	proc_strlist__clear(&l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct memcg_state st = {0};
	struct psi p;
	int64_t bytes;
	uint64_t lim;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	(void)psi__parse(s, &p);
	(void)memcg__parse_events(s, &st);
	(void)memcg__parse_limit(s, &lim);
	if (go_env__parse_byte_count(s, 0, &bytes) && bytes < 0)
		abort();
	if (go_env__parse_byte_count(s, 24, &bytes) && bytes < 0)
		abort();
	(void)go_env__gc_percent(s, 0);
	check_env((const char *)data, size);
	free(s);
	return 0;
}
