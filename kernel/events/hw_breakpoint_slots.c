// SPDX-License-Identifier: GPL-2.0
/*
 * Slot accounting for hardware breakpoints.
 *
 * A breakpoint event is accepted only if perf can always schedule it next
 * to everything already accepted, so that a pinned breakpoint never fails
 * to go on.  The debug registers themselves are picked later, when the
 * event is scheduled in (see the architecture's install hook); this file
 * only counts.
 *
 * The rule, per slot class (instruction or data) and per CPU c:
 *
 *	pinned(c) + need(T, c) <= slots		for every task T
 *
 * so a new breakpoint fits where the sum is still below the slot count.
 *
 * pinned(c) is the number of CPU-bound breakpoints (no task) on c.
 * need(T, c) is what task T uses on c: its breakpoints bound to c plus its
 * breakpoints that follow it to any CPU.  Two tasks never run on one CPU at
 * the same time, so only the neediest task matters on each CPU.
 *
 * Finding the neediest task must not mean walking all tasks, because a
 * tracer may watch thousands of threads.  The tables below therefore keep
 * histograms - how many tasks (or CPUs) sit at each need level - and the
 * maximum is the highest non-empty level, found in O(slots):
 *
 *  - any_cpu_tasks_at[n]: tasks with n any-CPU breakpoints.
 *  - per CPU, tasks_at[n]: tasks that have a breakpoint bound to this CPU
 *    and need n slots here in total.  A task without one needs only its
 *    any-CPU count here, which any_cpu_tasks_at already covers, so the
 *    maximum of the two histograms is exact.
 *  - cpus_pinned_at[n]: CPUs with n CPU-bound breakpoints, so that an
 *    any-CPU task breakpoint is checked against every CPU in O(slots).
 *
 * Per-task counts live in a small record found by hashing the task
 * pointer.  A record exists while the task has at least one reserved
 * breakpoint; perf keeps a reference on the task until the event's destroy
 * callback has released the slot, so the pointer cannot be reused early.
 *
 * Locking
 * -------
 * One raw spinlock, bp_slots_lock, guards every table and record here.  It
 * is raw and taken with interrupts disabled because modify can reach us
 * from atomic context (powerpc's ptrace overflow handler).  Every section
 * under it is short and never allocates: records are allocated before the
 * lock is taken and the section is retried.  It is the innermost lock of
 * the breakpoint layer; perf's ctx->mutex and ctx->lock may be held by
 * callers, nothing is taken inside it.
 *
 * kgdb calls dbg_reserve_bp_slot() and dbg_release_bp_slot() with every
 * other CPU stopped, possibly in the middle of a locked section.  Those
 * calls never take the lock: if it is held they return -1, otherwise the
 * stopped CPUs cannot take it before the debugger resumes them, so the
 * tables may be changed directly.  They also never allocate or free.
 */

#include <linux/cpumask.h>
#include <linux/hashtable.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "hw_breakpoint_slots.h"

struct bp_cpu_load {
	u8 pinned[TYPE_MAX];
	unsigned int tasks_at[TYPE_MAX][HWBP_SLOTS_MAX + 1];
};

struct bp_task_load {
	struct hlist_node node;
	struct task_struct *task;
	u8 any_cpu[TYPE_MAX];
	unsigned int nr_bound;
	/* bound[cpu * TYPE_MAX + class]; NULL until the first bound breakpoint */
	u8 *bound;
};

/* Memory a locked section asked for and the caller allocated unlocked. */
struct bp_spare {
	struct bp_task_load *load;
	u8 *bound;
	bool want_load;
	bool want_bound;
};

static DEFINE_RAW_SPINLOCK(bp_slots_lock);
static DEFINE_PER_CPU(struct bp_cpu_load, bp_cpu_load);
static DEFINE_HASHTABLE(bp_task_table, 10);
static unsigned int any_cpu_tasks_at[TYPE_MAX][HWBP_SLOTS_MAX + 1];
static unsigned int cpus_pinned_at[TYPE_MAX][HWBP_SLOTS_MAX + 1];
static int slots_per_class[TYPE_MAX] __read_mostly;

/* --- histograms ---------------------------------------------------------- */

