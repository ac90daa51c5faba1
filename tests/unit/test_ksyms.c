// SPDX-License-Identifier: GPL-2.0
/*
 * kallsyms loading. Oracles: `wc -l` and awk over /proc/kallsyms run while
 * the test runs (count, unique names and their addresses, module lines),
 * and synthetic files in the format of kernel/kallsyms.c s_show for the
 * hidden (kptr_restrict) and malformed cases.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/err.h"
#include "sym/ksyms.h"

static size_t wc_l(void)
{
	FILE *p = popen("grep -vc '\\[bpf\\]$' /proc/kallsyms", "r");
	unsigned long n = 0;

	assert_non_null(p);
	assert_int_equal(fscanf(p, "%lu", &n), 1);
	pclose(p);
	return n;
}

/*
 * BPF programs come and go while other tests run (each is a "[bpf]" symbol),
 * so they are left out of both counts; modules too can come and go, so the
 * count is compared only when the file agrees with itself around the load.
 */
static size_t count_non_bpf(const struct ksyms *ks)
{
	size_t i, n = 0;

	for (i = 0; i < ksyms__count(ks); i++) {
		const struct ksym *k = ksyms__get(ks, i);

		n += !(k->module && !strcmp(k->module, "bpf"));
	}
	return n;
}

static void test_count(void **state)
{
	for (int attempt = 0; attempt < 10; attempt++) {
		size_t before = wc_l(), after;
		struct ksyms *ks;

		assert_int_equal(ksyms__load(&ks), 0);
		after = wc_l();
		if (before == after) {
			assert_int_equal(count_non_bpf(ks), before);
			ksyms__free(ks);
			return;
		}
		ksyms__free(ks);
	}
	fail_msg("/proc/kallsyms kept changing size");
}

static bool awk_hidden(void)
{
	FILE *p = popen("awk '$1 !~ /^0+$/ {n++} END {print n+0}' /proc/kallsyms", "r");
	unsigned long nonzero = 0;

	assert_non_null(p);
	assert_int_equal(fscanf(p, "%lu", &nonzero), 1);
	pclose(p);
	return nonzero == 0;
}

/*
 * Names that occur once in kallsyms, every 500th, with awk's address: the
 * name finds that address, and the address maps back to offset 0 of a
 * symbol at that address.
 */
static void test_round_trip(void **state)
{
	FILE *p = popen("awk '{c[$3]++; a[$3]=$1; m[$3]=$4} END {for (s in c) if (c[s]==1 && "
			"++k % 500 == 0) print a[s], s, m[s]}' /proc/kallsyms",
			"r");
	struct ksyms *ks;
	char line[1024];
	int checked = 0;

	assert_non_null(p);
	assert_int_equal(ksyms__load(&ks), 0);
	assert_int_equal(ksyms__hidden(ks), awk_hidden());
	if (ksyms__hidden(ks)) {
		print_message("SKIP: addresses hidden by kptr_restrict\n");
		goto out;
	}
	while (fgets(line, sizeof(line), p)) {
		char name[600], mod[600] = "";
		unsigned long long addr;
		const struct ksym *k;
		uint64_t off = 1;

		if (sscanf(line, "%llx %599s %599s", &addr, name, mod) < 2)
			continue;
		k = ksyms__get_symbol(ks, name, NULL);
		assert_non_null(k);
		assert_true(k->addr == addr);
		if (mod[0]) /* "[bpf]" */
			assert_true(k->module && !strncmp(mod + 1, k->module, strlen(k->module)));
		else
			assert_null(k->module);
		k = ksyms__map_addr(ks, addr, &off);
		assert_non_null(k);
		assert_true(k->addr == addr && off == 0);
		checked++;
	}
	assert_true(checked >= 50);
	assert_int_equal(ksyms__check_addrs(ks), 0);
out:
	pclose(p);
	ksyms__free(ks);
}

/* schedule is a global text symbol of every kernel; addr+1 is inside it. */
static void test_schedule(void **state)
{
	FILE *p = popen("awk '$3 == \"schedule\" && $2 == \"T\" {print $1}' /proc/kallsyms", "r");
	unsigned long long addr = 0;
	const struct ksym *k;
	struct ksyms *ks;
	uint64_t off;

	assert_non_null(p);
	assert_int_equal(fscanf(p, "%llx", &addr), 1);
	pclose(p);
	assert_int_equal(ksyms__load(&ks), 0);
	if (!ksyms__hidden(ks)) {
		k = ksyms__map_addr(ks, addr + 1, &off);
		assert_non_null(k);
		assert_string_equal(k->name, "schedule");
		assert_int_equal(k->type, 'T');
		assert_true(off == 1);
	}
	ksyms__free(ks);
}

