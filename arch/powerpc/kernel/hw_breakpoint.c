// SPDX-License-Identifier: GPL-2.0
/*
 * powerpc (Book3S) backend of the perf breakpoint layer: data watchpoints
 * in DAWR0/DAWR1, or in the DABR on CPUs without a DAWR.
 *
 * A watchpoint exception comes before the access, with the instruction at
 * NIP.  The decoder (hw_breakpoint_constraints.c) tells, per register,
 * whether the access missed it, only shared a doubleword with it (a false
 * hit) or touched a watched byte.  Then:
 *
 *  - a ptrace watchpoint (ptrace_triggered) that was hit is reported at
 *    once and left to the debugger: ptrace_triggered() disables it and
 *    do_break() stops the task before the access, which is the ABI gdb
 *    expects (one-shot, re-armed by the debugger);
 *  - a kernel-mode access is emulated with the registers that fired
 *    turned off, and the hits are reported after it;
 *  - a user-mode access is single-stepped (MSR_SE) with those registers
 *    off; they come back, and the hits are reported, when the step ends.
 *  A false hit is stepped over the same way and reported to nobody.
 *
 * Locking and publication
 * -----------------------
 * - slot_owner[] is per CPU.  Only install/uninstall write it, which perf
 *   calls on that CPU with interrupts off under its context lock.  The
 *   exception handlers read it on the same CPU with interrupts off.  Perf
 *   frees an event only after an RCU grace period, and the handlers run
 *   with interrupts off, so an owner they read stays valid until they
 *   return.
 * - thread.hw_step (struct hw_brk_step) belongs to its task.  Only the
 *   task touches it, on whatever CPU it runs: its own exceptions, its own
 *   signal delivery, and install when perf schedules its events in (perf
 *   does that with the task current).  It names the events it holds back
 *   by serial, never by pointer, so an event freed, disabled or changed
 *   during a step needs no cleanup: a serial nobody owns is never found.
 * - The registers are written only through __set_breakpoint()
 *   (process.c), which also keeps current_brk[], the copy that code
 *   patching's suspend_breakpoints()/restore_breakpoints() works from.
 */

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/hw_breakpoint.h>
#include <linux/irq_work.h>
#include <linux/kdebug.h>
#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <linux/perf_event.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/uaccess.h>

#include <asm/debug.h>
#include <asm/hw_breakpoint.h>
#include <asm/inst.h>
#include <asm/processor.h>
#include <asm/sstep.h>

#include "hw_breakpoint_decode.h"

static DEFINE_PER_CPU(struct perf_event *, slot_owner[HBP_NUM_MAX]);

/* Serial numbers of parsed breakpoints; 0 means "none". */
static atomic_t hwbp_serials = ATOMIC_INIT(0);

int hw_breakpoint_slots(int type)
{
	return type == TYPE_DATA ? nr_wp_slots() : 0;
}

/* --- registers ----------------------------------------------------------- */

static void hwbp_program(int slot, struct arch_hw_breakpoint *brk)
{
	struct arch_hw_breakpoint off = { };

	__set_breakpoint(slot, brk ? brk : &off);
}

/**
 * hw_breakpoint_disable - turn this CPU's watchpoints off
 *
 * For kexec, crash and xmon: the registers are cleared without telling
 * perf, which is about to stop mattering on this CPU.
 */
void hw_breakpoint_disable(void)
{
	int slot;

	if (!ppc_breakpoint_available())
		return;
	for (slot = 0; slot < nr_wp_slots(); slot++)
		hwbp_program(slot, NULL);
}

/* --- step-overs ---------------------------------------------------------- */

/*
 * Test knob, debugfs powerpc/hw_breakpoint_user_step: single-step every
 * user access instead of emulating it.  Only instructions the emulator
 * does not know take that path otherwise; the selftests run again with
 * the knob set to drive it.
 */
static bool hwbp_user_step_only;

static int __init hwbp_debugfs_init(void)
{
	debugfs_create_bool("hw_breakpoint_user_step", 0600, arch_debugfs_dir,
			    &hwbp_user_step_only);
	return 0;
}
late_initcall(hwbp_debugfs_init);

/*
 * Registers of this CPU turned off for a step-over.  They come back when
 * the step ends, when their slot changes owner, or from an irq_work when
 * the step ended on another CPU.  Turning one back on too early only
 * costs a second exception for the same instruction, which joins the
 * step under way.
 */
