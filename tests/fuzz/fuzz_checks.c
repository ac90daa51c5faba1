// SPDX-License-Identifier: GPL-2.0
/*
 * doctor --checks FILE: a runbook's JSON is user input. Parse it and, when
 * it parses, walk every check's definition (ids, descriptions) the way the
 * runner and the reports do; never run a command.
 */
#include <stdint.h>
#include <string.h>

#include "doctor/userchecks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct user_checks *u = NULL;
	size_t sum = 0;

	if (user_checks__parse((const char *)data, size, &u))
		return 0;
	for (size_t i = 0; i < user_checks__count(u); i++) {
		const struct doctor_check *c = user_checks__get(u, i);

		sum += strlen(c->id) + strlen(c->description) + c->timeout_ms;
	}
	user_checks__free(u);
	return sum == (size_t)-1;
}
