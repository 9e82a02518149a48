// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the wide breakpoints that can be switched from atomic
 * context (hw_breakpoint_wide.c).  These take real hits: the test writes
 * its own variables on two CPUs and counts what the handler saw.
 */

#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/hw_breakpoint.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "hw_breakpoint_slots.h"

static long wide_test_a;
static long wide_test_b;
/* One variable per slot: QEMU reports one of several registers that fire. */
static long wide_test_each[HWBP_SLOTS_MAX];

struct wide_test_ctx {
	atomic_t hits;
	int cpu0, cpu1;
};

static void wide_test_count(struct perf_event *bp,
			    struct perf_sample_data *data,
			    struct pt_regs *regs)
{
	struct wide_test_ctx *ctx = bp->overflow_handler_context;

	atomic_inc(&ctx->hits);
}

static long write_variable(void *var)
{
	WRITE_ONCE(*(long *)var, READ_ONCE(*(long *)var) + 1);
	return 0;
}

/* Write @var once on @cpu, from a task running there. */
static void write_on(int cpu, long *var)
{
	work_on_cpu(cpu, write_variable, var);
}

KUNIT_DEFINE_ACTION_WRAPPER(destroy_action, wide_hw_breakpoint_destroy,
			    struct wide_hw_breakpoint *);

/*
 * Every breakpoint a case creates is destroyed when the case ends, also
 * when an assertion ends it early: a leaked one would hold its slots for
 * the rest of the boot, and every later breakpoint user would see ENOSPC.
 */
static struct wide_hw_breakpoint *create_attr(struct kunit *test,
					      struct perf_event_attr *attr)
{
	struct wide_hw_breakpoint *wbp;

	wbp = wide_hw_breakpoint_create(attr, wide_test_count, test->priv);
	if (IS_ERR_OR_NULL(wbp))
		return wbp;
	if (kunit_add_action_or_reset(test, destroy_action, wbp))
		return ERR_PTR(-ENOMEM);
	return wbp;
}

static struct wide_hw_breakpoint *create(struct kunit *test, long *var,
					 bool armed)
{
	struct perf_event_attr attr;
	struct wide_hw_breakpoint *wbp;

	hw_breakpoint_init(&attr);
	attr.bp_addr = (unsigned long)var;
	attr.bp_len = HW_BREAKPOINT_LEN_8;
	attr.bp_type = HW_BREAKPOINT_W;
	attr.disabled = !armed;
	wbp = create_attr(test, &attr);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, wbp);
	return wbp;
}

/* perf's own wide breakpoints, through a kunit action's void pointer. */
static void unregister_action(void *bp)
{
	unregister_wide_hw_breakpoint((__force struct perf_event * __percpu *)bp);
}

/* Destroy @wbp now rather than when the case ends. */
static void destroy(struct kunit *test, struct wide_hw_breakpoint *wbp)
{
	kunit_release_action(test, destroy_action, wbp);
}

/* Someone else destroys @wbp from now on. */
static void disown(struct kunit *test, struct wide_hw_breakpoint *wbp)
{
	kunit_remove_action(test, destroy_action, wbp);
}

/* Move @wbp to a write watchpoint of @len bytes on @var, and arm it. */
static int arm_on(struct wide_hw_breakpoint *wbp, long *var, u64 len)
{
	return wide_hw_breakpoint_arm(wbp, (unsigned long)var, len,
				      HW_BREAKPOINT_W);
}

static int hits(struct kunit *test)
{
	struct wide_test_ctx *ctx = test->priv;

	return atomic_xchg(&ctx->hits, 0);
}

static int wide_test_init(struct kunit *test)
{
	struct wide_test_ctx *ctx;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two online CPUs");
	if (hw_breakpoint_is_used())
		kunit_skip(test, "breakpoints already in use");

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->cpu0 = cpumask_first(cpu_online_mask);
	ctx->cpu1 = cpumask_next(ctx->cpu0, cpu_online_mask);
	test->priv = ctx;
	return 0;
}

/* Created armed, it watches every online CPU. */
static void test_armed_on_every_cpu(struct kunit *test)
{
	struct wide_test_ctx *ctx = test->priv;
	struct wide_hw_breakpoint *wbp = create(test, &wide_test_a, true);

	write_on(ctx->cpu0, &wide_test_a);
	write_on(ctx->cpu1, &wide_test_a);
	write_on(ctx->cpu1, &wide_test_b);
	KUNIT_EXPECT_EQ(test, hits(test), 2);
	KUNIT_EXPECT_TRUE(test, wide_hw_breakpoint_armed(wbp));
	destroy(test, wbp);
}