static DEFINE_PER_CPU(unsigned long, held_slots);

static void hwbp_release_held(void)
{
	unsigned long held = __this_cpu_xchg(held_slots, 0);
	int slot;

	for_each_set_bit(slot, &held, HBP_NUM_MAX) {
		struct perf_event *bp = __this_cpu_read(slot_owner[slot]);

		if (bp)
			hwbp_program(slot, counter_arch_bp(bp));
	}
}

static void hwbp_release_held_work(struct irq_work *work)
{
	hwbp_release_held();
}

static DEFINE_PER_CPU(struct irq_work, held_release_work) =
	IRQ_WORK_INIT_HARD(hwbp_release_held_work);

/* A CPU that went offline lost its events, and its registers with them. */
static void hwbp_release_held_on(int cpu)
{
	if (cpu != smp_processor_id() && cpu_online(cpu))
		irq_work_queue_on(per_cpu_ptr(&held_release_work, cpu), cpu);
}

static bool serial_in(const u32 *set, int n, u32 serial)
{
	while (n--)
		if (set[n] == serial)
			return true;
	return false;
}

static void serial_add(u32 *set, u8 *n, int max, u32 serial)
{
	if (!serial_in(set, *n, serial) && *n < max)
		set[(*n)++] = serial;
}

/*
 * End @st: give back the registers it held, here and on the CPU it
 * started on, and if @regs is given report the events it hit.  Those are
 * the current task's own events, which follow it from CPU to CPU; one
 * closed, disabled or changed meanwhile has no slot with that serial.
 */
static void hwbp_step_end(struct hw_brk_step *st, struct pt_regs *regs)
{
	int slot;

	hwbp_release_held();
	hwbp_release_held_on(st->cpu);

	for (slot = 0; regs && slot < nr_wp_slots(); slot++) {
		struct perf_event *bp = __this_cpu_read(slot_owner[slot]);

		if (bp && serial_in(st->hits, st->nr_hits,
				    counter_arch_bp(bp)->serial))
			hw_breakpoint_hit(bp, regs);
	}
	*st = (struct hw_brk_step) { };
}

/* --- pmu add/del --------------------------------------------------------- */

int arch_install_hw_breakpoint(struct perf_event *bp)
{
	int slot;

	lockdep_assert_irqs_disabled();
	for (slot = 0; slot < nr_wp_slots(); slot++) {
		if (!__this_cpu_read(slot_owner[slot]))
			break;
	}
	/* The accounting promised a register; perf reports the failure. */
	if (slot == nr_wp_slots())
		return -EBUSY;

	__this_cpu_write(slot_owner[slot], bp);
	__this_cpu_and(held_slots, ~BIT(slot));
	hwbp_program(slot, counter_arch_bp(bp));
	return 0;
}

void arch_uninstall_hw_breakpoint(struct perf_event *bp)
{
	int slot;

	lockdep_assert_irqs_disabled();
	for (slot = 0; slot < nr_wp_slots(); slot++) {
		if (__this_cpu_read(slot_owner[slot]) == bp) {
			__this_cpu_write(slot_owner[slot], NULL);
			__this_cpu_and(held_slots, ~BIT(slot));
			hwbp_program(slot, NULL);
			return;
		}
	}
}

void hw_breakpoint_pmu_read(struct perf_event *bp)
{
}

/* --- attr parsing -------------------------------------------------------- */

int arch_check_bp_in_kernelspace(struct arch_hw_breakpoint *hw)
{
	return is_kernel_addr(hw->address) ||
	       is_kernel_addr(hw->address + hw->len - 1);
}

/* The access kinds perf names, and the type bits that watch for them. */
static const struct {
	int	generic;
	u16	hw;
} hwbp_kinds[] = {
	{ HW_BREAKPOINT_R, HW_BRK_TYPE_READ },
	{ HW_BREAKPOINT_W, HW_BRK_TYPE_WRITE },
};

int arch_bp_generic_fields(int type, int *gen_bp_type)
{
	int i, gen = 0;

	for (i = 0; i < ARRAY_SIZE(hwbp_kinds); i++) {
		if (type & hwbp_kinds[i].hw)
			gen |= hwbp_kinds[i].generic;
	}
	*gen_bp_type = gen;
	return gen ? 0 : -EINVAL;
}

