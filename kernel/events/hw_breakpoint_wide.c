// SPDX-License-Identifier: GPL-2.0
/*
 * Wide kernel breakpoints that can be switched from atomic context.
 *
 * register_wide_hw_breakpoint() gives a breakpoint on the CPUs that are
 * online when it is called, and changing it afterwards means
 * perf_event_disable()/perf_event_enable() on each CPU: both sleep.
 * Tracers want more: reserve the debug registers once, when the user asks
 * for the watch (so ENOSPC is reported to the user, not lost in a hit
 * path), then switch the watch on and off, or move it to another address,
 * from wherever ftrace runs (triggers run in any context), and follow CPUs
 * that come online later.  A struct wide_hw_breakpoint does that:
 *
 *  - creation makes one pinned perf event per online CPU, and one for each
 *    CPU that comes online later; each holds its slot from creation to
 *    destruction, whether armed or not;
 *  - the *target* (address, length, type, armed) lives in the object and
 *    carries a generation number; arming, disarming or retargeting bumps
 *    it, applies it on the local CPU at once and queues an irq_work on
 *    every other CPU, which applies the newest target when it runs;
 *  - applying a target on a CPU swaps the register under perf's feet:
 *    the event stays scheduled as far as perf is concerned, and the PMU's
 *    add/del ask hwbp_wide_parked() whether there is a register to program.
 *
 * An unarmed event holds no debug register, but keeps its slot in the
 * accounting, so arming it can never find the CPU full.  The type may
 * change only within its slot class (data stays data), for the same
 * reason.
 *
 * Locking
 * -------
 * - wbp->lock (raw, irqsave) orders target updates and the mask of CPUs
 *   that have a live event.  It is never held while calling into perf.
 * - Per-CPU state (struct hwbp_wide_cpu) other than ->bp is only touched
 *   on its own CPU with interrupts disabled: by the apply step, and by
 *   the PMU's add/del, which perf runs there with interrupts disabled.
 *   That is what makes the swap safe without perf's context lock.
 * - ->bp changes only in process context, in the CPU hotplug callbacks
 *   (which run on that CPU) and at create/destroy, after the CPU has left
 *   the live mask and its irq_work has been flushed.
 * - Creating and destroying take perf's context mutexes.  Callers that
 *   hold a lock perf may take inside those (ftrace's event_mutex) destroy
 *   through a work item instead, and creation waits for that work first,
 *   so the slots it frees are never reported as missing.
 */

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/cpumask.h>
#include <linux/export.h>
#include <linux/hw_breakpoint.h>
#include <linux/init.h>
#include <linux/irq_work.h>
#include <linux/llist.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "hw_breakpoint_slots.h"
#include "hw_breakpoint_wide.h"

struct hwbp_wide_target {
	u64 addr;
	u64 len;
	u32 type;
	bool armed;
	u64 gen;
};

struct hwbp_wide_cpu {
	struct wide_hw_breakpoint *wbp;
	struct perf_event *bp;
	struct irq_work sync;
	u64 gen;		/* generation of the target applied here */
	bool armed;		/* the applied target wants a register */
	bool installed;		/* the register is programmed */
};

struct wide_hw_breakpoint {
	struct hlist_node cpuhp_node;
	struct perf_event_attr attr;	/* template for CPUs coming online */
	perf_overflow_handler_t triggered;
	void *context;
	struct hwbp_wide_cpu __percpu *cpus;

	raw_spinlock_t lock;
	struct hwbp_wide_target target;
	cpumask_t live;			/* CPUs whose event follows target */

	/* wide_hw_breakpoint_destroy_deferred() */
	struct llist_node doomed;
	void (*destroyed)(void *arg);
	void *destroyed_arg;
};

static enum cpuhp_state hwbp_wide_cpuhp_state;

static LLIST_HEAD(hwbp_wide_doomed);
static void hwbp_wide_reap(struct work_struct *work);
static DECLARE_WORK(hwbp_wide_reaper, hwbp_wide_reap);

/* --- the PMU's view -------------------------------------------------------- */

static struct hwbp_wide_cpu *hwbp_wide_cpu_of(struct perf_event *bp)
{
	return bp->pmu_private;
}

/**
 * hwbp_wide_install - program @bp's register unless its wide owner is off
 * @bp: one CPU's event of a wide breakpoint (hwbp_is_wide()), being added
 *      to that CPU by perf
 *
 * Return: 0 or the architecture's error.
 */
int hwbp_wide_install(struct perf_event *bp)
{
	struct hwbp_wide_cpu *c = hwbp_wide_cpu_of(bp);
	int ret;

	if (!c->armed)
		return 0;
	ret = arch_install_hw_breakpoint(bp);
	c->installed = !ret;
	return ret;
}

