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
 * What each task holds is kept in a small record (struct task_slots)
 * found by hashing the task pointer.  A record exists while the task has
 * at least one reserved breakpoint; perf keeps a reference on the task
 * until the event's destroy callback has released the slot, so the pointer
 * cannot be reused early.
 *
 * Locking
 * -------
 * One raw spinlock, bp_slots_lock, guards every table and record here.  It
 * is raw and taken with interrupts disabled because modify can reach us
 * from atomic context (powerpc's ptrace overflow handler).  Every section
 * under it is short and never allocates: a reservation allocates what it
 * may need before taking the lock and frees what it did not use after.
 * It is the innermost lock of the breakpoint layer; perf's ctx->mutex and
 * ctx->lock may be held by callers, nothing is taken inside it.
 *
 * kgdb calls dbg_reserve_bp_slot() and dbg_release_bp_slot() with every
 * other CPU stopped, possibly in the middle of a locked section.  Those
 * calls never take the lock.  Instead every locked section marks itself in
 * tables_writer right after taking the lock and unmarks itself right
 * before dropping it.  The debugger returns -1 when it finds the mark;
 * otherwise no section has started changing anything, and none can before
 * the debugger resumes the stopped CPUs, so it changes the tables itself,
 * marked as the debugger.  The mark, not raw_spin_is_locked(), is what is
 * tested, because a uniprocessor kernel without spinlock debugging has no
 * lock word to look at.  Stopping the other CPUs makes their earlier
 * stores visible to the debugger, so program order is all the mark needs.
 * The debugger's calls never allocate or free.
 *
 * Every change to a table asserts (under lockdep) that it is made by the
 * lock holder or by the debugger.
 */

#include <kunit/visibility.h>
#include <linux/cpumask.h>
#include <linux/hashtable.h>
#include <linux/lockdep.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "hw_breakpoint_slots.h"

/* What the CPU-bound breakpoints and the tasks bound to it use on one CPU. */
struct cpu_slots {
	u8 pinned[TYPE_MAX];
	unsigned int tasks_at[TYPE_MAX][HWBP_SLOTS_MAX + 1];
};

/* The slots one task holds, per class. */
struct task_slots {
	struct hlist_node node;
	struct task_struct *task;
	u8 any_cpu[TYPE_MAX];
	unsigned int nr_bound;
	/* bound[cpu * TYPE_MAX + class]; NULL until the first bound breakpoint */
	u8 *bound;
};

/* Memory allocated before the lock for a reservation that may need it. */
struct slots_prealloc {
	struct task_slots *record;
	u8 *bound;
};

enum tables_writer {
	WRITER_NONE,
	WRITER_LOCKED,		/* a holder of bp_slots_lock */
	WRITER_DEBUGGER,	/* kgdb, every other CPU stopped */
};

static DEFINE_RAW_SPINLOCK(bp_slots_lock);
static enum tables_writer tables_writer;
static DEFINE_PER_CPU(struct cpu_slots, cpu_slots);
static DEFINE_HASHTABLE(task_slots_table, 10);
static unsigned int nr_task_records;
static unsigned int any_cpu_tasks_at[TYPE_MAX][HWBP_SLOTS_MAX + 1];
static unsigned int cpus_pinned_at[TYPE_MAX][HWBP_SLOTS_MAX + 1];
static int slots_per_class[TYPE_MAX] __read_mostly;

/* --- who may write ------------------------------------------------------- */

VISIBLE_IF_KUNIT void hwbp_slots_lock(unsigned long *flags)
	__acquires(&bp_slots_lock)
{
	raw_spin_lock_irqsave(&bp_slots_lock, *flags);
	WRITE_ONCE(tables_writer, WRITER_LOCKED);
	/* The mark comes before any change to the tables. */
	barrier();
}
EXPORT_SYMBOL_IF_KUNIT(hwbp_slots_lock);

VISIBLE_IF_KUNIT void hwbp_slots_unlock(unsigned long flags)
	__releases(&bp_slots_lock)
{
	/* Every change to the tables comes before the mark goes. */
	barrier();
	WRITE_ONCE(tables_writer, WRITER_NONE);
	raw_spin_unlock_irqrestore(&bp_slots_lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(hwbp_slots_unlock);

static bool debugger_enter(void)
{
	if (READ_ONCE(tables_writer) != WRITER_NONE)
		return false;
	WRITE_ONCE(tables_writer, WRITER_DEBUGGER);
	barrier();
	return true;
}

static void debugger_exit(void)
{
	barrier();
	WRITE_ONCE(tables_writer, WRITER_NONE);
}

static void assert_tables_writable(void)
{
	lockdep_assert(lockdep_is_held(&bp_slots_lock) ||
		       READ_ONCE(tables_writer) == WRITER_DEBUGGER);
}

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
	assert_tables_writable();
	if (WARN_ON_ONCE(from > HWBP_SLOTS_MAX || to > HWBP_SLOTS_MAX))
		return;
	if (from)
		levels[from]--;
	if (to)
		levels[to]++;
}

/* --- per-task records ---------------------------------------------------- */

static struct task_slots *task_slots_find(struct task_struct *tsk)
{
	struct task_slots *rec;

	hash_for_each_possible(task_slots_table, rec, node, (unsigned long)tsk) {
		if (rec->task == tsk)
			return rec;
	}
	return NULL;
}

static void task_slots_hash(struct task_slots *rec, struct task_struct *tsk)
{
	assert_tables_writable();
	rec->task = tsk;
	hash_add(task_slots_table, &rec->node, (unsigned long)tsk);
	nr_task_records++;
}

static void task_slots_unhash(struct task_slots *rec)
{
	assert_tables_writable();
	hash_del(&rec->node);
	nr_task_records--;
}

static int bound_on(const struct task_slots *rec, int cpu, int class)
{
	if (!rec || !rec->bound)
		return 0;
	return rec->bound[cpu * TYPE_MAX + class];
}

static int any_cpu_of(const struct task_slots *rec, int class)
{
	return rec ? rec->any_cpu[class] : 0;
}

static bool task_slots_empty(const struct task_slots *rec)
{
	int class;

	for (class = 0; class < TYPE_MAX; class++) {
		if (rec->any_cpu[class])
			return false;
	}
	return !rec->nr_bound;
}

static void task_slots_free(struct task_slots *rec)
{
	if (rec) {
		kfree(rec->bound);
		kfree(rec);
	}
}

/* --- the fit tests ------------------------------------------------------- */

static int cpu_pinned(int cpu, int class)
{
	return per_cpu_ptr(&cpu_slots, cpu)->pinned[class];
}

static bool cpu_bound_fits(int cpu, int class)
{
	struct cpu_slots *here = per_cpu_ptr(&cpu_slots, cpu);
	int nslots = slots_per_class[class];
	int neediest;

	neediest = max(highest_level(here->tasks_at[class], nslots),
		       highest_level(any_cpu_tasks_at[class], nslots));
	return here->pinned[class] + neediest < nslots;
}

static bool task_bound_fits(const struct task_slots *rec, int cpu, int class)
{
	int nslots = slots_per_class[class];
	int any = any_cpu_of(rec, class);
	int c;

	if (cpu >= 0)
		return cpu_pinned(cpu, class) + any +
		       bound_on(rec, cpu, class) < nslots;

	/* Follows the task everywhere: must fit on the fullest CPU. */
	if (!rec || !rec->nr_bound)
		return highest_level(cpus_pinned_at[class], nslots) + any <
		       nslots;

	for_each_possible_cpu(c) {
		if (cpu_pinned(c, class) + any + bound_on(rec, c, class) >=
		    nslots)
			return false;
	}
	return true;
}

/* --- updates ------------------------------------------------------------- */

static void add_cpu_bound(int cpu, int class, int delta)
{
	u8 *pinned = &per_cpu_ptr(&cpu_slots, cpu)->pinned[class];

	move_level(cpus_pinned_at[class], *pinned, *pinned + delta);
	*pinned += delta;
}

static void add_task_any_cpu(struct task_slots *rec, int class, int delta)
{
	int old = rec->any_cpu[class];
	int c, b;

	move_level(any_cpu_tasks_at[class], old, old + delta);
	rec->any_cpu[class] = old + delta;
	if (!rec->nr_bound)
		return;

	/* The task's need moves on every CPU it also has bound breakpoints. */
	for_each_possible_cpu(c) {
		b = bound_on(rec, c, class);
		if (b)
			move_level(per_cpu_ptr(&cpu_slots, c)->tasks_at[class],
				   old + b, old + delta + b);
	}
}

static void add_task_bound(struct task_slots *rec, int cpu, int class,
			   int delta)
{
	u8 *bound = &rec->bound[cpu * TYPE_MAX + class];
	int any = rec->any_cpu[class];
	int from = *bound ? any + *bound : 0;
	int to = *bound + delta ? any + *bound + delta : 0;

	move_level(per_cpu_ptr(&cpu_slots, cpu)->tasks_at[class], from, to);
	*bound += delta;
	rec->nr_bound += delta;
}

/*
 * Allocate, before the lock, what reserving a slot for @bp may need: a
 * task record, and the per-CPU array of a task breakpoint bound to a CPU.
 * Whatever take_slot() does not use is freed by prealloc_free().
 */
static int prealloc_fill(struct perf_event *bp, struct slots_prealloc *pre)
{
	if (!bp->hw.target)
		return 0;
	pre->record = kzalloc(sizeof(*pre->record), GFP_KERNEL);
	if (!pre->record)
		return -ENOMEM;
	if (bp->cpu < 0)
		return 0;
	pre->bound = kcalloc(nr_cpu_ids, TYPE_MAX, GFP_KERNEL);
	return pre->bound ? 0 : -ENOMEM;
}

static void prealloc_free(struct slots_prealloc *pre)
{
	task_slots_free(pre->record);
	kfree(pre->bound);
}

/*
 * Reserve one slot of @class for @bp, taking memory from @pre where a
 * record has to be created.  Callers without @pre (type change, kgdb)
 * only reach records that already exist.
 */
static int take_slot(struct perf_event *bp, int class,
		     struct slots_prealloc *pre)
{
	struct task_struct *tsk = bp->hw.target;
	struct task_slots *rec;
	int cpu = bp->cpu;

	if (!tsk) {
		if (cpu < 0)
			return -EINVAL;
		if (!cpu_bound_fits(cpu, class))
			return -ENOSPC;
		add_cpu_bound(cpu, class, 1);
		return 0;
	}

	rec = task_slots_find(tsk);
	if (!task_bound_fits(rec, cpu, class))
		return -ENOSPC;
	if ((!rec && !pre->record) ||
	    (cpu >= 0 && !(rec && rec->bound) && !pre->bound))
		return -ENOMEM;

	if (!rec) {
		rec = pre->record;
		pre->record = NULL;
		task_slots_hash(rec, tsk);
	}
	if (cpu >= 0 && !rec->bound) {
		rec->bound = pre->bound;
		pre->bound = NULL;
	}

	if (cpu < 0)
		add_task_any_cpu(rec, class, 1);
	else
		add_task_bound(rec, cpu, class, 1);
	return 0;
}

/*
 * Give back @bp's slot of @class.  Returns the task record if it became
 * empty and was unhashed; the caller frees it outside the lock.
 */
static struct task_slots *put_slot(struct perf_event *bp, int class,
				   bool may_unhash)
{
	struct task_struct *tsk = bp->hw.target;
	struct task_slots *rec;
	int cpu = bp->cpu;

	if (!tsk) {
		if (!WARN_ON_ONCE(cpu < 0 || !cpu_pinned(cpu, class)))
			add_cpu_bound(cpu, class, -1);
		return NULL;
	}

	rec = task_slots_find(tsk);
	if (cpu < 0) {
		if (WARN_ON_ONCE(!any_cpu_of(rec, class)))
			return NULL;
		add_task_any_cpu(rec, class, -1);
	} else {
		if (WARN_ON_ONCE(!bound_on(rec, cpu, class)))
			return NULL;
		add_task_bound(rec, cpu, class, -1);
	}

	if (!may_unhash || !task_slots_empty(rec))
		return NULL;
	task_slots_unhash(rec);
	return rec;
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

/* How many task records are hashed: the KUnit test looks for leaks. */
VISIBLE_IF_KUNIT unsigned int hwbp_slots_nr_task_records(void)
{
	return READ_ONCE(nr_task_records);
}
EXPORT_SYMBOL_IF_KUNIT(hwbp_slots_nr_task_records);

int reserve_bp_slot(struct perf_event *bp)
{
	struct slots_prealloc pre = { };
	unsigned long flags;
	int ret;

	if (!bp_type_is_valid(bp->attr.bp_type))
		return -EINVAL;

	ret = prealloc_fill(bp, &pre);
	if (!ret) {
		hwbp_slots_lock(&flags);
		ret = take_slot(bp, hwbp_class_of(bp->attr.bp_type), &pre);
		hwbp_slots_unlock(flags);
	}
	prealloc_free(&pre);
	return ret;
}

void release_bp_slot(struct perf_event *bp)
{
	struct task_slots *empty;
	unsigned long flags;

	hwbp_slots_lock(&flags);
	empty = put_slot(bp, hwbp_class_of(bp->attr.bp_type), true);
	hwbp_slots_unlock(flags);
	task_slots_free(empty);
}

/*
 * Move @bp's reservation from the class of @old_type to that of @new_type.
 * The two classes are separate pools, so taking the new slot before giving
 * back the old one never refuses a change that would fit; and the task
 * record involved already exists, so nothing needs allocating (modify may
 * run in atomic context).
 */
int hwbp_slots_change_type(struct perf_event *bp, u32 old_type, u32 new_type)
{
	int old_class = hwbp_class_of(old_type);
	int new_class = hwbp_class_of(new_type);
	struct slots_prealloc none = { };
	unsigned long flags;
	int ret;

	if (!bp_type_is_valid(new_type))
		return -EINVAL;
	if (old_class == new_class)
		return 0;

	hwbp_slots_lock(&flags);
	ret = take_slot(bp, new_class, &none);
	if (!ret)
		put_slot(bp, old_class, false);
	hwbp_slots_unlock(flags);
	return ret;
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
	struct slots_prealloc none = { };
	int ret = -EINVAL;

	if (!debugger_enter())
		return -1;
	if (bp_type_is_valid(bp->attr.bp_type))
		ret = take_slot(bp, hwbp_class_of(bp->attr.bp_type), &none);
	debugger_exit();
	return ret;
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
	if (!debugger_enter())
		return -1;
	put_slot(bp, hwbp_class_of(bp->attr.bp_type), false);
	debugger_exit();
	return 0;
}

/**
 * hw_breakpoint_is_used - tell whether any slot is reserved anywhere
 *
 * Return: true if some breakpoint holds a reservation.
 */
bool hw_breakpoint_is_used(void)
{
	struct cpu_slots *here;
	bool used = false;
	unsigned long flags;
	int cpu, class;

	hwbp_slots_lock(&flags);
	/* cpus_pinned_at is derived from the per-CPU counts: not looked at. */
	for (class = 0; class < TYPE_MAX && !used; class++) {
		used = highest_level(any_cpu_tasks_at[class], HWBP_SLOTS_MAX);
		for_each_possible_cpu(cpu) {
			here = per_cpu_ptr(&cpu_slots, cpu);
			used |= here->pinned[class] ||
				highest_level(here->tasks_at[class],
					      HWBP_SLOTS_MAX);
		}
	}
	hwbp_slots_unlock(flags);
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
