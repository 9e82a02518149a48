// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the x86 breakpoint backend (hw_breakpoint.c): DR7
 * encoding, attr parsing, the refused kernel ranges and the #DB handler.
 * Expected values are written out from the Intel SDM's DR7 layout (enable
 * bits 2n and 2n+1, GE at bit 9, R/W at 16+4n, LEN at 18+4n), not
 * computed by the code under test.  The handler is driven with
 * fabricated DR6/DR7 values; the only registers touched are those of the
 * events it arms, at user addresses a kernel thread never reaches.
 */

#include <kunit/test.h>
#include <linux/hw_breakpoint.h>
#include <linux/kdebug.h>
#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <linux/perf_event.h>
#include <linux/sched.h>

#include <asm/cpu_entry_area.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/processor.h>
#include <asm/sections.h>
#include <asm/tlbflush.h>

#include "hw_breakpoint_kunit.h"

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
	c.addr = (unsigned long)&per_cpu(pcpu_hot, cpu);
	KUNIT_EXPECT_EQ(test, -EINVAL, parse(&c, &hw));
	c.addr = (unsigned long)&per_cpu(cpu_tlbstate, cpu);
	KUNIT_EXPECT_EQ(test, -EINVAL, parse(&c, &hw));
#ifdef CONFIG_SMP
	c.addr = (unsigned long)&__per_cpu_offset[cpu];
#else
	c.addr = (unsigned long)&pcpu_unit_offsets;
#endif
	KUNIT_EXPECT_EQ(test, -EINVAL, parse(&c, &hw));
	/* Our own shadow state, which the handler reads. */
	c.addr = (unsigned long)&hwbp_owner_table(cpu)[HBP_NUM - 1];
	KUNIT_EXPECT_EQ(test, -EINVAL, parse(&c, &hw));
	c.addr = (unsigned long)&hwbp_addr_table(cpu)[0];
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

/* A function no one calls: kernel text that is not on the #DB path. */
static noinline int test_plain_kernel_function(int x)
{
	return x + 1;
}

/*
 * Kernel text on the #DB path is refused; other kernel text is accepted
 * when kprobes tells which functions are off limits, and refused without
 * it.  The accepted case makes the refusals above mean something.
 */
static void test_parse_refuses_entry_text(struct kunit *test)
{
	struct arch_hw_breakpoint hw;
	struct parse_case c = { HW_BREAKPOINT_X, sizeof(long) };
	int plain = IS_ENABLED(CONFIG_KPROBES) ? 0 : -EINVAL;

	c.addr = (unsigned long)__entry_text_start;
	KUNIT_EXPECT_EQ(test, -EINVAL, parse(&c, &hw));
	c.addr = (unsigned long)__noinstr_text_start;
	KUNIT_EXPECT_EQ(test, -EINVAL, parse(&c, &hw));
	/* notify_die() runs inside the #DB handler: NOKPROBE_SYMBOL. */
	c.addr = (unsigned long)notify_die;
	KUNIT_EXPECT_EQ(test, -EINVAL, parse(&c, &hw));

	c.addr = (unsigned long)test_plain_kernel_function;
	KUNIT_EXPECT_EQ(test, plain, parse(&c, &hw));
	if (!plain)
		KUNIT_EXPECT_TRUE(test, arch_check_bp_in_kernelspace(&hw));
	KUNIT_EXPECT_EQ(test, 2, test_plain_kernel_function(1));
}

/* --- the #DB handler ----------------------------------------------------- */

struct db_test {
	struct perf_event *data_bp, *exec_bp;
	int data_slot, exec_slot, free_slot;
	unsigned int hits;
};

static struct db_test *db_ctx;

static void db_test_count(struct perf_event *bp, struct perf_sample_data *data,
			  struct pt_regs *regs)
{
	db_ctx->hits++;
}

/* A CPU-bound breakpoint on this CPU at a user address. */
static struct perf_event *db_test_arm(u32 type, unsigned long addr)
{
	struct perf_event_attr attr;

