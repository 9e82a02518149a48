// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the breakpoint slot accounting (hw_breakpoint_slots.c).
 *
 * These drive reserve_bp_slot()/release_bp_slot() directly with a scratch
 * event whose task, CPU and type are set per call: the accounting keys on
 * those three only and never dereferences the task, so thousands of tasks
 * cost one byte each here.  The upstream suite (hw_breakpoint_test.c)
 * covers the basic boundaries through real events; this one covers scale
 * and the cases where the accounting must be exact rather than safe.
 */

#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/hw_breakpoint.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "hw_breakpoint_slots.h"

#define MANY_TASKS	10000

struct slots_test_ctx {
	struct perf_event *bp;	/* scratch event */
	char *tasks;		/* task "pointers" are addresses in here */
	int nslots;
	int cpu0, cpu1;
};

static struct task_struct *fake_task(struct slots_test_ctx *ctx, int i)
{
	return (struct task_struct *)(ctx->tasks + i);
}

/* Point the scratch event at a task, CPU and type; returns it. */
static struct perf_event *aim(struct slots_test_ctx *ctx,
			      struct task_struct *tsk, int cpu, u32 type)
{
	ctx->bp->hw.target = tsk;
	ctx->bp->cpu = cpu;
	ctx->bp->attr.bp_type = type;
	return ctx->bp;
}

static int take(struct slots_test_ctx *ctx, struct task_struct *tsk, int cpu,
		u32 type)
{
	return reserve_bp_slot(aim(ctx, tsk, cpu, type));
}

static void give(struct slots_test_ctx *ctx, struct task_struct *tsk, int cpu,
		 u32 type)
{
	release_bp_slot(aim(ctx, tsk, cpu, type));
}

#define DATA	HW_BREAKPOINT_RW
#define INST	HW_BREAKPOINT_X

static int slots_test_init(struct kunit *test)
{
	struct slots_test_ctx *ctx;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two online CPUs");
	if (hw_breakpoint_is_used())
		kunit_skip(test, "breakpoints already in use");

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->bp = kunit_kzalloc(test, sizeof(*ctx->bp), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->bp);
	ctx->tasks = kunit_kzalloc(test, MANY_TASKS, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->tasks);

	ctx->nslots = hw_breakpoint_slots(TYPE_DATA);
	ctx->cpu0 = cpumask_first(cpu_online_mask);
	ctx->cpu1 = cpumask_next(ctx->cpu0, cpu_online_mask);
	test->priv = ctx;
	return 0;
}

static void slots_test_exit(struct kunit *test)
{
	if (!test->priv)
		return;
	KUNIT_EXPECT_FALSE(test, hw_breakpoint_is_used());
	/* An empty record left hashed is a leak is_used() cannot see. */
	KUNIT_EXPECT_EQ(test, 0U, hwbp_slots_nr_task_records());
}

/*
 * How many CPU-bound breakpoints of @type @cpu still accepts, measured by
 * taking them until refused and giving them back: what the tables promise,
 * seen from outside.
 */
static int room_on_cpu(struct slots_test_ctx *ctx, int cpu, u32 type)
{
	int n = 0, i;

	while (n <= HWBP_SLOTS_MAX && !take(ctx, NULL, cpu, type))
		n++;
	for (i = 0; i < n; i++)
		give(ctx, NULL, cpu, type);
	return n;
}

/*
 * Ten thousand tasks each using every slot: a CPU-bound breakpoint must be
 * refused until the last of them gives one back.
 */
static void test_many_tasks_full(struct kunit *test)
{
	struct slots_test_ctx *ctx = test->priv;
	int i, n;

	/*
	 * Forty thousand reservations take seconds under KASAN and TCG, and
	 * a kernel without preemption must still let the CPU go now and
	 * then (the soft-lockup watchdog fired here on a loaded host).
	 */
	for (i = 0; i < MANY_TASKS; i++) {
		for (n = 0; n < ctx->nslots; n++)
			KUNIT_ASSERT_EQ(test, 0,
					take(ctx, fake_task(ctx, i), -1, DATA));
		cond_resched();
	}

	KUNIT_EXPECT_EQ(test, -ENOSPC, take(ctx, NULL, ctx->cpu0, DATA));
	for (i = 0; i < MANY_TASKS - 1; i++) {
		give(ctx, fake_task(ctx, i), -1, DATA);
		cond_resched();
	}
	KUNIT_EXPECT_EQ(test, -ENOSPC, take(ctx, NULL, ctx->cpu1, DATA));

	give(ctx, fake_task(ctx, MANY_TASKS - 1), -1, DATA);
	KUNIT_EXPECT_EQ(test, 0, take(ctx, NULL, ctx->cpu1, DATA));
	KUNIT_EXPECT_EQ(test, -ENOSPC, take(ctx, NULL, ctx->cpu1, DATA));
	/* The other CPU is unaffected by the one above. */
	KUNIT_EXPECT_EQ(test, 0, take(ctx, NULL, ctx->cpu0, DATA));
	give(ctx, NULL, ctx->cpu0, DATA);
	give(ctx, NULL, ctx->cpu1, DATA);

	for (i = 0; i < MANY_TASKS; i++) {
		for (n = 1; n < ctx->nslots; n++)
			give(ctx, fake_task(ctx, i), -1, DATA);
		cond_resched();
	}
}

