// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "base/err.h"
#include "cli/opts.h"
#include "kern/cgroup_layout.h"
#include "kern/features.h"
#include "kern/hooks.h"
#include "kern/report.h"
#include "kern/selftest.h"
#include "out/json.h"
#include "out/utf8.h"

/* The features in the order they are shown; privileges first, it gates the rest. */
static const enum feat_id shown[] = {
	FEAT_PRIVILEGES, FEAT_BTF,    FEAT_RINGBUF, FEAT_COOKIE, FEAT_UPROBE,  FEAT_UPROBE_MULTI,
	FEAT_KPROBE,	 FEAT_FENTRY, FEAT_TP_BTF,  FEAT_RAW_TP, FEAT_TRACEFS, FEAT_PSI,
};

#define NSHOWN (sizeof(shown) / sizeof(shown[0]))

/* The outcome of the self-test, when one was asked for. */
struct st_result {
	struct kern_selftest st;
	int err;
	char msg[256];
};

/* Paths come from mountinfo: sanitize everything that is not a literal of ours. */
static void term_str(FILE *f, const char *s)
{
	term_write_sanitized(f, s, strlen(s));
}

static void human_features(FILE *f)
{
	const struct cgroup_layout *cg = features__cgroup();
	const char *src, *mode = features__lockdown(&src);
	size_t i;

	fprintf(f, "%-13s ", "kernel");
	term_str(f, features__kernel_release());
	fprintf(f, "\n%-13s %s (%s)\n\n%-13s %-9s %s\n", "lockdown", mode, src, "FEATURE", "STATE",
		"DETAIL");
	for (i = 0; i < NSHOWN; i++) {
		const struct feature *ft = features__get(shown[i]);

		fprintf(f, "%-13s %-9s ", features__key(shown[i]), feat_state_name(ft->state));
		term_str(f, ft->reason);
		fputc('\n', f);
	}
	fprintf(f, "%-13s %-9s memory controller: ", "cgroup", cgroup_mode_name(cg->mode));
	if (cg->memory_version) {
		fprintf(f, "v%d at ", cg->memory_version);
		term_str(f, cg->memory_mount);
	} else {
		fputs("none", f);
	}
	if (cg->unified_mount[0]) {
		fputs("; cgroup2 at ", f);
		term_str(f, cg->unified_mount);
	}
	fputc('\n', f);
}

/* The target, and the syscall a generic sys_enter/sys_exit program filters on. */
static void human_target(FILE *f, const struct kern_target *t)
{
	char tgt[96];

	kern_target__format(t, tgt, sizeof(tgt));
	fputs(tgt, f);
	if (t->syscall_nr >= 0)
		fprintf(f, " (syscall %d only)", t->syscall_nr);
}

static void human_hook(FILE *f, const struct hook_info *h)
{
	int c;

	if (h->chosen >= 0) {
		fprintf(f, "%-20s %-11s ", h->name, kern_mech_name(h->cands[h->chosen].t.mech));
		human_target(f, &h->cands[h->chosen].t);
		fputc('\n', f);
	} else {
		fprintf(f, "%-20s %-11s %s\n", h->name, "unavailable", "-");
	}
	if (g_opts.verbose)
		fprintf(f, "    # %s\n", h->description);
	for (c = 0; c < h->ncands; c++) {
		const struct hook_cand *hc = &h->cands[c];

		if (!hc->tried || hc->ok)
			continue;
		fprintf(f, "    rejected %-11s ", kern_mech_name(hc->t.mech));
		human_target(f, &hc->t);
		fprintf(f, ": %s\n", hc->reason);
	}
}

static void human_selftest(FILE *f, const struct st_result *r)
{
	fprintf(f, "\n%-13s ", "selftest");
	if (r->err && !r->st.target.name) {
		fprintf(f, "%s: %s\n", r->st.hook, r->msg);
		return;
	}
	fprintf(f, "%s via %s ", r->st.hook, kern_mech_name(r->st.target.mech));
	human_target(f, &r->st.target);
	fprintf(f, ": counted %llu of %u execs%s%s\n", (unsigned long long)r->st.counted,
		r->st.expected, r->err ? ": " : "", r->err ? r->msg : "");
}

static void human(FILE *f, const struct st_result *r)
{
	int i;

	human_features(f);
	fprintf(f, "\n%-20s %-11s %s\n", "HOOK", "MECHANISM", "TARGET");
	for (i = 0; i < hooks__count(); i++)
		human_hook(f, hooks__get(i));
	if (r)
		human_selftest(f, r);
}