/**
 * hwbp_wide_uninstall - give back @bp's register if it holds one
 * @bp: one CPU's event of a wide breakpoint, being removed by perf
 */
void hwbp_wide_uninstall(struct perf_event *bp)
{
	struct hwbp_wide_cpu *c = hwbp_wide_cpu_of(bp);

	if (!c->installed)
		return;
	arch_uninstall_hw_breakpoint(bp);
	c->installed = false;
}

/* --- targets --------------------------------------------------------------- */

/* Fill @attr's breakpoint fields from @t. */
static void hwbp_wide_attr_at(struct perf_event_attr *attr,
			      const struct hwbp_wide_target *t)
{
	attr->bp_addr = t->addr;
	attr->bp_len = t->len;
	attr->bp_type = t->type;
}

static struct hwbp_wide_target hwbp_wide_snapshot(struct wide_hw_breakpoint *wbp)
{
	struct hwbp_wide_target t;
	unsigned long flags;

	raw_spin_lock_irqsave(&wbp->lock, flags);
	t = wbp->target;
	raw_spin_unlock_irqrestore(&wbp->lock, flags);
	return t;
}

/*
 * Make this CPU's event follow the newest target.  Interrupts are off and
 * we are on the event's CPU: perf's add/del cannot run meanwhile.
 */
static void hwbp_wide_apply_local(struct hwbp_wide_cpu *c)
{
	struct hwbp_wide_target t = hwbp_wide_snapshot(c->wbp);
	struct perf_event *bp = c->bp;
	struct perf_event_attr attr;
	struct arch_hw_breakpoint hw = { };
	bool scheduled;

	lockdep_assert_irqs_disabled();
	if (!bp || c->gen == t.gen)
		return;

	attr = bp->attr;
	hwbp_wide_attr_at(&attr, &t);
	/* The target was checked when it was set; this only fills @hw. */
	if (WARN_ON_ONCE(hw_breakpoint_arch_parse(bp, &attr, &hw)))
		t.armed = false;

	scheduled = READ_ONCE(bp->oncpu) == smp_processor_id();
	if (c->installed)
		hwbp_wide_uninstall(bp);

	hwbp_wide_attr_at(&bp->attr, &t);
	bp->hw.info = hw;
	c->armed = t.armed;
	c->gen = t.gen;

	/* Not scheduled: perf's next add programs it. */
	if (scheduled && c->armed && hwbp_wide_install(bp))
		c->armed = false;	/* the accounting promised a slot */
}

static void hwbp_wide_sync_fn(struct irq_work *work)
{
	hwbp_wide_apply_local(container_of(work, struct hwbp_wide_cpu, sync));
}

/*
 * Publish @t (armed or not) as the newest target, apply it here and ask
 * every other live CPU to apply it.
 */
static void hwbp_wide_publish(struct wide_hw_breakpoint *wbp,
			      const struct hwbp_wide_target *t)
{
	unsigned long flags;
	int this_cpu, cpu;

	raw_spin_lock_irqsave(&wbp->lock, flags);
	wbp->target.addr = t->addr;
	wbp->target.len = t->len;
	wbp->target.type = t->type;
	wbp->target.armed = t->armed;
	wbp->target.gen++;

	this_cpu = smp_processor_id();
	for_each_cpu(cpu, &wbp->live) {
		struct hwbp_wide_cpu *c = per_cpu_ptr(wbp->cpus, cpu);

		if (cpu != this_cpu)
			irq_work_queue_on(&c->sync, cpu);
	}
	raw_spin_unlock(&wbp->lock);

	if (cpumask_test_cpu(this_cpu, &wbp->live))
		hwbp_wide_apply_local(this_cpu_ptr(wbp->cpus));
	local_irq_restore(flags);
}

/*
 * Check that a breakpoint like @wbp's at @addr/@len/@type is one the
 * architecture accepts, without asking for privileges again: the
 * creator's were checked at creation, in process context.
 */