/*
 * Task A needs two slots everywhere, task B two slots on cpu0 only.  They
 * never run together, so cpu0 has nslots - 2 left for CPU-bound use, not
 * nslots - 4.
 */
static void test_neediest_task_is_exact(struct kunit *test)
{
	struct slots_test_ctx *ctx = test->priv;
	struct task_struct *a = fake_task(ctx, 0), *b = fake_task(ctx, 1);
	int n;

	if (ctx->nslots < 4)
		kunit_skip(test, "needs four data slots");

	KUNIT_ASSERT_EQ(test, 0, take(ctx, a, -1, DATA));
	KUNIT_ASSERT_EQ(test, 0, take(ctx, a, -1, DATA));
	KUNIT_ASSERT_EQ(test, 0, take(ctx, b, ctx->cpu0, DATA));
	KUNIT_ASSERT_EQ(test, 0, take(ctx, b, ctx->cpu0, DATA));

	for (n = 0; n < ctx->nslots - 2; n++)
		KUNIT_EXPECT_EQ(test, 0, take(ctx, NULL, ctx->cpu0, DATA));
	KUNIT_EXPECT_EQ(test, -ENOSPC, take(ctx, NULL, ctx->cpu0, DATA));
	/* Each task is now at the limit on cpu0, and only there for b. */
	KUNIT_EXPECT_EQ(test, -ENOSPC, take(ctx, b, ctx->cpu0, DATA));
	KUNIT_EXPECT_EQ(test, -ENOSPC, take(ctx, a, -1, DATA));
	KUNIT_EXPECT_EQ(test, 0, take(ctx, b, ctx->cpu1, DATA));

	give(ctx, b, ctx->cpu1, DATA);
	for (n = 0; n < ctx->nslots - 2; n++)
		give(ctx, NULL, ctx->cpu0, DATA);
	give(ctx, b, ctx->cpu0, DATA);
	give(ctx, b, ctx->cpu0, DATA);
	give(ctx, a, -1, DATA);
	give(ctx, a, -1, DATA);
}

/*
 * A task whose breakpoints are bound to one CPU still has every slot for
 * its any-CPU breakpoints elsewhere, and its need moves with both kinds.
 */
static void test_task_bound_and_any_cpu(struct kunit *test)
{
	struct slots_test_ctx *ctx = test->priv;
	struct task_struct *a = fake_task(ctx, 0);
	int n;

	for (n = 0; n < ctx->nslots - 1; n++)
		KUNIT_ASSERT_EQ(test, 0, take(ctx, a, ctx->cpu0, DATA));
	KUNIT_EXPECT_EQ(test, 0, take(ctx, a, -1, DATA));
	/* cpu0 is now full for a: bound nslots - 1 plus one any-CPU. */
	KUNIT_EXPECT_EQ(test, -ENOSPC, take(ctx, a, -1, DATA));
	KUNIT_EXPECT_EQ(test, -ENOSPC, take(ctx, NULL, ctx->cpu0, DATA));

	/* On cpu1, a needs one slot: the rest is free for CPU-bound use. */
	for (n = 0; n < ctx->nslots - 1; n++)
		KUNIT_EXPECT_EQ(test, 0, take(ctx, NULL, ctx->cpu1, DATA));
	KUNIT_EXPECT_EQ(test, -ENOSPC, take(ctx, NULL, ctx->cpu1, DATA));

	/* Dropping a's any-CPU breakpoint frees one slot on each CPU. */
	give(ctx, a, -1, DATA);
	KUNIT_EXPECT_EQ(test, 0, take(ctx, NULL, ctx->cpu0, DATA));
	KUNIT_EXPECT_EQ(test, 0, take(ctx, NULL, ctx->cpu1, DATA));
	KUNIT_EXPECT_EQ(test, -ENOSPC, take(ctx, a, -1, DATA));

	give(ctx, NULL, ctx->cpu0, DATA);
	for (n = 0; n < ctx->nslots; n++)
		give(ctx, NULL, ctx->cpu1, DATA);
	for (n = 0; n < ctx->nslots - 1; n++)
		give(ctx, a, ctx->cpu0, DATA);
}

