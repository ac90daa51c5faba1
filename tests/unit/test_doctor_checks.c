// SPDX-License-Identifier: GPL-2.0
/*
 * Each built-in doctor check (user/doctor/check_*.c) on a fake target
 * (doctor_fake.h): /proc files, cgroup files, a container root and kubelet
 * logs written by the test. The expected status and facts come from what
 * the test wrote (the limit, the environment, the counters) and from
 * independent tools (readelf for an ELF interpreter, /proc/sys for
 * vm.max_map_count, a real Go process for the runtime's knobs).
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "doctor_fake.h"
#include "proc/procfs.h"
#include "rank/fact.h"

#define MIB (1024LL * 1024)

static char *tmpdir;
static char gobin[PATH_MAX]; /* the parked fixture, built with the newest toolchain; "" none */

static int setup(void **state)
{
	struct tu_go gos[TU_MAX_GOROOTS];
	int n = tu_find_gos(gos, TU_MAX_GOROOTS);

	tmpdir = tu_mkdtemp("doctor-checks");
	if (!tmpdir)
		return -1;
	snprintf(gobin, sizeof(gobin), "%s/parked", tmpdir);
	/* go1.19+: GOMEMLIMIT exists, and the runtime keeps it in gcController. */
	if (!n || gos[0].minor < 19 || tu_build_fixture(&gos[0], "-buildvcs=false", gobin))
		gobin[0] = '\0';
	return 0;
}

static int teardown(void **state)
{
	tu_rmrf(tmpdir);
	free(tmpdir);
	return 0;
}

static void need_go(void)
{
	if (!gobin[0])
		skip();
}

static void release(struct check_result *r)
{
	check_result__clear(r);
}

/* ------------------------------------------------------------------ cgroup.version */

static void test_cgroup_version(void **state)
{
	struct fake f;
	struct check_result r;

	fake_init(&f);
	fake_run(&f, "cgroup.version", &r);
	assert_int_equal(r.status, CHECK_PASS);
	assert_string_equal(fact_str(fake_fact(&r, "cgroup_layout"), "memory_dir"), f.t.mem_dir);
	release(&r);
	/* A process in the root memory cgroup: nothing limits it. */
	snprintf(f.t.mem_dir, sizeof(f.t.mem_dir), "%s", f.t.cl.memory_mount);
	fake_run(&f, "cgroup.version", &r);
	assert_int_equal(r.status, CHECK_WARN);
	release(&r);
	fake_free(&f);
}

/* ------------------------------------------------------------------ memory.limit */

static void memcg_files(struct fake *f, long long limit, long long usage, long long kills,
			long long failcnt)
{
	fake_put(f, "cg/memory" FAKE_CG "/memory.limit_in_bytes", "%lld\n", limit);
	fake_put(f, "cg/memory" FAKE_CG "/memory.usage_in_bytes", "%lld\n", usage);
	fake_put(f, "cg/memory" FAKE_CG "/memory.max_usage_in_bytes", "%lld\n", usage);
	fake_put(f, "cg/memory" FAKE_CG "/memory.failcnt", "%lld\n", failcnt);
	fake_put(f, "cg/memory" FAKE_CG "/memory.oom_control",
		 "oom_kill_disable 0\nunder_oom 0\noom_kill %lld\n", kills);
}

static enum check_status memlimit_with(struct fake *f, const char *const *env,
				       struct check_result *r)
{
	fake_list(f, "proc/environ", env);
	fake_run(f, "memory.limit", r);
	return r->status;
}