static int hwbp_wide_check(struct wide_hw_breakpoint *wbp, u64 addr, u64 len,
			   u32 type)
{
	struct perf_event_attr attr = wbp->attr;
	struct arch_hw_breakpoint hw = { };
	struct perf_event *bp = NULL;
	int cpu, ret;

	if (hwbp_class_of(type) != hwbp_class_of(wbp->attr.bp_type))
		return -EINVAL;

	attr.bp_addr = addr;
	attr.bp_len = len;
	attr.bp_type = type;
	/* Any of our events will do: the architecture only reads the attr. */
	for_each_possible_cpu(cpu) {
		bp = READ_ONCE(per_cpu_ptr(wbp->cpus, cpu)->bp);
		if (bp)
			break;
	}
	if (!bp)
		return -ENODEV;

	ret = hw_breakpoint_arch_parse(bp, &attr, &hw);
	if (ret)
		return ret;
	if (attr.exclude_kernel && arch_check_bp_in_kernelspace(&hw))
		return -EINVAL;
	return 0;
}

/* --- the API --------------------------------------------------------------- */

/**
 * wide_hw_breakpoint_modify - set what @wbp watches, from any context
 * @wbp: the wide breakpoint
 * @addr: first byte to watch
 * @len: bytes to watch, as in perf_event_attr::bp_len
 * @type: access kind, in the slot class @wbp was created with
 * @armed: whether to watch it now, or only remember it
 *
 * Safe in atomic context, including with interrupts disabled, but not in
 * NMI context.  The local CPU follows before this returns; the other
 * online CPUs follow from an irq_work, very soon but not synchronously
 * (see wide_hw_breakpoint_sync()).  Nothing changes if an error is
 * returned.
 *
 * Return: 0, or -EINVAL for a target the architecture cannot watch or of
 * another class than @wbp's (data versus instruction).
 */
int wide_hw_breakpoint_modify(struct wide_hw_breakpoint *wbp, u64 addr,
			      u64 len, u32 type, bool armed)
{
	struct hwbp_wide_target t = {
		.addr = addr, .len = len, .type = type, .armed = armed,
	};
	int ret = hwbp_wide_check(wbp, addr, len, type);

	if (!ret)
		hwbp_wide_publish(wbp, &t);
	return ret;
}
EXPORT_SYMBOL_GPL(wide_hw_breakpoint_modify);

/**
 * wide_hw_breakpoint_arm - watch @addr on every CPU, from any context
 * @wbp: the wide breakpoint
 * @addr: first byte to watch
 * @len: bytes to watch
 * @type: access kind, in @wbp's slot class
 *
 * wide_hw_breakpoint_modify() with @armed set: arms a disarmed breakpoint
 * or moves an armed one.
 *
 * Return: as wide_hw_breakpoint_modify().
 */
int wide_hw_breakpoint_arm(struct wide_hw_breakpoint *wbp, u64 addr, u64 len,
			   u32 type)
{
	return wide_hw_breakpoint_modify(wbp, addr, len, type, true);
}
EXPORT_SYMBOL_GPL(wide_hw_breakpoint_arm);

/**
 * wide_hw_breakpoint_disarm - stop watching, from any context
 * @wbp: the wide breakpoint
 *
 * The debug registers are given back; the slots stay reserved, so a later
 * wide_hw_breakpoint_arm() cannot fail for lack of them.  Same contexts
 * and timing as wide_hw_breakpoint_arm().
 */
void wide_hw_breakpoint_disarm(struct wide_hw_breakpoint *wbp)
{
	struct hwbp_wide_target t = hwbp_wide_snapshot(wbp);

	t.armed = false;
	hwbp_wide_publish(wbp, &t);
}
EXPORT_SYMBOL_GPL(wide_hw_breakpoint_disarm);

/**
 * wide_hw_breakpoint_sync - wait until every CPU follows the last change
 * @wbp: the wide breakpoint
 *
 * Sleeps.  After it returns, a hit on any online CPU is a hit of the
 * target set last (or no hit at all, if it was disarmed).
 */
void wide_hw_breakpoint_sync(struct wide_hw_breakpoint *wbp)
{
	int cpu;

	might_sleep();
	for_each_possible_cpu(cpu)
		irq_work_sync(&per_cpu_ptr(wbp->cpus, cpu)->sync);
}
EXPORT_SYMBOL_GPL(wide_hw_breakpoint_sync);

/**
 * wide_hw_breakpoint_armed - whether @wbp watches now
 * @wbp: the wide breakpoint
 *
 * Return: true if the last change armed it.
 */
bool wide_hw_breakpoint_armed(struct wide_hw_breakpoint *wbp)
{
	return hwbp_wide_snapshot(wbp).armed;
}
EXPORT_SYMBOL_GPL(wide_hw_breakpoint_armed);

/* --- events per CPU -------------------------------------------------------- */

/*
 * Create, set up and start @cpu's event.  Called on @cpu, or with CPU
 * hotplug held off.  The event starts unarmed and is then given the
 * newest target, so a change racing with this is never lost.
 */
