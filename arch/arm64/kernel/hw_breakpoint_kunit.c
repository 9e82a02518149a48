// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the arm64 breakpoint backend's pure functions: control
 * words, attr parsing, ptrace's generic fields, and which watchpoint a
 * fault address names.  Expected control words are written out from the
 * Arm ARM's DBGBCR/DBGWCR layout (E bit 0, PMC/PAC bits 2:1, LSC bits 4:3,
 * BAS bits 12:5, HMC bit 13, MASK bits 28:24), not computed by the code
 * under test.  Nothing here touches a debug register.
 */

#include <kunit/test.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <linux/sizes.h>

#include <asm/hw_breakpoint.h>

#include "hw_breakpoint_kunit.h"

#define USER_VA		0x400000ULL
#define KERNEL_VA	0xffff800080000000ULL

static struct arch_hw_breakpoint_ctrl ctrl_of(int priv, int lsc, int bas,
					      int mask)
{
	return (struct arch_hw_breakpoint_ctrl) {
		.privilege = priv, .type = lsc, .bas = bas, .mask = mask,
	};
}

static void test_ctrl_words(struct kunit *test)
{
	/* A64 breakpoint at EL1: E, PMC=01, BAS=1111. */
	KUNIT_EXPECT_EQ(test, 0x1e3U,
			hwbp_ctrl_word(ctrl_of(1, 0, 0xf, 0), false));
	/* The same with the kernel at EL2: HMC too. */
	KUNIT_EXPECT_EQ(test, 0x21e3U,
			hwbp_ctrl_word(ctrl_of(1, 0, 0xf, 0), true));
	/* EL0 store watchpoint on a whole doubleword: PAC=10, LSC=10. */
	KUNIT_EXPECT_EQ(test, 0x1ff5U,
			hwbp_ctrl_word(ctrl_of(2, 2, 0xff, 0), true));
	/* EL0 load watchpoint on bytes 2-3: BAS=00001100. */
	KUNIT_EXPECT_EQ(test, 0x18dU,
			hwbp_ctrl_word(ctrl_of(2, 1, 0x0c, 0), false));
	/* EL1 read/write watchpoint on 4 KiB: MASK=12, BAS all ones. */
	KUNIT_EXPECT_EQ(test, 0x0c001ffbU,
			hwbp_ctrl_word(ctrl_of(1, 3, 0xff, 12), false));
}

static void test_ctrl_decode(struct kunit *test)
{
	struct arch_hw_breakpoint_ctrl c;

	/* What breakpoint_test_arm64 writes: store, BAS 0x3c, privilege 0. */
	decode_ctrl_reg(0x1 | 0x2 << 3 | 0x3c << 5, &c);
	KUNIT_EXPECT_EQ(test, 1U, (u32)c.enabled);
	KUNIT_EXPECT_EQ(test, 0U, (u32)c.privilege);
	KUNIT_EXPECT_EQ(test, 2U, (u32)c.type);
	KUNIT_EXPECT_EQ(test, 0x3cU, (u32)c.bas);
	KUNIT_EXPECT_EQ(test, 0U, (u32)c.mask);
	/* MASK survives the trip (upstream dropped it). */
	decode_ctrl_reg(0x1f001ff5, &c);
	KUNIT_EXPECT_EQ(test, 31U, (u32)c.mask);
	KUNIT_EXPECT_EQ(test, 0x1f001ff5U, encode_ctrl_reg(c));
}

static void test_generic_fields(struct kunit *test)
{
	int type, offset;
	u64 len;

	KUNIT_EXPECT_EQ(test, 0, arch_bp_generic_fields(ctrl_of(2, 2, 0x3c, 0),
							&len, &type, &offset));
	KUNIT_EXPECT_EQ(test, 4ULL, len);
	KUNIT_EXPECT_EQ(test, 2, offset);
	KUNIT_EXPECT_EQ(test, HW_BREAKPOINT_W, type);

	KUNIT_EXPECT_EQ(test, 0, arch_bp_generic_fields(ctrl_of(2, 0, 0xf, 0),
							&len, &type, &offset));
	KUNIT_EXPECT_EQ(test, HW_BREAKPOINT_X, type);
	KUNIT_EXPECT_EQ(test, 4ULL, len);

	KUNIT_EXPECT_EQ(test, 0, arch_bp_generic_fields(ctrl_of(2, 3, 0xff, 31),
							&len, &type, &offset));
	KUNIT_EXPECT_EQ(test, (u64)SZ_2G, len);
	KUNIT_EXPECT_EQ(test, 0, offset);
	KUNIT_EXPECT_EQ(test, HW_BREAKPOINT_RW, type);

	/* BAS with a hole, no BAS, reserved MASK, MASK without full BAS. */
	KUNIT_EXPECT_EQ(test, -EINVAL, arch_bp_generic_fields(ctrl_of(2, 2, 0x5, 0),
							      &len, &type, &offset));
	KUNIT_EXPECT_EQ(test, -EINVAL, arch_bp_generic_fields(ctrl_of(2, 2, 0, 0),
							      &len, &type, &offset));
	KUNIT_EXPECT_EQ(test, -EINVAL, arch_bp_generic_fields(ctrl_of(2, 2, 0xff, 2),
							      &len, &type, &offset));
	KUNIT_EXPECT_EQ(test, -EINVAL, arch_bp_generic_fields(ctrl_of(2, 2, 0x0f, 6),
							      &len, &type, &offset));
}

