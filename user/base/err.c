// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"

static __thread char err_buf[512];

void err_set(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err_buf, sizeof(err_buf), fmt, ap);
	va_end(ap);
}

int err_fail(int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err_buf, sizeof(err_buf), fmt, ap);
	va_end(ap);
	return -errnum;
}

const char *err_msg(void)
{
	return err_buf;
}

void err_clear(void)
{
	err_buf[0] = '\0';
}

const char *err_name(int errnum)
{
	if (errnum < 0)
		errnum = -errnum;
	switch (errnum) {
	case GT_EUSAGE:
		return "usage error";
	case GT_ENOFEAT:
		return "kernel feature missing";
	case GT_EFORMAT:
		return "malformed input";
	case GT_ENOTGO:
		return "not a Go program";
	case GT_ETARGET:
		return "target not supported";
	default:
		return strerror(errnum);
	}
}

int err_exit_code(int err)
{
	if (err >= CMD_EXIT_BASE)
		return err - CMD_EXIT_BASE;
	if (err >= 0)
		return EXIT_OK;
	switch (-err) {
	case GT_EUSAGE:
		return EXIT_USAGE;
	case GT_ENOFEAT:
	case EPERM:
	case EACCES:
	case EOPNOTSUPP:
		return EXIT_NOFEATURE;
	default:
		return EXIT_RUNTIME;
	}
}