static void test_memlimit(void **state)
{
	const char *const above[] = {"PATH=/bin", "GOMEMLIMIT=100MiB", NULL};
	const char *const unset[] = {"PATH=/bin", NULL};
	const char *const below[] = {"PATH=/bin", "GOMEMLIMIT=48MiB", NULL};
	const char *const off[] = {"PATH=/bin", "GOGC=off", NULL};
	char want[32];
	struct fake f;
	struct check_result r;

	need_go();
	fake_init(&f);
	fake_link(&f, "proc/exe", gobin);
	memcg_files(&f, 64 * MIB, 10 * MIB, 0, 0);
	/* The fix suggests 90% of the limit in whole MiB: floor(64 * 0.9) = 57. */
	snprintf(want, sizeof(want), "GOMEMLIMIT=%dMiB", 64 * 9 / 10);
	assert_int_equal(memlimit_with(&f, above, &r), CHECK_FAIL);
	assert_int_equal(fact_int(fake_fact(&r, "mem_limit"), "limit_bytes", 0), 64 * MIB);
	assert_int_equal(fact_int(fake_fact(&r, "mem_limit"), "usage_bytes", 0), 10 * MIB);
	assert_non_null(strstr(r.fix, want));
	release(&r);
	assert_int_equal(memlimit_with(&f, unset, &r), CHECK_WARN);
	assert_non_null(strstr(r.fix, want));
	release(&r);
	assert_int_equal(memlimit_with(&f, below, &r), CHECK_PASS);
	release(&r);
	assert_int_equal(memlimit_with(&f, off, &r), CHECK_FAIL);
	release(&r);
	/* Usage at 95% of the limit is a warning even with the knobs right. */
	memcg_files(&f, 64 * MIB, 61 * MIB, 0, 0);
	assert_int_equal(memlimit_with(&f, below, &r), CHECK_WARN);
	release(&r);
	/* cgroup v1's "no limit": PAGE_COUNTER_MAX pages. */
	memcg_files(&f, 9223372036854771712LL, 10 * MIB, 0, 0);
	assert_int_equal(memlimit_with(&f, unset, &r), CHECK_PASS);
	assert_false(fact_has(fake_fact(&r, "mem_limit"), "limit_bytes"));
	release(&r);
	fake_free(&f);
}

/* ------------------------------------------------------------------ memory.oom_kills */

static void test_oom_kills(void **state)
{
	struct fake f;
	struct check_result r;

	fake_init(&f);
	memcg_files(&f, 64 * MIB, 10 * MIB, 3, 7);
	fake_run(&f, "memory.oom_kills", &r);
	assert_int_equal(r.status, CHECK_FAIL);
	assert_int_equal(fact_int(fake_fact(&r, "oom_events"), "oom_kill", -1), 3);
	assert_int_equal(fact_int(fake_fact(&r, "oom_events"), "failcnt", -1), 7);
	release(&r);
	memcg_files(&f, 64 * MIB, 10 * MIB, 0, 7);
	fake_run(&f, "memory.oom_kills", &r);
	assert_int_equal(r.status, CHECK_WARN);
	release(&r);
	memcg_files(&f, 64 * MIB, 10 * MIB, 0, 0);
	fake_run(&f, "memory.oom_kills", &r);
	assert_int_equal(r.status, CHECK_PASS);
	release(&r);
	fake_free(&f);
}

/* ------------------------------------------------------------------ cpu.quota, cpu.throttling */

static void cpu_files(struct fake *f, long long quota, long long periods, long long throttled)
{
	fake_put(f, "cg/cpu" FAKE_CG "/cpu.cfs_quota_us", "%lld\n", quota);
	fake_put(f, "cg/cpu" FAKE_CG "/cpu.cfs_period_us", "100000\n");
	fake_put(f, "cg/cpu" FAKE_CG "/cpu.stat",
		 "nr_periods %lld\nnr_throttled %lld\nthrottled_time %lld\n", periods, throttled,
		 throttled * 1000000);
}

