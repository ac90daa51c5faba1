// SPDX-License-Identifier: GPL-2.0
#include <errno.h>

#include "base/err.h"
#include "goelf/golayout.h"

/*
 * go1.17-go1.24: DWARF of test builds (GO-RUNTIME.md §4.1).
 * go1.26, go1.27: DWARF of builds with Debian's toolchains: gobuf.ret is
 * gone (CL 652276: sched.bp 104 -> 96, m.curg 192 -> 184) and so is
 * _panic.argp (arg 8 -> 0). go1.25 is assumed to be like go1.26: the
 * gobuf change is from its cycle; the _panic one is not checked (no
 * go1.25 toolchain here).
 */
int go_layout__for_version(const struct go_version *v, struct go_layout *out)
{
	if (go_version_cmp_minor(v, 1, 17) < 0)
		return err_fail(ENOENT, "no Go runtime layout for go%d.%d (gotrace needs go1.17+)",
				v->major, v->minor);
	out->g_m = 48;
	out->g_sched_pc = 56 + 8;
	out->m_g0 = 0;
	if (go_version_cmp_minor(v, 1, 25) < 0) {
		out->g_sched_bp = 56 + 48;
		out->m_curg = 192;
		out->panic_arg = 8;
	} else {
		out->g_sched_bp = 56 + 40;
		out->m_curg = 184;
		out->panic_arg = 0;
	}
	return 0;
}
