// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/PID/maps and the load bias. Oracles: lines written from the
 * kernel's documented format (fs/proc/task_mmu.c show_map_vma, proc(5)),
 * the dynamic loader's own view of every loaded object
 * (dl_iterate_phdr: load bias and PT_LOADs), getauxval(AT_SYSINFO_EHDR),
 * readlink(/proc/self/exe), and nm's link-time addresses of symbols,
 * computed while the test runs.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <limits.h>
#include <sys/auxv.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/err.h"
#include "goelf/elf.h"
#include "proc/maps.h"

static struct proc_maps *parse_ok(const char *text)
{
	struct proc_maps *m = NULL;

	assert_int_equal(proc_maps__parse(text, strlen(text), &m), 0);
	assert_non_null(m);
	return m;
}

static void test_parse_fields(void **state)
{
	/* As the kernel pads it: name at column 73 on 64-bit. */
	const char *text =
		"7f01cd399000-7f01cd4ef000 r-xp 00026000 fe:00 332835                     "
		"/usr/lib/x86_64-linux-gnu/libc.so.6\n"
		"7ffc1a2b3000-7ffc1a2d4000 rw-p 00000000 00:00 0                          [stack]\n"
		"7f01cd2f0000-7f01cd312000 rw-s 00000000 103:0a 4294967296 \n";
	struct proc_maps *maps = parse_ok(text);
	const struct proc_map *m;

	assert_int_equal(proc_maps__count(maps), 3);
	m = proc_maps__get(maps, 1); /* sorted by start */
	assert_true(m->start == 0x7f01cd399000ULL && m->end == 0x7f01cd4ef000ULL);
	assert_true(m->pgoff == 0x26000);
	assert_int_equal(m->perms, PROC_MAP_R | PROC_MAP_X);
	assert_int_equal(m->dev_major, 0xfe);
	assert_int_equal(m->dev_minor, 0);
	assert_true(m->inode == 332835);
	assert_int_equal(m->kind, PROC_MAP_FILE);
	assert_string_equal(m->path, "/usr/lib/x86_64-linux-gnu/libc.so.6");
	assert_false(m->deleted);
	m = proc_maps__get(maps, 0);
	assert_int_equal(m->kind, PROC_MAP_ANON);
	assert_string_equal(m->path, "");
	assert_int_equal(m->perms, PROC_MAP_R | PROC_MAP_W | PROC_MAP_SHARED);
	assert_int_equal(m->dev_major, 0x103);
	assert_int_equal(m->dev_minor, 0xa);
	assert_true(m->inode == 4294967296ULL);
	assert_int_equal(proc_maps__get(maps, 2)->kind, PROC_MAP_STACK);
	assert_null(proc_maps__get(maps, 3));
	proc_maps__free(maps);
	proc_maps__free(NULL);
}

