// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the x86 breakpoint encoding, included at the end of
 * hw_breakpoint.c so that its static helpers are reachable.  Nothing here
 * touches a debug register: expected values are written out from the
 * Intel SDM's DR7 layout (enable bits 2n and 2n+1, GE at bit 9, R/W at
 * 16+4n, LEN at 18+4n), not computed by the code under test.
 */

#include <kunit/test.h>

static void test_encode_dr7(struct kunit *test)
{
	/* slot 0, execute: G0 | GE */
	KUNIT_EXPECT_EQ(test, 0x202UL,
			encode_dr7(0, X86_BREAKPOINT_LEN_X,
				   X86_BREAKPOINT_EXECUTE));
	/* slot 1, 4-byte read/write: LEN=11 R/W=11 at bits 20-23, G1 | GE */
	KUNIT_EXPECT_EQ(test, 0xf00208UL,
			encode_dr7(1, X86_BREAKPOINT_LEN_4, X86_BREAKPOINT_RW));
	/* slot 2, 2-byte write: LEN=01 R/W=01 at bits 24-27, G2 | GE */
	KUNIT_EXPECT_EQ(test, 0x5000220UL,
			encode_dr7(2, X86_BREAKPOINT_LEN_2,
				   X86_BREAKPOINT_WRITE));
#ifdef CONFIG_X86_64
	/* slot 3, 8-byte write: LEN=10 R/W=01 at bits 28-31, G3 | GE */
	KUNIT_EXPECT_EQ(test, 0x90000280UL,
			encode_dr7(3, X86_BREAKPOINT_LEN_8,
				   X86_BREAKPOINT_WRITE));
#endif
}

static void test_decode_dr7(struct kunit *test)
{
	unsigned int len, type;

	/* A debugger's DR7: slot 0 locally enabled, slot 2 4-byte RW global */
	unsigned long dr7 = 0x1 | 0x20 | 0xf000000;

	KUNIT_EXPECT_EQ(test, 1, decode_dr7(dr7, 0, &len, &type));
	KUNIT_EXPECT_EQ(test, X86_BREAKPOINT_LEN_1, len);
	KUNIT_EXPECT_EQ(test, X86_BREAKPOINT_EXECUTE, type);

	KUNIT_EXPECT_EQ(test, 0, decode_dr7(dr7, 1, &len, &type));

	KUNIT_EXPECT_EQ(test, 2, decode_dr7(dr7, 2, &len, &type));
	KUNIT_EXPECT_EQ(test, X86_BREAKPOINT_LEN_4, len);
	KUNIT_EXPECT_EQ(test, X86_BREAKPOINT_RW, type);
}

static void test_generic_fields(struct kunit *test)
{
	int len, type;

	KUNIT_EXPECT_EQ(test, 0, arch_bp_generic_fields(X86_BREAKPOINT_LEN_X,
							X86_BREAKPOINT_EXECUTE,
							&len, &type));
	KUNIT_EXPECT_EQ(test, HW_BREAKPOINT_X, type);
	KUNIT_EXPECT_EQ(test, (int)sizeof(long), len);

	KUNIT_EXPECT_EQ(test, 0, arch_bp_generic_fields(X86_BREAKPOINT_LEN_2,
							X86_BREAKPOINT_WRITE,
							&len, &type));
	KUNIT_EXPECT_EQ(test, HW_BREAKPOINT_W, type);
	KUNIT_EXPECT_EQ(test, 2, len);

	KUNIT_EXPECT_EQ(test, 0, arch_bp_generic_fields(X86_BREAKPOINT_LEN_4,
							X86_BREAKPOINT_RW,
							&len, &type));
	KUNIT_EXPECT_EQ(test, HW_BREAKPOINT_RW, type);
	KUNIT_EXPECT_EQ(test, 4, len);

	/* An execute breakpoint must be length 1; I/O (R/W=10) is not ours. */
	KUNIT_EXPECT_EQ(test, -EINVAL,
			arch_bp_generic_fields(X86_BREAKPOINT_LEN_4,
					       X86_BREAKPOINT_EXECUTE,
					       &len, &type));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			arch_bp_generic_fields(X86_BREAKPOINT_LEN_1, 0x82,
					       &len, &type));
}

