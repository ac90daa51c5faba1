// SPDX-License-Identifier: GPL-2.0
/*
 * info --pid PID --probe-check: attaches a uprobe at every probe offset
 * gotrace computed for the process's runtime and counts hits for a while.
 * Proof that the offsets are instruction boundaries the program executes
 * (a wrong offset in the middle of an instruction would be refused by the
 * kernel or never hit), and that R14 holds a g pointer there.
 */
#include <errno.h>
#include <stdio.h>

#include "base/err.h"
#include "base/signals.h"
#include "bpf_probecheck.h"
#include "info/info.h"

static int attach_all(struct probecheck *pc, const struct bin_facts *f)
{
	size_t i;
	int err;

	for (i = 0; i < f->nprobes && i < PROBECHECK_MAX_SLOTS; i++) {
		if (!f->probes[i].found)
			continue;
		err = probecheck__add(pc, f->probes[i].probe_file_offset, (uint32_t)i);
		if (err)
			return err;
	}
	return 0;
}

static void report(struct probecheck *pc, const struct bin_facts *f, struct json_writer *w,
		   uint64_t window_ns)
{
	struct probecheck_slot st;
	size_t i;

	if (w) {
		json_obj_begin(w, NULL);
		json_u64(w, "window_ms", window_ns / 1000000);
		json_arr_begin(w, "probe_check");
	} else {
		printf("probe check over %.1f s:\n  %-22s %12s %12s\n", window_ns / 1e9, "function",
		       "hits", "g in R14");
	}
	for (i = 0; i < f->nprobes && i < PROBECHECK_MAX_SLOTS; i++) {
		const struct go_probe_site *p = &f->probes[i];

		if (!p->found || probecheck__read(pc, (uint32_t)i, &st))
			continue;
		if (w) {
			json_obj_begin(w, NULL);
			json_str(w, "function", p->function);
			json_hex(w, "probe_offset", p->probe_file_offset);
			json_u64(w, "hits", st.hits);
			json_u64(w, "hits_with_g", st.g_nonzero);
			json_obj_end(w);
		} else {
			printf("  %-22s %12llu %12llu\n", p->function, (unsigned long long)st.hits,
			       (unsigned long long)st.g_nonzero);
		}
	}
	if (w) {
		json_arr_end(w);
		json_obj_end(w);
		json_end_line(w);
	}
}

int info_probe_check(const struct info_subject *s, uint64_t window_ns, bool json)
{
	const struct bin_facts *f = &s->facts;
	struct probecheck *pc = NULL;
	struct json_writer w;
	uint64_t start;
	int err;

	if (!f->is_go || !f->uprobe_supported)
		return err_fail(GT_ETARGET, "probe check: %s",
				f->is_go ? f->uprobe_reason : "not a Go program");
	err = probecheck__open(s->pid, &pc);
	if (!err)
		err = attach_all(pc, f);
	if (err)
		goto out;
	start = mono_ns();
	signals__sleep_until(start + window_ns);
	if (json)
		json_init(&w, stdout);
	report(pc, f, json ? &w : NULL, mono_ns() - start);
out:
	probecheck__free(pc);
	return err;
}