/* Created disarmed it sees nothing; arming and disarming switch it. */
static void test_disarmed_until_armed(struct kunit *test)
{
	struct wide_test_ctx *ctx = test->priv;
	struct wide_hw_breakpoint *wbp = create(test, &wide_test_a, false);

	write_on(ctx->cpu0, &wide_test_a);
	write_on(ctx->cpu1, &wide_test_a);
	KUNIT_EXPECT_EQ(test, hits(test), 0);

	KUNIT_EXPECT_EQ(test, arm_on(wbp, &wide_test_a, HW_BREAKPOINT_LEN_8), 0);
	wide_hw_breakpoint_sync(wbp);
	write_on(ctx->cpu0, &wide_test_a);
	write_on(ctx->cpu1, &wide_test_a);
	KUNIT_EXPECT_EQ(test, hits(test), 2);

	wide_hw_breakpoint_disarm(wbp);
	wide_hw_breakpoint_sync(wbp);
	KUNIT_EXPECT_FALSE(test, wide_hw_breakpoint_armed(wbp));
	write_on(ctx->cpu0, &wide_test_a);
	write_on(ctx->cpu1, &wide_test_a);
	KUNIT_EXPECT_EQ(test, hits(test), 0);
	destroy(test, wbp);
}

/*
 * perf takes every pinned event of a CPU off and puts it back when another
 * CPU event is installed there; a disarmed breakpoint must come back
 * without a register.
 */
static void test_disarmed_survives_resched(struct kunit *test)
{
	struct wide_test_ctx *ctx = test->priv;
	struct wide_hw_breakpoint *wbp;
	struct perf_event * __percpu *other;
	struct perf_event_attr attr;

	hw_breakpoint_init(&attr);
	attr.bp_addr = (unsigned long)&wide_test_b;
	attr.bp_len = HW_BREAKPOINT_LEN_8;
	attr.bp_type = HW_BREAKPOINT_W;
	/* The disarmed breakpoint holds one slot, the other one needs another. */
	if (hw_breakpoint_slots(TYPE_DATA) < 2)
		kunit_skip(test, "needs two data slots");
	wbp = create(test, &wide_test_a, false);
	other = register_wide_hw_breakpoint(&attr, wide_test_count, test->priv);
	KUNIT_ASSERT_FALSE(test, IS_ERR_PCPU(other));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, unregister_action,
							(__force void *)other), 0);

	write_on(ctx->cpu0, &wide_test_a);
	write_on(ctx->cpu1, &wide_test_a);
	KUNIT_EXPECT_EQ(test, hits(test), 0);
	write_on(ctx->cpu1, &wide_test_b);
	KUNIT_EXPECT_EQ(test, hits(test), 1);

	kunit_release_action(test, unregister_action, (__force void *)other);
	destroy(test, wbp);
}

/*
 * Moved to another variable with interrupts off and a spinlock held, as
 * a trace trigger would: the local CPU follows at once, the other after
 * a sync.
 */
static void test_retarget_in_atomic_context(struct kunit *test)
{
	static DEFINE_SPINLOCK(lock);
	struct wide_test_ctx *ctx = test->priv;
	struct wide_hw_breakpoint *wbp = create(test, &wide_test_a, true);
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&lock, flags);
	ret = wide_hw_breakpoint_arm(wbp, (unsigned long)&wide_test_b,
				     HW_BREAKPOINT_LEN_8, HW_BREAKPOINT_W);
	/* Hit on the local CPU before anything could have synchronised. */
	write_variable(&wide_test_b);
	spin_unlock_irqrestore(&lock, flags);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, hits(test), 1);

	wide_hw_breakpoint_sync(wbp);
	write_on(ctx->cpu0, &wide_test_a);
	write_on(ctx->cpu1, &wide_test_a);
	KUNIT_EXPECT_EQ(test, hits(test), 0);
	write_on(ctx->cpu0, &wide_test_b);
	write_on(ctx->cpu1, &wide_test_b);
	KUNIT_EXPECT_EQ(test, hits(test), 2);
	destroy(test, wbp);
}

