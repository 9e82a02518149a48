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
 * Every inherited breakpoint is reserved at clone and released at exit,
 * so independent tasks must not queue on one lock.  The hash buckets are
 * split into shards, sixteen per possible CPU, and a shard's raw spinlock
 * guards the records of its buckets.  A reservation or release for a task
 * takes only its task's shard:
 *
 *  - what it reads besides its own record, pinned(c) and cpus_pinned_at,
 *    changes only under every shard lock, so it is stable;
 *  - what it writes besides its record, any_cpu_tasks_at and the per-CPU
 *    tasks_at, is atomic_t, because tasks of all shards share them.
 *
 * A CPU-bound breakpoint (no task) must see every task's need, so its
 * reservation and release take all_shards_lock and then every shard lock
 * in index order, with all_shards_lock as lockdep's nest lock.  Tools
 * create those rarely (perf stat -a, wide kernel breakpoints).
 *
 * The locks are raw and taken with interrupts disabled because modify can
 * reach us from atomic context (powerpc's ptrace overflow handler).  Every
 * section under them is short and never allocates: a reservation that
 * needs a new record drops the lock, allocates, and tries again.  They are
 * the innermost locks of the breakpoint layer; perf's ctx->mutex and
 * ctx->lock may be held by callers, nothing is taken inside them.
 *
 * kgdb calls dbg_reserve_bp_slot() and dbg_release_bp_slot() with every
 * other CPU stopped, possibly in the middle of a locked section.  Those
 * calls never take a lock.  Instead every shard holder marks the shard
 * busy right after taking its lock and unmarks it right before dropping
 * it.  The debugger returns -1 when it finds any shard marked; otherwise
 * no section has started changing anything, and none can before the
 * debugger resumes the stopped CPUs, so it changes the tables itself,
 * flagged in debugger_active.  The mark, not raw_spin_is_locked(), is
 * what is tested, because a uniprocessor kernel without spinlock
 * debugging has no lock word to look at.  Stopping the other CPUs makes
 * their earlier stores visible to the debugger, so program order is all
 * the mark needs.  The debugger's calls never allocate or free.
 *
 * Every change to a table asserts (under lockdep) that it is made by the
 * holder of the lock that owns it or by the debugger.
 */

#include <kunit/visibility.h>
#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/hashtable.h>
#include <linux/lockdep.h>
#include <linux/log2.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "hw_breakpoint_slots.h"

/* What the CPU-bound breakpoints and the tasks bound to it use on one CPU. */
struct cpu_slots {
	u8 pinned[TYPE_MAX];
	atomic_t tasks_at[TYPE_MAX][HWBP_SLOTS_MAX + 1];
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

/* Memory allocated outside the lock for a reservation that needs it. */
struct slots_prealloc {
	struct task_slots *record;
	u8 *bound;
};

/* The records of a range of hash buckets; a cache line each. */
struct slots_shard {
	raw_spinlock_t lock;
	bool busy;
	unsigned int nr_records;
} ____cacheline_aligned_in_smp;

#define TASK_HASH_BITS		10

static DEFINE_RAW_SPINLOCK(all_shards_lock);
/* Until hwbp_slots_init() allocates the shards, or if it cannot: one. */
static struct slots_shard boot_shard = {
	.lock = __RAW_SPIN_LOCK_UNLOCKED(boot_shard.lock),
};

static struct slots_shard *shards __read_mostly = &boot_shard;
static unsigned int shard_bits __read_mostly;
static atomic_t any_cpu_tasks_at[TYPE_MAX][HWBP_SLOTS_MAX + 1];
static bool debugger_active;
static DEFINE_PER_CPU(struct cpu_slots, cpu_slots);
static DEFINE_HASHTABLE(task_slots_table, TASK_HASH_BITS);
static atomic_t cpus_pinned_at[TYPE_MAX][HWBP_SLOTS_MAX + 1];
static int slots_per_class[TYPE_MAX] __read_mostly;

/* The shards in use: a power of two set at boot (hwbp_slots_init_shards()). */
static struct slots_shard *shards_end(void)
{
	return shards + (1U << shard_bits);
}

/* --- who may write ------------------------------------------------------- */

/* A bucket belongs to one shard, so the shard lock guards its list. */
static struct slots_shard *shard_of_task(const struct task_struct *tsk)
{
	unsigned int bucket = hash_min((unsigned long)tsk, TASK_HASH_BITS);

	return &shards[bucket >> (TASK_HASH_BITS - shard_bits)];
}

static void shard_mark(struct slots_shard *sh, bool busy)
{
	/* The mark comes before any change, and goes after the last one. */
	barrier();
	WRITE_ONCE(sh->busy, busy);
	barrier();
}

VISIBLE_IF_KUNIT void hwbp_slots_lock_shard(struct slots_shard *sh,
					    unsigned long *flags)
	__acquires(&sh->lock)
{
	raw_spin_lock_irqsave(&sh->lock, *flags);
	shard_mark(sh, true);
}
EXPORT_SYMBOL_IF_KUNIT(hwbp_slots_lock_shard);

VISIBLE_IF_KUNIT void hwbp_slots_unlock_shard(struct slots_shard *sh,
					      unsigned long flags)
	__releases(&sh->lock)
{
	shard_mark(sh, false);
	raw_spin_unlock_irqrestore(&sh->lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(hwbp_slots_unlock_shard);

#if IS_ENABLED(CONFIG_KUNIT)
struct slots_shard *hwbp_slots_shard_of(struct task_struct *tsk)
{
	return shard_of_task(tsk);
}
EXPORT_SYMBOL_IF_KUNIT(hwbp_slots_shard_of);
#endif

VISIBLE_IF_KUNIT void hwbp_slots_lock(unsigned long *flags)
	__acquires(&all_shards_lock)
{
	struct slots_shard *sh;

	raw_spin_lock_irqsave(&all_shards_lock, *flags);
	for (sh = shards; sh < shards_end(); sh++) {
		raw_spin_lock_nest_lock(&sh->lock, &all_shards_lock);
		/* sparse: the shard locks count as part of all_shards_lock. */
		__release(&sh->lock);
		shard_mark(sh, true);
	}
}
EXPORT_SYMBOL_IF_KUNIT(hwbp_slots_lock);

VISIBLE_IF_KUNIT void hwbp_slots_unlock(unsigned long flags)
	__releases(&all_shards_lock)
{
	struct slots_shard *sh;

	for (sh = shards; sh < shards_end(); sh++) {
		shard_mark(sh, false);
		__acquire(&sh->lock);
		raw_spin_unlock(&sh->lock);
	}
	raw_spin_unlock_irqrestore(&all_shards_lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(hwbp_slots_unlock);

/*
 * Take what a reservation for @bp needs: its task's shard, or every shard
 * for a CPU-bound breakpoint.  Returns the shard, or NULL for all of them.
 */
static struct slots_shard *slots_lock_for(const struct perf_event *bp,
					  unsigned long *flags)
{
	struct slots_shard *sh;

	if (!bp->hw.target) {
		hwbp_slots_lock(flags);
		return NULL;
	}
	sh = shard_of_task(bp->hw.target);
	hwbp_slots_lock_shard(sh, flags);
	return sh;
}

static void slots_unlock_for(struct slots_shard *sh, unsigned long flags)
{
	if (sh)
		hwbp_slots_unlock_shard(sh, flags);
	else
		hwbp_slots_unlock(flags);
}

static bool debugger_enter(void)
{
	struct slots_shard *sh;

	for (sh = shards; sh < shards_end(); sh++) {
		if (READ_ONCE(sh->busy))
			return false;
	}
	WRITE_ONCE(debugger_active, true);
	barrier();
	return true;
}

static void debugger_exit(void)
{
	barrier();
	WRITE_ONCE(debugger_active, false);
}

static void assert_shard_writable(struct slots_shard *sh)
{
	lockdep_assert(lockdep_is_held(&sh->lock) ||
		       READ_ONCE(debugger_active));
}

static void assert_pinned_writable(void)
{
	lockdep_assert(lockdep_is_held(&all_shards_lock) ||
		       READ_ONCE(debugger_active));
}

/* --- histograms ---------------------------------------------------------- */

static int highest_level(const atomic_t *levels, int nslots)
{
	int n;

	for (n = nslots; n > 0; n--) {
		if (atomic_read(&levels[n]))
			return n;
	}
	return 0;
}

/* Level 0 is "uses nothing" and is not tracked. */
static void move_level(atomic_t *levels, int from, int to)
{
	if (WARN_ON_ONCE(from > HWBP_SLOTS_MAX || to > HWBP_SLOTS_MAX))
		return;
	if (from)
		atomic_dec(&levels[from]);
	if (to)
		atomic_inc(&levels[to]);
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

static void task_slots_hash(struct slots_shard *sh, struct task_slots *rec,
			    struct task_struct *tsk)
{
	assert_shard_writable(sh);
	rec->task = tsk;
	hash_add(task_slots_table, &rec->node, (unsigned long)tsk);
	sh->nr_records++;
}

static void task_slots_unhash(struct slots_shard *sh, struct task_slots *rec)
{
	assert_shard_writable(sh);
	hash_del(&rec->node);
	sh->nr_records--;
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

/* Needs every shard: it looks at every task's need on @cpu. */
static bool cpu_bound_fits(int cpu, int class)
{
	struct cpu_slots *here = per_cpu_ptr(&cpu_slots, cpu);
	int nslots = slots_per_class[class];
	int neediest;

	neediest = max(highest_level(here->tasks_at[class], nslots),
		       highest_level(any_cpu_tasks_at[class], nslots));
	return here->pinned[class] + neediest < nslots;
}

/* Needs only the task's shard: it looks at pinned counts and @rec. */
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

	assert_pinned_writable();
	move_level(cpus_pinned_at[class], *pinned, *pinned + delta);
	*pinned += delta;
}

static void add_task_any_cpu(struct slots_shard *sh, struct task_slots *rec,
			     int class, int delta)
{
	int old = rec->any_cpu[class];
	int c, b;

	assert_shard_writable(sh);
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

static void add_task_bound(struct slots_shard *sh, struct task_slots *rec,
			   int cpu, int class, int delta)
{
	u8 *bound = &rec->bound[cpu * TYPE_MAX + class];
	int any = rec->any_cpu[class];
	int from = *bound ? any + *bound : 0;
	int to = *bound + delta ? any + *bound + delta : 0;

	assert_shard_writable(sh);
	move_level(per_cpu_ptr(&cpu_slots, cpu)->tasks_at[class], from, to);
	*bound += delta;
	rec->nr_bound += delta;
}

/*
 * Allocate, outside the lock, what take_slot() asked for: a task record,
 * and the per-CPU array of a task breakpoint bound to a CPU.  Whatever it
 * does not use is freed by prealloc_free().
 */
static int prealloc_fill(struct perf_event *bp, struct slots_prealloc *pre)
{
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
 * Reserve one slot of @class for @bp, under the lock slots_lock_for()
 * took (@sh: the task's shard).  Where a record or its per-CPU array has
 * to be created and @pre lacks it, nothing changes and -EAGAIN asks the
 * caller to allocate and retry; callers without memory (type change,
 * kgdb) only reach records that already exist.
 */
static int take_slot(struct slots_shard *sh, struct perf_event *bp,
		     int class, struct slots_prealloc *pre)
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
		return -EAGAIN;

	if (!rec) {
		rec = pre->record;
		pre->record = NULL;
		task_slots_hash(sh, rec, tsk);
	}
	if (cpu >= 0 && !rec->bound) {
		rec->bound = pre->bound;
		pre->bound = NULL;
	}

	if (cpu < 0)
		add_task_any_cpu(sh, rec, class, 1);
	else
		add_task_bound(sh, rec, cpu, class, 1);
	return 0;
}

/*
 * Give back @bp's slot of @class.  Returns the task record if it became
 * empty and was unhashed; the caller frees it outside the lock.
 */
static struct task_slots *put_slot(struct slots_shard *sh,
				   struct perf_event *bp, int class,
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
		add_task_any_cpu(sh, rec, class, -1);
	} else {
		if (WARN_ON_ONCE(!bound_on(rec, cpu, class)))
			return NULL;
		add_task_bound(sh, rec, cpu, class, -1);
	}

	if (!may_unhash || !task_slots_empty(rec))
		return NULL;
	task_slots_unhash(sh, rec);
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
	struct slots_shard *sh;
	unsigned int n = 0;

	for (sh = shards; sh < shards_end(); sh++)
		n += READ_ONCE(sh->nr_records);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(hwbp_slots_nr_task_records);

static int take_slot_locked(struct perf_event *bp, int class,
			    struct slots_prealloc *pre)
{
	struct slots_shard *sh;
	unsigned long flags;
	int ret;

	sh = slots_lock_for(bp, &flags);
	ret = take_slot(sh, bp, class, pre);
	slots_unlock_for(sh, flags);
	return ret;
}

/*
 * Most reservations find their task's record already there (a thread
 * inheriting its second breakpoint, a tracer setting another register),
 * so the first try allocates nothing.
 */
int reserve_bp_slot(struct perf_event *bp)
{
	int class = hwbp_class_of(bp->attr.bp_type);
	struct slots_prealloc pre = { };
	int ret;

	if (!bp_type_is_valid(bp->attr.bp_type))
		return -EINVAL;

	ret = take_slot_locked(bp, class, &pre);
	if (ret != -EAGAIN)
		return ret;
	ret = prealloc_fill(bp, &pre);
	if (!ret)
		ret = take_slot_locked(bp, class, &pre);
	prealloc_free(&pre);
	return ret;
}

void release_bp_slot(struct perf_event *bp)
{
	struct task_slots *empty;
	struct slots_shard *sh;
	unsigned long flags;

	sh = slots_lock_for(bp, &flags);
	empty = put_slot(sh, bp, hwbp_class_of(bp->attr.bp_type), true);
	slots_unlock_for(sh, flags);
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
	struct slots_shard *sh;
	unsigned long flags;
	int ret;

	if (!bp_type_is_valid(new_type))
		return -EINVAL;
	if (old_class == new_class)
		return 0;

	sh = slots_lock_for(bp, &flags);
	ret = take_slot(sh, bp, new_class, &none);
	if (!ret)
		put_slot(sh, bp, old_class, false);
	slots_unlock_for(sh, flags);
	return ret;
}

static struct slots_shard *debugger_shard_of(const struct perf_event *bp)
{
	return bp->hw.target ? shard_of_task(bp->hw.target) : NULL;
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
		ret = take_slot(debugger_shard_of(bp), bp,
				hwbp_class_of(bp->attr.bp_type), &none);
	debugger_exit();
	/* A new record would need memory, which the debugger cannot get. */
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
	if (!debugger_enter())
		return -1;
	put_slot(debugger_shard_of(bp), bp, hwbp_class_of(bp->attr.bp_type),
		 false);
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

/*
 * Sixteen shards per possible CPU, up to one per hash bucket: two tasks
 * reserving at once then rarely share one.  A CPU-bound reservation takes
 * them all, which is why there are no more.  The allocation is a power of
 * two times a cache line, so each shard keeps a line of its own.
 */
static void __init hwbp_slots_init_shards(void)
{
	unsigned int bits = min(order_base_2(num_possible_cpus()) + 4,
				TASK_HASH_BITS);
	struct slots_shard *sh, *table;

	table = kcalloc(1U << bits, sizeof(*table), GFP_KERNEL);
	if (!table)
		return;
	for (sh = table; sh < table + (1U << bits); sh++)
		raw_spin_lock_init(&sh->lock);
	shards = table;
	shard_bits = bits;
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
	hwbp_slots_init_shards();
}