static int highest_level(const unsigned int *levels, int nslots)
{
	int n;

	for (n = nslots; n > 0; n--) {
		if (levels[n])
			return n;
	}
	return 0;
}

/* Level 0 is "uses nothing" and is not tracked. */
static void move_level(unsigned int *levels, int from, int to)
{
	if (WARN_ON_ONCE(from > HWBP_SLOTS_MAX || to > HWBP_SLOTS_MAX))
		return;
	if (from)
		levels[from]--;
	if (to)
		levels[to]++;
}

/* --- per-task records ---------------------------------------------------- */

static struct bp_task_load *find_task_load(struct task_struct *tsk)
{
	struct bp_task_load *load;

	hash_for_each_possible(bp_task_table, load, node, (unsigned long)tsk) {
		if (load->task == tsk)
			return load;
	}
	return NULL;
}

static int bound_on(const struct bp_task_load *load, int cpu, int class)
{
	if (!load || !load->bound)
		return 0;
	return load->bound[cpu * TYPE_MAX + class];
}

static int any_cpu_of(const struct bp_task_load *load, int class)
{
	return load ? load->any_cpu[class] : 0;
}

static bool task_load_is_empty(const struct bp_task_load *load)
{
	int class;

	for (class = 0; class < TYPE_MAX; class++) {
		if (load->any_cpu[class])
			return false;
	}
	return !load->nr_bound;
}

static void free_task_load(struct bp_task_load *load)
{
	if (load) {
		kfree(load->bound);
		kfree(load);
	}
}

/* --- the fit tests ------------------------------------------------------- */

static int cpu_pinned(int cpu, int class)
{
	return per_cpu_ptr(&bp_cpu_load, cpu)->pinned[class];
}

static bool cpu_bound_fits(int cpu, int class)
{
	struct bp_cpu_load *load = per_cpu_ptr(&bp_cpu_load, cpu);
	int nslots = slots_per_class[class];
	int neediest;

	neediest = max(highest_level(load->tasks_at[class], nslots),
		       highest_level(any_cpu_tasks_at[class], nslots));
	return load->pinned[class] + neediest < nslots;
}

static bool task_bound_fits(const struct bp_task_load *load, int cpu, int class)
{
	int nslots = slots_per_class[class];
	int any = any_cpu_of(load, class);
	int c;

	if (cpu >= 0)
		return cpu_pinned(cpu, class) + any +
		       bound_on(load, cpu, class) < nslots;

	/* Follows the task everywhere: must fit on the fullest CPU. */
	if (!load || !load->nr_bound)
		return highest_level(cpus_pinned_at[class], nslots) + any <
		       nslots;

	for_each_possible_cpu(c) {
		if (cpu_pinned(c, class) + any + bound_on(load, c, class) >=
		    nslots)
			return false;
	}
	return true;
}

/* --- updates ------------------------------------------------------------- */

static void add_cpu_bound(int cpu, int class, int delta)
{
	u8 *pinned = &per_cpu_ptr(&bp_cpu_load, cpu)->pinned[class];

	move_level(cpus_pinned_at[class], *pinned, *pinned + delta);
	*pinned += delta;
}

static void add_task_any_cpu(struct bp_task_load *load, int class, int delta)
{
	int old = load->any_cpu[class];
	int c, b;

	move_level(any_cpu_tasks_at[class], old, old + delta);
	load->any_cpu[class] = old + delta;
	if (!load->nr_bound)
		return;

	/* The task's need moves on every CPU it also has bound breakpoints. */
	for_each_possible_cpu(c) {
		b = bound_on(load, c, class);
		if (b)
			move_level(per_cpu_ptr(&bp_cpu_load, c)->tasks_at[class],
				   old + b, old + delta + b);
	}
}

static void add_task_bound(struct bp_task_load *load, int cpu, int class,
			   int delta)
{
	u8 *bound = &load->bound[cpu * TYPE_MAX + class];
	int any = load->any_cpu[class];
	int from = *bound ? any + *bound : 0;
	int to = *bound + delta ? any + *bound + delta : 0;

	move_level(per_cpu_ptr(&bp_cpu_load, cpu)->tasks_at[class], from, to);
	*bound += delta;
	load->nr_bound += delta;
}

