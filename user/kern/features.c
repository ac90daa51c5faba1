// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "base/err.h"
#include "kern/features.h"

static const char *const mech_names[MECH_NR] = {
	[MECH_FENTRY] = "fentry",   [MECH_KPROBE] = "kprobe",		[MECH_TP_BTF] = "tp_btf",
	[MECH_RAW_TP] = "raw_tp",   [MECH_TRACEPOINT] = "tracepoint", [MECH_UPROBE] = "uprobe",
};

static bool mech_disabled[MECH_NR];

const char *kern_mech_name(enum kern_mech m)
{
	return m < MECH_NR ? mech_names[m] : "?";
}

int features__disable_list(const char *list)
{
	const char *p = list;

	while (p && *p) {
		size_t len = strcspn(p, ",");
		int m;

		for (m = 0; m < MECH_NR; m++)
			if (strlen(mech_names[m]) == len && !strncmp(p, mech_names[m], len))
				break;
		if (m == MECH_NR)
			return err_fail(GT_EUSAGE,
					"--no-feature: unknown mechanism '%.*s' (known: fentry, kprobe, "
					"tp_btf, raw_tp, tracepoint, uprobe)",
					(int)len, p);
		mech_disabled[m] = true;
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

bool features__disabled(enum kern_mech m)
{
	return m < MECH_NR && mech_disabled[m];
}