struct parse_case {
	u32 type;
	u64 len;
	unsigned long addr;
	int err;
	u8 x86_len;
	u8 x86_type;
};

#define USER_VA	0x10000UL
/* Short names for the codes an accepted case must produce. */
#define L(len)		X86_BREAKPOINT_LEN_##len
#define T(type)		X86_BREAKPOINT_##type

static const struct parse_case user_cases[] = {
	{ HW_BREAKPOINT_W,  1, USER_VA + 1, 0, L(1), T(WRITE) },
	{ HW_BREAKPOINT_W,  2, USER_VA + 2, 0, L(2), T(WRITE) },
	{ HW_BREAKPOINT_W,  2, USER_VA + 1, -EINVAL },
	{ HW_BREAKPOINT_RW, 4, USER_VA + 4, 0, L(4), T(RW) },
	{ HW_BREAKPOINT_RW, 4, USER_VA + 2, -EINVAL },
#ifdef CONFIG_X86_64
	{ HW_BREAKPOINT_W,  8, USER_VA + 8, 0, L(8), T(WRITE) },
	{ HW_BREAKPOINT_RW, 8, USER_VA + 4, -EINVAL },
#endif
	{ HW_BREAKPOINT_W,  0, USER_VA, -EINVAL },
	{ HW_BREAKPOINT_W,  3, USER_VA, -EINVAL },
	{ HW_BREAKPOINT_W, 16, USER_VA + 8, -EINVAL },
	/* x86 has no read-only watchpoints */
	{ HW_BREAKPOINT_R,  4, USER_VA, -EINVAL },
	{ HW_BREAKPOINT_W | HW_BREAKPOINT_X, 8, USER_VA, -EINVAL },
	/* execute: any alignment, "length" is sizeof(long) */
	{ HW_BREAKPOINT_X, sizeof(long), USER_VA + 3, 0, L(X), T(EXECUTE) },
	{ HW_BREAKPOINT_X, 1, USER_VA, -EINVAL },
	/* the range may not wrap around the address space */
	{ HW_BREAKPOINT_W, 2, ULONG_MAX, -EINVAL },
};

static int parse(const struct parse_case *c, struct arch_hw_breakpoint *hw)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_BREAKPOINT,
		.bp_type = c->type,
		.bp_len = c->len,
		.bp_addr = c->addr,
	};

	memset(hw, 0, sizeof(*hw));
	return hw_breakpoint_arch_parse(NULL, &attr, hw);
}

static void test_parse_user(struct kunit *test)
{
	struct arch_hw_breakpoint hw;
	int i;

	for (i = 0; i < ARRAY_SIZE(user_cases); i++) {
		const struct parse_case *c = &user_cases[i];

		KUNIT_EXPECT_EQ_MSG(test, c->err, parse(c, &hw), "case %d", i);
		if (c->err)
			continue;
		KUNIT_EXPECT_EQ_MSG(test, c->x86_len, hw.len, "case %d", i);
		KUNIT_EXPECT_EQ_MSG(test, c->x86_type, hw.type, "case %d", i);
		KUNIT_EXPECT_EQ_MSG(test, c->addr, hw.address, "case %d", i);
		KUNIT_EXPECT_EQ_MSG(test, 0UL, hw.mask, "case %d", i);
		KUNIT_EXPECT_FALSE(test, arch_check_bp_in_kernelspace(&hw));
	}
}

