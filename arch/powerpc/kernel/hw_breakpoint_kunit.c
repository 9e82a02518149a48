// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the powerpc breakpoint backend's pure functions: the
 * DAWR/DAWRX and DABR/DABRX encoders, the range check, the decoded
 * access of an instruction and the hit verdict.  Expected register values
 * are written out from the Power ISA v3.1 Book III layouts, in the ISA's
 * bit numbering (bit 63 is the least significant):
 *
 *   DAWRX: MRD 48:53, DW 57, DR 58, WT 59, WTI 60, HV 61, PNH 62, PR 63
 *   DABR:  doubleword address 0:60, BT 61, DW 62, DR 63
 *   DABRX: BTI 60, HYP 61, PNH 62, PR 63
 *
 * Nothing here touches a register.
 */

#include <kunit/test.h>
#include <linux/hw_breakpoint.h>

#include <asm/hw_breakpoint.h>
#include <asm/sstep.h>

#include "hw_breakpoint_decode.h"

/* One bit in the ISA's numbering of a 64-bit register. */
#define ISA_BIT(n)	(1UL << (63 - (n)))

#define W	HW_BRK_TYPE_WRITE
#define R	HW_BRK_TYPE_READ
#define T	HW_BRK_TYPE_TRANSLATE
#define U	HW_BRK_TYPE_USER
#define K	HW_BRK_TYPE_KERNEL
#define H	HW_BRK_TYPE_HYP

static struct arch_hw_breakpoint brk(unsigned long addr, u32 len, u32 hw_len,
				     u16 type)
{
	return (struct arch_hw_breakpoint) {
		.address = addr, .len = len, .hw_len = hw_len, .type = type,
	};
}

static void test_dawrx(struct kunit *test)
{
	struct arch_hw_breakpoint b;

	/* User-mode write watch on one doubleword: DW, WT, PR; MRD 0. */
	b = brk(0x1000, 8, 8, W | T | U);
	KUNIT_EXPECT_EQ(test, hw_brk_dawr(&b), 0x1000UL);
	KUNIT_EXPECT_EQ(test, hw_brk_dawrx(&b),
			ISA_BIT(57) | ISA_BIT(59) | ISA_BIT(63));

	/* Read/write, every privilege, 64 doublewords: MRD 63. */
	b = brk(0x2000, 512, 512, R | W | T | U | K | H);
	KUNIT_EXPECT_EQ(test, hw_brk_dawrx(&b),
			(63UL << (63 - 53)) | ISA_BIT(57) | ISA_BIT(58) |
			ISA_BIT(59) | ISA_BIT(61) | ISA_BIT(62) |
			ISA_BIT(63));

	/* Six bytes from 0x1003 span two doublewords: MRD 1, DAWR aligned. */
	b = brk(0x1003, 6, 16, R | T | K);
	KUNIT_EXPECT_EQ(test, hw_brk_dawr(&b), 0x1000UL);
	KUNIT_EXPECT_EQ(test, hw_brk_dawrx(&b),
			(1UL << (63 - 53)) | ISA_BIT(58) | ISA_BIT(59) |
			ISA_BIT(62));

	/* Neither read nor write: nothing may match. */
	b = brk(0x1000, 8, 8, T | U | K);
	KUNIT_EXPECT_EQ(test, hw_brk_dawr(&b), 0UL);
	KUNIT_EXPECT_EQ(test, hw_brk_dawrx(&b), 0UL);
	b = (struct arch_hw_breakpoint) { };
	KUNIT_EXPECT_EQ(test, hw_brk_dawrx(&b), 0UL);
}

