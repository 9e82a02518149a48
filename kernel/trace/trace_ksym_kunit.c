// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the watch specification parsers shared by the ksym
 * tracer and the w: dynamic events (trace_ksym_parse.c).  Pure functions:
 * no breakpoint is armed here.
 */

#include <kunit/test.h>
#include <linux/hw_breakpoint.h>

#include "trace_ksym.h"

/* One input of a parser and what it must give. */
struct parse_case {
	const char *in;
	int ret;
	const char *name;
	unsigned long addr, offset;
	unsigned int len;
	u32 type;
	enum ksym_parse_error err;
	unsigned int pos;
};

typedef int (*parse_fn)(const char *str, struct ksym_spec *spec,
			unsigned int *err_pos);

static void check_cases(struct kunit *test, parse_fn parse,
			const struct parse_case *c, size_t n)
{
	const struct parse_case *end = c + n;
	struct ksym_spec spec;
	unsigned int err;

	for (; c < end; c++) {
		err = 0;
		KUNIT_EXPECT_EQ_MSG(test, parse(c->in, &spec, &err), c->ret,
				    "input %s", c->in);
		if (c->ret) {
			KUNIT_EXPECT_EQ_MSG(test, ksym_err_code(err), c->err,
					    "input %s", c->in);
			KUNIT_EXPECT_EQ_MSG(test, ksym_err_pos(err), c->pos,
					    "input %s", c->in);
			continue;
		}
		KUNIT_EXPECT_STREQ_MSG(test, spec.name, c->name, "input %s", c->in);
		KUNIT_EXPECT_EQ_MSG(test, spec.addr, c->addr, "input %s", c->in);
		KUNIT_EXPECT_EQ_MSG(test, spec.offset, c->offset, "input %s", c->in);
		KUNIT_EXPECT_EQ_MSG(test, spec.len, c->len, "input %s", c->in);
		KUNIT_EXPECT_EQ_MSG(test, spec.type, c->type, "input %s", c->in);
	}
}

static const struct parse_case filter_cases[] = {
	{ "panic_timeout:-w-", 0, "panic_timeout", 0, 0, 0, HW_BREAKPOINT_W },
	{ "panic_timeout:rw-", 0, "panic_timeout", 0, 0, 0, HW_BREAKPOINT_RW },
	{ "panic_timeout:r--", 0, "panic_timeout", 0, 0, 0, HW_BREAKPOINT_R },
	{ "schedule:--x", 0, "schedule", 0, 0, 0, HW_BREAKPOINT_X },
	{ "panic_timeout:---", 0, "panic_timeout", 0, 0, 0, 0 },
	{ "jiffies+8/4:-w-", 0, "jiffies", 0, 8, 4, HW_BREAKPOINT_W },
	{ "jiffies+0x10/1:rw-", 0, "jiffies", 0, 16, 1, HW_BREAKPOINT_RW },
	{ "ext4:ext4_fs_flags/2:r--", 0, "ext4:ext4_fs_flags", 0, 0, 2,
	  HW_BREAKPOINT_R },
	{ "mod:var+4:-w-", 0, "mod:var", 0, 4, 0, HW_BREAKPOINT_W },
	/* errors, and where they point */
	{ "panic_timeout", -EINVAL, .err = KSYM_ERR_OPS, .pos = 13 },
	{ "panic_timeout:rwx", -EINVAL, .err = KSYM_ERR_OPS, .pos = 14 },
	{ "panic_timeout:-w", -EINVAL, .err = KSYM_ERR_OPS, .pos = 14 },
	{ "panic_timeout:w", -EINVAL, .err = KSYM_ERR_OPS, .pos = 14 },
	{ "panic_timeout/3:-w-", -EINVAL, .err = KSYM_ERR_LEN, .pos = 14 },
	{ "panic_timeout/16:-w-", -EINVAL, .err = KSYM_ERR_LEN, .pos = 14 },
	{ "panic_timeout/:-w-", -EINVAL, .err = KSYM_ERR_LEN, .pos = 14 },
	{ "panic_timeout+x/4:-w-", -EINVAL, .err = KSYM_ERR_OFFSET, .pos = 14 },
	{ "panic_timeout+:-w-", -EINVAL, .err = KSYM_ERR_OFFSET, .pos = 14 },
	{ ":-w-", -EINVAL, .err = KSYM_ERR_NAME, .pos = 0 },
	{ "bad name:-w-", -EINVAL, .err = KSYM_ERR_NAME, .pos = 0 },
	{ "a::b:-w-", -EINVAL, .err = KSYM_ERR_NAME, .pos = 0 },
	{ ":b:-w-", -EINVAL, .err = KSYM_ERR_NAME, .pos = 0 },
};

static void test_filter_lines(struct kunit *test)
{
	check_cases(test, ksym_parse_filter, filter_cases,
		    ARRAY_SIZE(filter_cases));
}