static int hwbp_wide_attach_cpu(struct wide_hw_breakpoint *wbp, int cpu)
{
	struct hwbp_wide_cpu *c = per_cpu_ptr(wbp->cpus, cpu);
	struct hwbp_wide_target t = hwbp_wide_snapshot(wbp);
	struct perf_event_attr attr = wbp->attr;
	struct perf_event *bp;
	unsigned long flags;

	hwbp_wide_attr_at(&attr, &t);
	attr.disabled = 1;
	bp = perf_event_create_kernel_counter(&attr, cpu, NULL, wbp->triggered,
					      wbp->context);
	if (IS_ERR(bp))
		return PTR_ERR(bp);

	c->gen = 0;		/* generations start at 1: apply the first */
	c->armed = false;
	c->installed = false;
	bp->pmu_private = c;
	WRITE_ONCE(c->bp, bp);
	perf_event_enable(bp);

	raw_spin_lock_irqsave(&wbp->lock, flags);
	cpumask_set_cpu(cpu, &wbp->live);
	raw_spin_unlock_irqrestore(&wbp->lock, flags);
	/* The local apply, or an irq_work if we are not on @cpu. */
	irq_work_queue_on(&c->sync, cpu);
	return 0;
}

/* Stop sending @cpu updates and wait for the last one to finish there. */
static void hwbp_wide_quiesce_cpu(struct wide_hw_breakpoint *wbp, int cpu)
{
	struct hwbp_wide_cpu *c = per_cpu_ptr(wbp->cpus, cpu);
	unsigned long flags;

	raw_spin_lock_irqsave(&wbp->lock, flags);
	cpumask_clear_cpu(cpu, &wbp->live);
	raw_spin_unlock_irqrestore(&wbp->lock, flags);
	irq_work_sync(&c->sync);
}

static void hwbp_wide_release_cpu(struct wide_hw_breakpoint *wbp, int cpu)
{
	struct hwbp_wide_cpu *c = per_cpu_ptr(wbp->cpus, cpu);
	struct perf_event *bp = c->bp;

	WRITE_ONCE(c->bp, NULL);
	unregister_hw_breakpoint(bp);
}

/*
 * A CPU came online.  Its old event, if any, was taken off the CPU by perf
 * when the CPU went down, but kept its slot, so that nothing could take
 * the slot meanwhile; give it back and start a fresh event.
 */
static int hwbp_wide_cpu_online(unsigned int cpu, struct hlist_node *node)
{
	struct wide_hw_breakpoint *wbp =
		hlist_entry(node, struct wide_hw_breakpoint, cpuhp_node);
	int ret;

	hwbp_wide_release_cpu(wbp, cpu);
	ret = hwbp_wide_attach_cpu(wbp, cpu);
	/* Failing here would fail the CPU's bring-up: only say so. */
	if (ret)
		pr_warn_ratelimited("hw-breakpoint: wide breakpoint at 0x%llx not on CPU %u: %d\n",
				    wbp->attr.bp_addr, cpu, ret);
	return 0;
}

static int hwbp_wide_cpu_offline(unsigned int cpu, struct hlist_node *node)
{
	hwbp_wide_quiesce_cpu(hlist_entry(node, struct wide_hw_breakpoint,
					  cpuhp_node), cpu);
	return 0;
}

static void hwbp_wide_free(struct wide_hw_breakpoint *wbp)
{
	int cpu;

	for_each_possible_cpu(cpu)
		hwbp_wide_release_cpu(wbp, cpu);
	free_percpu(wbp->cpus);
	kfree(wbp);
}

/**
 * wide_hw_breakpoint_create - a kernel breakpoint on every CPU
 * @attr: breakpoint attributes; its address, length and type are the
 *        first target, and @attr->disabled creates it disarmed
 * @triggered: handler called on each hit, on the CPU that hit
 * @context: ->overflow_handler_context of every event
 *
 * Reserves a slot on every online CPU, and on each CPU that comes online
 * later, for the object's whole life.  Sleeps.
 *
 * Return: the wide breakpoint, or an ERR_PTR(): -ENOSPC when a CPU has no
 * slot left, -EINVAL or -EPERM as for register_wide_hw_breakpoint().
 */
