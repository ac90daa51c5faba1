// SPDX-License-Identifier: GPL-2.0
/*
 * The cache of feature probes and the BPF ones: each probe runs once, on
 * first use, and its state and reason are what `info --kernel` shows and
 * what the hook resolver (kern/hooks.c) gates every candidate on. Probes of
 * the system around BPF (privileges, tracefs, PSI, ...) are in
 * features_sys.c.
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "bpf_hookprobe.h"
#include "kern/features.h"
#include "kern/features_int.h"
#include "kern/kconfig.h"
#include "kern/libbpf_log.h"
#include "kern/uprobe_multi.h"

static const char *const mech_names[MECH_NR] = {
	[MECH_FENTRY] = "fentry",
	[MECH_KPROBE] = "kprobe",
	[MECH_TP_BTF] = "tp_btf",
	[MECH_RAW_TP] = "raw_tp",
	[MECH_TRACEPOINT] = "tracepoint",
	[MECH_UPROBE] = "uprobe",
	[MECH_UPROBE_MULTI] = "uprobe_multi",
};

static bool mech_disabled[MECH_NR];

/*
 * Kernel functions and tracepoints the mechanism probes attach to for an
 * instant: present in every kernel gotrace supports, and not hot enough for
 * a moment of counting to matter.
 */
#define PROBE_FUNC "vfs_read"
#define PROBE_TP "sched_process_exec"

const char *kern_mech_name(enum kern_mech m)
{
	return m < MECH_NR ? mech_names[m] : "?";
}

/* "tracefs" is what users call the tracepoint mechanism's dependency. */
static int mech_by_name(const char *p, size_t len)
{
	int m;

	if (len == 7 && !strncmp(p, "tracefs", 7))
		return MECH_TRACEPOINT;
	for (m = 0; m < MECH_NR; m++)
		if (strlen(mech_names[m]) == len && !strncmp(p, mech_names[m], len))
			return m;
	return -1;
}