	hw_breakpoint_init(&attr);
	attr.bp_type = type;
	attr.bp_addr = addr;
	attr.bp_len = type == HW_BREAKPOINT_X ? sizeof(long) : 8;
	return perf_event_create_kernel_counter(&attr, smp_processor_id(),
						NULL, db_test_count, NULL);
}

static int db_test_slot_of(const struct perf_event *bp)
{
	int slot;

	for (slot = 0; slot < HBP_NUM; slot++) {
		if (hwbp_owner_table(smp_processor_id())[slot] == bp)
			return slot;
	}
	return -1;
}

/* Run the handler as the #DB path would: interrupts off, on this CPU. */
static int db_test_run(unsigned long *dr6, struct pt_regs *regs,
		       unsigned long dr7)
{
	unsigned long flags;
	int ret;

	local_irq_save(flags);
	ret = hwbp_handle_debug(dr6, regs, dr7);
	local_irq_restore(flags);
	return ret;
}

static void db_test_teardown(struct db_test *t)
{
	if (!IS_ERR_OR_NULL(t->data_bp))
		unregister_hw_breakpoint(t->data_bp);
	if (!IS_ERR_OR_NULL(t->exec_bp))
		unregister_hw_breakpoint(t->exec_bp);
	db_ctx = NULL;
	migrate_enable();
}

/*
 * Arm a write and an execute breakpoint on this CPU and stay on it until
 * db_test_teardown(): KUnit runs a suite's exit in another thread, so
 * each case sets up and tears down itself.
 */
static bool db_test_setup(struct kunit *test, struct db_test *t)
{
	int slot;

	migrate_disable();
	db_ctx = t;
	t->data_bp = db_test_arm(HW_BREAKPOINT_W, 0x10000);
	t->exec_bp = db_test_arm(HW_BREAKPOINT_X, 0x20000);
	if (IS_ERR(t->data_bp) || IS_ERR(t->exec_bp)) {
		db_test_teardown(t);
		KUNIT_FAIL(test, "cannot arm the test breakpoints");
		return false;
	}
	t->data_slot = db_test_slot_of(t->data_bp);
	t->exec_slot = db_test_slot_of(t->exec_bp);
	t->free_slot = -1;
	for (slot = 0; slot < HBP_NUM; slot++) {
		if (!hwbp_owner_table(smp_processor_id())[slot])
			t->free_slot = slot;
	}
	if (t->data_slot < 0 || t->exec_slot < 0 || t->free_slot < 0) {
		db_test_teardown(t);
		KUNIT_FAIL(test, "test breakpoints not installed on this CPU");
		return false;
	}
	return true;
}

static int db_test_init(struct kunit *test)
{
	if (hw_breakpoint_is_used())
		kunit_skip(test, "breakpoints already in use");
	return 0;
}

#define DB_BIT(slot)	(DR_TRAP0 << (slot))

/* A bit of a register we own: counted, cleared, the chain stops. */
static void test_db_owned_bit(struct kunit *test)
{
	struct db_test db = { }, *t = &db;
	struct pt_regs regs = { };
	unsigned long dr6;

	if (!db_test_setup(test, t))
		return;
	dr6 = DB_BIT(t->data_slot);
	KUNIT_EXPECT_EQ(test, NOTIFY_STOP,
			db_test_run(&dr6, &regs, this_cpu_read(cpu_dr7)));
	KUNIT_EXPECT_EQ(test, 0UL, dr6);
	KUNIT_EXPECT_EQ(test, 1U, t->hits);
	KUNIT_EXPECT_EQ(test, 0UL, regs.flags & X86_EFLAGS_RF);
	db_test_teardown(t);
}

/*
 * A bit of a register nobody owns and DR7 does not enable (stale, or set
 * by a match the SDM allows without an enable): dropped, the chain stops,
 * so no SIGTRAP reaches a task only perf watches.
 */