static struct ksyms *parse_ok(const char *text)
{
	struct ksyms *ks = NULL;

	assert_int_equal(ksyms__parse(text, strlen(text), &ks), 0);
	return ks;
}

static void test_synthetic(void **state)
{
	struct ksyms *ks = parse_ok("ffffffff81000100 t local_twin\n"
				    "ffffffff81000000 T _stext\n"
				    "ffffffff81000100 T global_at_100\n"
				    "ffffffff81000300 t dup\n"
				    "ffffffff81000200 t dup\n"
				    "ffffffffc0201000 t mod_fn\t[nf_tables]\n"
				    "ffffffffc0202000 t dup\t[nf_tables]\n");
	const struct ksym *k;
	uint64_t off;

	assert_int_equal(ksyms__count(ks), 7);
	assert_false(ksyms__hidden(ks));
	assert_null(ksyms__map_addr(ks, 0xffffffff80ffffffULL, &off));
	k = ksyms__map_addr(ks, 0xffffffff81000150ULL, &off);
	assert_string_equal(k->name, "global_at_100"); /* global beats local at one address */
	assert_true(off == 0x50);
	k = ksyms__map_addr(ks, 0xffffffffc0201010ULL, &off);
	assert_string_equal(k->name, "mod_fn");
	assert_string_equal(k->module, "nf_tables");
	/* Several "dup": vmlinux first, lowest address; or the module's. */
	k = ksyms__get_symbol(ks, "dup", NULL);
	assert_true(k->addr == 0xffffffff81000200ULL && !k->module);
	k = ksyms__get_symbol(ks, "dup", "nf_tables");
	assert_true(k->addr == 0xffffffffc0202000ULL);
	assert_null(ksyms__get_symbol(ks, "dup", "nope"));
	assert_null(ksyms__get_symbol(ks, "missing", NULL));
	assert_null(ksyms__get_symbol(ks, "", NULL));
	for (size_t i = 1; i < ksyms__count(ks); i++)
		assert_true(ksyms__get(ks, i - 1)->addr <= ksyms__get(ks, i)->addr);
	assert_null(ksyms__get(ks, 7));
	ksyms__free(ks);
	ksyms__free(NULL);
}

/* kptr_restrict: %px prints zeros (lib/vsprintf.c restricted_pointer). */
static void test_hidden(void **state)
{
	struct ksyms *ks = parse_ok("0000000000000000 T _stext\n"
				    "0000000000000000 T schedule\n"
				    "0000000000000000 t mod_fn\t[nf_tables]\n");

	assert_true(ksyms__hidden(ks));
	assert_null(ksyms__map_addr(ks, 0xffffffff81000000ULL, NULL));
	assert_int_equal(errno, EPERM);
	assert_non_null(ksyms__get_symbol(ks, "schedule", NULL)); /* names still work */
	assert_int_equal(ksyms__check_addrs(ks), -EPERM);
	assert_non_null(strstr(err_msg(), "kptr_restrict"));
	ksyms__free(ks);
	ks = parse_ok("");
	assert_false(ksyms__hidden(ks)); /* nothing to hide */
	assert_null(ksyms__map_addr(ks, 1, NULL));
	ksyms__free(ks);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
		"ffffffff81000000 T\n",
		"ffffffff81000000 T \n",
		"ffffffff81000000  T x\n",
		"ffffffff81000000 TT x\n",
		"xyz T x\n",
		"10000000000000000 T x\n",
		"ffffffff81000000 T a b\n",
		"ffffffff81000000 T a\t[mod\n",
		"ffffffff81000000 T a\t[]\n",
		"ffffffff81000000 T a\tmod\n",
		"0x81000000 T a\n",
	};
	struct ksyms *ks;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int err = ksyms__parse(bad[i], strlen(bad[i]), &ks);

		if (err != -GT_EFORMAT)
			print_error("accepted: %s", bad[i]);
		assert_int_equal(err, -GT_EFORMAT);
		assert_null(ks);
	}
	assert_int_equal(ksyms__parse("ffffffff81000000 T a\0", 21, &ks), -GT_EFORMAT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_count),	 cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_schedule), cmocka_unit_test(test_synthetic),
		cmocka_unit_test(test_hidden),	 cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