static void test_dabr(struct kunit *test)
{
	struct arch_hw_breakpoint b;

	b = brk(0x2000, 8, 8, W | T | U);
	KUNIT_EXPECT_EQ(test, hw_brk_dabr(&b), 0x2000UL | ISA_BIT(61) |
			ISA_BIT(62));
	KUNIT_EXPECT_EQ(test, hw_brk_dabrx(&b), ISA_BIT(63));

	/* The low three address bits are the control bits, not address. */
	b = brk(0x2005, 1, 8, R | W | T | K | H);
	KUNIT_EXPECT_EQ(test, hw_brk_dabr(&b), 0x2000UL | ISA_BIT(61) |
			ISA_BIT(62) | ISA_BIT(63));
	KUNIT_EXPECT_EQ(test, hw_brk_dabrx(&b), ISA_BIT(61) | ISA_BIT(62));

	b = brk(0x2000, 8, 8, T | U);
	KUNIT_EXPECT_EQ(test, hw_brk_dabr(&b), 0UL);
}

struct range_case {
	unsigned long addr;
	u64 len;
	bool dawr, isa31;
	int err;
	u32 hw_len;
};

static const struct range_case range_cases[] = {
	{ 0x1000, 1, true, false, 0, 8 },
	{ 0x1007, 2, true, false, 0, 16 },
	{ 0x1000, 512, true, false, 0, 512 },
	{ 0x1000, 512, true, true, 0, 512 },
	/* 512 bytes from an odd address need 65 doublewords. */
	{ 0x1001, 512, true, true, -EINVAL, 0 },
	{ 0x1001, 504, true, true, 0, 512 },
	/* Crossing a 512-byte boundary: POWER10 only. */
	{ 0x11f8, 16, true, false, -EINVAL, 0 },
	{ 0x11f8, 16, true, true, 0, 16 },
	{ 0x11ff, 2, true, false, -EINVAL, 0 },
	{ 0x11f8, 8, true, false, 0, 8 },
	/* Lengths the backend's fields cannot hold are refused. */
	{ 0x1000, 0, true, true, -EINVAL, 0 },
	{ 0x1000, 513, true, true, -EINVAL, 0 },
	{ 0x1000, 0x10008, true, true, -EINVAL, 0 },
	{ 0x1000, ~0ULL, true, true, -EINVAL, 0 },
	{ ~0UL - 3, 8, true, true, -EINVAL, 0 },
	/* The DABR watches one doubleword. */
	{ 0x1000, 8, false, false, 0, 8 },
	{ 0x1004, 4, false, false, 0, 8 },
	{ 0x1004, 8, false, false, -EINVAL, 0 },
	{ 0x1000, 16, false, false, -EINVAL, 0 },
};

static void test_parse_range(struct kunit *test)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(range_cases); i++) {
		const struct range_case *c = &range_cases[i];
		u32 hw_len = 0;
		int err = hwbp_parse_range(c->addr, c->len, c->dawr, c->isa31,
					   &hw_len);

		KUNIT_EXPECT_EQ_MSG(test, err, c->err, "case %d: 0x%lx+0x%llx",
				    i, c->addr, c->len);
		if (!c->err)
			KUNIT_EXPECT_EQ_MSG(test, hw_len, c->hw_len, "case %d", i);
	}
}

static struct hwbp_access acc(enum hwbp_access_kind kind, unsigned long ea,
			      unsigned int size)
{
	return (struct hwbp_access) { .kind = kind, .ea = ea, .size = size };
}

#define VERDICT(w, a, dar, user, isa31) ({				\
	struct hwbp_access __a = (a);					\
	hwbp_verdict(&(w), &__a, (dar), (user), (isa31));		\
})

