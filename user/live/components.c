// SPDX-License-Identifier: GPL-2.0
/* Every live component, one line each; each is defined next to its tracer. */
#include <stddef.h>

#include "live/component.h"

extern const struct live_component block_live_component, crash_live_component, oom_live_component;

static const struct live_component *const components[] = {
	&crash_live_component,
	&oom_live_component,
	&block_live_component,
};

#define NCOMPONENTS (sizeof(components) / sizeof(components[0]))

size_t live_components__count(void)
{
	return NCOMPONENTS;
}

const struct live_component *live_components__get(size_t i)
{
	return i < NCOMPONENTS ? components[i] : NULL;
}