static void test_parse_names(void **state)
{
	const char *text = "1000-2000 r--p 00000000 08:01 12 /opt/my app/bin (x)/srv\n"
			   "2000-3000 r-xp 00001000 08:01 13 /tmp/old server (deleted)\n"
			   "3000-4000 rw-s 00000000 00:01 14 /memfd:go-heap (deleted)\n"
			   "4000-5000 rw-p 00000000 00:00 0 [anon:go: heap arena]\n"
			   "5000-6000 rw-p 00000000 00:00 0 [heap]\n"
			   "6000-7000 r-xp 00000000 00:00 0 [vdso]\n"
			   "7000-8000 r--p 00000000 00:00 0 [vvar]\n"
			   "8000-9000 r--p 00000000 00:00 0 [vvar_vclock]\n"
			   "9000-a000 rw-p 00000000 00:00 0 [stack:1234]\n"
			   "a000-b000 --xp 00000000 00:00 0 [uprobes]\n"
			   "b000-c000 rw-s 00000000 00:0e 99 anon_inode:[perf_event]\n"
			   "c000-d000 rw-p 00000000 00:00 0 [anon_shmem:x]\n"
			   "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 [vsyscall]";
	static const enum proc_map_kind kinds[] = {
		PROC_MAP_FILE,	   PROC_MAP_FILE,  PROC_MAP_MEMFD, PROC_MAP_ANON_NAMED,
		PROC_MAP_HEAP,	   PROC_MAP_VDSO,  PROC_MAP_VVAR,  PROC_MAP_VVAR,
		PROC_MAP_STACK,	   PROC_MAP_OTHER, PROC_MAP_OTHER, PROC_MAP_ANON_NAMED,
		PROC_MAP_VSYSCALL,
	};
	struct proc_maps *maps = parse_ok(text);

	assert_int_equal(proc_maps__count(maps), 13);
	for (size_t i = 0; i < 13; i++)
		assert_int_equal(proc_maps__get(maps, i)->kind, kinds[i]);
	assert_string_equal(proc_maps__get(maps, 0)->path, "/opt/my app/bin (x)/srv");
	assert_string_equal(proc_maps__get(maps, 1)->path, "/tmp/old server");
	assert_true(proc_maps__get(maps, 1)->deleted);
	assert_string_equal(proc_maps__get(maps, 2)->path, "/memfd:go-heap");
	assert_true(proc_maps__get(maps, 2)->deleted);
	assert_string_equal(proc_maps__get(maps, 3)->path, "[anon:go: heap arena]");
	assert_false(proc_maps__get(maps, 3)->deleted);
	assert_int_equal(proc_maps__get(maps, 9)->perms, PROC_MAP_X);
	assert_ptr_equal(proc_maps__find_exec(maps, "/tmp/old server"), proc_maps__get(maps, 1));
	assert_null(proc_maps__find_exec(maps, "/opt/my app/bin (x)/srv")); /* not x */
	proc_maps__free(maps);
}

static void test_find(void **state)
{
	/* Out of order on purpose: the parser sorts. */
	struct proc_maps *maps = parse_ok("3000-4000 r--p 0 00:00 0\n"
					  "1000-2000 r--p 0 00:00 0\n"
					  "\n"
					  "5000-6000 r--p 0 00:00 0");

	assert_null(proc_maps__find(maps, 0xfff));
	assert_true(proc_maps__find(maps, 0x1000)->start == 0x1000);
	assert_true(proc_maps__find(maps, 0x1fff)->start == 0x1000);
	assert_null(proc_maps__find(maps, 0x2000)); /* end is exclusive */
	assert_null(proc_maps__find(maps, 0x2fff));
	assert_true(proc_maps__find(maps, 0x3000)->start == 0x3000);
	assert_true(proc_maps__find(maps, 0x5fff)->start == 0x5000);
	assert_null(proc_maps__find(maps, 0x6000));
	assert_null(proc_maps__find(maps, UINT64_MAX));
	proc_maps__free(maps);
	maps = parse_ok("");
	assert_int_equal(proc_maps__count(maps), 0);
	assert_null(proc_maps__find(maps, 0));
	proc_maps__free(maps);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
		"1000-2000 r--p 0 00:00\n",		  /* no inode */
		"1000 r--p 0 00:00 0\n",		  /* no end */
		"2000-1000 r--p 0 00:00 0\n",		  /* inverted */
		"1000-1000 r--p 0 00:00 0\n",		  /* empty */
		"1000-2000 rwzp 0 00:00 0\n",		  /* bad perm */
		"1000-2000 r--q 0 00:00 0\n",		  /* neither p nor s */
		"1000-2000 r--p 0 0000 0\n",		  /* no ':' */
		"0x1000-2000 r--p 0 00:00 0\n",		  /* "0x" is not maps' */
		"1000-2000 r--p 0 00:00 0x5\n",		  /* inode is decimal */
		"1000-2000 r--p 0 00:00 1a\n",		  /* inode is decimal */
		"10000000000000000-2 r--p 0 00:00 0\n",	  /* > 64 bits */
		"1000-2000 r--p 0 100000000:00 0\n",	  /* major > 32 bits */
		"1000-2000 r--p 0 00:00 0\nnot a line\n", /* second line */
		" 1000-2000 r--p 0 00:00 0\n",		  /* leading blank */
	};
	struct proc_maps *m;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(proc_maps__parse(bad[i], strlen(bad[i]), &m), -GT_EFORMAT);
		assert_null(m);
	}
	assert_int_equal(proc_maps__parse("1000-2000 r--p 0 00:00 0\0x", 26, &m), -GT_EFORMAT);
	assert_non_null(strstr(err_msg(), "line 1"));
}