/* What the filter file lists can be written back and means the same. */
static void test_filter_round_trip(struct kunit *test)
{
	static const char *const lines[] = {
		"panic_timeout/4:-w-", "jiffies+0x8/8:rw-",
		"ext4:ext4_fs_flags/2:r--", "schedule/8:--x",
	};
	struct ksym_spec spec;
	unsigned int err;
	char buf[KSYM_SPEC_NAME_LEN + 32];
	int i;

	for (i = 0; i < ARRAY_SIZE(lines); i++) {
		KUNIT_ASSERT_EQ(test, ksym_parse_filter(lines[i], &spec, &err), 0);
		ksym_format_spec(buf, sizeof(buf), &spec, spec.len);
		KUNIT_EXPECT_STREQ(test, buf, lines[i]);
	}
}

static const struct parse_case target_cases[] = {
	{ "@panic_timeout", 0, "panic_timeout", 0, 0, 0, HW_BREAKPOINT_RW },
	{ "w@panic_timeout", 0, "panic_timeout", 0, 0, 0, HW_BREAKPOINT_W },
	{ "r@jiffies+8:4", 0, "jiffies", 0, 8, 4, HW_BREAKPOINT_R },
	{ "rw@jiffies:8", 0, "jiffies", 0, 0, 8, HW_BREAKPOINT_RW },
	{ "x@schedule", 0, "schedule", 0, 0, 0, HW_BREAKPOINT_X },
	{ "w@0xffff800012345678:2", 0, "", 0xffff800012345678UL, 0, 2,
	  HW_BREAKPOINT_W },
	{ "w@ext4:ext4_fs_flags", 0, "ext4:ext4_fs_flags", 0, 0, 0,
	  HW_BREAKPOINT_W },
	{ "w@ext4:ext4_fs_flags:1", 0, "ext4:ext4_fs_flags", 0, 0, 1,
	  HW_BREAKPOINT_W },
	{ "panic_timeout", -EINVAL, .err = KSYM_ERR_SYNTAX, .pos = 0 },
	{ "wr@panic_timeout", -EINVAL, .err = KSYM_ERR_TYPE, .pos = 0 },
	{ "rwx@panic_timeout", -EINVAL, .err = KSYM_ERR_TYPE, .pos = 0 },
	{ "w@panic_timeout:3", -EINVAL, .err = KSYM_ERR_LEN, .pos = 16 },
	{ "w@panic_timeout:0", -EINVAL, .err = KSYM_ERR_LEN, .pos = 16 },
	{ "w@panic_timeout+z", -EINVAL, .err = KSYM_ERR_OFFSET, .pos = 16 },
	{ "w@", -EINVAL, .err = KSYM_ERR_NAME, .pos = 2 },
	{ "w@0", -EINVAL, .err = KSYM_ERR_NAME, .pos = 2 },
	{ "w@0x12g", -EINVAL, .err = KSYM_ERR_NAME, .pos = 2 },
};

static void test_wprobe_targets(struct kunit *test)
{
	check_cases(test, wprobe_parse_target, target_cases,
		    ARRAY_SIZE(target_cases));
}

static void test_default_len(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, ksym_default_len(1, HW_BREAKPOINT_W), 1U);
	KUNIT_EXPECT_EQ(test, ksym_default_len(2, HW_BREAKPOINT_RW), 2U);
	KUNIT_EXPECT_EQ(test, ksym_default_len(8, HW_BREAKPOINT_R), 8U);
	KUNIT_EXPECT_EQ(test, ksym_default_len(3, HW_BREAKPOINT_W), 4U);
	KUNIT_EXPECT_EQ(test, ksym_default_len(4096, HW_BREAKPOINT_W), 4U);
	KUNIT_EXPECT_EQ(test, ksym_default_len(0, HW_BREAKPOINT_W), 4U);
}

static void test_ops_names(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, ksym_ops_string(HW_BREAKPOINT_R), "r--");
	KUNIT_EXPECT_STREQ(test, ksym_ops_string(HW_BREAKPOINT_W), "-w-");
	KUNIT_EXPECT_STREQ(test, ksym_ops_string(HW_BREAKPOINT_RW), "rw-");
	KUNIT_EXPECT_STREQ(test, ksym_ops_string(HW_BREAKPOINT_X), "--x");
	KUNIT_EXPECT_STREQ(test, ksym_ops_string(0), "---");
}

static struct kunit_case ksym_parse_cases[] = {
	KUNIT_CASE(test_filter_lines),
	KUNIT_CASE(test_filter_round_trip),
	KUNIT_CASE(test_wprobe_targets),
	KUNIT_CASE(test_default_len),
	KUNIT_CASE(test_ops_names),
	{}
};

static struct kunit_suite ksym_parse_suite = {
	.name = "trace_ksym_parse",
	.test_cases = ksym_parse_cases,
};

kunit_test_suites(&ksym_parse_suite);

MODULE_DESCRIPTION("KUnit tests of the ksym tracer's and w: events' parsers");
MODULE_LICENSE("GPL");