/* The type bits of an attr: its access kinds and the modes it counts. */
static u16 hwbp_type_bits(const struct perf_event_attr *attr)
{
	u16 bits = HW_BRK_TYPE_TRANSLATE;
	int i;

	for (i = 0; i < ARRAY_SIZE(hwbp_kinds); i++) {
		if (attr->bp_type & hwbp_kinds[i].generic)
			bits |= hwbp_kinds[i].hw;
	}
	bits |= attr->exclude_user ? 0 : HW_BRK_TYPE_USER;
	bits |= attr->exclude_kernel ? 0 : HW_BRK_TYPE_KERNEL;
	bits |= attr->exclude_hv ? 0 : HW_BRK_TYPE_HYP;
	return bits;
}

/**
 * hwbp_parse_range - check that the hardware can watch a range
 * @addr: first byte
 * @len: bytes, as the attr gives them (any u64)
 * @dawr: the CPU watches with a DAWR (else with the DABR)
 * @isa31: POWER10: a DAWR range may cross a 512-byte boundary
 * @hw_len: the bytes the register must cover, whole doublewords
 *
 * Return: 0, or -EINVAL for a length the hardware cannot cover.
 */
VISIBLE_IF_KUNIT int hwbp_parse_range(unsigned long addr, u64 len, bool dawr,
				      bool isa31, u32 *hw_len)
{
	unsigned long first, end;
	u64 max = dawr ? DAWR_MAX_LEN : DABR_MAX_LEN;

	if (!len || len > max || addr + len - 1 < addr)
		return -EINVAL;

	first = ALIGN_DOWN(addr, HW_BREAKPOINT_SIZE);
	end = ALIGN(addr + len, HW_BREAKPOINT_SIZE);
	/* An unaligned range may need one doubleword more than it has. */
	if (end - first > max)
		return -EINVAL;
	if (dawr && !isa31 && first / SZ_512 != (end - 1) / SZ_512)
		return -EINVAL;

	*hw_len = end - first;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hwbp_parse_range);

static u32 hwbp_next_serial(void)
{
	u32 serial;

	do {
		serial = atomic_inc_return(&hwbp_serials);
	} while (!serial);
	return serial;
}

int hw_breakpoint_arch_parse(struct perf_event *bp,
			     const struct perf_event_attr *attr,
			     struct arch_hw_breakpoint *hw)
{
	u32 hw_len;
	int err;

	if (!(attr->bp_type & HW_BREAKPOINT_RW) ||
	    (attr->bp_type & ~HW_BREAKPOINT_RW))
		return -EINVAL;
	if (!ppc_breakpoint_available())
		return -ENODEV;

	err = hwbp_parse_range(attr->bp_addr, attr->bp_len, dawr_enabled(),
			       cpu_has_feature(CPU_FTR_ARCH_31), &hw_len);
	if (err)
		return err;

	*hw = (struct arch_hw_breakpoint) {
		.address	= attr->bp_addr,
		.len		= attr->bp_len,
		.hw_len		= hw_len,
		.type		= hwbp_type_bits(attr),
		.serial		= hwbp_next_serial(),
	};
	return 0;
}

/* --- the watchpoint exception -------------------------------------------- */

static bool is_ptrace_bp(struct perf_event *bp)
{
	return bp->overflow_handler == ptrace_triggered;
}

/* What the exception means for each register of this CPU. */
struct hwbp_exception {
	struct perf_event	*owner[HBP_NUM_MAX];
	unsigned long		matched;	/* registers to hold off */
	unsigned long		hits;		/* events to report */
	unsigned long		ptrace_hits;	/* ... that belong to ptrace */
	ppc_inst_t		instr;
	struct hwbp_access	acc;
};

/* Return: false if no register of this CPU is ours. */
static bool hwbp_classify(struct pt_regs *regs, struct hwbp_exception *ex)
{
	bool isa31 = cpu_has_feature(CPU_FTR_ARCH_31);
	unsigned long owned = 0;
	int slot;

	ex->acc = hwbp_decode_access(regs, &ex->instr);
	for (slot = 0; slot < nr_wp_slots(); slot++) {
		struct perf_event *bp = __this_cpu_read(slot_owner[slot]);

		ex->owner[slot] = bp;
		if (!bp)
			continue;
		owned |= BIT(slot);
		switch (hwbp_verdict(counter_arch_bp(bp), &ex->acc, regs->dar,
				     user_mode(regs), isa31)) {
		case HWBP_HIT:
			ex->hits |= BIT(slot);
			if (is_ptrace_bp(bp))
				ex->ptrace_hits |= BIT(slot);
			fallthrough;
		case HWBP_FALSE_HIT:
			ex->matched |= BIT(slot);
			break;
		case HWBP_MISS:
			break;
		}
	}
	/*
	 * One of ours fired for an access we cannot place (an undecodable
	 * instruction, a CPU quirk): hold them all off for one instruction
	 * rather than let it fault forever.
	 */
	if (!ex->matched)
		ex->matched = owned;
	return owned;
}