struct phdr_check {
	struct proc_maps *maps;
	int objects, segments;
};

/*
 * The loader's truth for every loaded object: PT_LOAD p_vaddr lives at
 * dlpi_addr + p_vaddr. The mapping found there must map this object's
 * file, and the bias formula must give p_vaddr back.
 */
static int check_object(struct dl_phdr_info *info, size_t size, void *data)
{
	struct phdr_check *c = data;
	struct elf_segment segs[64];
	size_t n = 0;

	for (int i = 0; i < info->dlpi_phnum && n < 64; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		segs[n++] =
			(struct elf_segment){ph->p_type,   ph->p_flags, ph->p_offset, ph->p_vaddr,
					     ph->p_filesz, ph->p_memsz, ph->p_align};
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t addr = info->dlpi_addr + segs[i].vaddr;
		const struct proc_map *m;
		const struct elf_segment *s;

		if (segs[i].type != PT_LOAD || segs[i].filesz == 0)
			continue;
		m = proc_maps__find(c->maps, addr);
		assert_non_null(m);
		if (info->dlpi_name[0] == '/') {
			char real[PATH_MAX];

			assert_non_null(realpath(info->dlpi_name, real));
			assert_string_equal(m->path, real);
		}
		s = proc_map__pick_segment(m, segs, n, addr);
		assert_ptr_equal(s, &segs[i]);
		assert_true(proc_map__link_vaddr_with(m, s->offset, s->vaddr, addr) ==
			    segs[i].vaddr);
		c->segments++;
	}
	c->objects++;
	return 0;
}

static void test_self_vs_loader(void **state)
{
	struct phdr_check c = {0};

	assert_int_equal(proc_maps__read(getpid(), &c.maps), 0);
	dl_iterate_phdr(check_object, &c);
	/* The test binary, libc, libcmocka, the vdso at least. */
	assert_true(c.objects >= 4);
	assert_true(c.segments >= 8);
	proc_maps__free(c.maps);
}

static void test_self_kinds(void **state)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	struct proc_maps *maps;
	const struct proc_map *m;
	int on_stack = 0;

	assert_true(n > 0);
	exe[n] = '\0';
	assert_int_equal(proc_maps__read(getpid(), &maps), 0);
	m = proc_maps__find(maps, (uint64_t)(uintptr_t)&test_self_kinds);
	assert_non_null(m);
	assert_true(m->perms & PROC_MAP_X);
	assert_string_equal(m->path, exe);
	assert_ptr_equal(proc_maps__find_exec(maps, exe), m);
	m = proc_maps__find(maps, getauxval(AT_SYSINFO_EHDR));
	assert_non_null(m);
	assert_int_equal(m->kind, PROC_MAP_VDSO);
	/* ASan may move locals to a fake stack; the frame itself is on the real one. */
	m = proc_maps__find(maps, (uint64_t)(uintptr_t)__builtin_frame_address(0));
	assert_non_null(m);
	on_stack = m->kind == PROC_MAP_STACK;
	assert_true(on_stack);
	proc_maps__free(maps);
}