static void test_cpu_quota(void **state)
{
	const char *const eight[] = {"GOMAXPROCS=8", NULL};
	const char *const one[] = {"GOMAXPROCS=1", NULL};
	struct fake f;
	struct check_result r;
	const struct fact *b;

	need_go();
	fake_init(&f);
	fake_link(&f, "proc/exe", gobin);
	fake_put(&f, "proc/status", "Name:\tapp\nCpus_allowed_list:\t0-7\n");
	cpu_files(&f, 50000, 10, 0);
	fake_list(&f, "proc/environ", eight);
	fake_run(&f, "cpu.quota", &r);
	assert_int_equal(r.status, CHECK_WARN);
	b = fake_fact(&r, "cpu_budget");
	assert_true(fact_float(b, "quota_cpus", 0) == 0.5); /* 50000 / 100000 */
	assert_int_equal(fact_int(b, "gomaxprocs", 0), 8);
	assert_int_equal(fact_int(b, "cpus_allowed", 0), 8); /* 0-7 */
	release(&r);
	fake_list(&f, "proc/environ", one);
	fake_run(&f, "cpu.quota", &r);
	assert_int_equal(r.status, CHECK_PASS);
	release(&r);
	cpu_files(&f, -1, 0, 0);
	fake_run(&f, "cpu.quota", &r);
	assert_int_equal(r.status, CHECK_PASS);
	assert_false(fact_bool(fake_fact(&r, "cpu_budget"), "has_quota", true));
	release(&r);
	fake_free(&f);
}

static void test_throttling(void **state)
{
	struct fake f;
	struct check_result r;
	const struct fact *t;

	fake_init(&f);
	cpu_files(&f, 50000, 100, 50);
	fake_run(&f, "cpu.throttling", &r);
	assert_int_equal(r.status, CHECK_FAIL);
	t = fake_fact(&r, "cpu_throttling");
	assert_int_equal(fact_int(t, "nr_periods", 0), 100);
	assert_int_equal(fact_int(t, "nr_throttled", 0), 50);
	assert_true(fact_float(t, "throttled_ratio", 0) == 0.5);
	release(&r);
	cpu_files(&f, 50000, 100, 10);
	fake_run(&f, "cpu.throttling", &r);
	assert_int_equal(r.status, CHECK_WARN);
	release(&r);
	cpu_files(&f, 50000, 100, 1);
	fake_run(&f, "cpu.throttling", &r);
	assert_int_equal(r.status, CHECK_PASS);
	release(&r);
	fake_free(&f);
}

/* ------------------------------------------------------------------ psi */

static void psi_file(struct fake *f, const char *res, double some, double full)
{
	char rel[PATH_MAX];

	snprintf(rel, sizeof(rel), "cg/unified%s/%s.pressure", FAKE_CG, res);
	fake_put(f, rel,
		 "some avg10=%.2f avg60=1.00 avg300=0.50 total=1000\n"
		 "full avg10=%.2f avg60=1.00 avg300=0.50 total=500\n",
		 some, full);
}

static void test_psi(void **state)
{
	struct fake f;
	struct check_result r;
	size_t n = 0;
	const struct fact *x;

	fake_init(&f);
	fake_run(&f, "psi", &r);
	assert_int_equal(r.status, CHECK_SKIP); /* no pressure files */
	release(&r);
	psi_file(&f, "memory", 30, 25);
	psi_file(&f, "cpu", 0, 0);
	psi_file(&f, "io", 0, 0);
	fake_run(&f, "psi", &r);
	assert_int_equal(r.status, CHECK_FAIL);
	for (size_t cur = 0; (x = fact_store__next(&r.facts, &cur, "psi", NULL));)
		if (!strcmp(fact_str(x, "resource"), "memory")) {
			assert_true(fact_float(x, "full_avg10", 0) == 25.0);
			n++;
		}
	assert_int_equal(n, 1);
	release(&r);
	psi_file(&f, "memory", 0, 0);
	fake_run(&f, "psi", &r);
	assert_int_equal(r.status, CHECK_PASS);
	release(&r);
	fake_free(&f);
}

