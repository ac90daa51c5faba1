/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_GOELF_GOVERSION_H
#define GOTRACE_GOELF_GOVERSION_H

#include <stdbool.h>

/*
 * A Go release version, parsed from "go1.21.13", "go1.26rc1",
 * "go1.22.0 X:boringcrypto", "devel go1.23-abcdef ..." and similar.
 */
struct go_version {
	int major;	 /* 1 */
	int minor;	 /* 21 */
	int patch;	 /* 13; 0 when absent */
	bool prerelease; /* beta/rc */
	bool devel;
};

/* 0 or -EINVAL when s is not a Go version string. */
int go_version_parse(const char *s, struct go_version *v);
/* <0, 0, >0 like strcmp, on (major, minor). */
int go_version_cmp_minor(const struct go_version *v, int major, int minor);

#endif