static void test_db_unowned_disabled_bit(struct kunit *test)
{
	struct db_test db = { }, *t = &db;
	struct pt_regs regs = { };
	unsigned long dr6, dr7;

	if (!db_test_setup(test, t))
		return;
	dr7 = this_cpu_read(cpu_dr7);
	KUNIT_EXPECT_EQ(test, 0UL, dr7 & (3UL << (2 * t->free_slot)));
	dr6 = DB_BIT(t->free_slot);
	KUNIT_EXPECT_EQ(test, NOTIFY_STOP, db_test_run(&dr6, &regs, dr7));
	KUNIT_EXPECT_EQ(test, 0UL, dr6);

	/* Next to an owned bit: only the owned one counts. */
	dr6 = DB_BIT(t->free_slot) | DB_BIT(t->data_slot);
	KUNIT_EXPECT_EQ(test, NOTIFY_STOP, db_test_run(&dr6, &regs, dr7));
	KUNIT_EXPECT_EQ(test, 0UL, dr6);
	KUNIT_EXPECT_EQ(test, 1U, t->hits);
	db_test_teardown(t);
}

/* A register DR7 enables but nobody owns was armed by a debugger: pass on. */
static void test_db_unowned_enabled_bit(struct kunit *test)
{
	struct db_test db = { }, *t = &db;
	struct pt_regs regs = { };
	unsigned long dr6, dr7;

	if (!db_test_setup(test, t))
		return;
	dr7 = this_cpu_read(cpu_dr7) |
	      encode_dr7(t->free_slot, X86_BREAKPOINT_LEN_1,
			 X86_BREAKPOINT_WRITE);
	dr6 = DB_BIT(t->free_slot);
	KUNIT_EXPECT_EQ(test, NOTIFY_DONE, db_test_run(&dr6, &regs, dr7));
	KUNIT_EXPECT_EQ(test, DB_BIT(t->free_slot), dr6);
	KUNIT_EXPECT_EQ(test, 0U, t->hits);
	db_test_teardown(t);
}

/*
 * An instruction breakpoint seen with a single step: the step goes first,
 * the breakpoint is not counted now (it faults again), RF stays clear.
 */
static void test_db_execute_with_step(struct kunit *test)
{
	struct db_test db = { }, *t = &db;
	struct pt_regs regs = { };
	unsigned long dr6, dr7;

	if (!db_test_setup(test, t))
		return;
	dr7 = this_cpu_read(cpu_dr7);
	dr6 = DB_BIT(t->exec_slot) | DR_STEP;
	KUNIT_EXPECT_EQ(test, NOTIFY_DONE, db_test_run(&dr6, &regs, dr7));
	KUNIT_EXPECT_EQ(test, (unsigned long)DR_STEP, dr6);
	KUNIT_EXPECT_EQ(test, 0U, t->hits);
	KUNIT_EXPECT_EQ(test, 0UL, regs.flags & X86_EFLAGS_RF);

	/* Alone, it counts and resumes with RF so it does not fire again. */
	dr6 = DB_BIT(t->exec_slot);
	KUNIT_EXPECT_EQ(test, NOTIFY_STOP, db_test_run(&dr6, &regs, dr7));
	KUNIT_EXPECT_EQ(test, 0UL, dr6);
	KUNIT_EXPECT_EQ(test, 1U, t->hits);
	KUNIT_EXPECT_NE(test, 0UL, regs.flags & X86_EFLAGS_RF);
	db_test_teardown(t);
}

/* A handler that asked for a signal through virtual_dr6 keeps the chain. */
static void test_db_virtual_dr6(struct kunit *test)
{
	struct db_test db = { }, *t = &db;
	unsigned long saved = current->thread.virtual_dr6;
	struct pt_regs regs = { };
	unsigned long dr6;
	int ret;

	if (!db_test_setup(test, t))
		return;
	dr6 = DB_BIT(t->data_slot);
	current->thread.virtual_dr6 = DB_BIT(t->data_slot);
	ret = db_test_run(&dr6, &regs, this_cpu_read(cpu_dr7));
	current->thread.virtual_dr6 = saved;

	KUNIT_EXPECT_EQ(test, NOTIFY_DONE, ret);
	KUNIT_EXPECT_EQ(test, 0UL, dr6);
	KUNIT_EXPECT_EQ(test, 1U, t->hits);
	db_test_teardown(t);
}