/*
 * Reserve one slot of @class for @bp.  Returns -EAGAIN, with @spare's want
 * flags set, when a record has to be allocated first; nothing has changed
 * then.
 */
static int take_slot(struct perf_event *bp, int class, struct bp_spare *spare)
{
	struct task_struct *tsk = bp->hw.target;
	struct bp_task_load *load;
	int cpu = bp->cpu;

	if (!tsk) {
		if (cpu < 0)
			return -EINVAL;
		if (!cpu_bound_fits(cpu, class))
			return -ENOSPC;
		add_cpu_bound(cpu, class, 1);
		return 0;
	}

	load = find_task_load(tsk);
	if (!task_bound_fits(load, cpu, class))
		return -ENOSPC;

	spare->want_load = !load && !spare->load;
	spare->want_bound = cpu >= 0 && !(load && load->bound) && !spare->bound;
	if (spare->want_load || spare->want_bound)
		return -EAGAIN;

	if (!load) {
		load = spare->load;
		spare->load = NULL;
		load->task = tsk;
		hash_add(bp_task_table, &load->node, (unsigned long)tsk);
	}
	if (cpu >= 0 && !load->bound) {
		load->bound = spare->bound;
		spare->bound = NULL;
	}

	if (cpu < 0)
		add_task_any_cpu(load, class, 1);
	else
		add_task_bound(load, cpu, class, 1);
	return 0;
}

/*
 * Give back @bp's slot of @class.  Returns the task record if it became
 * empty and was unhashed; the caller frees it outside the lock.
 */
static struct bp_task_load *put_slot(struct perf_event *bp, int class,
				     bool may_unhash)
{
	struct task_struct *tsk = bp->hw.target;
	struct bp_task_load *load;
	int cpu = bp->cpu;

	if (!tsk) {
		if (!WARN_ON_ONCE(cpu < 0 || !cpu_pinned(cpu, class)))
			add_cpu_bound(cpu, class, -1);
		return NULL;
	}

	load = find_task_load(tsk);
	if (cpu < 0) {
		if (WARN_ON_ONCE(!any_cpu_of(load, class)))
			return NULL;
		add_task_any_cpu(load, class, -1);
	} else {
		if (WARN_ON_ONCE(!bound_on(load, cpu, class)))
			return NULL;
		add_task_bound(load, cpu, class, -1);
	}

	if (!may_unhash || !task_load_is_empty(load))
		return NULL;
	hash_del(&load->node);
	return load;
}

static int fill_spare(struct bp_spare *spare)
{
	if (spare->want_load) {
		spare->load = kzalloc(sizeof(*spare->load), GFP_KERNEL);
		if (!spare->load)
			return -ENOMEM;
	}
	if (spare->want_bound) {
		spare->bound = kcalloc(nr_cpu_ids, TYPE_MAX, GFP_KERNEL);
		if (!spare->bound)
			return -ENOMEM;
	}
	return 0;
}

static bool bp_type_is_valid(u32 bp_type)
{
	return bp_type != HW_BREAKPOINT_EMPTY && bp_type != HW_BREAKPOINT_INVALID;
}

/* --- interface ----------------------------------------------------------- */

enum bp_type_idx hwbp_class_of(u32 bp_type)
{
	return bp_type & HW_BREAKPOINT_RW ? TYPE_DATA : TYPE_INST;
}

int hwbp_slots_in_class(enum bp_type_idx class)
{
	return slots_per_class[class];
}

int reserve_bp_slot(struct perf_event *bp)
{
	struct bp_spare spare = { };
	unsigned long flags;
	int class, ret;

	if (!bp_type_is_valid(bp->attr.bp_type))
		return -EINVAL;
	class = hwbp_class_of(bp->attr.bp_type);

	for (;;) {
		raw_spin_lock_irqsave(&bp_slots_lock, flags);
		ret = take_slot(bp, class, &spare);
		raw_spin_unlock_irqrestore(&bp_slots_lock, flags);
		if (ret != -EAGAIN)
			break;
		ret = fill_spare(&spare);
		if (ret)
			break;
	}

	free_task_load(spare.load);
	kfree(spare.bound);
	return ret;
}

