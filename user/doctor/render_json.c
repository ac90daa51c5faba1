// SPDX-License-Identifier: GPL-2.0
/* doctor --json: one document (doctor/render.h); out/json.h escapes every string. */
#include <ctype.h>
#include <string.h>

#include "commands.h"
#include "doctor/render.h"
#include "doctor/target.h"
#include "out/json.h"
#include "rank/render.h"

static const char *lower_status(enum check_status s)
{
	static const char *const names[] = {"pass", "skip", "warn", "fail"};

	return names[s];
}

static void target(struct json_writer *w, const struct doctor_target *t)
{
	const struct identity *id = &t->id;

	json_obj_begin(w, "target");
	json_str(w, "display", t->display);
	json_str(w, "subject", t->subject);
	json_i64(w, "pid", t->pid);
	if (id->comm[0])
		json_str(w, "comm", id->comm);
	if (!t->pid)
		json_str(w, "why_no_pid", t->why_no_pid);
	if (id->cg.pod_uid[0])
		json_str(w, "pod_uid", id->cg.pod_uid);
	if (id->cg.container_id[0])
		json_str(w, "container_id", id->cg.container_id);
	if (id->have_logs) {
		json_str(w, "namespace", id->logs.namespace);
		json_str(w, "pod", id->logs.pod);
		if (id->logs.container[0]) {
			json_str(w, "container", id->logs.container);
			json_i64(w, "restart", id->logs.restart);
		}
	}
	json_str(w, "cgroup_mode", cgroup_mode_name(t->cl.mode));
	json_str(w, "memory_dir", t->mem_dir);
	json_str(w, "cpu_dir", t->cpu_dir);
	json_str(w, "unified_dir", t->unified_dir);
	json_str(w, "pod_memory_dir", t->pod_mem_dir);
	json_str(w, "root", t->root_dir);
	json_bool(w, "root_is_image", t->root_is_image);
	if (t->note[0])
		json_str(w, "note", t->note);
	json_obj_end(w);
}

static void check(struct json_writer *w, const struct check_outcome *o, bool user)
{
	const struct check_result *r = &o->result;

	json_obj_begin(w, NULL);
	json_str(w, "id", o->check->id);
	json_str(w, "description", o->check->description);
	json_str(w, "status", lower_status(r->status));
	json_str(w, "summary", r->summary);
	json_arr_begin(w, "evidence");
	for (size_t i = 0; i < r->nevidence; i++)
		json_str(w, NULL, r->evidence[i]);
	json_arr_end(w);
	json_bool(w, "evidence_cut", r->evidence_cut);
	json_str(w, "fix", r->fix);
	json_u64(w, "timeout_ms", o->check->timeout_ms);
	json_u64(w, "elapsed_ns", r->elapsed_ns);
	json_bool(w, "timed_out", r->timed_out);
	json_bool(w, "user_defined", user);
	json_obj_end(w);
}

static void live(struct json_writer *w, const struct live_window *lw)
{
	if (!lw) {
		json_null(w, "live");
		return;
	}
	json_obj_begin(w, "live");
	json_u64(w, "window_ns", lw->window_ns);
	json_u64(w, "elapsed_ns", lw->elapsed_ns);
	json_bool(w, "interrupted", lw->interrupted);
	json_bool(w, "ended_early", lw->ended_early);
	json_arr_begin(w, "components");
	for (size_t i = 0; i < lw->n; i++) {
		json_obj_begin(w, NULL);
		json_str(w, "name", lw->v[i].c->name);
		json_str(w, "state", live_state_name(lw->v[i].state));
		json_str(w, "detail", lw->v[i].detail);
		json_u64(w, "facts", lw->v[i].nfacts);
		json_obj_end(w);
	}
	json_arr_end(w);
	json_obj_end(w);
}

static void counts(struct json_writer *w, const struct doctor_report *r)
{
	size_t c[4];

	doctor_report__counts(r, c);
	json_obj_begin(w, "counts");
	for (int s = CHECK_PASS; s <= CHECK_FAIL; s++)
		json_u64(w, lower_status(s), c[s]);
	json_obj_end(w);
}

void doctor_render_json(FILE *f, const struct doctor_report *r)
{
	struct json_writer w;

	json_init(&w, f);
	json_obj_begin(&w, NULL);
	json_str(&w, "type", "doctor");
	json_str(&w, "gotrace_version", GOTRACE_VERSION);
	json_u64(&w, "started_ns", r->started_ns);
	json_u64(&w, "elapsed_ns", r->elapsed_ns);
	json_u64(&w, "checks_ns", r->checks_ns);
	target(&w, r->t);
	json_str(&w, "status", lower_status(r->worst));
	json_i64(&w, "exit_code", r->exit_code);
	counts(&w, r);
	json_arr_begin(&w, "checks");
	for (size_t i = 0; i < r->nchecks; i++)
		check(&w, &r->checks[i], i >= r->nchecks - r->nuser);
	json_arr_end(&w);
	live(&w, r->live);
	rank_write_json_list(&w, "candidates", r->cands);
	json_arr_begin(&w, "facts");
	for (size_t i = 0; i < r->facts->n; i++)
		fact_write_json(&w, NULL, r->facts->v[i]);
	json_arr_end(&w);
	json_obj_end(&w);
	json_end_line(&w);
}
