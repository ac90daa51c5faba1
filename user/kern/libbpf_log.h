/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_KERN_LIBBPF_LOG_H
#define GOTRACE_KERN_LIBBPF_LOG_H

#include <stdbool.h>

/*
 * The one libbpf print callback (STYLE.md §5): warnings always, info with
 * -v, debug (verifier logs included) with -vv. Idempotent; every user of
 * libbpf calls it before its first libbpf call.
 */
void libbpf_log__init(void);

/*
 * While quiet, warnings are shown only with -vv: a probe whose failure is
 * expected (fentry refused here) reports that failure as a reason itself,
 * so libbpf's own warning would be noise. Returns the previous setting.
 */
bool libbpf_log__quiet(bool quiet);

#endif