/* ------------------------------------------------------------------ proc.status, proc.maps */

/* This process's own status with Threads and State replaced: the kernel's real format. */
static void status_with(struct fake *f, unsigned threads, char state)
{
	struct procfs_buf b;
	char *out, *line, *save = NULL;
	size_t n = 0;

	if (procfs__read_file("/proc/self/status", 64 * 1024, &b) || !(out = malloc(b.len + 256)))
		abort();
	for (line = strtok_r(b.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "Threads:", 8))
			n += (size_t)sprintf(out + n, "Threads:\t%u\n", threads);
		else if (!strncmp(line, "State:", 6))
			n += (size_t)sprintf(out + n, "State:\t%c (x)\n", state);
		else
			n += (size_t)sprintf(out + n, "%s\n", line);
	}
	fake_put(f, "proc/status", "%s", out);
	procfs_buf__clear(&b);
	free(out);
}

static void test_status(void **state)
{
	struct fake f;
	struct check_result r;

	fake_init(&f);
	status_with(&f, 9000, 'S');
	fake_run(&f, "proc.status", &r);
	assert_int_equal(r.status, CHECK_FAIL); /* near Go's 10000-thread limit */
	assert_int_equal(fact_int(fake_fact(&r, "proc_status"), "threads", 0), 9000);
	release(&r);
	status_with(&f, 5, 'D');
	fake_run(&f, "proc.status", &r);
	assert_int_equal(r.status, CHECK_WARN);
	assert_string_equal(fact_str(fake_fact(&r, "proc_status"), "state"), "D");
	release(&r);
	status_with(&f, 5, 'S');
	fake_run(&f, "proc.status", &r);
	assert_int_equal(r.status, CHECK_PASS);
	release(&r);
	fake_free(&f);
}

static uint64_t real_max_map_count(void)
{
	struct procfs_buf b;
	uint64_t v;

	if (procfs__read_file("/proc/sys/vm/max_map_count", 64, &b))
		abort();
	v = strtoull(b.data, NULL, 10);
	procfs_buf__clear(&b);
	return v;
}

/* n anonymous mappings, 4 KiB each, one page apart. */
static void maps_with(struct fake *f, size_t n)
{
	char path[PATH_MAX];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/proc/maps", f->dir);
	fp = fopen(path, "w");
	if (!fp)
		abort();
	for (size_t i = 0; i < n; i++)
		fprintf(fp, "%llx-%llx rw-p 00000000 00:00 0 \n",
			(unsigned long long)(0x10000000ULL + i * 0x2000),
			(unsigned long long)(0x10000000ULL + i * 0x2000 + 0x1000));
	fclose(fp);
}

static void test_maps(void **state)
{
	uint64_t max = real_max_map_count();
	struct fake f;
	struct check_result r;

	fake_init(&f);
	maps_with(&f, (size_t)(max * 95 / 100));
	fake_run(&f, "proc.maps", &r);
	assert_int_equal(r.status, CHECK_FAIL);
	assert_int_equal(fact_int(fake_fact(&r, "proc_maps"), "maps_count", 0),
			 (int64_t)(max * 95 / 100));
	assert_int_equal(fact_int(fake_fact(&r, "proc_maps"), "max_map_count", 0), (int64_t)max);
	release(&r);
	maps_with(&f, 10);
	fake_run(&f, "proc.maps", &r);
	assert_int_equal(r.status, CHECK_PASS);
	assert_int_equal(fact_int(fake_fact(&r, "proc_maps"), "anon_count", 0), 10);
	assert_int_equal(fact_int(fake_fact(&r, "proc_maps"), "anon_kib", 0), 40);
	release(&r);
	fake_free(&f);
}

/* ------------------------------------------------------------------ go.env, go.runtime */