/* Aligned power-of-two ranges above 8 bytes exist only with AMD's BPEXT. */
static void test_parse_range(struct kunit *test)
{
	struct parse_case c = { HW_BREAKPOINT_W, 64, USER_VA + 64 };
	struct arch_hw_breakpoint hw;

	if (!boot_cpu_has(X86_FEATURE_BPEXT)) {
		KUNIT_EXPECT_EQ(test, -EOPNOTSUPP, parse(&c, &hw));
		return;
	}
	KUNIT_EXPECT_EQ(test, 0, parse(&c, &hw));
	KUNIT_EXPECT_EQ(test, 63UL, hw.mask);
	KUNIT_EXPECT_EQ(test, X86_BREAKPOINT_LEN_1, hw.len);
}

static void test_kernelspace_boundary(struct kunit *test)
{
	struct arch_hw_breakpoint hw = { .len = X86_BREAKPOINT_LEN_2 };

	hw.address = TASK_SIZE_MAX - 2;
	KUNIT_EXPECT_FALSE(test, arch_check_bp_in_kernelspace(&hw));
	hw.address = TASK_SIZE_MAX - 1;	/* second byte is kernel */
	KUNIT_EXPECT_TRUE(test, arch_check_bp_in_kernelspace(&hw));
	hw.address = TASK_SIZE_MAX;
	KUNIT_EXPECT_TRUE(test, arch_check_bp_in_kernelspace(&hw));
}

static unsigned long test_watched_word;

/* Memory the #DB entry path needs is never watchable. */
static void test_parse_refuses_entry_data(struct kunit *test)
{
	int cpu = raw_smp_processor_id();
	struct arch_hw_breakpoint hw;
	struct parse_case c = { HW_BREAKPOINT_RW, 8 };

	c.addr = (unsigned long)&per_cpu(cpu_tss_rw, cpu);
	KUNIT_EXPECT_EQ(test, -EINVAL, parse(&c, &hw));
	c.addr = (unsigned long)get_cpu_gdt_rw(cpu);
	KUNIT_EXPECT_EQ(test, -EINVAL, parse(&c, &hw));
	c.addr = (unsigned long)&per_cpu(cpu_dr7, cpu);
	KUNIT_EXPECT_EQ(test, -EINVAL, parse(&c, &hw));
	c.addr = CPU_ENTRY_AREA_BASE;
	KUNIT_EXPECT_EQ(test, -EINVAL, parse(&c, &hw));
	/* the last byte of the range reaching into the TSS counts too */
	c.len = 1;
	c.addr = (unsigned long)&per_cpu(cpu_tss_rw, cpu) +
		 sizeof(struct tss_struct) - 1;
	KUNIT_EXPECT_EQ(test, -EINVAL, parse(&c, &hw));

	/* ...while ordinary kernel data is. */
	c.len = sizeof(long);
	c.addr = (unsigned long)&test_watched_word;
	KUNIT_EXPECT_EQ(test, 0, parse(&c, &hw));
	KUNIT_EXPECT_TRUE(test, arch_check_bp_in_kernelspace(&hw));
}

static void test_parse_refuses_entry_text(struct kunit *test)
{
	struct arch_hw_breakpoint hw;
	struct parse_case c = { HW_BREAKPOINT_X, sizeof(long) };

	c.addr = (unsigned long)__entry_text_start;
	KUNIT_EXPECT_EQ(test, -EINVAL, parse(&c, &hw));
	c.addr = (unsigned long)__noinstr_text_start;
	KUNIT_EXPECT_EQ(test, -EINVAL, parse(&c, &hw));
}

static struct kunit_case x86_hwbp_test_cases[] = {
	KUNIT_CASE(test_encode_dr7),
	KUNIT_CASE(test_decode_dr7),
	KUNIT_CASE(test_generic_fields),
	KUNIT_CASE(test_parse_user),
	KUNIT_CASE(test_parse_range),
	KUNIT_CASE(test_kernelspace_boundary),
	KUNIT_CASE(test_parse_refuses_entry_data),
	KUNIT_CASE(test_parse_refuses_entry_text),
	{}
};

static struct kunit_suite x86_hwbp_test_suite = {
	.name = "x86_hw_breakpoint",
	.test_cases = x86_hwbp_test_cases,
};

kunit_test_suites(&x86_hwbp_test_suite);
