/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inlined frames against the runtime itself (included by test_pclntab.c
 * after pclntab_real.h): run each binary with GOTRACEBACK=system, SIGQUIT
 * it once its goroutines are parked (parked prints "ready"; esbuild blocks
 * reading stdin), and compare every frame group of the dump (inlined
 * frames, printed without pc, then the physical frame with pc=) with
 * pclntab__symbolize at that pc. Like the runtime, we look up pc-1 for
 * return addresses and the pc itself for the signal frame; PIE pcs lose
 * the load bias read from /proc/PID/maps first.
 */

#define TB_MAX_FRAMES 16

struct tb_frame {
	char func[512];
	char file[512];
	int line;
};

struct tb_group {
	uint64_t pc;
	int n;
	struct tb_frame f[TB_MAX_FRAMES];
};

static bool wait_ready(int fd, int ms)
{
	char buf[256];
	size_t have = 0;
	struct pollfd p = {fd, POLLIN, 0};

	while (poll(&p, 1, ms) > 0) {
		ssize_t r = read(fd, buf + have, sizeof(buf) - 1 - have);

		if (r <= 0)
			return false;
		have += r;
		buf[have] = '\0';
		if (strstr(buf, "ready"))
			return true;
		if (have >= sizeof(buf) - 1)
			have = 0;
	}
	return false;
}

/* Load bias of a PIE: where its offset-0 mapping starts minus its link address. */
static uint64_t load_bias(pid_t pid, const char *path, const struct elf_file *ef)
{
	char maps[64], line[1024], real[PATH_MAX];
	uint64_t bias = 0;
	FILE *f;

	if (elf_file__type(ef) != ET_DYN || !realpath(path, real))
		return 0;
	snprintf(maps, sizeof(maps), "/proc/%d/maps", (int)pid);
	f = fopen(maps, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long start, off;
		char file[1024] = "";

		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "%llx-%*llx %*s %llx %*s %*s %1023[^\n]", &start, &off, file) ==
			    3 &&
		    off == 0 && !strcmp(file, real)) {
			bias = start - elf_file__base_vaddr(ef);
			break;
		}
	}
	fclose(f);
	return bias;
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, n, f), (size_t)n);
	fclose(f);
	return buf;
}