static void test_goenv(void **state)
{
	const char *const bad_limit[] = {"GOMEMLIMIT=100MB", NULL};
	const char *const trace[] = {"GODEBUG=madvdontneed=1,gctrace=1", NULL};
	const char *const junk_gogc[] = {"GOGC=fast", NULL};
	const char *const fine[] = {"GOGC=50", "GOMEMLIMIT=1GiB", NULL};
	struct fake f;
	struct check_result r;

	need_go();
	fake_init(&f);
	fake_link(&f, "proc/exe", gobin);
	fake_list(&f, "proc/environ", bad_limit);
	fake_run(&f, "go.env", &r);
	assert_int_equal(r.status, CHECK_FAIL); /* the runtime refuses "MB" */
	assert_false(fact_bool(fake_fact(&r, "go_env"), "gomemlimit_valid", true));
	release(&r);
	fake_list(&f, "proc/environ", trace);
	fake_run(&f, "go.env", &r);
	assert_int_equal(r.status, CHECK_WARN);
	release(&r);
	fake_list(&f, "proc/environ", junk_gogc);
	fake_run(&f, "go.env", &r);
	assert_int_equal(r.status, CHECK_WARN);
	release(&r);
	fake_list(&f, "proc/environ", fine);
	fake_run(&f, "go.env", &r);
	assert_int_equal(r.status, CHECK_PASS);
	assert_int_equal(fact_int(fake_fact(&r, "go_env"), "gogc_percent", 0), 50);
	assert_int_equal(fact_int(fake_fact(&r, "go_env"), "gomemlimit_bytes", 0), 1024 * MIB);
	release(&r);
	fake_free(&f);
}

/* Starts the parked fixture with env; returns its pid once it printed "ready". */
static pid_t start_go(char *const *env)
{
	int fd[2];
	char buf[64];
	pid_t pid;

	if (pipe(fd))
		abort();
	pid = fork();
	if (pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		execle(gobin, gobin, (char *)NULL, env);
		_exit(127);
	}
	close(fd[1]);
	if (read(fd[0], buf, sizeof(buf)) <= 0) /* "ready <pid>" */
		pid = -1;
	close(fd[0]);
	return pid;
}

static void test_goruntime(void **state)
{
	char *env[] = {"GOGC=50", "GOMEMLIMIT=64MiB", "GOMAXPROCS=3", NULL};
	const struct fact *k;
	struct fake f;
	struct check_result r;
	pid_t pid;

	need_go();
	fake_init(&f);
	fake_run(&f, "go.runtime", &r);
	assert_int_equal(r.status, CHECK_SKIP); /* a fake process has no memory to read */
	release(&r);
	pid = start_go(env);
	assert_true(pid > 0);
	f.t.pid = pid;
	snprintf(f.t.proc_dir, sizeof(f.t.proc_dir), "/proc/%d", (int)pid);
	fake_run(&f, "go.runtime", &r);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	/* The runtime read those three variables at start: the values in effect are them. */
	assert_int_equal(r.status, CHECK_PASS);
	k = fake_fact(&r, "go_runtime");
	assert_int_equal(fact_int(k, "gomaxprocs", 0), 3);
	assert_int_equal(fact_int(k, "gc_percent", 0), 50);
	assert_int_equal(fact_int(k, "memory_limit_bytes", 0), 64 * MIB);
	release(&r);
	fake_free(&f);
}

/* ------------------------------------------------------------------ go.build */

/* readelf's view of /bin/true: its interpreter, and its first needed library. */
static bool readelf_facts(char *interp, size_t ilen, char *needed, size_t nlen)
{
	int st;
	char *out = tu_run("readelf -lW /bin/true", &st), *p;
	bool ok = false;

	if (out && (p = strstr(out, "program interpreter: "))) {
		p += strlen("program interpreter: ");
		snprintf(interp, ilen, "%.*s", (int)strcspn(p, "]"), p);
		ok = true;
	}
	free(out);
	out = tu_run("readelf -dW /bin/true", &st);
	if (out && (p = strstr(out, "Shared library: ["))) {
		p += strlen("Shared library: [");
		snprintf(needed, nlen, "%.*s", (int)strcspn(p, "]"), p);
	} else {
		ok = false;
	}
	free(out);
	return ok;
}