static void test_verdict_edges(struct kunit *test)
{
	/* Bytes 0x1004-0x1007 watched; the register sees 0x1000-0x1007. */
	struct arch_hw_breakpoint w = brk(0x1004, 4, 8, W | T | U | K);
	const enum hwbp_access_kind st = HWBP_ACCESS_STORE;

	KUNIT_EXPECT_EQ(test, VERDICT(w, acc(st, 0x1004, 4), 0, true, true),
			HWBP_HIT);
	KUNIT_EXPECT_EQ(test, VERDICT(w, acc(st, 0x1000, 8), 0, true, true),
			HWBP_HIT);
	/* Just below, in the same doubleword: the hardware fires. */
	KUNIT_EXPECT_EQ(test, VERDICT(w, acc(st, 0x1003, 1), 0, true, true),
			HWBP_FALSE_HIT);
	KUNIT_EXPECT_EQ(test, VERDICT(w, acc(st, 0x0ffe, 4), 0, true, true),
			HWBP_FALSE_HIT);
	/* Starts below the range and ends inside it. */
	KUNIT_EXPECT_EQ(test, VERDICT(w, acc(st, 0x0fff, 8), 0, true, true),
			HWBP_HIT);
	/* Straddles the end. */
	KUNIT_EXPECT_EQ(test, VERDICT(w, acc(st, 0x1007, 2), 0, true, true),
			HWBP_HIT);
	/* The next doubleword: the register could not have fired. */
	KUNIT_EXPECT_EQ(test, VERDICT(w, acc(st, 0x1008, 1), 0, true, true),
			HWBP_MISS);
	KUNIT_EXPECT_EQ(test, VERDICT(w, acc(st, 0x0ff8, 8), 0, true, true),
			HWBP_MISS);
}

static void test_verdict_kind_and_mode(struct kunit *test)
{
	struct arch_hw_breakpoint w = brk(0x1004, 4, 8, W | T | U);
	struct arch_hw_breakpoint r = brk(0x1004, 4, 8, R | T | U | K);

	/* A load does not fire a write watch, nor a store a read watch. */
	KUNIT_EXPECT_EQ(test, VERDICT(w, acc(HWBP_ACCESS_LOAD, 0x1004, 4), 0,
				      true, true), HWBP_MISS);
	KUNIT_EXPECT_EQ(test, VERDICT(r, acc(HWBP_ACCESS_STORE, 0x1004, 4), 0,
				      true, true), HWBP_MISS);
	KUNIT_EXPECT_EQ(test, VERDICT(r, acc(HWBP_ACCESS_LOAD, 0x1006, 1), 0,
				      false, true), HWBP_HIT);
	/* A user-only watch fired by the kernel is not counted. */
	KUNIT_EXPECT_EQ(test, VERDICT(w, acc(HWBP_ACCESS_STORE, 0x1004, 4), 0,
				      false, true), HWBP_FALSE_HIT);
	/* Undecoded: the data address decides. */
	KUNIT_EXPECT_EQ(test, VERDICT(w, acc(HWBP_ACCESS_UNKNOWN, 0, 0),
				      0x1005, true, true), HWBP_HIT);
	KUNIT_EXPECT_EQ(test, VERDICT(w, acc(HWBP_ACCESS_UNKNOWN, 0, 0),
				      0x1001, true, true), HWBP_FALSE_HIT);
	KUNIT_EXPECT_EQ(test, VERDICT(w, acc(HWBP_ACCESS_NONE, 0x1004, 4),
				      0x2000, true, true), HWBP_MISS);
}

static void test_verdict_quadword(struct kunit *test)
{
	struct arch_hw_breakpoint w = brk(0x1000, 8, 8, W | T | U);
	struct hwbp_access q = acc(HWBP_ACCESS_STORE, 0x1008, 16);

	/* Before POWER10 a quadword access is compared as a quadword. */
	KUNIT_EXPECT_EQ(test, VERDICT(w, q, 0, true, false), HWBP_FALSE_HIT);
	KUNIT_EXPECT_EQ(test, VERDICT(w, q, 0, true, true), HWBP_MISS);
	q.ea = 0x0ff8;
	KUNIT_EXPECT_EQ(test, VERDICT(w, q, 0, true, true), HWBP_HIT);
}