/* The link-time address of sym in file, from nm (-D for shared objects). */
static uint64_t nm_addr(const char *file, const char *sym, bool dynamic)
{
	char cmd[PATH_MAX + 64], line[512];
	unsigned long long addr = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "nm %s --defined-only '%s'", dynamic ? "-D" : "", file);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		char name[256], type;
		unsigned long long a;

		if (sscanf(line, "%llx %c %255s", &a, &type, name) != 3)
			continue;
		name[strcspn(name, "@")] = '\0'; /* getpid@@GLIBC_2.2.5 */
		if (!strcmp(name, sym))
			addr = a;
	}
	pclose(p);
	assert_true(addr != 0);
	return addr;
}

void gt_maps_test_marker(void);
__attribute__((noinline, used)) void gt_maps_test_marker(void)
{
	__asm__ volatile("" ::: "memory");
}

static void check_link_vaddr(const struct proc_maps *maps, uint64_t addr, uint64_t want)
{
	const struct proc_map *m = proc_maps__find(maps, addr);
	struct elf_file *ef;
	uint64_t vaddr = 0;

	assert_non_null(m);
	assert_int_equal(elf_file__open(m->path, &ef), 0);
	assert_int_equal(proc_map__link_vaddr(m, ef, addr, &vaddr), 0);
	assert_true(vaddr == want);
	elf_file__free(ef);
}

static void test_link_vaddr_exe(void **state)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	struct proc_maps *maps;

	assert_true(n > 0);
	exe[n] = '\0';
	assert_int_equal(proc_maps__read(getpid(), &maps), 0);
	check_link_vaddr(maps, (uint64_t)(uintptr_t)&gt_maps_test_marker,
			 nm_addr(exe, "gt_maps_test_marker", false));
	proc_maps__free(maps);
}

/* libc's text mapping has a non-zero offset (0x26000 on bookworm). */
static void test_link_vaddr_libc(void **state)
{
	void *h = dlopen("libc.so.6", RTLD_NOLOAD | RTLD_LAZY);
	struct proc_maps *maps;
	void *fn;

	assert_non_null(h);
	fn = dlsym(h, "getpid");
	assert_non_null(fn);
	assert_int_equal(proc_maps__read(getpid(), &maps), 0);
	assert_true(proc_maps__find(maps, (uint64_t)(uintptr_t)fn)->pgoff != 0);
	check_link_vaddr(
		maps, (uint64_t)(uintptr_t)fn,
		nm_addr(proc_maps__find(maps, (uint64_t)(uintptr_t)fn)->path, "getpid", true));
	proc_maps__free(maps);
	dlclose(h);
}

/*
 * GO-RUNTIME.md §10.3, verified there on an internal-link Go PIE: main.main
 * at link vaddr 0x4a1c00 ran at 0x558c86ec7c00, the first mapping
 * 0x558c86e26000 at offset 0 ↔ PT_LOAD vaddr 0x400000, offset 0.
 */
static void test_go_pie_doc(void **state)
{
	struct proc_maps *maps =
		parse_ok("558c86e26000-558c86f00000 r-xp 00000000 08:01 7 /srv/app\n");
	const struct elf_segment segs[] = {
		{PT_PHDR, PF_R, 0x40, 0x400040, 0x188, 0x188, 8},
		{PT_LOAD, PF_R | PF_X, 0, 0x400000, 0xd9000, 0xd9000, 0x1000},
	};
	const struct proc_map *m = proc_maps__get(maps, 0);
	const struct elf_segment *s = proc_map__pick_segment(m, segs, 2, 0x558c86ec7c00ULL);

	assert_ptr_equal(s, &segs[1]);
	assert_true(proc_map__link_vaddr_with(m, s->offset, s->vaddr, 0x558c86ec7c00ULL) ==
		    0x4a1c00);
	proc_maps__free(maps);
}

/*
 * lld -z noseparate-code packs segments into shared file pages: R at
 * offset 0, RX at offset 0x5f0 (vaddr 0x15f0). The kernel maps the RX one
 * at bias + 0x1000 from file page 0, so both segments cover the mapping's
 * first file page; the mapping's x bit says which one it is.
 */
