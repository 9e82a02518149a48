// SPDX-License-Identifier: GPL-2.0
/*
 * The "breakpoint" PMU and the kernel API for hardware breakpoints.
 *
 * Each hardware breakpoint or watchpoint is a perf event of type
 * PERF_TYPE_BREAKPOINT.  Its life:
 *
 *  1. event_init: the slot accounting (hw_breakpoint_slots.c) promises a
 *     debug register on every CPU the event may run on, or refuses with
 *     ENOSPC; then the architecture validates the attr and computes its
 *     control words into bp->hw.info.
 *  2. add/del: perf schedules the event on a CPU; the architecture picks a
 *     free register there and programs it.
 *  3. A hit: the architecture's exception path finds the event that owns
 *     the register and calls hw_breakpoint_hit().
 *  4. destroy: the promise is withdrawn.  This is the only place a slot is
 *     released, so an event keeps its slot while disabled, and kgdb can
 *     take over the release by clearing ->destroy.
 *
 * Locking
 * -------
 * - The accounting has its own locks; their rules are at the top of
 *   hw_breakpoint_slots.c.  This file takes no lock of its own.
 * - event_init runs in process context, possibly under the parent
 *   context's mutex when a child inherits events at fork.
 * - add/del/start/stop/read run with interrupts disabled on the CPU
 *   concerned, under perf's ctx->lock, and must not sleep.
 * - modify_user_hw_breakpoint_check() may run in atomic context, so it
 *   touches only the event and the accounting.
 */

#include <linux/bug.h>
#include <linux/capability.h>
#include <linux/cpu.h>
#include <linux/export.h>
#include <linux/hw_breakpoint.h>
#include <linux/init.h>
#include <linux/kdebug.h>
#include <linux/kprobes.h>
#include <linux/notifier.h>
#include <linux/percpu.h>
#include <linux/sched.h>

#include "hw_breakpoint_slots.h"
#include "hw_breakpoint_wide.h"

/* --- validation ---------------------------------------------------------- */

/*
 * Have the architecture check @attr and compute its control words into
 * @hw, then apply the rules every architecture shares for kernel
 * addresses.
 */
static int hwbp_validate(struct perf_event *bp,
			 const struct perf_event_attr *attr,
			 struct arch_hw_breakpoint *hw)
{
	int ret = hw_breakpoint_arch_parse(bp, attr, hw);

	if (ret || !arch_check_bp_in_kernelspace(hw))
		return ret;

	/* A breakpoint that only counts user mode cannot watch the kernel. */
	if (attr->exclude_kernel)
		return -EINVAL;
	/* Watching the kernel leaks its behaviour: administrators only. */
	return capable(CAP_SYS_ADMIN) ? 0 : -EPERM;
}

/*
 * Reserve first: a full machine answers ENOSPC whatever else is wrong
 * with the attr, which is what the accounting tests expect.
 */
int register_perf_hw_breakpoint(struct perf_event *bp)
{
	struct arch_hw_breakpoint parsed = { };
	int ret = reserve_bp_slot(bp);

	if (ret)
		return ret;

	ret = hwbp_validate(bp, &bp->attr, &parsed);
	if (ret)
		release_bp_slot(bp);
	else
		bp->hw.info = parsed;
	return ret;
}

/*
 * Whether @a and @b agree on everything but the four fields a breakpoint
 * may change in place: address, type, length and the disabled bit.
 */
static bool hwbp_attrs_match_but_mutable(const struct perf_event_attr *a,
					 const struct perf_event_attr *b)
{
	struct perf_event_attr x = *a, y = *b;

	x.bp_addr = 0;
	y.bp_addr = 0;
	x.bp_type = 0;
	y.bp_type = 0;
	x.bp_len = 0;
	y.bp_len = 0;
	x.disabled = 0;
	y.disabled = 0;
	return !memcmp(&x, &y, sizeof(x));
}

/**
 * modify_user_hw_breakpoint_check - change a breakpoint in place
 * @bp: breakpoint event, already stopped by the caller
 * @attr: new attributes
 * @check: refuse changes to anything but address, type, length, disabled
 *
 * Nothing is changed unless the whole update succeeds.  Safe in atomic
 * context.
 *
 * Return: 0 or a negative errno.
 */
int modify_user_hw_breakpoint_check(struct perf_event *bp,
				    struct perf_event_attr *attr, bool check)
{
	struct arch_hw_breakpoint hw = { };
	int err;

	err = hwbp_validate(bp, attr, &hw);
	if (err)
		return err;

	if (check && !hwbp_attrs_match_but_mutable(attr, &bp->attr))
		return -EINVAL;

	err = hwbp_slots_change_type(bp, bp->attr.bp_type, attr->bp_type);
	if (err)
		return err;

	bp->attr.bp_addr = attr->bp_addr;
	bp->attr.bp_len = attr->bp_len;
	bp->attr.bp_type = attr->bp_type;
	bp->attr.disabled = attr->disabled;
	bp->hw.info = hw;
	return 0;
}

