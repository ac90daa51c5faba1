/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_CRASH_NAMES_H
#define GOTRACE_CRASH_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Names for what the kernel reports as numbers: signals ("SIGKILL"),
 * errnos ("ENOENT"), capabilities ("CAP_NET_BIND_SERVICE"), si_codes
 * ("SI_USER", "SI_KERNEL"), socket addresses ("0.0.0.0:80", "[::1]:8080").
 */
const char *crash_signal_name(int sig);	  /* "SIG?" when unknown */
const char *crash_errno_name(int err);	  /* positive errno; "E?" when unknown */
const char *crash_cap_name(int cap);	  /* "CAP_?" when unknown */
const char *crash_si_code_name(int code); /* "SI_USER", ...; NULL for fault codes */
/* Signals whose default action ends the process, except those Go and shells use routinely. */
uint64_t crash_terminating_sig_mask(void);

#define CRASH_CAP_NET_BIND_SERVICE 10

/* A sockaddr (family first) as "addr:port"; *port and *family are filled. 0 or -EINVAL. */
int crash_sockaddr_format(const uint8_t *sa, size_t len, char *buf, size_t buflen, int *port,
			  int *family);

#endif
