// SPDX-License-Identifier: GPL-2.0
#include <malloc.h>

#include "base/mem.h"

void mem__tune_for_daemon(void)
{
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
}