/* Refused requests must leave nothing behind. */
static void test_refusals_change_nothing(struct kunit *test)
{
	struct slots_test_ctx *ctx = test->priv;
	struct task_struct *a = fake_task(ctx, 0), *b = fake_task(ctx, 1);
	int n, room0, room1;

	KUNIT_EXPECT_EQ(test, -EINVAL,
			take(ctx, NULL, ctx->cpu0, HW_BREAKPOINT_EMPTY));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			take(ctx, fake_task(ctx, 0), -1, HW_BREAKPOINT_INVALID));
	/* Neither a task nor a CPU: nothing could ever schedule it. */
	KUNIT_EXPECT_EQ(test, -EINVAL, take(ctx, NULL, -1, DATA));
	KUNIT_EXPECT_FALSE(test, hw_breakpoint_is_used());
	KUNIT_EXPECT_EQ(test, 0U, hwbp_slots_nr_task_records());

	/*
	 * ENOSPC for tasks that have no record yet: the record (and, bound
	 * to a CPU, its per-CPU array) is allocated before the fit test and
	 * must neither be hashed nor change a count.
	 */
	for (n = 0; n < ctx->nslots; n++)
		KUNIT_ASSERT_EQ(test, 0, take(ctx, NULL, ctx->cpu0, DATA));
	KUNIT_EXPECT_EQ(test, -ENOSPC, take(ctx, a, -1, DATA));
	KUNIT_EXPECT_EQ(test, -ENOSPC, take(ctx, b, ctx->cpu0, DATA));
	KUNIT_EXPECT_EQ(test, 0U, hwbp_slots_nr_task_records());
	for (n = 0; n < ctx->nslots; n++)
		give(ctx, NULL, ctx->cpu0, DATA);
	KUNIT_EXPECT_EQ(test, ctx->nslots, room_on_cpu(ctx, ctx->cpu0, DATA));
	KUNIT_EXPECT_EQ(test, ctx->nslots, room_on_cpu(ctx, ctx->cpu1, DATA));

	/* ENOSPC for a task that has a record: its counts stay as they were. */
	KUNIT_ASSERT_EQ(test, 0, take(ctx, a, ctx->cpu0, DATA));
	for (n = 1; n < ctx->nslots; n++)
		KUNIT_ASSERT_EQ(test, 0, take(ctx, a, -1, DATA));
	KUNIT_EXPECT_EQ(test, -ENOSPC, take(ctx, a, -1, DATA));
	KUNIT_EXPECT_EQ(test, -ENOSPC, take(ctx, a, ctx->cpu0, DATA));
	KUNIT_EXPECT_EQ(test, 1U, hwbp_slots_nr_task_records());
	room0 = room_on_cpu(ctx, ctx->cpu0, DATA);
	room1 = room_on_cpu(ctx, ctx->cpu1, DATA);
	KUNIT_EXPECT_EQ(test, 0, room0);
	KUNIT_EXPECT_EQ(test, 1, room1);

	/*
	 * A type change that cannot be made: into a full instruction pool
	 * where the pools are separate, into an invalid type where they are
	 * one.  Either way the tables must not move.
	 */
	if (!IS_ENABLED(CONFIG_HAVE_MIXED_BREAKPOINTS_REGS)) {
		int ninst = hw_breakpoint_slots(TYPE_INST);

		for (n = 0; n < ninst; n++)
			KUNIT_ASSERT_EQ(test, 0, take(ctx, NULL, ctx->cpu1, INST));
		KUNIT_EXPECT_EQ(test, -ENOSPC,
				hwbp_slots_change_type(aim(ctx, a, -1, DATA),
						       DATA, INST));
		for (n = 0; n < ninst; n++)
			give(ctx, NULL, ctx->cpu1, INST);
	}
	KUNIT_EXPECT_EQ(test, -EINVAL,
			hwbp_slots_change_type(aim(ctx, a, -1, DATA), DATA,
					       HW_BREAKPOINT_INVALID));
	KUNIT_EXPECT_EQ(test, room0, room_on_cpu(ctx, ctx->cpu0, DATA));
	KUNIT_EXPECT_EQ(test, room1, room_on_cpu(ctx, ctx->cpu1, DATA));
	KUNIT_EXPECT_EQ(test, -ENOSPC, take(ctx, a, -1, DATA));

	give(ctx, a, ctx->cpu0, DATA);
	for (n = 1; n < ctx->nslots; n++)
		give(ctx, a, -1, DATA);
	KUNIT_EXPECT_EQ(test, 0U, hwbp_slots_nr_task_records());
}