static void test_access_of(struct kunit *test)
{
	struct hwbp_access a;

	a = hwbp_access_of(MKOP(STORE, 0, 4), 0x1234, MSR_64BIT, 128);
	KUNIT_EXPECT_EQ(test, a.kind, HWBP_ACCESS_STORE);
	KUNIT_EXPECT_EQ(test, a.size, 4U);
	KUNIT_EXPECT_EQ(test, a.ea, 0x1234UL);
	KUNIT_EXPECT_FALSE(test, a.atomic);

	/* dcbz writes its whole block. */
	a = hwbp_access_of(MKOP(CACHEOP, DCBZ, 0), 0x1234, MSR_64BIT, 128);
	KUNIT_EXPECT_EQ(test, a.kind, HWBP_ACCESS_STORE);
	KUNIT_EXPECT_EQ(test, a.size, 128U);
	KUNIT_EXPECT_EQ(test, a.ea, 0x1200UL);
	a = hwbp_access_of(MKOP(CACHEOP, DCBT, 0), 0x1234, MSR_64BIT, 128);
	KUNIT_EXPECT_EQ(test, a.kind, HWBP_ACCESS_NONE);

	a = hwbp_access_of(MKOP(LARX, 0, 8), 0x1000, MSR_64BIT, 128);
	KUNIT_EXPECT_EQ(test, a.kind, HWBP_ACCESS_LOAD);
	KUNIT_EXPECT_TRUE(test, a.atomic);
	a = hwbp_access_of(MKOP(STCX, 0, 4), 0x1000, MSR_64BIT, 128);
	KUNIT_EXPECT_EQ(test, a.kind, HWBP_ACCESS_STORE);
	KUNIT_EXPECT_TRUE(test, a.atomic);

	/* lvx ignores the low four bits. */
	a = hwbp_access_of(MKOP(LOAD_VMX, 0, 16), 0x100f, MSR_64BIT, 128);
	KUNIT_EXPECT_EQ(test, a.ea, 0x1000UL);
	KUNIT_EXPECT_EQ(test, a.size, 16U);

	/* A 32-bit task's address wraps at 4 GiB. */
	a = hwbp_access_of(MKOP(LOAD, 0, 8), 0x100001000UL, 0, 128);
	KUNIT_EXPECT_EQ(test, a.ea, 0x1000UL);

	a = hwbp_access_of(UNKNOWN, 0, MSR_64BIT, 128);
	KUNIT_EXPECT_EQ(test, a.kind, HWBP_ACCESS_UNKNOWN);
	a = hwbp_access_of(MKOP(BRANCH, 0, 0), 0, MSR_64BIT, 128);
	KUNIT_EXPECT_EQ(test, a.kind, HWBP_ACCESS_NONE);
}

static void test_generic_fields(struct kunit *test)
{
	int gen;

	KUNIT_EXPECT_EQ(test, arch_bp_generic_fields(R | W | T, &gen), 0);
	KUNIT_EXPECT_EQ(test, gen, HW_BREAKPOINT_R | HW_BREAKPOINT_W);
	KUNIT_EXPECT_EQ(test, arch_bp_generic_fields(W | T | U, &gen), 0);
	KUNIT_EXPECT_EQ(test, gen, HW_BREAKPOINT_W);
	KUNIT_EXPECT_EQ(test, arch_bp_generic_fields(T | U, &gen), -EINVAL);
}

static struct kunit_case powerpc_hw_breakpoint_cases[] = {
	KUNIT_CASE(test_dawrx),
	KUNIT_CASE(test_dabr),
	KUNIT_CASE(test_parse_range),
	KUNIT_CASE(test_verdict_edges),
	KUNIT_CASE(test_verdict_kind_and_mode),
	KUNIT_CASE(test_verdict_quadword),
	KUNIT_CASE(test_access_of),
	KUNIT_CASE(test_generic_fields),
	{}
};

static struct kunit_suite powerpc_hw_breakpoint_suite = {
	.name = "powerpc_hw_breakpoint",
	.test_cases = powerpc_hw_breakpoint_cases,
};

kunit_test_suites(&powerpc_hw_breakpoint_suite);

MODULE_DESCRIPTION("KUnit tests of the powerpc breakpoint encoders and decoder");
MODULE_LICENSE("GPL");
