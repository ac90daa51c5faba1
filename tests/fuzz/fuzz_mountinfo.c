// SPDX-License-Identifier: GPL-2.0
/* mountinfo text (a container's /proc/PID/mountinfo is not ours) → cgroup layout. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kern/cgroup_layout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cgroup_layout l;
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	cgroup_layout__parse(text, &l);
	free(text);
	return 0;
}