int features__disable_list(const char *list)
{
	const char *p = list;

	while (p && *p) {
		size_t len = strcspn(p, ",");
		int m = mech_by_name(p, len);

		if (m < 0)
			return err_fail(
				GT_EUSAGE,
				"--no-feature: unknown mechanism '%.*s' (known: fentry, kprobe, "
				"tp_btf, raw_tp, tracepoint (or tracefs), uprobe, uprobe_multi)",
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

void feat_set(struct feature *f, enum feat_state s, const char *fmt, ...)
{
	va_list ap;

	f->state = s;
	va_start(ap, fmt);
	vsnprintf(f->reason, sizeof(f->reason), fmt, ap);
	va_end(ap);
}

/* Common gates of every BPF probe: --no-feature, then privileges. */
static bool gated(struct feature *f, enum kern_mech m)
{
	const struct feature *priv;

	if (m < MECH_NR && features__disabled(m)) {
		feat_set(f, FEAT_DISABLED, "disabled by --no-feature");
		return true;
	}
	priv = features__get(FEAT_PRIVILEGES);
	if (priv->state != FEAT_OK) {
		feat_set(f, FEAT_MISSING, "not probed: needs privileges (see privileges)");
		return true;
	}
	return false;
}

static const struct btf *vmlinux_btf;
static int vmlinux_btf_err;

const struct btf *features__vmlinux_btf(void)
{
	struct btf *btf;

	if (vmlinux_btf || vmlinux_btf_err)
		return vmlinux_btf;
	libbpf_log__init();
	btf = btf__load_vmlinux_btf();
	vmlinux_btf_err = btf ? 0 : -errno;
	vmlinux_btf = btf;
	return vmlinux_btf;
}

void features__release_memory(void)
{
	/* The parsed kernel BTF is ~2x its 5 MB file; a later lookup loads it again. */
	btf__free((struct btf *)vmlinux_btf);
	vmlinux_btf = NULL;
	vmlinux_btf_err = 0;
	malloc_trim(0);
}

static void probe_btf(struct feature *f)
{
	const struct btf *btf;

	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		feat_set(f, FEAT_MISSING,
			 "no /sys/kernel/btf/vmlinux: kernel built without CONFIG_DEBUG_INFO_BTF "
			 "(fentry and tp_btf need it; raw_tp and tracepoints still work)");
		return;
	}
	btf = features__vmlinux_btf();
	if (!btf)
		feat_set(f, FEAT_MISSING, "libbpf cannot load the kernel's BTF: %s",
			 strerror(-vmlinux_btf_err));
	else
		feat_set(f, FEAT_OK, "/sys/kernel/btf/vmlinux, %u types", btf__type_cnt(btf) - 1);
}

/* libbpf_probe_*: 1 supported, 0 not, < 0 the probe itself failed. */
static void from_libbpf_probe(struct feature *f, int r, const char *yes, const char *no)
{
	if (r > 0)
		feat_set(f, FEAT_OK, "%s", yes);
	else if (r == 0)
		feat_set(f, FEAT_MISSING, "%s", no);
	else
		feat_set(f, FEAT_MISSING, "probe failed: %s", strerror(-r));
}

static void probe_ringbuf(struct feature *f)
{
	if (gated(f, MECH_NR))
		return;
	libbpf_log__init();
	from_libbpf_probe(f, libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL),
			  "BPF_MAP_TYPE_RINGBUF",
			  "no BPF ring buffer (Linux < 5.8): perf buffers needed");
}

/* Cookies matter for uprobes (one program, many attach points); they are kprobe-type. */
static void probe_cookie(struct feature *f)
{
	if (gated(f, MECH_NR))
		return;
	libbpf_log__init();
	from_libbpf_probe(
		f, libbpf_probe_bpf_helper(BPF_PROG_TYPE_KPROBE, BPF_FUNC_get_attach_cookie, NULL),
		"bpf_get_attach_cookie() in kprobe/uprobe programs",
		"no bpf_get_attach_cookie() (Linux < 5.15)");
}

/* A perf PMU the kernel registers for dynamic probes (kprobe, uprobe). */
static int pmu_type(const char *pmu)
{
	char path[96], buf[32] = "";
	FILE *fp;

	snprintf(path, sizeof(path), "/sys/bus/event_source/devices/%s/type", pmu);
	fp = fopen(path, "re");
	if (!fp)
		return -errno;
	if (!fgets(buf, sizeof(buf), fp))
		buf[0] = '\0';
	fclose(fp);
	return buf[0] ? atoi(buf) : -ENODATA;
}

static void probe_uprobe(struct feature *f)
{
	int t;

	if (features__disabled(MECH_UPROBE)) {
		feat_set(f, FEAT_DISABLED, "disabled by --no-feature");
		return;
	}
	t = pmu_type("uprobe");
	if (t < 0)
		feat_set(f, FEAT_MISSING,
			 "no uprobe PMU (/sys/bus/event_source/devices/uprobe): kernel built "
			 "without CONFIG_UPROBE_EVENTS");
	else
		feat_set(f, FEAT_OK, "perf PMU type %d", t);
}

static void probe_uprobe_multi(struct feature *f)
{
	int r;

	if (gated(f, MECH_UPROBE_MULTI))
		return;
	r = uprobe_multi__probe();
	if (r > 0)
		feat_set(f, FEAT_OK,
			 "BPF uprobe_multi links: many uprobes attach and detach as one");
	else if (r == 0)
		feat_set(f, FEAT_MISSING,
			 "no BPF uprobe_multi links (Linux < 6.6): one perf event per uprobe, "
			 "detached one by one (~0.1 s each)");
	else
		feat_set(f, FEAT_MISSING, "probe failed: %s", strerror(-r));
}

/* Tries the mechanism on a target every kernel has; the reason is the failure's. */
static void probe_attach(struct feature *f, enum kern_mech m, const char *name)
{
	struct kern_target t = {.mech = m, .name = name, .syscall_nr = -1};

	if (hookprobe__try(&t))
		feat_set(f, FEAT_MISSING, "%s (probed on %s)", err_msg(), name);
	else
		feat_set(f, FEAT_OK, "loads and attaches (probed on %s)", name);
}

static void probe_kprobe(struct feature *f)
{
	char val[8];

	if (gated(f, MECH_KPROBE))
		return;
	if (pmu_type("kprobe") >= 0) {
		probe_attach(f, MECH_KPROBE, PROBE_FUNC);
		return;
	}
	if (!kconfig__get("CONFIG_KPROBES", val, sizeof(val)) && !strcmp(val, "n"))
		feat_set(f, FEAT_MISSING,
			 "kprobes not supported by this kernel (CONFIG_KPROBES off)");
	else
		feat_set(f, FEAT_MISSING,
			 "kprobes not supported by this kernel (no kprobe PMU in "
			 "/sys/bus/event_source/devices)");
}

/* fentry and tp_btf attach by BTF id: without kernel BTF they cannot exist. */
static void probe_btf_mech(struct feature *f, enum kern_mech m, const char *name)
{
	if (gated(f, m))
		return;
	if (features__get(FEAT_BTF)->state != FEAT_OK) {
		feat_set(f, FEAT_MISSING, "needs kernel BTF (see btf)");
		return;
	}
	probe_attach(f, m, name);
}

static void probe_fentry(struct feature *f)
{
	probe_btf_mech(f, MECH_FENTRY, PROBE_FUNC);
}

static void probe_tp_btf(struct feature *f)
{
	probe_btf_mech(f, MECH_TP_BTF, PROBE_TP);
}

static void probe_raw_tp(struct feature *f)
{
	if (!gated(f, MECH_RAW_TP))
		probe_attach(f, MECH_RAW_TP, PROBE_TP);
}

static const struct {
	const char *key;
	void (*probe)(struct feature *f);
} feats[FEAT_NR] = {
	[FEAT_PRIVILEGES] = {"privileges", feat_probe_privileges},
	[FEAT_BTF] = {"btf", probe_btf},
	[FEAT_RINGBUF] = {"ring_buffer", probe_ringbuf},
	[FEAT_COOKIE] = {"bpf_cookie", probe_cookie},
	[FEAT_UPROBE] = {"uprobe", probe_uprobe},
	[FEAT_UPROBE_MULTI] = {"uprobe_multi", probe_uprobe_multi},
	[FEAT_KPROBE] = {"kprobe", probe_kprobe},
	[FEAT_FENTRY] = {"fentry", probe_fentry},
	[FEAT_TP_BTF] = {"tp_btf", probe_tp_btf},
	[FEAT_RAW_TP] = {"raw_tp", probe_raw_tp},
	[FEAT_TRACEFS] = {"tracefs", feat_probe_tracefs},
	[FEAT_PSI] = {"psi", feat_probe_psi},
};

const struct feature *features__get(enum feat_id id)
{
	static const struct feature unknown = {FEAT_MISSING, "unknown feature"};
	static struct feature cache[FEAT_NR];
	static bool done[FEAT_NR];

	if ((unsigned)id >= FEAT_NR)
		return &unknown;
	if (!done[id]) {
		done[id] = true; /* before probing: a probe may ask for another */
		feats[id].probe(&cache[id]);
	}
	return &cache[id];
}

const char *features__key(enum feat_id id)
{
	return (unsigned)id < FEAT_NR ? feats[id].key : "?";
}

const char *feat_state_name(enum feat_state s)
{
	static const char *const names[] = {"ok", "missing", "disabled"};

	return (unsigned)s < 3 ? names[s] : "?";
}

enum feat_id features__for_mech(enum kern_mech m)
{
	static const enum feat_id map[MECH_NR] = {
		[MECH_FENTRY] = FEAT_FENTRY,
		[MECH_KPROBE] = FEAT_KPROBE,
		[MECH_TP_BTF] = FEAT_TP_BTF,
		[MECH_RAW_TP] = FEAT_RAW_TP,
		[MECH_TRACEPOINT] = FEAT_TRACEFS,
		[MECH_UPROBE] = FEAT_UPROBE,
		[MECH_UPROBE_MULTI] = FEAT_UPROBE_MULTI,
	};

	return m < MECH_NR ? map[m] : FEAT_PRIVILEGES;
}
