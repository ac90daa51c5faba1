// SPDX-License-Identifier: GPL-2.0
/*
 * Snapshots reuse the last walk of a goroutine that has not run since
 * (goroutines/memo.c). The "process" is a memory image read through the
 * pmem image backend with go1.27's offsets (as fuzz_gsnap.c): allgs, two
 * parked gs, and their stacks, each a frame chain from main.foo to the
 * stand-in runtime.goexit (main.bar) of the synthetic binary. Between
 * snapshots the test changes the image the way the runtime would (a run:
 * trackingSeq + 1; parked elsewhere: sched.sp; the g reused by a new
 * goroutine: goid) and checks which stacks were read again, by the bytes
 * the backend served and by the frames, which the test makes differ from
 * the remembered ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "goelf/elf.h"
#include "goelf/gooffsets.h"
#include "goelf/pclntab.h"
#include "goelf/waitreason.h"
#include "goroutines/goroutines_int.h"
#include "pclntab_synth.h"
#include "proc/pmem.h"

#define BASE 0xc000000000ULL
#define ARR 0x100
#define G_AT(i) (0x1000 + (i)*0x200)
#define STACK_AT(i) (0x4000 + (i)*0x1000)
#define SP_OFF 0x100
#define NG 2

static uint8_t elfbuf[SYN_SIZE];
static uint8_t img[0x8000];
static struct elf_file *ef;
static struct pclntab *pcln;
static struct go_offsets off;
static struct pcln_func foo, goexit_fn;

static void put64(size_t at, uint64_t v)
{
	memcpy(img + at, &v, 8);
}

static void put32(size_t at, uint32_t v)
{
	memcpy(img + at, &v, 4);
}

/* The first frame record's return address (into main.foo at ret_off). */
static void set_ret(int i, uint64_t ret_off)
{
	put64(STACK_AT(i) + SP_OFF + 0x40 + 8, foo.entry + ret_off);
}

/* g i parked (waiting) with a three-frame chain: foo, foo+ret_off, goexit. */
static void park(int i, uint64_t goid, uint64_t ret_off)
{
	size_t g = G_AT(i), st = STACK_AT(i), sp = st + SP_OFF, bp = sp + 0x40;

	put64(ARR + 8 * i, BASE + g);
	put64(g + off.stack_lo, BASE + st);
	put64(g + off.stack_hi, BASE + st + 0x1000);
	put64(g + off.sched_sp, BASE + sp);
	put64(g + off.sched_pc, foo.entry + 0x4);
	put64(g + off.sched_bp, BASE + bp);
	put32(g + off.atomicstatus, GO_G_WAITING);
	put64(g + off.goid, goid);
	img[g + off.waitreason] = 14;
	img[g + off.tracking_seq] = 7;
	put64(bp, BASE + bp + 0x40); /* [bp]: the caller's bp */
	set_ret(i, 0x8);
	put64(bp + 0x40, 0);
	put64(bp + 0x40 + 8, goexit_fn.entry + 1);
	if (ret_off)
		set_ret(i, ret_off);
}

static int setup(void **state)
{
	struct synth_opts o = {.fmt = PCLNTAB_GO120, .sections = true, .moduledata = true};
	struct go_version v = {.major = 1, .minor = 27};
	struct synth_out so;

	synth_build(elfbuf, &o, &so);
	assert_int_equal(elf_file__open_mem(elfbuf, SYN_SIZE, &ef), 0);
	assert_int_equal(pclntab__open(ef, &pcln), 0);
	assert_int_equal(go_offsets__from_table(&v, &off), 0);
	assert_true(off.tracking_seq >= 0);
	assert_int_equal(pclntab__func_at(pcln, 0, &foo), 0);
	assert_int_equal(pclntab__func_at(pcln, 1, &goexit_fn), 0);
	assert_true(foo.end - foo.entry > 0x10);
	return 0;
}

static int teardown(void **state)
{
	pclntab__free(pcln);
	elf_file__free(ef);
	return 0;
}

struct run {
	struct pmem *mem;
	struct go_proc *p;
};

static void open_run(struct run *r, const struct go_offsets *o)
{
	struct go_func_range gx = {goexit_fn.entry, goexit_fn.end};

	memset(img, 0, sizeof(img));
	put64(0, BASE + ARR);
	put64(8, NG);
	put64(16, NG);
	park(0, 101, 0);
	park(1, 102, 0);
	assert_int_equal(pmem__open_image(BASE, img, sizeof(img), &r->mem), 0);
	assert_int_equal(go_proc__open_image(ef, pcln, NULL, o, BASE, gx, r->mem, &r->p), 0);
}