void release_bp_slot(struct perf_event *bp)
{
	struct bp_task_load *empty;
	unsigned long flags;

	raw_spin_lock_irqsave(&bp_slots_lock, flags);
	empty = put_slot(bp, hwbp_class_of(bp->attr.bp_type), true);
	raw_spin_unlock_irqrestore(&bp_slots_lock, flags);
	free_task_load(empty);
}

/*
 * Move @bp's reservation from the class of @old_type to that of @new_type.
 * The two classes are separate pools, so taking the new slot before giving
 * back the old one never refuses a change that would fit; and a task record
 * involved already exists, so nothing needs allocating (modify may run in
 * atomic context).
 */
int hwbp_slots_change_type(struct perf_event *bp, u32 old_type, u32 new_type)
{
	int old_class = hwbp_class_of(old_type);
	int new_class = hwbp_class_of(new_type);
	struct bp_spare none = { };
	unsigned long flags;
	int ret;

	if (!bp_type_is_valid(new_type))
		return -EINVAL;
	if (old_class == new_class)
		return 0;

	raw_spin_lock_irqsave(&bp_slots_lock, flags);
	ret = take_slot(bp, new_class, &none);
	if (!ret)
		put_slot(bp, old_class, false);
	raw_spin_unlock_irqrestore(&bp_slots_lock, flags);

	return ret == -EAGAIN ? -ENOMEM : ret;
}

/**
 * dbg_reserve_bp_slot - reserve a slot from the kernel debugger
 * @bp: breakpoint event
 *
 * Called with all other CPUs stopped; see "Locking" above.
 *
 * Return: 0, a negative errno, or -1 if the accounting was busy.
 */
int dbg_reserve_bp_slot(struct perf_event *bp)
{
	struct bp_spare none = { };
	int ret;

	if (raw_spin_is_locked(&bp_slots_lock))
		return -1;
	if (!bp_type_is_valid(bp->attr.bp_type))
		return -EINVAL;
	ret = take_slot(bp, hwbp_class_of(bp->attr.bp_type), &none);
	return ret == -EAGAIN ? -ENOMEM : ret;
}

/**
 * dbg_release_bp_slot - release a slot from the kernel debugger
 * @bp: breakpoint event
 *
 * An emptied task record stays hashed (it cannot be freed here) and is
 * reused if that task reserves again.
 *
 * Return: 0, or -1 if the accounting was busy.
 */
int dbg_release_bp_slot(struct perf_event *bp)
{
	if (raw_spin_is_locked(&bp_slots_lock))
		return -1;
	put_slot(bp, hwbp_class_of(bp->attr.bp_type), false);
	return 0;
}

/**
 * hw_breakpoint_is_used - tell whether any slot is reserved anywhere
 *
 * Return: true if some breakpoint holds a reservation.
 */
bool hw_breakpoint_is_used(void)
{
	struct bp_cpu_load *load;
	bool used = false;
	unsigned long flags;
	int cpu, class;

	raw_spin_lock_irqsave(&bp_slots_lock, flags);
	/* cpus_pinned_at is derived from the per-CPU counts: not looked at. */
	for (class = 0; class < TYPE_MAX && !used; class++) {
		used = highest_level(any_cpu_tasks_at[class], HWBP_SLOTS_MAX);
		for_each_possible_cpu(cpu) {
			load = per_cpu_ptr(&bp_cpu_load, cpu);
			used |= load->pinned[class] ||
				highest_level(load->tasks_at[class],
					      HWBP_SLOTS_MAX);
		}
	}
	raw_spin_unlock_irqrestore(&bp_slots_lock, flags);
	return used;
}

void __init hwbp_slots_init(void)
{
	int class, n;

	for (class = 0; class < TYPE_MAX; class++) {
		n = hw_breakpoint_slots(class);
		if (n > HWBP_SLOTS_MAX) {
			pr_warn("hw_breakpoint: using %d of %d slots of class %d\n",
				HWBP_SLOTS_MAX, n, class);
			n = HWBP_SLOTS_MAX;
		}
		slots_per_class[class] = max(n, 0);
	}
}
