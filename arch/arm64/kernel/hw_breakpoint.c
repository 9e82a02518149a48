// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 backend of the hardware-breakpoint layer.
 *
 * A breakpoint uses a DBGBVR<n>_EL1/DBGBCR<n>_EL1 pair, a watchpoint a
 * DBGWVR<n>_EL1/DBGWCR<n>_EL1 pair.  The two kinds are separate pools
 * (TYPE_INST, TYPE_DATA) whose sizes come from ID_AA64DFR0_EL1.  The
 * generic layer (kernel/events/hw_breakpoint.c) has promised a pair on
 * every CPU an event may run on; here we:
 *
 *  - check an attr and turn it into value and control words (parse);
 *  - give a scheduled event a free pair on this CPU (install), and take it
 *    back (uninstall);
 *  - route breakpoint and watchpoint exceptions to the events whose pairs
 *    fired, and step over the instruction that fired them;
 *  - rewrite every pair when a CPU starts or comes back from a power-down.
 *
 * Per-CPU state and its rules
 * ---------------------------
 * hwbp_cpu holds, per kind, the event owning each pair and the words it
 * needs, and a cache of what the registers hold, so that a register is
 * written only when its content changes.  It is changed only on its own
 * CPU with interrupts disabled (perf's add/del, the exception handlers, CPU
 * start and resume) and read by the exception handlers on that CPU, so no
 * lock is needed.  An owner is published before its control word enables
 * the pair, and cleared after the pair is disabled.  perf frees an event an
 * RCU grace period after its del, and the exception handlers run with
 * interrupts masked, so an owner read there stays valid.
 *
 * Step-over
 * ---------
 * Breakpoint and watchpoint exceptions are taken before the instruction
 * completes.  So that it completes exactly once, a hit is reported, the
 * pairs of that kind that may have fired are disabled, and the instruction
 * is single-stepped; the step exception enables them again.  This does not
 * depend on the event's overflow handler.  The one exception is a hit that
 * leaves a SIGTRAP pending on the task (ptrace's handler): the task stops in
 * its debugger before the access, and the debugger steps it, as the ptrace
 * ABI has always required (gdb treats arm64 watchpoints as non-steppable).
 *
 *  - Kernel mode: this CPU's pairs of the kind are disabled
 *    (hwbp_cpu.kernel_held) and the instruction is stepped with IRQ and FIQ
 *    masked, so that the step completes on it and not in an interrupt
 *    handler.  If kgdb is already stepping, its step is left to it.
 *    A watchpoint hit on kernel memory is reported when that step
 *    completes, after the access, as x86 reports it: a handler that reads
 *    the watched variable (a w: event's $value) sees what was written.
 *  - User mode: the task's EL0 pairs of the kind are disabled wherever it
 *    runs (thread.debug.bps_disabled and wps_disabled; the context switch
 *    hook applies them), and TIF_SINGLESTEP steps it.  A step that ptrace
 *    or uprobes asked for already is shared (suspended_step) and passed on
 *    when it completes.
 *  - A signal delivered before the instruction ran would step the signal
 *    handler's first instruction instead.  hw_breakpoint_signal_deliver()
 *    cancels the step-over and remembers where it was (PC and SP); the next
 *    hit there, after sigreturn, is stepped over without being reported a
 *    second time.  A tracer that resumes the task without a step (which
 *    clears TIF_SINGLESTEP) is handled the same way, at the next switch.
 */

#include <kunit/visibility.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/hw_breakpoint.h>
#include <linux/init.h>
#include <linux/kprobes.h>
#include <linux/lockdep.h>
#include <linux/percpu.h>
#include <linux/perf_event.h>
#include <linux/ptrace.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <linux/thread_info.h>

#include <asm/cacheflush.h>
#include <asm/compat.h>
#include <asm/cputype.h>
#include <asm/debug-monitors.h>
#include <asm/esr.h>
#include <asm/exception.h>
#include <asm/hw_breakpoint.h>
#include <asm/processor.h>
#include <asm/sysreg.h>
#include <asm/virt.h>

#include "hw_breakpoint_kunit.h"

/* The two kinds of pair, indexing hwbp_cpu.kind[]. */
enum hwbp_kind { HWBP_BRK, HWBP_WATCH, HWBP_KINDS };

struct hwbp_kind_state {
	struct hwbp_pair pair[ARM_MAX_WRP];
	/* What each register holds; valid only while @cached. */
	u64 hw_value[ARM_MAX_WRP];
	u32 hw_ctrl[ARM_MAX_WRP];
	bool cached;
};

/* A kernel step-over on this CPU. */
enum hwbp_kernel_step {
	KSTEP_NONE,
	KSTEP_OURS,		/* we armed the step */
	KSTEP_SHARED,		/* kgdb was stepping: its step completes ours */
};

struct hwbp_cpu {
	struct hwbp_kind_state kind[HWBP_KINDS];
	enum hwbp_kernel_step kernel_step;
	u8 kernel_held;		/* kinds disabled for the kernel step */
	u64 masked_daif;	/* PSTATE.{I,F} the step masked, to restore */
	/* Watchpoints to report when our kernel step completes. */
	unsigned long step_reports;
	u64 step_far;
};

static DEFINE_PER_CPU(struct hwbp_cpu, hwbp_cpu);

static int pairs_of_kind[HWBP_KINDS] __ro_after_init;

/* The size of the block DC ZVA clears: a watchpoint FAR's neighbourhood. */
static u64 zva_block_bytes __ro_after_init = 64;

/* --- register access ----------------------------------------------------- */

/* The pair registers have no index form: the number is part of the name. */
#define HWBP_MSR_CASE(stem, i, v)				\
	case i:							\
		write_sysreg(v, stem##i##_el1);			\
		break

#define HWBP_MSR_16(stem, n, val)				\
	do {							\
		u64 __v = (val);				\
								\
		switch (n) {					\
		HWBP_MSR_CASE(stem, 0, __v);			\
		HWBP_MSR_CASE(stem, 1, __v);			\
		HWBP_MSR_CASE(stem, 2, __v);			\
		HWBP_MSR_CASE(stem, 3, __v);			\
		HWBP_MSR_CASE(stem, 4, __v);			\
		HWBP_MSR_CASE(stem, 5, __v);			\
		HWBP_MSR_CASE(stem, 6, __v);			\
		HWBP_MSR_CASE(stem, 7, __v);			\
		HWBP_MSR_CASE(stem, 8, __v);			\
		HWBP_MSR_CASE(stem, 9, __v);			\
		HWBP_MSR_CASE(stem, 10, __v);			\
		HWBP_MSR_CASE(stem, 11, __v);			\
		HWBP_MSR_CASE(stem, 12, __v);			\
		HWBP_MSR_CASE(stem, 13, __v);			\
		HWBP_MSR_CASE(stem, 14, __v);			\
		HWBP_MSR_CASE(stem, 15, __v);			\
		}						\
	} while (0)

/* Write the value (@ctrl false) or control register of pair @n. */
static void write_pair_reg(enum hwbp_kind kind, bool ctrl, int n, u64 val)
{
	if (kind == HWBP_BRK && ctrl)
		HWBP_MSR_16(dbgbcr, n, val);
	else if (kind == HWBP_BRK)
		HWBP_MSR_16(dbgbvr, n, val);
	else if (ctrl)
		HWBP_MSR_16(dbgwcr, n, val);
	else
		HWBP_MSR_16(dbgwvr, n, val);
}

NOKPROBE_SYMBOL(write_pair_reg);

/* --- pure encoding ------------------------------------------------------- */

/**
 * hwbp_ctrl_word - the control register value for a parsed breakpoint
 * @ctrl: the breakpoint's control fields
 * @el2_host: the kernel runs at EL2 (VHE), so EL1 pairs must match at EL2
 *
 * Return: DBGBCR/DBGWCR contents, enabled.
 */
VISIBLE_IF_KUNIT u32 hwbp_ctrl_word(struct arch_hw_breakpoint_ctrl ctrl,
				    bool el2_host)
{
	u32 word;

	ctrl.enabled = 1;
	word = encode_ctrl_reg(ctrl);
	if (el2_host && ctrl.privilege == ARM64_HWBP_PRIV_EL1)
		word |= ARM64_HWBP_CTRL_HMC;
	return word;
}
EXPORT_SYMBOL_IF_KUNIT(hwbp_ctrl_word);

/**
 * hwbp_watched_span - the bytes a watchpoint pair covers
 * @value: its DBGWVR contents
 * @ctrl: its control fields
 * @len: returns the number of bytes
 *
 * Return: the first byte covered.
 */
VISIBLE_IF_KUNIT u64 hwbp_watched_span(u64 value,
				       struct arch_hw_breakpoint_ctrl ctrl,
				       u64 *len)
{
	if (ctrl.mask) {
		*len = BIT_ULL(ctrl.mask);
		return value;
	}
	*len = hweight8(ctrl.bas);
	return value + (ctrl.bas ? __ffs(ctrl.bas) : 0);
}
EXPORT_SYMBOL_IF_KUNIT(hwbp_watched_span);

/* A contiguous run of ones, as BAS must be (Arm ARM D2.9.7). */
static bool bas_is_run(u8 bas)
{
	u32 run = bas >> __ffs(bas);

	return bas && !(run & (run + 1));
}

int arch_bp_generic_fields(struct arch_hw_breakpoint_ctrl ctrl,
			   u64 *gen_len, int *gen_type, int *offset)
{
	static const int types[] = {
		[ARM64_HWBP_EXECUTE] = HW_BREAKPOINT_X,
		[ARM64_HWBP_LOAD] = HW_BREAKPOINT_R,
		[ARM64_HWBP_STORE] = HW_BREAKPOINT_W,
		[ARM64_HWBP_LOAD | ARM64_HWBP_STORE] = HW_BREAKPOINT_RW,
	};

	*gen_type = types[ctrl.type];
	if (ctrl.mask) {
		/* MASK 1 and 2 are reserved; with MASK, BAS must be all ones. */
		if (ctrl.mask < 3 || ctrl.bas != 0xff ||
		    ctrl.type == ARM64_HWBP_EXECUTE)
			return -EINVAL;
		*gen_len = BIT_ULL(ctrl.mask);
		*offset = 0;
		return 0;
	}
	if (!bas_is_run(ctrl.bas))
		return -EINVAL;
	*offset = __ffs(ctrl.bas);
	*gen_len = hweight8(ctrl.bas);
	return 0;
}

/* --- parse --------------------------------------------------------------- */

static bool bp_is_compat(struct perf_event *bp)
{
	struct task_struct *tsk = bp ? bp->hw.target : NULL;

	return tsk && is_compat_thread(task_thread_info(tsk));
}

/*
 * An instruction breakpoint watches one instruction: 4 bytes, aligned (A64
 * and A32), or a T32 halfword of a compat task, which the pair describes as
 * the word holding it and a BAS of its two bytes.
 */
static int parse_execute(u64 addr, u64 len, bool compat,
			 struct arch_hw_breakpoint *hw)
{
	if (len == 4 && IS_ALIGNED(addr, 4)) {
		hw->address = addr;
		hw->ctrl.bas = 0xf;
		return 0;
	}
	if (compat && len == 2 && IS_ALIGNED(addr, 2)) {
		hw->address = ALIGN_DOWN(addr, 4);
		hw->ctrl.bas = addr & 2 ? 0xc : 0x3;
		return 0;
	}
	return -EINVAL;
}

/*
 * A watchpoint covers 1 to 8 bytes inside an aligned doubleword (BAS), or
 * an aligned power-of-two range of 8 bytes to 2 GiB (MASK).
 */
static int parse_watch(u64 addr, u64 len, struct arch_hw_breakpoint *hw)
{
	u64 offset = addr & 7;

	if (len <= 8 && offset + len <= 8) {
		hw->address = addr - offset;
		hw->ctrl.bas = GENMASK(len - 1, 0) << offset;
		return 0;
	}
	if (!is_power_of_2(len) || len > SZ_2G || !IS_ALIGNED(addr, len))
		return -EINVAL;
	hw->address = addr;
	hw->ctrl.bas = 0xff;
	hw->ctrl.mask = ilog2(len);
	return 0;
}

static bool is_kernel_va(u64 addr)
{
	return addr >= TASK_SIZE_MAX;
}

int hw_breakpoint_arch_parse(struct perf_event *bp,
			     const struct perf_event_attr *attr,
			     struct arch_hw_breakpoint *hw)
{
	u64 addr = attr->bp_addr, len = attr->bp_len;
	bool kernel = is_kernel_va(addr);
	int err;

	if (!len || addr + len - 1 < addr || is_kernel_va(addr + len - 1) != kernel)
		return -EINVAL;

	memset(hw, 0, sizeof(*hw));
	switch (attr->bp_type) {
	case HW_BREAKPOINT_X:
		hw->ctrl.type = ARM64_HWBP_EXECUTE;
		err = parse_execute(addr, len, bp_is_compat(bp), hw);
		break;
	case HW_BREAKPOINT_R:
		hw->ctrl.type = ARM64_HWBP_LOAD;
		err = parse_watch(addr, len, hw);
		break;
	case HW_BREAKPOINT_W:
		hw->ctrl.type = ARM64_HWBP_STORE;
		err = parse_watch(addr, len, hw);
		break;
	case HW_BREAKPOINT_RW:
		hw->ctrl.type = ARM64_HWBP_LOAD | ARM64_HWBP_STORE;
		err = parse_watch(addr, len, hw);
		break;
	default:
		return -EINVAL;
	}
	if (err)
		return err;

	/* The address decides the exception level a pair matches at. */
	hw->ctrl.privilege = kernel ? ARM64_HWBP_PRIV_EL1 : ARM64_HWBP_PRIV_EL0;
	hw->ctrl.enabled = !attr->disabled;
	return 0;
}

int arch_check_bp_in_kernelspace(struct arch_hw_breakpoint *hw)
{
	return hw->ctrl.privilege == ARM64_HWBP_PRIV_EL1;
}

/* --- which pairs the registers hold --------------------------------------- */

static enum hwbp_kind kind_of(struct perf_event *bp)
{
	return counter_arch_bp(bp)->ctrl.type == ARM64_HWBP_EXECUTE ?
	       HWBP_BRK : HWBP_WATCH;
}

static bool task_holds_kind(struct task_struct *tsk, enum hwbp_kind kind)
{
	struct debug_info *dbg = &tsk->thread.debug;

	return kind == HWBP_BRK ? dbg->bps_disabled : dbg->wps_disabled;
}

/*
 * What pair @n must hold on this CPU while @tsk runs: its owner's words,
 * with E cleared while a step-over holds the pair off.
 */
static u32 wanted_ctrl(struct hwbp_cpu *cpu, enum hwbp_kind kind, int n,
		       struct task_struct *tsk)
{
	struct hwbp_pair *pair = &cpu->kind[kind].pair[n];
	struct arch_hw_breakpoint_ctrl ctrl;

	if (!pair->owner)
		return 0;
	if (cpu->kernel_held & BIT(kind))
		return pair->ctrl & ~1U;
	decode_ctrl_reg(pair->ctrl, &ctrl);
	if (ctrl.privilege == ARM64_HWBP_PRIV_EL0 && task_holds_kind(tsk, kind))
		return pair->ctrl & ~1U;
	return pair->ctrl;
}

/* Bring pair @n's registers to what they must hold; true if written. */
static bool sync_pair(struct hwbp_cpu *cpu, enum hwbp_kind kind, int n,
		      struct task_struct *tsk)
{
	struct hwbp_kind_state *ks = &cpu->kind[kind];
	u32 ctrl = wanted_ctrl(cpu, kind, n, tsk);
	u64 value = ctrl ? ks->pair[n].value : 0;

	if (ks->cached && ks->hw_ctrl[n] == ctrl && ks->hw_value[n] == value)
		return false;
	/* Never let a half-written pair match: disable, set, enable. */
	if (!ks->cached || (ks->hw_ctrl[n] & 1))
		write_pair_reg(kind, true, n, 0);
	write_pair_reg(kind, false, n, value);
	if (ctrl)
		write_pair_reg(kind, true, n, ctrl);
	ks->hw_value[n] = value;
	ks->hw_ctrl[n] = ctrl;
	return true;
}

NOKPROBE_SYMBOL(sync_pair);

static void sync_kind(struct hwbp_cpu *cpu, enum hwbp_kind kind,
		      struct task_struct *tsk)
{
	bool written = false;
	int n;

	for (n = 0; n < pairs_of_kind[kind]; n++)
		written |= sync_pair(cpu, kind, n, tsk);
	if (written)
		isb();
	cpu->kind[kind].cached = true;
}

NOKPROBE_SYMBOL(sync_kind);

/* --- install / uninstall ------------------------------------------------- */

static enum dbg_active_el monitor_el(const struct arch_hw_breakpoint *info)
{
	return info->ctrl.privilege == ARM64_HWBP_PRIV_EL1 ?
	       DBG_ACTIVE_EL1 : DBG_ACTIVE_EL0;
}

int arch_install_hw_breakpoint(struct perf_event *bp)
{
	struct arch_hw_breakpoint *info = counter_arch_bp(bp);
	struct hwbp_cpu *cpu = this_cpu_ptr(&hwbp_cpu);
	enum hwbp_kind kind = kind_of(bp);
	struct hwbp_pair *pair;
	int n;

	lockdep_assert_irqs_disabled();
	for (n = 0; n < pairs_of_kind[kind]; n++) {
		if (!cpu->kind[kind].pair[n].owner)
			break;
	}
	/* The accounting promised a pair: running out is our bug. */
	if (WARN_ONCE(n == pairs_of_kind[kind], "arm64 debug pairs all in use"))
		return -EBUSY;

	pair = &cpu->kind[kind].pair[n];
	pair->value = info->address;
	pair->ctrl = hwbp_ctrl_word(info->ctrl, is_kernel_in_hyp_mode());
	WRITE_ONCE(pair->owner, bp);
	enable_debug_monitors(monitor_el(info));
	if (sync_pair(cpu, kind, n, current))
		isb();
	return 0;
}

void arch_uninstall_hw_breakpoint(struct perf_event *bp)
{
	struct hwbp_cpu *cpu = this_cpu_ptr(&hwbp_cpu);
	enum hwbp_kind kind = kind_of(bp);
	struct hwbp_pair *pair;
	int n;

	lockdep_assert_irqs_disabled();
	for (n = 0; n < pairs_of_kind[kind]; n++) {
		if (cpu->kind[kind].pair[n].owner == bp)
			break;
	}
	if (WARN_ONCE(n == pairs_of_kind[kind], "arm64 breakpoint not installed"))
		return;

	pair = &cpu->kind[kind].pair[n];
	pair->ctrl = 0;
	if (sync_pair(cpu, kind, n, current))
		isb();
	WRITE_ONCE(pair->owner, NULL);
	disable_debug_monitors(monitor_el(counter_arch_bp(bp)));
}

void hw_breakpoint_pmu_read(struct perf_event *bp)
{
	/* The count is kept by hw_breakpoint_hit(); there is nothing to read. */
}

/* arm64 raises no DIE_DEBUG: its exceptions come through the entry code. */
int hw_breakpoint_exceptions_notify(struct notifier_block *unused,
				    unsigned long val, void *data)
{
	return NOTIFY_DONE;
}

/* --- which watchpoint fired ---------------------------------------------- */

/**
 * hwbp_pick_watchpoints - the watchpoints a data abort certainly came from
 * @far: the fault address (untagged)
 * @write: the access was a store (ESR.WnR, set for cache maintenance too)
 * @block: the DC ZVA block size, a power of two
 * @pairs: the watchpoint pairs armed on this CPU, empty ones with @owner NULL
 * @n: number of @pairs
 *
 * The Arm ARM (D2.9.8) puts FAR between the lowest byte the access touched
 * and the highest watched byte it touched, inside the naturally aligned
 * block of @block bytes around a watched byte it touched.  So every byte
 * from FAR up to that watched byte was accessed: a pair watching FAR itself
 * fired, and otherwise the pairs watching the lowest watched byte above FAR
 * in FAR's block did.  Pairs whose LSC does not match the access cannot
 * have fired.
 *
 * Return: a mask of the pairs that fired; 0 if none can be named.
 */
VISIBLE_IF_KUNIT unsigned long hwbp_pick_watchpoints(u64 far, bool write,
						     u64 block,
						     const struct hwbp_pair *pairs,
						     int n)
{
	u64 block_end = ALIGN_DOWN(far, block) + block;
	u64 first, len, lowest = U64_MAX;
	struct arch_hw_breakpoint_ctrl ctrl;
	unsigned long exact = 0, nearest = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (!pairs[i].owner)
			continue;
		decode_ctrl_reg(pairs[i].ctrl, &ctrl);
		if (!(ctrl.type & (write ? ARM64_HWBP_STORE : ARM64_HWBP_LOAD)))
			continue;
		first = hwbp_watched_span(pairs[i].value, ctrl, &len);
		if (far >= first && far - first < len) {
			exact |= BIT(i);
			continue;
		}
		if (first <= far || first >= block_end)
			continue;
		if (first < lowest) {
			lowest = first;
			nearest = 0;
		}
		if (first == lowest)
			nearest |= BIT(i);
	}
	return exact ?: nearest;
}
EXPORT_SYMBOL_IF_KUNIT(hwbp_pick_watchpoints);

/* ESR_ELx ISS of a watchpoint: WPTV says WPT names the watchpoint. */
#define ESR_WP_WPTV		BIT(17)
#define ESR_WP_WPT_SHIFT	18
#define ESR_WP_WPT_MASK		0x3f

/* --- step-over ----------------------------------------------------------- */

static void report(struct perf_event *bp, u64 trigger, struct pt_regs *regs)
{
	counter_arch_bp(bp)->trigger = trigger;
	hw_breakpoint_hit(bp, regs);
}

NOKPROBE_SYMBOL(report);

/*
 * The watchpoints a kernel access fired, reported now that the access is
 * done.  Their owners are still valid: interrupts stayed masked from the
 * watchpoint exception to the step's, so perf could not have taken them
 * off this CPU, nor freed them.
 */
static void report_after_step(struct hwbp_cpu *cpu, struct pt_regs *regs)
{
	struct hwbp_kind_state *ks = &cpu->kind[HWBP_WATCH];
	unsigned long fired = cpu->step_reports;
	int n;

	cpu->step_reports = 0;
	for_each_set_bit(n, &fired, ARM_MAX_WRP) {
		if (ks->pair[n].owner)
			report(ks->pair[n].owner, cpu->step_far, regs);
	}
}

NOKPROBE_SYMBOL(report_after_step);

/* The debugger will stop the task before the access: it steps, not us. */
static bool debugger_stop_pending(void)
{
	return sigismember(&current->pending.signal, SIGTRAP);
}

/*
 * @mask_irqs: step with IRQ and FIQ masked.  Not for an access to user
 * memory (uaccess hitting an EL0 watchpoint): it may fault, and the fault
 * must be able to sleep.  An interrupt taken before such an instruction
 * completes the step in its handler; the instruction then fires again and
 * is stepped again.
 */
static void hold_kernel_kind(struct hwbp_cpu *cpu, enum hwbp_kind kind,
			     struct pt_regs *regs, bool mask_irqs)
{
	cpu->kernel_held |= BIT(kind);
	sync_kind(cpu, kind, current);
	if (cpu->kernel_step != KSTEP_NONE)
		return;		/* the step in flight enables both kinds */

	if (kernel_active_single_step()) {
		cpu->kernel_step = KSTEP_SHARED;
		return;
	}
	cpu->kernel_step = KSTEP_OURS;
	/* Step the instruction itself, not an interrupt taken before it. */
	cpu->masked_daif = 0;
	if (mask_irqs) {
		cpu->masked_daif = ~regs->pstate & (PSR_I_BIT | PSR_F_BIT);
		regs->pstate |= PSR_I_BIT | PSR_F_BIT;
	}
	kernel_enable_single_step(regs);
}

NOKPROBE_SYMBOL(hold_kernel_kind);

static void hold_user_kind(struct hwbp_cpu *cpu, enum hwbp_kind kind,
			   struct pt_regs *regs)
{
	struct debug_info *dbg = &current->thread.debug;
	bool stepping = hwbp_task_stepping(current);

	if (kind == HWBP_BRK)
		dbg->bps_disabled = 1;
	else
		dbg->wps_disabled = 1;
	sync_kind(cpu, kind, current);
	if (stepping)
		return;		/* the step in flight enables both kinds */

	dbg->step_pc = instruction_pointer(regs);
	dbg->step_sp = user_stack_pointer(regs);
	if (test_thread_flag(TIF_SINGLESTEP))
		dbg->suspended_step = 1;
	else
		user_enable_single_step(current);
}

NOKPROBE_SYMBOL(hold_user_kind);

/*
 * Whether this user hit is the re-execution, after a signal handler, of an
 * instruction whose hit was already reported.
 */
static bool hit_already_reported(struct pt_regs *regs)
{
	struct debug_info *dbg = &current->thread.debug;

	if (!dbg->resume_pc || dbg->resume_pc != instruction_pointer(regs) ||
	    dbg->resume_sp != user_stack_pointer(regs))
		return false;
	dbg->resume_pc = 0;
	return true;
}

NOKPROBE_SYMBOL(hit_already_reported);

static void step_over(enum hwbp_kind kind, struct pt_regs *regs,
		      bool may_fault)
{
	struct hwbp_cpu *cpu = this_cpu_ptr(&hwbp_cpu);

	if (!user_mode(regs))
		hold_kernel_kind(cpu, kind, regs, !may_fault);
	else if (!debugger_stop_pending())
		hold_user_kind(cpu, kind, regs);
}

NOKPROBE_SYMBOL(step_over);

/* Give the kinds a user step-over held back to @tsk; true if it held any. */
static bool release_user_kinds(struct task_struct *tsk)
{
	struct debug_info *dbg = &tsk->thread.debug;

	if (!hwbp_task_stepping(tsk))
		return false;
	dbg->bps_disabled = 0;
	dbg->wps_disabled = 0;
	return true;
}

bool try_step_suspended_breakpoints(struct pt_regs *regs)
{
	struct hwbp_cpu *cpu = this_cpu_ptr(&hwbp_cpu);
	struct debug_info *dbg = &current->thread.debug;
	enum hwbp_kernel_step step;

	if (user_mode(regs)) {
		if (!release_user_kinds(current))
			return false;
		sync_kind(cpu, HWBP_BRK, current);
		sync_kind(cpu, HWBP_WATCH, current);
		if (dbg->suspended_step) {
			dbg->suspended_step = 0;
			return false;	/* ptrace's or uprobes' step too */
		}
		user_disable_single_step(current);
		return true;
	}

	step = cpu->kernel_step;
	if (step == KSTEP_NONE)
		return false;
	cpu->kernel_step = KSTEP_NONE;
	cpu->kernel_held = 0;
	report_after_step(cpu, regs);
	sync_kind(cpu, HWBP_BRK, current);
	sync_kind(cpu, HWBP_WATCH, current);
	if (step == KSTEP_SHARED)
		return false;	/* kgdb's step */
	regs->pstate &= ~cpu->masked_daif;
	kernel_disable_single_step();
	return true;
}

NOKPROBE_SYMBOL(try_step_suspended_breakpoints);

/*
 * A user step-over that will not complete where it started (a signal is
 * being delivered, or a tracer resumed the task without a step): let the
 * pairs fire again, and remember the instruction so that its next hit,
 * which repeats the one reported, is only stepped over.
 */
static void abandon_user_step(struct task_struct *tsk)
{
	struct debug_info *dbg = &tsk->thread.debug;

	if (!release_user_kinds(tsk))
		return;
	dbg->resume_pc = dbg->step_pc;
	dbg->resume_sp = dbg->step_sp;
	if (dbg->suspended_step)
		dbg->suspended_step = 0;
	else
		user_disable_single_step(tsk);
}

/**
 * hw_breakpoint_signal_deliver - a signal frame is about to be set up
 * @regs: the interrupted user context
 *
 * Called by the arm64 signal code before it builds the frame.
 */
void hw_breakpoint_signal_deliver(struct pt_regs *regs)
{
	unsigned long flags;

	if (!hwbp_task_stepping(current))
		return;
	local_irq_save(flags);
	abandon_user_step(current);
	sync_kind(this_cpu_ptr(&hwbp_cpu), HWBP_BRK, current);
	sync_kind(this_cpu_ptr(&hwbp_cpu), HWBP_WATCH, current);
	local_irq_restore(flags);
}

void __hw_breakpoint_thread_switch(struct task_struct *next)
{
	struct hwbp_cpu *cpu = this_cpu_ptr(&hwbp_cpu);

	/* A tracer resumed it without stepping: the step will never come. */
	if (hwbp_task_stepping(next) &&
	    !test_ti_thread_flag(task_thread_info(next), TIF_SINGLESTEP))
		abandon_user_step(next);
	sync_kind(cpu, HWBP_BRK, next);
	sync_kind(cpu, HWBP_WATCH, next);
}

/* --- exceptions ---------------------------------------------------------- */

/* Whether breakpoint pair @pair matches the instruction at @pc. */
static bool breakpoint_matches(const struct hwbp_pair *pair, u64 pc)
{
	struct arch_hw_breakpoint_ctrl ctrl;

	decode_ctrl_reg(pair->ctrl, &ctrl);
	return pair->owner && pair->value == ALIGN_DOWN(pc, 4) &&
	       (ctrl.bas & BIT(pc & 3));
}

void do_breakpoint(unsigned long esr, struct pt_regs *regs)
{
	struct hwbp_cpu *cpu = this_cpu_ptr(&hwbp_cpu);
	struct hwbp_kind_state *ks = &cpu->kind[HWBP_BRK];
	u64 pc = instruction_pointer(regs);
	bool repeat = user_mode(regs) && hit_already_reported(regs);
	int n;

	for (n = 0; n < pairs_of_kind[HWBP_BRK] && !repeat; n++) {
		if (breakpoint_matches(&ks->pair[n], pc))
			report(ks->pair[n].owner, pc, regs);
	}
	step_over(HWBP_BRK, regs, false);
}

NOKPROBE_SYMBOL(do_breakpoint);

/*
 * Whether step_over() will step this kernel access itself, with
 * interrupts masked (kernel memory cannot fault into a sleep), so that
 * the step's completion comes right after the access on this CPU.
 */
static bool kernel_access_stepped_by_us(struct hwbp_cpu *cpu,
					struct pt_regs *regs, u64 addr)
{
	if (user_mode(regs) || !is_kernel_va(addr))
		return false;
	if (cpu->kernel_step == KSTEP_NONE)
		return !kernel_active_single_step();
	return cpu->kernel_step == KSTEP_OURS;
}

NOKPROBE_SYMBOL(kernel_access_stepped_by_us);

void do_watchpoint(unsigned long far, unsigned long esr, struct pt_regs *regs)
{
	struct hwbp_cpu *cpu = this_cpu_ptr(&hwbp_cpu);
	struct hwbp_kind_state *ks = &cpu->kind[HWBP_WATCH];
	u64 addr = untagged_addr(far);
	unsigned long fired;
	int n;

	if (user_mode(regs) && hit_already_reported(regs)) {
		fired = 0;
	} else if (esr & ESR_WP_WPTV) {
		n = (esr >> ESR_WP_WPT_SHIFT) & ESR_WP_WPT_MASK;
		fired = n < pairs_of_kind[HWBP_WATCH] && ks->pair[n].owner ?
			BIT(n) : 0;
	} else {
		fired = hwbp_pick_watchpoints(addr, esr & ESR_ELx_WNR,
					      zva_block_bytes, ks->pair,
					      pairs_of_kind[HWBP_WATCH]);
	}
	if (kernel_access_stepped_by_us(cpu, regs, addr)) {
		/* Reported when the step completes, after the access. */
		cpu->step_reports |= fired;
		cpu->step_far = far;
	} else {
		for_each_set_bit(n, &fired, ARM_MAX_WRP)
			report(ks->pair[n].owner, far, regs);
	}
	/* Even a hit nobody can be named for must not fire forever. */
	step_over(HWBP_WATCH, regs, !is_kernel_va(addr));
}

NOKPROBE_SYMBOL(do_watchpoint);

/* --- CPU start and resume ------------------------------------------------ */

/*
 * Rewrite every pair from the per-CPU state: at boot firmware may have left
 * anything there, and after a power-down the registers are UNKNOWN.
 */
static int hwbp_cpu_reset(unsigned int unused)
{
	struct hwbp_cpu *cpu = this_cpu_ptr(&hwbp_cpu);
	enum hwbp_kind kind;

	for (kind = 0; kind < HWBP_KINDS; kind++) {
		cpu->kind[kind].cached = false;
		sync_kind(cpu, kind, current);
	}
	return 0;
}

NOKPROBE_SYMBOL(hwbp_cpu_reset);

int hw_breakpoint_slots(int type)
{
	int n = type == TYPE_INST ? get_num_brps() : get_num_wrps();

	return min(n, type == TYPE_INST ? ARM_MAX_BRP : ARM_MAX_WRP);
}

static int __init hwbp_arm64_init(void)
{
	u64 dczid = read_sysreg(dczid_el0);
	int ret;

	pairs_of_kind[HWBP_BRK] = hw_breakpoint_slots(TYPE_INST);
	pairs_of_kind[HWBP_WATCH] = hw_breakpoint_slots(TYPE_DATA);
	zva_block_bytes = 4UL << (dczid & DCZID_EL0_BS_MASK);
	pr_info("hw_breakpoint: %d breakpoint and %d watchpoint pairs\n",
		pairs_of_kind[HWBP_BRK], pairs_of_kind[HWBP_WATCH]);

	/* Runs now on the online CPUs, later on each CPU that starts. */
	ret = cpuhp_setup_state(CPUHP_AP_PERF_ARM_HW_BREAKPOINT_STARTING,
				"perf/arm64/hw_breakpoint:starting",
				hwbp_cpu_reset, NULL);
	if (!ret)
		cpu_suspend_set_dbg_restorer(hwbp_cpu_reset);
	return ret;
}
arch_initcall(hwbp_arm64_init);