static void close_run(struct run *r)
{
	go_proc__free(r->p);
	pmem__free(r->mem);
}

/* One snapshot: the bytes it read, and the second frame's pc of each g by goid order. */
static uint64_t snap(struct run *r, size_t *reused, uint64_t ret_pc[NG])
{
	uint64_t before = pmem__bytes(r->mem);
	struct go_snapshot *s;
	size_t i;

	assert_int_equal(go_proc__snapshot(r->p, &s), 0);
	assert_int_equal(s->n, NG);
	for (i = 0; i < NG; i++) {
		assert_int_equal(s->v[i].stack, GO_STACK_OK);
		assert_int_equal(s->v[i].npcs, 3);
		ret_pc[i] = s->v[i].pcs[1].pc;
	}
	*reused = s->reused;
	go_snapshot__free(s);
	return pmem__bytes(r->mem) - before;
}

static void test_reuse_until_it_runs(void **state)
{
	uint64_t ret[NG], first, again;
	size_t reused;
	struct run r;

	open_run(&r, &off);
	first = snap(&r, &reused, ret);
	assert_int_equal(reused, 0); /* nothing remembered yet */
	assert_int_equal(ret[0], foo.entry + 0x8);

	/* Unchanged gs: both walks reused, neither stack read. */
	again = snap(&r, &reused, ret);
	assert_int_equal(reused, NG);
	assert_true(first - again >= NG * (0x1000 - SP_OFF));

	/*
	 * The frames change but the g says it has not run: the memo answers
	 * (the stack is not read at all), so the old frame shows.
	 */
	set_ret(0, 0xa);
	snap(&r, &reused, ret);
	assert_int_equal(reused, NG);
	assert_int_equal(ret[0], foo.entry + 0x8);

	/* It ran (trackingSeq moved on): read and walked again, the new frame shows. */
	img[G_AT(0) + off.tracking_seq]++;
	snap(&r, &reused, ret);
	assert_int_equal(reused, NG - 1);
	assert_int_equal(ret[0], foo.entry + 0xa);
	assert_int_equal(ret[1], foo.entry + 0x8);
	close_run(&r);
}

static void test_other_changes_read_again(void **state)
{
	uint64_t ret[NG];
	size_t reused;
	struct run r;

	open_run(&r, &off);
	snap(&r, &reused, ret);

	/* The g holds a new goroutine (same address, new id). */
	set_ret(1, 0xc);
	put64(G_AT(1) + off.goid, 103);
	snap(&r, &reused, ret);
	assert_int_equal(reused, 1);
	assert_int_equal(ret[1], foo.entry + 0xc);

	/* Parked at another saved pc, same seq: read again. */
	set_ret(1, 0xe);
	put64(G_AT(1) + off.sched_pc, foo.entry + 0x6);
	snap(&r, &reused, ret);
	assert_int_equal(reused, 1);
	assert_int_equal(ret[1], foo.entry + 0xe);

	/* Runnable now (woken, not run yet): its key changed, so read once more... */
	put32(G_AT(1) + off.atomicstatus, GO_G_RUNNABLE);
	snap(&r, &reused, ret);
	assert_int_equal(reused, 1);
	/* ...and remembered as runnable at the next one. */
	snap(&r, &reused, ret);
	assert_int_equal(reused, NG);

	/* The GC scanning its stack: never taken from the memo. */
	put32(G_AT(1) + off.atomicstatus, GO_G_WAITING | GO_G_SCAN);
	snap(&r, &reused, ret);
	assert_int_equal(reused, 1);
	snap(&r, &reused, ret);
	assert_int_equal(reused, 1);
	close_run(&r);
}

/* Without trackingSeq's offset (a version never checked against DWARF) nothing is reused. */
static void test_no_tracking_seq(void **state)
{
	struct go_offsets o = off;
	uint64_t ret[NG];
	size_t reused;
	struct run r;

	o.tracking_seq = GO_OFF_NONE;
	open_run(&r, &o);
	snap(&r, &reused, ret);
	snap(&r, &reused, ret);
	assert_int_equal(reused, 0);
	close_run(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reuse_until_it_runs),
		cmocka_unit_test(test_other_changes_read_again),
		cmocka_unit_test(test_no_tracking_seq),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