/* A refused change leaves the old target watched. */
static void test_refused_change_keeps_target(struct kunit *test)
{
	struct wide_test_ctx *ctx = test->priv;
	struct wide_hw_breakpoint *wbp = create(test, &wide_test_a, true);

	/* No architecture watches zero bytes. */
	KUNIT_EXPECT_EQ(test, arm_on(wbp, &wide_test_b, 0), -EINVAL);
	/* Data breakpoints stay data breakpoints. */
	if (hwbp_class_of(HW_BREAKPOINT_X) != hwbp_class_of(HW_BREAKPOINT_W))
		KUNIT_EXPECT_EQ(test,
				wide_hw_breakpoint_arm(wbp,
						       (unsigned long)&write_variable,
						       sizeof(long), HW_BREAKPOINT_X),
				-EINVAL);
	wide_hw_breakpoint_sync(wbp);
	write_on(ctx->cpu1, &wide_test_b);
	write_on(ctx->cpu1, &wide_test_a);
	KUNIT_EXPECT_EQ(test, hits(test), 1);
	destroy(test, wbp);
}

/*
 * Disarmed breakpoints still hold their slots: as many as the CPU has
 * data slots can be created, one more is ENOSPC, and destroying them gives
 * every slot back.
 */
static void test_slots_held_while_disarmed(struct kunit *test)
{
	struct wide_hw_breakpoint *wbp[HWBP_SLOTS_MAX + 1];
	int nslots = hw_breakpoint_slots(TYPE_DATA);
	struct perf_event_attr attr;
	int round, i;

	hw_breakpoint_init(&attr);
	attr.bp_addr = (unsigned long)&wide_test_a;
	attr.bp_len = HW_BREAKPOINT_LEN_8;
	attr.bp_type = HW_BREAKPOINT_W;
	attr.disabled = 1;
	KUNIT_ASSERT_LE(test, nslots, HWBP_SLOTS_MAX);

	for (round = 0; round < 2; round++) {
		for (i = 0; i < nslots; i++) {
			wbp[i] = create_attr(test, &attr);
			KUNIT_ASSERT_NOT_ERR_OR_NULL(test, wbp[i]);
		}
		wbp[i] = create_attr(test, &attr);
		KUNIT_EXPECT_EQ(test, PTR_ERR(wbp[i]), -ENOSPC);
		for (i = 0; i < nslots; i++)
			destroy(test, wbp[i]);
	}
	KUNIT_EXPECT_FALSE(test, hw_breakpoint_is_used());
}

static void count_destroyed(void *arg)
{
	atomic_inc(arg);
}

/*
 * Deferred destruction: the slots come back before the next creation
 * reserves any, and the owner hears when its context is free.
 */
static void test_deferred_destroy(struct kunit *test)
{
	struct wide_test_ctx *ctx = test->priv;
	struct wide_hw_breakpoint *wbp[HWBP_SLOTS_MAX];
	int nslots = hw_breakpoint_slots(TYPE_DATA);
	atomic_t destroyed = ATOMIC_INIT(0);
	int round, i;

	KUNIT_ASSERT_LE(test, nslots, HWBP_SLOTS_MAX);
	for (round = 0; round < 2; round++) {
		for (i = 0; i < nslots; i++)
			wbp[i] = create(test, &wide_test_each[i], true);
		for (i = 0; i < nslots; i++)
			write_on(ctx->cpu1, &wide_test_each[i]);
		KUNIT_EXPECT_EQ(test, hits(test), nslots);
		for (i = 0; i < nslots; i++) {
			disown(test, wbp[i]);
			wide_hw_breakpoint_destroy_deferred(wbp[i],
							    count_destroyed,
							    &destroyed);
		}
	}
	wbp[0] = create(test, &wide_test_a, false);
	destroy(test, wbp[0]);
	KUNIT_EXPECT_EQ(test, atomic_read(&destroyed), 2 * nslots);
	KUNIT_EXPECT_FALSE(test, hw_breakpoint_is_used());
}

static struct kunit_case wide_test_cases[] = {
	KUNIT_CASE(test_armed_on_every_cpu),
	KUNIT_CASE(test_disarmed_until_armed),
	KUNIT_CASE(test_disarmed_survives_resched),
	KUNIT_CASE(test_retarget_in_atomic_context),
	KUNIT_CASE(test_refused_change_keeps_target),
	KUNIT_CASE(test_slots_held_while_disarmed),
	KUNIT_CASE(test_deferred_destroy),
	{}
};

static struct kunit_suite wide_test_suite = {
	.name = "hw_breakpoint_wide",
	.test_cases = wide_test_cases,
	.init = wide_test_init,
};

kunit_test_suites(&wide_test_suite);

MODULE_DESCRIPTION("KUnit tests of wide breakpoints switched from atomic context");
MODULE_LICENSE("GPL");