/* A counting breakpoint on this CPU, with no handler of its own. */
static struct perf_event *db_test_counter(unsigned long addr, bool exclude_user,
					  bool exclude_kernel)
{
	struct perf_event_attr attr;

	hw_breakpoint_init(&attr);
	attr.bp_type = HW_BREAKPOINT_W;
	attr.bp_addr = addr;
	attr.bp_len = 8;
	attr.sample_period = 0;
	attr.exclude_user = exclude_user;
	attr.exclude_kernel = exclude_kernel;
	return perf_event_create_kernel_counter(&attr, smp_processor_id(),
						NULL, NULL, NULL);
}

/*
 * Counting events skip perf_bp_event() (hw_breakpoint_hit()): they must
 * still count each hit once, only in the modes they watch, and not while
 * stopped.
 */
static void test_db_counting_event(struct kunit *test)
{
	struct pt_regs user = { .cs = __USER_CS }, kernel = { .cs = __KERNEL_CS };
	struct perf_event *only_user, *only_kernel;
	unsigned long dr6, flags;
	int u, k;

	migrate_disable();
	only_user = db_test_counter(0x30000, false, true);
	only_kernel = db_test_counter(0x40000, true, false);
	if (IS_ERR(only_user) || IS_ERR(only_kernel)) {
		KUNIT_FAIL(test, "cannot arm the counting breakpoints");
		goto out;
	}
	u = db_test_slot_of(only_user);
	k = db_test_slot_of(only_kernel);
	if (u < 0 || k < 0) {
		KUNIT_FAIL(test, "counting breakpoints not installed on this CPU");
		goto out;
	}

	dr6 = DB_BIT(u) | DB_BIT(k);
	KUNIT_EXPECT_EQ(test, NOTIFY_STOP,
			db_test_run(&dr6, &user, this_cpu_read(cpu_dr7)));
	dr6 = DB_BIT(u) | DB_BIT(k);
	KUNIT_EXPECT_EQ(test, NOTIFY_STOP,
			db_test_run(&dr6, &kernel, this_cpu_read(cpu_dr7)));
	KUNIT_EXPECT_EQ(test, 1LL, (long long)local64_read(&only_user->count));
	KUNIT_EXPECT_EQ(test, 1LL, (long long)local64_read(&only_kernel->count));

	local_irq_save(flags);
	only_user->pmu->stop(only_user, 0);
	dr6 = DB_BIT(u);
	hwbp_handle_debug(&dr6, &user, this_cpu_read(cpu_dr7));
	only_user->pmu->start(only_user, 0);
	local_irq_restore(flags);
	KUNIT_EXPECT_EQ(test, 1LL, (long long)local64_read(&only_user->count));
out:
	if (!IS_ERR(only_user))
		unregister_hw_breakpoint(only_user);
	if (!IS_ERR(only_kernel))
		unregister_hw_breakpoint(only_kernel);
	migrate_enable();
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

static struct kunit_case x86_db_test_cases[] = {
	KUNIT_CASE(test_db_owned_bit),
	KUNIT_CASE(test_db_unowned_disabled_bit),
	KUNIT_CASE(test_db_unowned_enabled_bit),
	KUNIT_CASE(test_db_execute_with_step),
	KUNIT_CASE(test_db_virtual_dr6),
	KUNIT_CASE(test_db_counting_event),
	{}
};

static struct kunit_suite x86_db_test_suite = {
	.name = "x86_hw_breakpoint_db",
	.init = db_test_init,
	.test_cases = x86_db_test_cases,
};

kunit_test_suites(&x86_hwbp_test_suite, &x86_db_test_suite);

MODULE_DESCRIPTION("KUnit tests of the x86 hardware breakpoint backend");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