struct wide_hw_breakpoint *
wide_hw_breakpoint_create(const struct perf_event_attr *attr,
			  perf_overflow_handler_t triggered, void *context)
{
	struct wide_hw_breakpoint *wbp;
	int cpu, ret = 0;

	if (!hwbp_wide_cpuhp_state)
		return ERR_PTR(-ENODEV);
	/* Slots that deferred destructions are about to free count as free. */
	flush_work(&hwbp_wide_reaper);

	wbp = kzalloc(sizeof(*wbp), GFP_KERNEL);
	if (!wbp)
		return ERR_PTR(-ENOMEM);
	wbp->cpus = alloc_percpu(struct hwbp_wide_cpu);
	if (!wbp->cpus) {
		kfree(wbp);
		return ERR_PTR(-ENOMEM);
	}
	for_each_possible_cpu(cpu) {
		struct hwbp_wide_cpu *c = per_cpu_ptr(wbp->cpus, cpu);

		c->wbp = wbp;
		c->sync = IRQ_WORK_INIT_HARD(hwbp_wide_sync_fn);
	}
	raw_spin_lock_init(&wbp->lock);
	wbp->attr = *attr;
	wbp->attr.pinned = 1;
	wbp->triggered = triggered;
	wbp->context = context;
	wbp->target = (struct hwbp_wide_target) {
		.addr = attr->bp_addr, .len = attr->bp_len,
		.type = attr->bp_type, .armed = !attr->disabled, .gen = 1,
	};

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		ret = hwbp_wide_attach_cpu(wbp, cpu);
		if (ret)
			break;
	}
	if (!ret)
		ret = cpuhp_state_add_instance_nocalls_cpuslocked(hwbp_wide_cpuhp_state,
								  &wbp->cpuhp_node);
	cpus_read_unlock();

	if (ret) {
		for_each_possible_cpu(cpu)
			hwbp_wide_quiesce_cpu(wbp, cpu);
		hwbp_wide_free(wbp);
		return ERR_PTR(ret);
	}
	wide_hw_breakpoint_sync(wbp);
	return wbp;
}
EXPORT_SYMBOL_GPL(wide_hw_breakpoint_create);

/**
 * wide_hw_breakpoint_destroy - remove a wide breakpoint, release its slots
 * @wbp: the wide breakpoint, or NULL
 *
 * Sleeps.  No wide_hw_breakpoint_arm() or _disarm() call on @wbp may be
 * in flight or follow.
 */
void wide_hw_breakpoint_destroy(struct wide_hw_breakpoint *wbp)
{
	int cpu;

	if (!wbp)
		return;
	/* Hotplug callbacks no longer see it; then no CPU gets updates. */
	cpuhp_state_remove_instance_nocalls(hwbp_wide_cpuhp_state,
					    &wbp->cpuhp_node);
	for_each_possible_cpu(cpu)
		hwbp_wide_quiesce_cpu(wbp, cpu);
	hwbp_wide_free(wbp);
}
EXPORT_SYMBOL_GPL(wide_hw_breakpoint_destroy);

static void hwbp_wide_reap(struct work_struct *work)
{
	struct llist_node *list = llist_del_all(&hwbp_wide_doomed);
	struct wide_hw_breakpoint *wbp, *next;

	llist_for_each_entry_safe(wbp, next, list, doomed) {
		void (*destroyed)(void *arg) = wbp->destroyed;
		void *arg = wbp->destroyed_arg;

		wide_hw_breakpoint_destroy(wbp);
		if (destroyed)
			destroyed(arg);
	}
}

/**
 * wide_hw_breakpoint_destroy_deferred - destroy @wbp from a work item
 * @wbp: the wide breakpoint
 * @destroyed: called once @wbp is gone and no handler runs any more, or
 *             NULL; the place to free the handler's context
 * @arg: argument for @destroyed
 *
 * For callers holding locks that perf may take while holding its own
 * mutexes.  @wbp is disarmed at once; its slots are released before the
 * next wide_hw_breakpoint_create() reserves any.  Does not sleep.
 */
void wide_hw_breakpoint_destroy_deferred(struct wide_hw_breakpoint *wbp,
					 void (*destroyed)(void *arg),
					 void *arg)
{
	wide_hw_breakpoint_disarm(wbp);
	wbp->destroyed = destroyed;
	wbp->destroyed_arg = arg;
	llist_add(&wbp->doomed, &hwbp_wide_doomed);
	schedule_work(&hwbp_wide_reaper);
}
EXPORT_SYMBOL_GPL(wide_hw_breakpoint_destroy_deferred);

static int __init hwbp_wide_init(void)
{
	int ret = cpuhp_setup_state_multi(CPUHP_AP_ONLINE_DYN,
					  "perf/hw_breakpoint/wide:online",
					  hwbp_wide_cpu_online,
					  hwbp_wide_cpu_offline);

	if (ret < 0)
		return ret;
	hwbp_wide_cpuhp_state = ret;
	return 0;
}
core_initcall(hwbp_wide_init);
