// SPDX-License-Identifier: GPL-2.0
#include <bpf/libbpf.h>
#include <stdarg.h>
#include <stdio.h>

#include "cli/opts.h"
#include "kern/libbpf_log.h"

static bool quiet;

/* libbpf hands its own format strings through: they are not ours to check. */
__attribute__((format(printf, 2, 0))) static int print_fn(enum libbpf_print_level level,
							  const char *fmt, va_list ap)
{
	int need = 0;

	switch (level) {
	case LIBBPF_WARN:
		need = quiet ? 2 : 0;
		break;
	case LIBBPF_INFO:
		need = quiet ? 2 : 1;
		break;
	case LIBBPF_DEBUG:
		need = 2;
		break;
	}
	if (g_opts.verbose < need)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void libbpf_log__init(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	libbpf_set_print(print_fn);
}

bool libbpf_log__quiet(bool q)
{
	bool old = quiet;

	quiet = q;
	return old;
}