struct parse_case {
	const char *what;
	u32 type;
	u64 addr, len;
	int err;
	u64 value;	/* the value register */
	u8 bas, mask, lsc;
};

static const struct parse_case parse_cases[] = {
	{ "X len 4",		HW_BREAKPOINT_X, USER_VA, 4, 0, USER_VA, 0xf, 0, 0 },
	{ "X len 8",		HW_BREAKPOINT_X, USER_VA, 8, -EINVAL },
	{ "X len 1",		HW_BREAKPOINT_X, USER_VA, 1, -EINVAL },
	{ "X len 2 native",	HW_BREAKPOINT_X, USER_VA, 2, -EINVAL },
	{ "X misaligned",	HW_BREAKPOINT_X, USER_VA + 2, 4, -EINVAL },
	{ "W 1 at +7",		HW_BREAKPOINT_W, USER_VA + 7, 1, 0, USER_VA, 0x80, 0, 2 },
	{ "R 2 at +3",		HW_BREAKPOINT_R, USER_VA + 3, 2, 0, USER_VA, 0x18, 0, 1 },
	{ "RW 5 at +3",		HW_BREAKPOINT_RW, USER_VA + 3, 5, 0, USER_VA, 0xf8, 0, 3 },
	{ "W 8",		HW_BREAKPOINT_W, USER_VA, 8, 0, USER_VA, 0xff, 0, 2 },
	{ "W 3 at +6",		HW_BREAKPOINT_W, USER_VA + 6, 3, -EINVAL },
	{ "W 16",		HW_BREAKPOINT_W, USER_VA + 16, 16, 0, USER_VA + 16, 0xff, 4, 2 },
	{ "W 16 at +8",		HW_BREAKPOINT_W, USER_VA + 8, 16, -EINVAL },
	{ "W 12",		HW_BREAKPOINT_W, USER_VA, 12, -EINVAL },
	{ "RW 4 KiB",		HW_BREAKPOINT_RW, USER_VA, SZ_4K, 0, USER_VA, 0xff, 12, 3 },
	{ "W 2 GiB",		HW_BREAKPOINT_W, 2ULL * SZ_2G, SZ_2G, 0,
				2ULL * SZ_2G, 0xff, 31, 2 },
	{ "W 4 GiB",		HW_BREAKPOINT_W, 4ULL * SZ_2G, 2ULL * SZ_2G, -EINVAL },
	{ "W len 0",		HW_BREAKPOINT_W, USER_VA, 0, -EINVAL },
	{ "X|W",		HW_BREAKPOINT_X | HW_BREAKPOINT_W, USER_VA, 4, -EINVAL },
	{ "wraps",		HW_BREAKPOINT_W, ~0ULL, 2, -EINVAL },
};

static void test_parse(struct kunit *test)
{
	const struct parse_case *c;
	struct arch_hw_breakpoint hw;
	struct perf_event_attr attr;
	int i, err;

	for (i = 0; i < ARRAY_SIZE(parse_cases); i++) {
		c = &parse_cases[i];
		attr = (struct perf_event_attr) {
			.type = PERF_TYPE_BREAKPOINT,
			.bp_type = c->type, .bp_addr = c->addr, .bp_len = c->len,
		};
		err = hw_breakpoint_arch_parse(NULL, &attr, &hw);
		KUNIT_EXPECT_EQ_MSG(test, c->err, err, "%s", c->what);
		if (err || c->err)
			continue;
		KUNIT_EXPECT_EQ_MSG(test, c->value, hw.address, "%s", c->what);
		KUNIT_EXPECT_EQ_MSG(test, (u32)c->bas, (u32)hw.ctrl.bas, "%s", c->what);
		KUNIT_EXPECT_EQ_MSG(test, (u32)c->mask, (u32)hw.ctrl.mask, "%s", c->what);
		KUNIT_EXPECT_EQ_MSG(test, (u32)c->lsc, (u32)hw.ctrl.type, "%s", c->what);
		KUNIT_EXPECT_EQ_MSG(test, (u32)ARM64_HWBP_PRIV_EL0,
				    (u32)hw.ctrl.privilege, "%s", c->what);
		KUNIT_EXPECT_FALSE(test, arch_check_bp_in_kernelspace(&hw));
	}
}

