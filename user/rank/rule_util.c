// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "out/units.h"
#include "rank/rule_util.h"
#include "rank/rules.h"

struct candidate *rule_candidate(struct cand_list *out, const char *rule, const struct fact *f)
{
	struct candidate *c = cand_list__add(out, rule, f->subject);

	if (c)
		rank__display(f, c->display, sizeof(c->display));
	return c;
}

const char *rule_where(const struct fact *f, char *buf, size_t len)
{
	const char *fn = fact_str(f, "user_func"), *file = fact_str(f, "user_file");
	const char *base = file ? strrchr(file, '/') : NULL;

	if (!fn) {
		snprintf(buf, len, "an unknown site (no user frame)");
		return buf;
	}
	snprintf(buf, len, "%s (%s:%lld)", fn, base ? base + 1 : (file ? file : "?"),
		 (long long)fact_int(f, "user_line", 0));
	return buf;
}

const char *rule_dur(const struct fact *f, const char *key, char *buf, size_t len)
{
	int64_t v = fact_int(f, key, 0);

	return fmt_duration(v > 0 ? (uint64_t)v : 0, buf, len);
}