/*
 * kgdb's calls share the tables with the locked ones: what one reserves
 * the other sees.  With the lock free they never report "busy" (-1); with
 * it held (the debugger stopped a CPU inside a locked section) they report
 * busy and change nothing.
 */
static void test_debugger_calls(struct kunit *test)
{
	struct slots_test_ctx *ctx = test->priv;
	struct perf_event *cpu0_bp;
	int busy_reserve, busy_release;
	unsigned long flags;
	int n;

	/* take() re-aims the scratch event at the very same place. */
	cpu0_bp = aim(ctx, NULL, ctx->cpu0, DATA);
	for (n = 0; n < ctx->nslots - 1; n++)
		KUNIT_ASSERT_EQ(test, 0, dbg_reserve_bp_slot(cpu0_bp));
	KUNIT_EXPECT_EQ(test, 0, take(ctx, NULL, ctx->cpu0, DATA));

	KUNIT_EXPECT_EQ(test, -ENOSPC, dbg_reserve_bp_slot(cpu0_bp));
	KUNIT_EXPECT_EQ(test, 0, dbg_release_bp_slot(cpu0_bp));
	KUNIT_EXPECT_EQ(test, 0, take(ctx, NULL, ctx->cpu0, DATA));

	/* Give one back through the debugger, then hold the lock. */
	KUNIT_EXPECT_EQ(test, 0, dbg_release_bp_slot(aim(ctx, NULL, ctx->cpu0,
							 DATA)));
	hwbp_slots_lock(&flags);
	busy_reserve = dbg_reserve_bp_slot(aim(ctx, NULL, ctx->cpu1, DATA));
	busy_release = dbg_release_bp_slot(aim(ctx, NULL, ctx->cpu0, DATA));
	hwbp_slots_unlock(flags);
	KUNIT_EXPECT_EQ(test, -1, busy_reserve);
	KUNIT_EXPECT_EQ(test, -1, busy_release);
	/* Neither busy call counted: one slot free on cpu0, all on cpu1. */
	KUNIT_EXPECT_EQ(test, 1, room_on_cpu(ctx, ctx->cpu0, DATA));
	KUNIT_EXPECT_EQ(test, ctx->nslots, room_on_cpu(ctx, ctx->cpu1, DATA));

	for (n = 0; n < ctx->nslots - 1; n++)
		give(ctx, NULL, ctx->cpu0, DATA);
}

/* A fake task, other than @not, whose shard differs from @not's. */
static struct task_struct *task_in_other_shard(struct slots_test_ctx *ctx,
					       struct task_struct *not)
{
	int i;

	for (i = 0; i < MANY_TASKS; i++) {
		if (hwbp_slots_shard_of(fake_task(ctx, i)) !=
		    hwbp_slots_shard_of(not))
			return fake_task(ctx, i);
	}
	return NULL;
}

/* A reservation made on another CPU, while the test holds a shard. */
struct remote_take {
	struct work_struct work;
	struct perf_event bp;
	int ret;
	bool done;
};

static void remote_take_fn(struct work_struct *work)
{
	struct remote_take *rt = container_of(work, struct remote_take, work);

	rt->ret = reserve_bp_slot(&rt->bp);
	/* Publishes ret; pairs with the acquire in remote_take_finished(). */
	smp_store_release(&rt->done, true);
}

/*
 * Wait for @rt with interrupts off, for at most a second: a reservation
 * that queued on the held lock would never finish before it is dropped.
 */
static bool remote_take_finished(struct remote_take *rt)
{
	u64 deadline = ktime_get_ns() + NSEC_PER_SEC;

	/* Pairs with the release in remote_take_fn(): ret is then valid. */
	while (!smp_load_acquire(&rt->done)) {
		if (ktime_get_ns() > deadline)
			return false;
		cpu_relax();
	}
	return true;
}