static void test_gobuild(void **state)
{
	char interp[256], needed[128], rel[PATH_MAX];
	struct fake f;
	struct check_result r;
	const struct fact *b;

	if (!readelf_facts(interp, sizeof(interp), needed, sizeof(needed)))
		skip();
	fake_init(&f);
	fake_link(&f, "proc/exe", "/bin/true");
	fake_run(&f, "go.build", &r);
	assert_int_equal(r.status, CHECK_FAIL); /* an empty image: no loader */
	b = fake_fact(&r, "binary");
	assert_string_equal(fact_str(b, "interp"), interp);
	assert_false(fact_bool(b, "interp_present", true));
	assert_non_null(strstr(fact_str(b, "missing_libs"), needed));
	release(&r);
	/* The loader and the library where glibc's loader looks. */
	snprintf(rel, sizeof(rel), "root%s", interp);
	fake_put(&f, rel, "x");
	snprintf(rel, sizeof(rel), "root/lib/x86_64-linux-gnu/%s", needed);
	fake_put(&f, rel, "x");
	snprintf(rel, sizeof(rel), "root/lib/aarch64-linux-gnu/%s", needed);
	fake_put(&f, rel, "x");
	fake_run(&f, "go.build", &r);
	assert_int_equal(r.status, CHECK_PASS);
	assert_true(fact_bool(fake_fact(&r, "binary"), "interp_present", false));
	release(&r);
	fake_free(&f);
}

/* No process: the binary is the one the last instance's log failed to exec, in --rootfs. */
static void test_gobuild_from_log(void **state)
{
	char interp[256], needed[128], path[PATH_MAX];
	size_t len;
	uint8_t *bin = tu_read_file("/bin/true", &len);
	struct fake f;
	struct check_result r;

	if (!bin || !readelf_facts(interp, sizeof(interp), needed, sizeof(needed)))
		skip();
	fake_init(&f);
	f.t.pid = 0;
	fake_logs(&f, 1, 0);
	fake_put(&f, "var/log/pods/shop_api_" FAKE_UID "/app/1.log",
		 "2026-01-02T03:04:05.000000001Z stderr F exec /app/true: no such file or "
		 "directory\n");
	fake_put(&f, "root/app/true", "%s", "");
	assert_int_equal(
		tu_write_file(fake_path(&f, "root/app/true", path, sizeof(path)), bin, len), 0);
	fake_run(&f, "go.build", &r);
	assert_int_equal(r.status, CHECK_FAIL);
	assert_string_equal(fact_str(fake_fact(&r, "binary"), "path"), "/app/true");
	assert_string_equal(fact_str(fake_fact(&r, "binary"), "interp"), interp);
	release(&r);
	free(bin);
	fake_free(&f);
}

/* ------------------------------------------------------------------ net.bind */