/* Kernel addresses match at EL1; a range may not cross into them. */
static void test_parse_kernel(struct kunit *test)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_BREAKPOINT, .bp_type = HW_BREAKPOINT_RW,
		.bp_addr = KERNEL_VA + 8, .bp_len = 8,
	};
	struct arch_hw_breakpoint hw;

	KUNIT_EXPECT_EQ(test, 0, hw_breakpoint_arch_parse(NULL, &attr, &hw));
	KUNIT_EXPECT_EQ(test, (u32)ARM64_HWBP_PRIV_EL1, (u32)hw.ctrl.privilege);
	KUNIT_EXPECT_TRUE(test, arch_check_bp_in_kernelspace(&hw));

	attr.bp_addr = TASK_SIZE_MAX - 4;
	KUNIT_EXPECT_EQ(test, -EINVAL, hw_breakpoint_arch_parse(NULL, &attr, &hw));
}

/* A non-NULL owner for the pairs below; never dereferenced. */
static int owner_token;
#define OWNED	((struct perf_event *)&owner_token)

static struct hwbp_pair wp(u64 value, int lsc, int bas, int mask)
{
	return (struct hwbp_pair) {
		.owner = OWNED, .value = value,
		.ctrl = hwbp_ctrl_word(ctrl_of(2, lsc, bas, mask), false),
	};
}

static void test_pick_watchpoints(struct kunit *test)
{
	struct hwbp_pair p[4] = { };

	/* Bytes 0x1010-0x1017 and 0x1020-0x1027, both store watchpoints. */
	p[0] = wp(0x1010, 2, 0xff, 0);
	p[2] = wp(0x1020, 2, 0xff, 0);

	/* FAR inside a watched range: that one. */
	KUNIT_EXPECT_EQ(test, BIT(2), hwbp_pick_watchpoints(0x1024, true, 64, p, 4));
	/* A 16-byte store from 0x100c: FAR may be its start, below both. */
	KUNIT_EXPECT_EQ(test, BIT(0), hwbp_pick_watchpoints(0x100c, true, 64, p, 4));
	/* Between the two: the lowest watched byte above FAR. */
	KUNIT_EXPECT_EQ(test, BIT(2), hwbp_pick_watchpoints(0x1018, true, 64, p, 4));
	/* A watched byte in the next DC ZVA block cannot explain the FAR. */
	KUNIT_EXPECT_EQ(test, 0UL, hwbp_pick_watchpoints(0x1018, true, 16, p, 4));
	/* Loads do not fire store watchpoints. */
	KUNIT_EXPECT_EQ(test, 0UL, hwbp_pick_watchpoints(0x1010, false, 64, p, 4));

	/* BAS inside the doubleword: bytes 0x1032-0x1033 only. */
	p[1] = wp(0x1030, 3, 0x0c, 0);
	KUNIT_EXPECT_EQ(test, BIT(1), hwbp_pick_watchpoints(0x1033, false, 64, p, 4));
	KUNIT_EXPECT_EQ(test, BIT(1), hwbp_pick_watchpoints(0x1030, false, 64, p, 4));
	KUNIT_EXPECT_EQ(test, 0UL, hwbp_pick_watchpoints(0x1034, false, 64, p, 4));

	/* Two ranges holding FAR both fired; an empty pair never does. */
	p[3] = wp(0x1000, 2, 0xff, 6);	/* MASK: 0x1000-0x103f */
	KUNIT_EXPECT_EQ(test, BIT(2) | BIT(3),
			hwbp_pick_watchpoints(0x1020, true, 64, p, 4));
	p[3].owner = NULL;
	KUNIT_EXPECT_EQ(test, BIT(2), hwbp_pick_watchpoints(0x1020, true, 64, p, 4));
}

static void test_watched_span(struct kunit *test)
{
	u64 len;

	KUNIT_EXPECT_EQ(test, 0x1003ULL,
			hwbp_watched_span(0x1000, ctrl_of(2, 2, 0x38, 0), &len));
	KUNIT_EXPECT_EQ(test, 3ULL, len);
	KUNIT_EXPECT_EQ(test, 0x200000ULL,
			hwbp_watched_span(0x200000, ctrl_of(2, 2, 0xff, 21), &len));
	KUNIT_EXPECT_EQ(test, (u64)SZ_2M, len);
}

static struct kunit_case arm64_hwbp_test_cases[] = {
	KUNIT_CASE(test_ctrl_words),
	KUNIT_CASE(test_ctrl_decode),
	KUNIT_CASE(test_generic_fields),
	KUNIT_CASE(test_parse),
	KUNIT_CASE(test_parse_kernel),
	KUNIT_CASE(test_pick_watchpoints),
	KUNIT_CASE(test_watched_span),
	{}
};

static struct kunit_suite arm64_hwbp_test_suite = {
	.name = "arm64_hw_breakpoint",
	.test_cases = arm64_hwbp_test_cases,
};

kunit_test_suites(&arm64_hwbp_test_suite);

MODULE_DESCRIPTION("KUnit tests of the arm64 hardware breakpoint encoding");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