/*
 * Holding one task's shard stops the debugger (whichever shard it is),
 * but not a reservation for a task of another shard made on another CPU:
 * the accounting does not serialize independent tasks.
 */
static void test_shards(struct kunit *test)
{
	struct slots_test_ctx *ctx = test->priv;
	struct task_struct *a, *b, *prev = fake_task(ctx, 0);
	int busy_cpu, busy_task, n, cpu;
	struct slots_shard *held;
	struct remote_take *rt;
	unsigned long flags;
	bool finished;

	rt = kunit_kzalloc(test, sizeof(*rt), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, rt);
	for (n = 0; n < 8; n++) {
		a = task_in_other_shard(ctx, prev);
		if (!a)
			kunit_skip(test, "a single shard");
		b = task_in_other_shard(ctx, a);
		prev = a;
		rt->bp.hw.target = b;
		rt->bp.cpu = -1;
		rt->bp.attr.bp_type = DATA;
		rt->done = false;
		INIT_WORK(&rt->work, remote_take_fn);

		held = hwbp_slots_shard_of(a);
		hwbp_slots_lock_shard(held, &flags);
		busy_cpu = dbg_reserve_bp_slot(aim(ctx, NULL, ctx->cpu0, DATA));
		busy_task = dbg_release_bp_slot(aim(ctx, b, -1, DATA));
		cpu = cpumask_any_but(cpu_online_mask, smp_processor_id());
		queue_work_on(cpu, system_highpri_wq, &rt->work);
		finished = remote_take_finished(rt);
		hwbp_slots_unlock_shard(held, flags);
		flush_work(&rt->work);

		KUNIT_EXPECT_EQ(test, -1, busy_cpu);
		KUNIT_EXPECT_EQ(test, -1, busy_task);
		KUNIT_EXPECT_TRUE(test, finished);
		KUNIT_EXPECT_EQ(test, 0, rt->ret);
		if (!rt->ret)
			give(ctx, b, -1, DATA);
	}
	KUNIT_EXPECT_EQ(test, ctx->nslots, room_on_cpu(ctx, ctx->cpu0, DATA));
}

/* Where instruction and data registers differ, the pools are separate. */
static void test_separate_pools(struct kunit *test)
{
	struct slots_test_ctx *ctx = test->priv;
	struct task_struct *a = fake_task(ctx, 0);
	int n, ninst = hw_breakpoint_slots(TYPE_INST);

	if (IS_ENABLED(CONFIG_HAVE_MIXED_BREAKPOINTS_REGS) || !ninst)
		kunit_skip(test, "one shared pool, or no instruction slots");

	for (n = 0; n < ctx->nslots; n++)
		KUNIT_ASSERT_EQ(test, 0, take(ctx, a, -1, DATA));
	KUNIT_EXPECT_EQ(test, -ENOSPC, take(ctx, a, -1, DATA));
	KUNIT_EXPECT_EQ(test, 0, take(ctx, a, -1, INST));

	/* Moving a data breakpoint to the instruction pool frees a data slot. */
	KUNIT_EXPECT_EQ(test, 0,
			hwbp_slots_change_type(aim(ctx, a, -1, DATA), DATA,
					       INST));
	KUNIT_EXPECT_EQ(test, 0, take(ctx, a, -1, DATA));

	give(ctx, a, -1, INST);
	give(ctx, a, -1, INST);
	for (n = 0; n < ctx->nslots; n++)
		give(ctx, a, -1, DATA);
}

static struct kunit_case slots_test_cases[] = {
	KUNIT_CASE_SLOW(test_many_tasks_full),
	KUNIT_CASE(test_neediest_task_is_exact),
	KUNIT_CASE(test_task_bound_and_any_cpu),
	KUNIT_CASE(test_refusals_change_nothing),
	KUNIT_CASE(test_debugger_calls),
	KUNIT_CASE(test_shards),
	KUNIT_CASE(test_separate_pools),
	{}
};

static struct kunit_suite slots_test_suite = {
	.name		= "hw_breakpoint_slots",
	.test_cases	= slots_test_cases,
	.init		= slots_test_init,
	.exit		= slots_test_exit,
};

kunit_test_suites(&slots_test_suite);

MODULE_DESCRIPTION("KUnit tests of the hardware breakpoint slot accounting");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