static void test_ports(void **state)
{
	const char *const args[] = {"/app/server", "-listen", ":80", NULL};
	const char *const env[] = {"PATH=/bin", "METRICS_PORT=9090", NULL};
	char path[PATH_MAX];
	const struct fact *nb;
	struct fake f;
	struct check_result r;

	fake_init(&f);
	fake_list(&f, "proc/cmdline", args);
	fake_list(&f, "proc/environ", env);
	fake_put(&f, "proc/status",
		 "Name:\tserver\nState:\tS (sleeping)\nTgid:\t7\n"
		 "Uid:\t1000\t1000\t1000\t1000\nCapEff:\t0000000000000000\n");
	fake_mkdirs(fake_path(&f, "proc/fd", path, sizeof(path)));
	fake_run(&f, "net.bind", &r);
	assert_int_equal(r.status, CHECK_FAIL);
	nb = fake_fact(&r, "net_bind");
	assert_false(fact_bool(nb, "cap_net_bind_service", true));
	assert_int_equal(fact_int(nb, "uid", 0), 1000);
	assert_non_null(strstr(fact_str(nb, "wanted_ports"), "80"));
	assert_non_null(strstr(fact_str(nb, "wanted_ports"), "9090"));
	release(&r);
	/* CAP_NET_BIND_SERVICE is bit 10 of CapEff. */
	fake_put(&f, "proc/status",
		 "Name:\tserver\nState:\tS (sleeping)\nTgid:\t7\n"
		 "Uid:\t1000\t1000\t1000\t1000\nCapEff:\t%016llx\n",
		 1ULL << 10);
	fake_run(&f, "net.bind", &r);
	assert_int_equal(r.status, CHECK_PASS);
	assert_true(fact_bool(fake_fact(&r, "net_bind"), "cap_net_bind_service", false));
	release(&r);
	fake_free(&f);
}

/* ------------------------------------------------------------------ fs.paths */

static void test_paths(void **state)
{
	const char *const env[] = {"PATH=/bin", "APP_HOME=/srv/app", NULL};
	const char *const args[] = {"/app/server", "-config", "config.yaml", NULL};
	const struct fact *p;
	struct fake f;
	struct check_result r;
	size_t cur = 0;
	bool saw_log = false, saw_env = false;

	fake_init(&f);
	fake_logs(&f, 0, -1);
	fake_list(&f, "proc/environ", env);
	fake_list(&f, "proc/cmdline", args);
	fake_link(&f, "proc/cwd", "/");
	fake_put(&f, "proc/mountinfo",
		 "100 99 0:50 / / rw - overlay overlay rw\n"
		 "101 100 0:51 / /proc rw - proc proc rw\n"
		 "102 100 8:1 /volumes/cfg /etc/app ro - ext4 /dev/sda1 rw\n");
	fake_put(&f, "root/etc/app/config.yaml", "port: 8080\n");
	fake_put(&f, "var/log/pods/shop_api_" FAKE_UID "/app/0.log",
		 "2026-01-02T03:04:05.000000001Z stderr F open config.yaml: no such file or "
		 "directory\n");
	fake_run(&f, "fs.paths", &r);
	assert_int_equal(r.status, CHECK_FAIL);
	while ((p = fact_store__next(&r.facts, &cur, "path_check", NULL))) {
		if (strstr(fact_str(p, "source"), "log")) {
			saw_log = true;
			assert_string_equal(fact_str(p, "resolved"), "/config.yaml");
			assert_false(fact_bool(p, "exists", true));
			assert_string_equal(fact_str(p, "found_at"), "/etc/app/config.yaml");
		}
		if (!strcmp(fact_str(p, "path"), "/srv/app")) {
			saw_env = true;
			assert_false(fact_bool(p, "exists", true));
		}
	}
	assert_true(saw_log);
	assert_true(saw_env);
	assert_true(fake_evidence_has(&r, "/etc/app"));
	release(&r);
	fake_free(&f);
}

/* ------------------------------------------------------------------ pod.restarts */

