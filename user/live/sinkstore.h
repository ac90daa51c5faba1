/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_LIVE_SINKSTORE_H
#define GOTRACE_LIVE_SINKSTORE_H

#include "rank/fact.h"

/*
 * A fact sink that keeps copies in a store of its own: how a tracer session
 * (which hands facts to a sink as they happen) becomes a live component
 * (which hands them to the window's store when polled or finished).
 */
struct sink_store {
	struct fact_sink sink;
	struct fact_store fs;
};

void sink_store__init(struct sink_store *s);
/* Moves what was collected into dst. */
int sink_store__drain(struct sink_store *s, struct fact_store *dst);
void sink_store__clear(struct sink_store *s);

#endif