/* Runs b, SIGQUITs it when parked, returns the dump (caller frees). */
static char *sigquit_dump(const struct real_bin *b, const struct elf_file *ef, uint64_t *bias)
{
	char errpath[700];
	int in[2], out[2], fd;
	pid_t pid;
	bool ok;

	snprintf(errpath, sizeof(errpath), "%s/stderr", R.tmp);
	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(fd, 2);
		setenv("GOTRACEBACK", "system", 1);
		execl(b->path, b->path, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	ok = b->parked ? wait_ready(out[0], 30000) : (usleep(700000), true);
	usleep(200000); /* the fixture parks just after Done() */
	*bias = load_bias(pid, b->path, ef);
	kill(pid, SIGQUIT);
	waitpid(pid, NULL, 0);
	close(in[1]);
	close(out[0]);
	assert_true(ok);
	return read_all(errpath);
}

/* "pkg.(*T).M(0x1, ...)" → "pkg.(*T).M": drop the balanced trailing argument list. */
static void frame_name(const char *line, char *out, size_t n)
{
	size_t len = strlen(line);
	int depth = 0;

	snprintf(out, n, "%s", line);
	if (!len || line[len - 1] != ')')
		return;
	while (len--) {
		if (line[len] == ')')
			depth++;
		else if (line[len] == '(' && --depth == 0)
			break;
	}
	if (len < n)
		out[len] = '\0';
}

/* Splits the dump into frame groups; returns how many. */
static size_t parse_dump(char *text, struct tb_group *g, size_t max, uint64_t *sigpc)
{
	char *lines[8192];
	size_t nl = 0, i, ng = 0;
	int cur = 0;
	char *save = NULL, *l;

	for (l = strtok_r(text, "\n", &save); l && nl < 8192; l = strtok_r(NULL, "\n", &save))
		lines[nl++] = l;
	*sigpc = 0;
	for (i = 0; i + 1 < nl && ng < max; i++) {
		unsigned long long pc = 0;
		const char *pcs;
		struct tb_frame *f;
		char *colon, *sp;

		if (!*sigpc && !strncmp(lines[i], "PC=0x", 5))
			*sigpc = strtoull(lines[i] + 5, NULL, 16);
		if (!strncmp(lines[i], "goroutine ", 10))
			cur = 0;
		if (lines[i][0] == '\t' || lines[i + 1][0] != '\t' ||
		    !strncmp(lines[i], "created by", 10))
			continue;
		if (cur >= TB_MAX_FRAMES)
			continue;
		f = &g[ng].f[cur++];
		frame_name(lines[i], f->func, sizeof(f->func));
		sp = strchr(lines[i + 1] + 1, ' ');
		if (sp)
			*sp = '\0';
		colon = strrchr(lines[i + 1] + 1, ':');
		if (!colon)
			continue;
		*colon = '\0';
		snprintf(f->file, sizeof(f->file), "%s", lines[i + 1] + 1);
		f->line = atoi(colon + 1);
		pcs = sp ? strstr(sp + 1, " pc=0x") : NULL;
		if (pcs && sscanf(pcs, " pc=0x%llx", &pc) == 1) {
			g[ng].pc = pc;
			g[ng].n = cur;
			ng++;
			cur = 0;
		}
		i++;
	}
	return ng;
}

static size_t compare_groups(const struct real_bin *b, const struct pclntab *t,
			     const struct tb_group *g, size_t ng, uint64_t bias, uint64_t sigpc,
			     size_t *ninl)
{
	size_t i, bad = 0;
	int j;

	*ninl = 0;
	for (i = 0; i < ng; i++) {
		struct pcln_frame fr[TB_MAX_FRAMES];
		uint64_t pc = (g[i].pc == sigpc ? g[i].pc : g[i].pc - 1) - bias;
		int n = pclntab__symbolize(t, pc, fr, TB_MAX_FRAMES);
		bool same = n == g[i].n;

		for (j = 0; same && j < n; j++)
			same = !strcmp(fr[j].func, g[i].f[j].func) &&
			       !strcmp(fr[j].file, g[i].f[j].file) &&
			       fr[j].line == g[i].f[j].line && fr[j].inlined == (j < n - 1);
		*ninl += g[i].n - 1;
		if (!same && bad++ < 5)
			printf("pclntab: %s: pc %#llx: runtime printed %d frames (%s %s:%d first), "
			       "we give %d (%s %s:%d)\n",
			       b->label, (unsigned long long)g[i].pc, g[i].n, g[i].f[0].func,
			       g[i].f[0].file, g[i].f[0].line, n, n > 0 ? fr[0].func : "-",
			       n > 0 ? fr[0].file : "-", n > 0 ? fr[0].line : 0);
	}
	return bad;
}

static void test_real_traceback(void **state)
{
	static struct tb_group groups[512];
	size_t i;

	real_bins();
	for (i = 0; i < R.nbins; i++) {
		const struct real_bin *b = &R.bins[i];
		size_t ng, bad, ninl;
		uint64_t bias, sigpc;
		struct elf_file *ef;
		struct pclntab *t;
		char *dump;

		assert_int_equal(elf_file__open(b->path, &ef), 0);
		assert_int_equal(pclntab__open(ef, &t), 0);
		dump = sigquit_dump(b, ef, &bias);
		ng = parse_dump(dump, groups, 512, &sigpc);
		bad = compare_groups(b, t, groups, ng, bias, sigpc, &ninl);
		printf("pclntab: %s: %zu traceback frames (%zu inlined) vs the runtime's SIGQUIT "
		       "dump: %zu mismatches\n",
		       b->label, ng + ninl, ninl, bad);
		assert_true(ng >= 5);
		assert_true(ninl > 0);
		assert_int_equal(bad, 0);
		free(dump);
		pclntab__free(t);
		elf_file__free(ef);
	}
}

/* Seeds for tests/fuzz/corpus/pclntab: the hand-built ELFs, every format. */
static void write_seeds(const char *dir)
{
	static uint8_t buf[SYN_SIZE];
	static const char *const names[] = {"go12", "go116", "go118", "go120", "go12-old"};
	size_t k, v;

	for (k = 0; k < 5; k++)
		for (v = 0; v < 2; v++) {
			struct synth_opts so = {k < 4 ? all_formats[k] : PCLNTAB_GO12, v == 0, true,
						k < 4 ? 0x18 : -1, k == 4};
			struct synth_out out;
			char path[700];
			FILE *f;

			synth_build(buf, &so, &out);
			snprintf(path, sizeof(path), "%s/synth-%s%s.elf", dir, names[k],
				 v ? "-noshdr" : "");
			f = fopen(path, "w");
			if (f) {
				fwrite(buf, 1, SYN_SIZE, f);
				fclose(f);
			}
		}
}