/* --- the PMU ------------------------------------------------------------- */

static int hwbp_event_init(struct perf_event *bp)
{
	int ret;

	if (bp->attr.type != PERF_TYPE_BREAKPOINT)
		return -ENOENT;

	/*
	 * No registers of this kind at all (powerpc has no instruction
	 * breakpoints) or a branch stack: the feature is missing.
	 */
	if (!hwbp_slots_in_class(hwbp_class_of(bp->attr.bp_type)) ||
	    has_branch_stack(bp))
		return -EOPNOTSUPP;

	ret = register_perf_hw_breakpoint(bp);
	/* Perf frees the event through ->destroy: the slot goes with it. */
	if (!ret)
		bp->destroy = release_bp_slot;
	return ret;
}

/*
 * Counting is gated by hw.state only: hw_breakpoint_hit() drops the hits
 * of a stopped event, while its register stays armed until del.
 */
static void hwbp_set_counting(struct perf_event *bp, bool counting)
{
	bp->hw.state = counting ? 0 : PERF_HES_STOPPED;
}

/* Breakpoints count through the software-event period machinery. */
static void hwbp_reset_period(struct perf_event *bp)
{
	struct hw_perf_event *hwc = &bp->hw;

	hwc->last_period = hwc->sample_period;
	perf_swevent_set_period(bp);
}

static int hwbp_pmu_add(struct perf_event *bp, int flags)
{
	hwbp_set_counting(bp, flags & PERF_EF_START);
	if (is_sampling_event(bp))
		hwbp_reset_period(bp);
	/* A disarmed wide breakpoint is scheduled but holds no register. */
	if (unlikely(hwbp_is_wide(bp)))
		return hwbp_wide_install(bp);
	return arch_install_hw_breakpoint(bp);
}

/* Giving the register back, if it holds one, is all there is to del. */
static void hwbp_pmu_del(struct perf_event *bp, int flags)
{
	if (unlikely(hwbp_is_wide(bp)))
		hwbp_wide_uninstall(bp);
	else
		arch_uninstall_hw_breakpoint(bp);
}

static void hwbp_pmu_start(struct perf_event *bp, int flags)
{
	hwbp_set_counting(bp, true);
}

static void hwbp_pmu_stop(struct perf_event *bp, int flags)
{
	hwbp_set_counting(bp, false);
}

static void hwbp_pmu_read(struct perf_event *bp)
{
	hw_breakpoint_pmu_read(bp);
}

static struct pmu hwbp_pmu = {
	/* Shares the software context: it can be grouped with sw events. */
	.task_ctx_nr	= perf_sw_context,
	.event_init	= hwbp_event_init,
	.add		= hwbp_pmu_add,
	.del		= hwbp_pmu_del,
	.start		= hwbp_pmu_start,
	.stop		= hwbp_pmu_stop,
	.read		= hwbp_pmu_read,
};

/* --- kernel API ---------------------------------------------------------- */

/**
 * register_user_hw_breakpoint - breakpoint that follows a task
 * @attr: breakpoint attributes
 * @triggered: handler called on each hit
 * @context: opaque data for @triggered
 * @tsk: task to watch, on whichever CPU it runs
 *
 * Return: the event, or an ERR_PTR().
 */
struct perf_event *
register_user_hw_breakpoint(struct perf_event_attr *attr,
			    perf_overflow_handler_t triggered, void *context,
			    struct task_struct *tsk)
{
	const int any_cpu = -1;

	return perf_event_create_kernel_counter(attr, any_cpu, tsk, triggered,
						context);
}
EXPORT_SYMBOL_GPL(register_user_hw_breakpoint);

/**
 * modify_user_hw_breakpoint - change address, type, length or state
 * @bp: breakpoint event
 * @attr: new attributes; only bp_addr, bp_type, bp_len and disabled count
 *
 * May be called with interrupts disabled by the task that owns @bp (from
 * its own overflow handler), as long as it leaves the breakpoint disabled.
 *
 * Return: 0 or a negative errno.
 */
int modify_user_hw_breakpoint(struct perf_event *bp,
			      struct perf_event_attr *attr)
{
	/*
	 * perf_event_disable() sleeps.  In atomic context the caller is the
	 * task the event lives on, so it can be stopped right here instead.
	 */
	bool on_this_task = bp->ctx && bp->ctx->task == current;
	int ret;

	if (on_this_task && irqs_disabled())
		perf_event_disable_local(bp);
	else
		perf_event_disable(bp);

	ret = modify_user_hw_breakpoint_check(bp, attr, false);
	/* Re-arm unless the new attributes leave it off. */
	if (bp->attr.disabled)
		return ret;
	perf_event_enable(bp);
	return ret;
}
EXPORT_SYMBOL_GPL(modify_user_hw_breakpoint);

/**
 * unregister_hw_breakpoint - remove a breakpoint and free its slot
 * @bp: breakpoint event, or NULL
 */