static void test_restarts(void **state)
{
	const struct fact *h, *e;
	struct fake f;
	struct check_result r;
	size_t cur = 0;
	bool panic = false;

	fake_init(&f);
	f.t.pid = 0; /* between restarts */
	fake_logs(&f, 2, 1);
	for (int i = 0; i < 3; i++) {
		char rel[256];

		snprintf(rel, sizeof(rel), "var/log/pods/shop_api_%s/app/%d.log", FAKE_UID, i);
		fake_put(&f, rel,
			 "2026-01-02T03:0%d:00.000000000Z stdout F starting\n"
			 "2026-01-02T03:0%d:02.500000000Z stderr F panic: runtime error: invalid "
			 "memory address or nil pointer dereference\n"
			 "2026-01-02T03:0%d:02.500000100Z stderr F goroutine 1 [running]:\n",
			 i, i, i);
	}
	fake_run(&f, "pod.restarts", &r);
	assert_int_equal(r.status, CHECK_FAIL);
	h = fake_fact(&r, "restart_history");
	assert_int_equal(fact_int(h, "restarts", -1), 2);
	assert_int_equal(fact_int(h, "instances", -1), 3);
	assert_false(fact_bool(h, "running", true));
	assert_int_equal(fact_int(h, "last_life_ns", 0),
			 2500000100LL); /* 03:02:00 -> 03:02:02.5000001 */
	while ((e = fact_store__next(&r.facts, &cur, "log_error", NULL)))
		panic |= !strcmp(fact_str(e, "class"), "go_panic") &&
			 fact_int(e, "restart", -1) == 2;
	assert_true(panic);
	assert_true(fake_evidence_has(&r, "| panic: runtime error"));
	release(&r);
	fake_free(&f);
}

/* ------------------------------------------------------------------ kernel.oom_log */

static void test_kmsg(void **state)
{
	char path[PATH_MAX];
	const struct fact *k;
	struct fake f;
	struct check_result r;

	fake_init(&f);
	snprintf(f.t.id.memcg, sizeof(f.t.id.memcg), "%s", FAKE_CG);
	fake_put(&f, "kmsg",
		 "6,8328,8521593216,-;memory: usage 65536kB, limit 65536kB, failcnt 0\n"
		 "6,8377,8521593255,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),"
		 "cpuset=x,mems_allowed=0,oom_memcg=" FAKE_CG ",task_memcg=" FAKE_CG
		 ",task=server,pid=11564,uid=0\n"
		 "3,8378,8521593320,-;Memory cgroup out of memory: Killed process 11564 (server) "
		 "total-vm:847240kB, anon-rss:64808kB, file-rss:1632kB, shmem-rss:0kB, UID:0 "
		 "pgtables:216kB oom_score_adj:0\n"
		 "6,8400,8600000000,-;oom-kill:constraint=CONSTRAINT_MEMCG,oom_memcg=/other,"
		 "task_memcg=/kubepods/podaaaa/bbbb,task=other,pid=999,uid=0\n");
	f.t.kmsg_path = fake_path(&f, "kmsg", path, sizeof(path));
	fake_run(&f, "kernel.oom_log", &r);
	assert_int_equal(r.status, CHECK_FAIL);
	k = fake_fact(&r, "oom_kill_log");
	assert_int_equal(fact_int(k, "kills", 0), 1); /* the other pod's kill does not count */
	assert_int_equal(fact_int(k, "last_pid", 0), 11564);
	assert_int_equal(fact_int(k, "last_anon_rss_kib", 0), 64808);
	assert_int_equal(fact_int(k, "limit_bytes", 0), 65536LL * 1024);
	release(&r);
	fake_put(&f, "kmsg", "6,1,100,-;hello\n");
	fake_run(&f, "kernel.oom_log", &r);
	assert_int_equal(r.status, CHECK_PASS);
	release(&r);
	fake_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cgroup_version), cmocka_unit_test(test_memlimit),
		cmocka_unit_test(test_oom_kills),      cmocka_unit_test(test_cpu_quota),
		cmocka_unit_test(test_throttling),     cmocka_unit_test(test_psi),
		cmocka_unit_test(test_status),	       cmocka_unit_test(test_maps),
		cmocka_unit_test(test_goenv),	       cmocka_unit_test(test_goruntime),
		cmocka_unit_test(test_gobuild),	       cmocka_unit_test(test_gobuild_from_log),
		cmocka_unit_test(test_ports),	       cmocka_unit_test(test_paths),
		cmocka_unit_test(test_restarts),       cmocka_unit_test(test_kmsg),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