static void json_feature(struct json_writer *w, enum feat_id id)
{
	const struct feature *ft = features__get(id);

	json_obj_begin(w, features__key(id));
	json_str(w, "state", feat_state_name(ft->state));
	json_str(w, "reason", ft->reason);
	if (id == FEAT_TRACEFS) {
		json_bool(w, "mounted_by_gotrace", features__tracefs_mounted_by_us());
		json_str(w, "mount_point", features__tracefs_dir());
	} else if (id == FEAT_PSI) {
		json_bool(w, "cpu", features__psi()->cpu);
		json_bool(w, "memory", features__psi()->memory);
		json_bool(w, "io", features__psi()->io);
	} else if (id == FEAT_PRIVILEGES) {
		json_u64(w, "euid", features__privs()->euid);
		json_bool(w, "cap_bpf", features__privs()->cap_bpf);
		json_bool(w, "cap_perfmon", features__privs()->cap_perfmon);
		json_bool(w, "cap_sys_admin", features__privs()->cap_sys_admin);
	}
	json_obj_end(w);
}

static void json_system(struct json_writer *w)
{
	const struct cgroup_layout *cg = features__cgroup();
	const char *src, *mode = features__lockdown(&src);
	char ver[8];

	json_obj_begin(w, "cgroup");
	json_str(w, "layout", cgroup_mode_name(cg->mode));
	snprintf(ver, sizeof(ver), "v%d", cg->memory_version);
	json_str(w, "memory_controller", cg->memory_version ? ver : "none");
	json_str(w, "memory_mount", cg->memory_version ? cg->memory_mount : NULL);
	json_str(w, "unified_mount", cg->unified_mount[0] ? cg->unified_mount : NULL);
	json_obj_end(w);
	json_obj_begin(w, "lockdown");
	json_str(w, "mode", mode);
	json_str(w, "source", src);
	json_obj_end(w);
}

static void json_target(struct json_writer *w, const struct kern_target *t)
{
	char tgt[96];

	kern_target__format(t, tgt, sizeof(tgt));
	json_str(w, "mechanism", kern_mech_name(t->mech));
	json_str(w, "target", tgt);
	if (t->syscall_nr >= 0)
		json_i64(w, "syscall_filter", t->syscall_nr);
}

static void json_hook(struct json_writer *w, const struct hook_info *h)
{
	int c;

	json_obj_begin(w, NULL);
	json_str(w, "name", h->name);
	json_str(w, "description", h->description);
	if (h->chosen >= 0) {
		json_obj_begin(w, "chosen");
		json_target(w, &h->cands[h->chosen].t);
		json_obj_end(w);
	} else {
		json_null(w, "chosen");
	}
	json_arr_begin(w, "candidates");
	for (c = 0; c < h->ncands; c++) {
		const struct hook_cand *hc = &h->cands[c];

		json_obj_begin(w, NULL);
		json_target(w, &hc->t);
		json_bool(w, "tried", hc->tried);
		json_bool(w, "ok", hc->ok);
		json_str(w, "reason", hc->tried ? hc->reason : "not tried: an earlier one works");
		json_obj_end(w);
	}
	json_arr_end(w);
	json_obj_end(w);
}

static void json_selftest(struct json_writer *w, const struct st_result *r)
{
	json_obj_begin(w, "selftest");
	json_str(w, "hook", r->st.hook);
	if (r->st.target.name)
		json_target(w, &r->st.target);
	else
		json_null(w, "mechanism");
	json_u64(w, "expected", r->st.expected);
	json_u64(w, "counted", r->st.counted);
	json_str(w, "error", r->err ? r->msg : NULL);
	json_obj_end(w);
}

static void json(FILE *f, const struct st_result *r)
{
	struct json_writer w;
	size_t i;
	int h;

	json_init(&w, f);
	json_obj_begin(&w, NULL);
	json_str(&w, "kernel_release", features__kernel_release());
	for (i = 0; i < NSHOWN; i++)
		json_feature(&w, shown[i]);
	json_system(&w);
	json_arr_begin(&w, "hooks");
	for (h = 0; h < hooks__count(); h++)
		json_hook(&w, hooks__get(h));
	json_arr_end(&w);
	if (r)
		json_selftest(&w, r);
	json_obj_end(&w);
	json_end_line(&w);
}

static int render(FILE *f, bool as_json, const struct st_result *r)
{
	hooks__resolve_all();
	if (as_json)
		json(f, r);
	else
		human(f, r);
	return ferror(f) ? -EIO : 0;
}

int kern_report(FILE *f, bool as_json)
{
	return render(f, as_json, NULL);
}

int kern_report_selftest(FILE *f, bool as_json)
{
	struct st_result r;
	int err;

	r.err = kern_selftest__run(&r.st);
	if (!r.err && r.st.counted != r.st.expected)
		r.err = err_fail(EIO, "self-test: the BPF program counted %llu of %u execs",
				 (unsigned long long)r.st.counted, r.st.expected);
	snprintf(r.msg, sizeof(r.msg), "%s", r.err ? err_msg() : "");
	err = render(f, as_json, &r);
	if (r.err) /* render may have overwritten the message */
		return err_fail(-r.err, "%s", r.msg);
	return err;
}