void unregister_hw_breakpoint(struct perf_event *bp)
{
	if (bp)
		perf_event_release_kernel(bp);
}
EXPORT_SYMBOL_GPL(unregister_hw_breakpoint);

/**
 * register_wide_hw_breakpoint_cpu - kernel breakpoint on one CPU
 * @attr: breakpoint attributes
 * @triggered: handler called on each hit
 * @context: opaque data for @triggered
 * @cpu: the CPU to watch
 *
 * Return: the event, or an ERR_PTR().
 */
struct perf_event *
register_wide_hw_breakpoint_cpu(struct perf_event_attr *attr,
				perf_overflow_handler_t triggered,
				void *context, int cpu)
{
	return perf_event_create_kernel_counter(attr, cpu, NULL, triggered,
						context);
}

/**
 * unregister_wide_hw_breakpoint - undo register_wide_hw_breakpoint()
 * @cpu_events: what register_wide_hw_breakpoint() returned
 */
void unregister_wide_hw_breakpoint(struct perf_event * __percpu *cpu_events)
{
	int cpu;

	for_each_possible_cpu(cpu)
		unregister_hw_breakpoint(*per_cpu_ptr(cpu_events, cpu));
	free_percpu(cpu_events);
}
EXPORT_SYMBOL_GPL(unregister_wide_hw_breakpoint);

/**
 * register_wide_hw_breakpoint - kernel breakpoint on every online CPU
 * @attr: breakpoint attributes
 * @triggered: handler called on each hit
 * @context: opaque data for @triggered
 *
 * CPUs that are offline now get no event.  Either every online CPU gets
 * one or none does.
 *
 * Return: per-CPU event pointers, or an ERR_PTR_PCPU().
 */
struct perf_event * __percpu *
register_wide_hw_breakpoint(struct perf_event_attr *attr,
			    perf_overflow_handler_t triggered, void *context)
{
	struct perf_event * __percpu *cpu_events;
	struct perf_event *bp = NULL;
	int cpu;

	cpu_events = alloc_percpu(typeof(*cpu_events));
	if (!cpu_events)
		return ERR_PTR_PCPU(-ENOMEM);

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		bp = register_wide_hw_breakpoint_cpu(attr, triggered, context,
						     cpu);
		if (IS_ERR(bp))
			break;
		*per_cpu_ptr(cpu_events, cpu) = bp;
	}
	cpus_read_unlock();

	if (!IS_ERR(bp))
		return cpu_events;

	unregister_wide_hw_breakpoint(cpu_events);
	return ERR_PTR_PCPU(PTR_ERR(bp));
}
EXPORT_SYMBOL_GPL(register_wide_hw_breakpoint);

/* --- hits --------------------------------------------------------------- */

/* perf's exclude_user/exclude_kernel, against where the hit happened. */
static bool hwbp_mode_excluded(const struct perf_event *bp,
			       struct pt_regs *regs)
{
	if (user_mode(regs))
		return bp->attr.exclude_user;
	return bp->attr.exclude_kernel;
}

/**
 * hw_breakpoint_hit - report one hit of a breakpoint to perf
 * @bp: the event whose register fired
 * @regs: where it fired
 *
 * A counting event (no sample period) only adds one to its count, which
 * is all perf_bp_event() does for it, after building a sample record it
 * then never uses; most hits are of such events (perf stat, and every
 * kernel user that reads counts), so they skip straight to the count.
 * Sampling events, and with them every overflow handler (ptrace, kgdb,
 * the ksym tracer), take perf_bp_event().
 *
 * Context: the architecture's exception handler, interrupts disabled.
 */
void hw_breakpoint_hit(struct perf_event *bp, struct pt_regs *regs)
{
	lockdep_assert_irqs_disabled();
	if (is_sampling_event(bp)) {
		perf_bp_event(bp, regs);
		return;
	}
	if (!bp->hw.state && !hwbp_mode_excluded(bp, regs))
		local64_inc(&bp->count);
}

NOKPROBE_SYMBOL(hw_breakpoint_hit);

/* --- boot ---------------------------------------------------------------- */

#ifndef ARCH_HW_BREAKPOINT_TRAP_HOOK
/* First on the die chain, so a hit is claimed before kgdb or kprobes look. */
static struct notifier_block hwbp_die_nb = {
	.notifier_call	= hw_breakpoint_exceptions_notify,
	.priority	= INT_MAX,
};

static int __init hwbp_register_die_notifier(void)
{
	return register_die_notifier(&hwbp_die_nb);
}
#else
/* The architecture's exception code calls its handler itself, first. */
static int __init hwbp_register_die_notifier(void)
{
	return 0;
}
#endif

int __init init_hw_breakpoint(void)
{
	int err;

	hwbp_slots_init();
	err = perf_pmu_register(&hwbp_pmu, "breakpoint", PERF_TYPE_BREAKPOINT);
	if (err)
		return err;

	return hwbp_register_die_notifier();
}