/* Turn off the registers that fired, for the length of one access. */
static void hwbp_hold(const struct hwbp_exception *ex)
{
	int slot;

	for_each_set_bit(slot, &ex->matched, HBP_NUM_MAX)
		hwbp_program(slot, NULL);
}

static void hwbp_unhold(const struct hwbp_exception *ex)
{
	int slot;

	for_each_set_bit(slot, &ex->matched, HBP_NUM_MAX)
		hwbp_program(slot, counter_arch_bp(ex->owner[slot]));
}

static void hwbp_report(const struct hwbp_exception *ex, struct pt_regs *regs)
{
	int slot;

	for_each_set_bit(slot, &ex->hits, HBP_NUM_MAX)
		hw_breakpoint_hit(ex->owner[slot], regs);
}

/*
 * The access cannot be stepped over: a larx/stcx pair loses its
 * reservation to every exception, so it would fault forever, and a
 * kernel instruction that cannot be emulated is not single-stepped here.
 * Report what it touched and turn the events that fired off.
 */
static void hwbp_give_up(const struct hwbp_exception *ex,
			 struct pt_regs *regs)
{
	int slot;

	hwbp_report(ex, regs);
	for_each_set_bit(slot, &ex->matched, HBP_NUM_MAX) {
		pr_notice_ratelimited("hw-breakpoint: cannot step over the access at %pS; watchpoint at 0x%lx disabled\n",
				      (void *)regs->nip,
				      counter_arch_bp(ex->owner[slot])->address);
		perf_event_disable_inatomic(ex->owner[slot]);
	}
}

/*
 * Do the access here, with the registers that fired off.  No sleeping:
 * a user page that is not resident fails it.  A transaction must not see
 * its access done outside it, so a task in one is stepped instead.
 */
static bool hwbp_emulate(struct hwbp_exception *ex, struct pt_regs *regs)
{
	int done;

	if (ppc_inst_equal(ex->instr, ppc_inst(0)))
		return false;
#ifdef CONFIG_PPC_TRANSACTIONAL_MEM
	if (MSR_TM_ACTIVE(regs->msr))
		return false;
#endif
	hwbp_hold(ex);
	pagefault_disable();
	done = emulate_step(regs, ex->instr);
	pagefault_enable();
	hwbp_unhold(ex);
	return done > 0;
}

/*
 * Single-step a user access with the registers that fired off, and
 * report its hits when the trace exception says it is done.
 */
static void hwbp_user_step(struct hwbp_exception *ex, struct pt_regs *regs)
{
	struct hw_brk_step *st = &current->thread.hw_step;
	int slot;

	if (!st->active) {
		st->active = true;
		st->nip = regs->nip;
		st->own_se = !(regs->msr & MSR_SE);
	} else {
		/* The task moved and faulted again: free the old CPU. */
		hwbp_release_held_on(st->cpu);
	}
	st->cpu = smp_processor_id();

	hwbp_hold(ex);
	__this_cpu_or(held_slots, ex->matched);
	for_each_set_bit(slot, &ex->hits, HBP_NUM_MAX)
		serial_add(st->hits, &st->nr_hits, ARRAY_SIZE(st->hits),
			   counter_arch_bp(ex->owner[slot])->serial);
	regs_set_return_msr(regs, regs->msr | MSR_SE);
}

