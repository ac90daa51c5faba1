/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_BASE_ERR_H
#define GOTRACE_BASE_ERR_H

/*
 * Error convention (STYLE.md §5): functions return 0 or -errno; pointer
 * returns are NULL with errno set. The errno says what class of failure it
 * was; err_set() records the human sentence (what exactly, and the fix when
 * one is known) for the caller that finally reports it. One message per
 * thread; the newest wins, so set it where the most context is.
 */

/* Error numbers gotrace adds above the kernel's range. */
enum {
	GT_EUSAGE = 4096, /* bad command line: exit 2 */
	GT_ENOFEAT,	  /* kernel feature missing: exit 3 */
	GT_EFORMAT,	  /* input is not what it claims (bad ELF, bad pclntab) */
	GT_ENOTGO,	  /* a valid ELF that is not a Go program */
	GT_ETARGET,	  /* a program gotrace cannot trace (old Go, other arch): exit 1 */
};

/* Exit codes (DESIGN.md): only main() maps errors to them. */
enum {
	EXIT_OK = 0,
	EXIT_RUNTIME = 1,
	EXIT_USAGE = 2,
	EXIT_NOFEATURE = 3,
	/*
	 * A command that ran fine but found trouble (doctor): above the error
	 * codes, so a script tells "the tool failed" (1-3) from "the tool
	 * worked and the target has a problem" (4-5).
	 */
	EXIT_FOUND_WARN = 4,
	EXIT_FOUND_FAIL = 5,
};

/*
 * A command's run() returns 0, 1 (its --help was printed), -errno, or
 * CMD_EXIT(code) to exit with one of the EXIT_FOUND_* codes without an
 * error message.
 */
#define CMD_EXIT_BASE 0x10000
#define CMD_EXIT(code) (CMD_EXIT_BASE + (code))

void err_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* err_set() and return -errnum, for one-line failure paths. */
int err_fail(int errnum, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *err_msg(void);
void err_clear(void);
/* Text for an error number, including gotrace's own. */
const char *err_name(int errnum);
/* The exit code for an error returned by a command. */
int err_exit_code(int err);

#endif
