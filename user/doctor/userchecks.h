/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_DOCTOR_USERCHECKS_H
#define GOTRACE_DOCTOR_USERCHECKS_H

#include <stddef.h>

#include "doctor/check.h"

/*
 * User-defined checks (`doctor --checks FILE`): a runbook's own steps,
 * declared in a JSON file (strict: base/jsonread.h; unknown keys, wrong
 * types and out-of-range values are errors that name the check and key)
 * and run through the same runner, timeouts and reports as the built-in
 * ones:
 *
 *   {"checks": [
 *     {"id": "app.health",                        required, [a-z0-9][a-z0-9._-]*
 *      "description": "the health endpoint answers",           required
 *      "command": ["curl", "-fsS", "http://127.0.0.1:8080/healthz"],
 *                                                 argv, no shell; or a string
 *                                                 with "shell": true (/bin/sh -c)
 *      "expect": "^ok",                            POSIX ERE that stdout must match
 *      "expect_not": "panic|error",                ... and must not match
 *      "expect_exit": 0,                           exit code (-1: any; default 0)
 *      "timeout_ms": 2000,                         default 5000, at most 60000
 *      "needs": "none" | "root" | "pid",           the privilege / target it needs
 *      "in": "host" | "net" | "target",            net: in the process's network
 *                                                  namespace with the node's tools
 *                                                  (nsenter -t PID -n); target: in all
 *                                                  its namespaces, the image's tools
 *                                                  (nsenter -t PID -m -u -i -n -p)
 *      "severity": "fail" | "warn",                status when it does not pass
 *      "fix": "restart the sidecar"}]}
 *
 * argv elements may name the target: {pid} {root} {cgroup} {memory_dir}
 * {cpu_dir} {pod_uid} {container_id} {namespace} {pod} {container}
 * {host_root}; a check whose placeholder has no value is skipped. A shell
 * command gets no substitution (a container's strings must not become
 * shell code): the same values are in its environment as GOTRACE_PID,
 * GOTRACE_ROOT, GOTRACE_CGROUP, ... for it to quote. Output is bounded,
 * and shown sanitized.
 */
struct user_checks;

/* Parses a checks file's text; -GT_EFORMAT with a message naming the check and key. */
int user_checks__parse(const char *text, size_t len, struct user_checks **out);
/* Reads and parses path (at most 1 MiB). */
int user_checks__load(const char *path, struct user_checks **out);
void user_checks__free(struct user_checks *u);

size_t user_checks__count(const struct user_checks *u);
const struct doctor_check *user_checks__get(const struct user_checks *u, size_t i);

#endif