static int hwbp_watchpoint_exception(struct pt_regs *regs)
{
	struct hw_brk_step *st = &current->thread.hw_step;
	struct hwbp_exception ex = { };

	if (!hwbp_classify(regs, &ex))
		return NOTIFY_DONE;

	/*
	 * Stop for the debugger before the access; its watchpoint is now
	 * off and the access goes through when the task resumes.  The
	 * other registers stay armed and fault again then, if they match.
	 */
	if (ex.ptrace_hits) {
		int slot;

		for_each_set_bit(slot, &ex.ptrace_hits, HBP_NUM_MAX)
			hw_breakpoint_hit(ex.owner[slot], regs);
		return NOTIFY_DONE;
	}

	if (user_mode(regs) && st->active) {
		/*
		 * The instruction under a step-over faulted again (its task
		 * moved, or a debugger resumed it without MSR_SE): it joins
		 * that step, whose hits are reported once, when it ends.
		 */
		if (st->nip == regs->nip) {
			hwbp_user_step(&ex, regs);
			return NOTIFY_STOP;
		}
		/* Left behind by a debugger that moved NIP: drop it. */
		hwbp_step_end(st, NULL);
	}

	if (ex.acc.atomic) {
		hwbp_hold(&ex);
		hwbp_give_up(&ex, regs);
	} else if (!(user_mode(regs) && READ_ONCE(hwbp_user_step_only)) &&
		   hwbp_emulate(&ex, regs)) {
		hwbp_report(&ex, regs);
		/* A debugger stepping this task expects its trap now. */
		if (user_mode(regs))
			emulate_single_step(regs);
	} else if (user_mode(regs)) {
		hwbp_user_step(&ex, regs);
	} else {
		hwbp_hold(&ex);
		hwbp_give_up(&ex, regs);
	}
	return NOTIFY_STOP;
}

NOKPROBE_SYMBOL(hwbp_watchpoint_exception);

/* The trace exception after a user step-over's instruction. */
static int hwbp_step_exception(struct pt_regs *regs)
{
	struct hw_brk_step *st = &current->thread.hw_step;
	bool ours_alone;

	if (!user_mode(regs) || !st->active)
		return NOTIFY_DONE;

	ours_alone = st->own_se && !test_thread_flag(TIF_SINGLESTEP);
	hwbp_step_end(st, regs);
	/* A debugger stepping the task too gets its trap. */
	return ours_alone ? NOTIFY_STOP : NOTIFY_DONE;
}

NOKPROBE_SYMBOL(hwbp_step_exception);

int hw_breakpoint_exceptions_notify(struct notifier_block *unused,
				    unsigned long val, void *data)
{
	struct die_args *args = data;
	unsigned long flags;
	int ret;

	if (val != DIE_DABR_MATCH && val != DIE_SSTEP)
		return NOTIFY_DONE;

	local_irq_save(flags);
	if (val == DIE_DABR_MATCH)
		ret = hwbp_watchpoint_exception(args->regs);
	else
		ret = hwbp_step_exception(args->regs);
	local_irq_restore(flags);
	return ret;
}

NOKPROBE_SYMBOL(hw_breakpoint_exceptions_notify);

/**
 * thread_change_pc - the task's NIP is about to change under a step-over
 * @tsk: the current task
 * @regs: its user registers
 *
 * Signal delivery calls this before it builds the frame.  The step-over
 * is abandoned: its registers come back, MSR_SE goes if it was ours, and
 * nothing is reported, since the access has not happened.  After
 * sigreturn the instruction runs again and faults again.
 */
void thread_change_pc(struct task_struct *tsk, struct pt_regs *regs)
{
	struct hw_brk_step *st = &tsk->thread.hw_step;
	unsigned long flags;

	if (!st->active)
		return;

	local_irq_save(flags);
	if (st->own_se)
		regs_set_return_msr(regs, regs->msr & ~MSR_SE);
	hwbp_step_end(st, NULL);
	local_irq_restore(flags);
}

/* --- ptrace -------------------------------------------------------------- */

/*
 * ptrace's watchpoints are one-shot on powerpc: the hit turns the event
 * off, do_break() sends the SIGTRAP, and the debugger re-arms it.
 */
void ptrace_triggered(struct perf_event *bp, struct perf_sample_data *data,
		      struct pt_regs *regs)
{
	struct perf_event_attr attr = bp->attr;

	attr.disabled = true;
	modify_user_hw_breakpoint(bp, &attr);
}

/* exec and exit: the debugger's watchpoints do not survive either. */
void flush_ptrace_hw_breakpoint(struct task_struct *tsk)
{
	struct thread_struct *t = &tsk->thread;
	int i;

	for (i = 0; i < HBP_NUM_MAX; i++) {
		unregister_hw_breakpoint(t->ptrace_bps[i]);
		t->ptrace_bps[i] = NULL;
		t->hw_brk[i] = (struct arch_hw_breakpoint) { };
	}
}