static void test_shared_page(void **state)
{
	const uint64_t bias = 0x7f0000000000ULL;
	const struct elf_segment segs[] = {
		{PT_LOAD, PF_R, 0, 0, 0x5e4, 0x5e4, 0x1000},
		{PT_LOAD, PF_R | PF_X, 0x5f0, 0x15f0, 0x120, 0x120, 0x1000},
		{PT_LOAD, PF_R | PF_W, 0x710, 0x2710, 0x10, 0x100, 0x1000},
	};
	char text[256];
	struct proc_maps *maps;
	const struct proc_map *m;
	uint64_t addr = bias + 0x1600;

	snprintf(text, sizeof(text),
		 "%llx-%llx r--p 00000000 08:01 9 /lib/x.so\n"
		 "%llx-%llx r-xp 00000000 08:01 9 /lib/x.so\n"
		 "%llx-%llx rw-p 00000000 08:01 9 /lib/x.so\n",
		 (unsigned long long)bias, (unsigned long long)bias + 0x1000,
		 (unsigned long long)bias + 0x1000, (unsigned long long)bias + 0x2000,
		 (unsigned long long)bias + 0x2000, (unsigned long long)bias + 0x3000);
	maps = parse_ok(text);
	m = proc_maps__find(maps, addr);
	assert_ptr_equal(proc_map__pick_segment(m, segs, 3, addr), &segs[1]);
	assert_true(proc_map__link_vaddr_with(m, segs[1].offset, segs[1].vaddr, addr) ==
		    addr - bias);
	/* File offset 0x100 is R's, but in the r-xp mapping it is RX's frame. */
	addr = bias + 0x1100;
	m = proc_maps__find(maps, addr);
	assert_ptr_equal(proc_map__pick_segment(m, segs, 3, addr), &segs[1]);
	assert_true(proc_map__link_vaddr_with(m, segs[1].offset, segs[1].vaddr, addr) ==
		    addr - bias);
	addr = bias + 0x100;
	m = proc_maps__find(maps, addr);
	assert_ptr_equal(proc_map__pick_segment(m, segs, 3, addr), &segs[0]);
	addr = bias + 0x2714;
	m = proc_maps__find(maps, addr);
	assert_ptr_equal(proc_map__pick_segment(m, segs, 3, addr), &segs[2]);
	assert_true(proc_map__link_vaddr_with(m, segs[2].offset, segs[2].vaddr, addr) ==
		    addr - bias);
	/* Outside the mapping, or no PT_LOAD maps it: NULL. */
	assert_null(proc_map__pick_segment(m, segs, 3, bias + 0x3000));
	assert_null(proc_map__pick_segment(m, segs, 0, addr));
	proc_maps__free(maps);
}

static void test_map_files_path(void **state)
{
	struct proc_maps *maps = parse_ok("1000-2000 r--p 0 00:00 0\n");
	char buf[64], tiny[8];

	assert_int_equal(proc_map__map_files_path(42, proc_maps__get(maps, 0), buf, sizeof(buf)),
			 0);
	assert_string_equal(buf, "/proc/42/map_files/1000-2000");
	assert_int_equal(proc_map__map_files_path(42, proc_maps__get(maps, 0), tiny, sizeof(tiny)),
			 -ENAMETOOLONG);
	proc_maps__free(maps);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_fields),   cmocka_unit_test(test_parse_names),
		cmocka_unit_test(test_find),	       cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_self_vs_loader), cmocka_unit_test(test_self_kinds),
		cmocka_unit_test(test_link_vaddr_exe), cmocka_unit_test(test_link_vaddr_libc),
		cmocka_unit_test(test_go_pie_doc),     cmocka_unit_test(test_shared_page),
		cmocka_unit_test(test_map_files_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
