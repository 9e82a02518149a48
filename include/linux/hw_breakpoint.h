/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hardware breakpoints and watchpoints as perf events.
 *
 * A breakpoint is a perf event of type PERF_TYPE_BREAKPOINT whose attr
 * carries the watched address (bp_addr), the access kind (bp_type) and the
 * width (bp_len).  The generic layer in kernel/events/ does the slot
 * accounting and the perf glue; each architecture turns the attr into its
 * control words (struct arch_hw_breakpoint) and programs the registers when
 * perf schedules the event on a CPU.
 */
#ifndef _LINUX_HW_BREAKPOINT_H
#define _LINUX_HW_BREAKPOINT_H

#include <linux/perf_event.h>
#include <uapi/linux/hw_breakpoint.h>

#ifdef CONFIG_HAVE_HW_BREAKPOINT

/*
 * Slot classes.  Architectures whose instruction and data breakpoints
 * share one register file (x86, sh) have a single class.
 */
enum bp_type_idx {
	TYPE_INST,
#ifdef CONFIG_HAVE_MIXED_BREAKPOINTS_REGS
	TYPE_DATA = TYPE_INST,
#else
	TYPE_DATA,
#endif
	TYPE_MAX
};

int __init init_hw_breakpoint(void);

/**
 * hw_breakpoint_init - prepare an attr for an in-kernel breakpoint
 * @attr: attribute to reset
 *
 * Kernel users (kgdb, ptrace, modules) want their breakpoint always
 * scheduled and their handler called on every hit, hence pinned and a
 * sample period of one.
 */
static inline void hw_breakpoint_init(struct perf_event_attr *attr)
{
	*attr = (struct perf_event_attr) {
		.type		= PERF_TYPE_BREAKPOINT,
		.size		= sizeof(struct perf_event_attr),
		.pinned		= 1,
		.sample_period	= 1,
	};
}

/**
 * ptrace_breakpoint_init - prepare an attr for a debugger's breakpoint
 * @attr: attribute to reset
 *
 * Like hw_breakpoint_init(), but only user-mode accesses count: a tracer
 * must never observe the kernel working on behalf of its tracee.
 */
static inline void ptrace_breakpoint_init(struct perf_event_attr *attr)
{
	hw_breakpoint_init(attr);
	attr->exclude_kernel = 1;
}

/* The access kind: HW_BREAKPOINT_R, _W, _RW or _X. */
static inline int hw_breakpoint_type(struct perf_event *bp)
{
	return bp->attr.bp_type;
}

/* The first byte watched. */
static inline unsigned long hw_breakpoint_addr(struct perf_event *bp)
{
	return bp->attr.bp_addr;
}

/* How many bytes are watched from hw_breakpoint_addr() on. */
static inline unsigned long hw_breakpoint_len(struct perf_event *bp)
{
	return bp->attr.bp_len;
}

static inline struct arch_hw_breakpoint *counter_arch_bp(struct perf_event *bp)
{
	return &bp->hw.info;
}

struct perf_event *register_user_hw_breakpoint(struct perf_event_attr *attr,
					       perf_overflow_handler_t triggered,
					       void *context,
					       struct task_struct *tsk);
int modify_user_hw_breakpoint(struct perf_event *bp,
			      struct perf_event_attr *attr);
int modify_user_hw_breakpoint_check(struct perf_event *bp,
				    struct perf_event_attr *attr, bool check);
struct perf_event *
register_wide_hw_breakpoint_cpu(struct perf_event_attr *attr,
				perf_overflow_handler_t triggered,
				void *context, int cpu);
struct perf_event * __percpu *
register_wide_hw_breakpoint(struct perf_event_attr *attr,
			    perf_overflow_handler_t triggered, void *context);
void unregister_wide_hw_breakpoint(struct perf_event * __percpu *cpu_events);
int register_perf_hw_breakpoint(struct perf_event *bp);
void unregister_hw_breakpoint(struct perf_event *bp);

/*
 * Wide kernel breakpoints whose slots are reserved at creation and which
 * can be armed, disarmed or moved from atomic context; they follow CPU
 * hotplug.  See kernel/events/hw_breakpoint_wide.c.
 */
struct wide_hw_breakpoint;

struct wide_hw_breakpoint *
wide_hw_breakpoint_create(const struct perf_event_attr *attr,
			  perf_overflow_handler_t triggered, void *context);
void wide_hw_breakpoint_destroy(struct wide_hw_breakpoint *wbp);
void wide_hw_breakpoint_destroy_deferred(struct wide_hw_breakpoint *wbp,
					 void (*destroyed)(void *arg),
					 void *arg);
int wide_hw_breakpoint_modify(struct wide_hw_breakpoint *wbp, u64 addr,
			      u64 len, u32 type, bool armed);
int wide_hw_breakpoint_arm(struct wide_hw_breakpoint *wbp, u64 addr, u64 len,
			   u32 type);
void wide_hw_breakpoint_disarm(struct wide_hw_breakpoint *wbp);
void wide_hw_breakpoint_sync(struct wide_hw_breakpoint *wbp);
bool wide_hw_breakpoint_armed(struct wide_hw_breakpoint *wbp);

/* Slot accounting, exposed for kgdb and the KUnit test. */
bool hw_breakpoint_is_used(void);
int reserve_bp_slot(struct perf_event *bp);
void release_bp_slot(struct perf_event *bp);
int dbg_reserve_bp_slot(struct perf_event *bp);
int dbg_release_bp_slot(struct perf_event *bp);

/* For the architectures' exception handlers. */
void hw_breakpoint_hit(struct perf_event *bp, struct pt_regs *regs);

/* Defined by each architecture: drop the debugger's breakpoints of @tsk. */
void flush_ptrace_hw_breakpoint(struct task_struct *tsk);

#else /* !CONFIG_HAVE_HW_BREAKPOINT */

static inline int __init init_hw_breakpoint(void) { return 0; }

static inline struct arch_hw_breakpoint *counter_arch_bp(struct perf_event *bp)
{
	return NULL;
}

static inline struct perf_event *
register_user_hw_breakpoint(struct perf_event_attr *attr,
			    perf_overflow_handler_t triggered, void *context,
			    struct task_struct *tsk)
{
	return NULL;
}

static inline int modify_user_hw_breakpoint(struct perf_event *bp,
					    struct perf_event_attr *attr)
{
	return -EOPNOTSUPP;
}

static inline int modify_user_hw_breakpoint_check(struct perf_event *bp,
						  struct perf_event_attr *attr,
						  bool check)
{
	return -EOPNOTSUPP;
}

static inline struct perf_event *
register_wide_hw_breakpoint_cpu(struct perf_event_attr *attr,
				perf_overflow_handler_t triggered,
				void *context, int cpu)
{
	return NULL;
}

static inline struct perf_event * __percpu *
register_wide_hw_breakpoint(struct perf_event_attr *attr,
			    perf_overflow_handler_t triggered, void *context)
{
	return NULL;
}

static inline void
unregister_wide_hw_breakpoint(struct perf_event * __percpu *cpu_events) { }

static inline int register_perf_hw_breakpoint(struct perf_event *bp)
{
	return -EOPNOTSUPP;
}

static inline void unregister_hw_breakpoint(struct perf_event *bp) { }
static inline bool hw_breakpoint_is_used(void) { return false; }

static inline int reserve_bp_slot(struct perf_event *bp)
{
	return -EOPNOTSUPP;
}

static inline void release_bp_slot(struct perf_event *bp) { }

struct wide_hw_breakpoint;

static inline struct wide_hw_breakpoint *
wide_hw_breakpoint_create(const struct perf_event_attr *attr,
			  perf_overflow_handler_t triggered, void *context)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static inline void
wide_hw_breakpoint_destroy(struct wide_hw_breakpoint *wbp) { }

static inline void
wide_hw_breakpoint_destroy_deferred(struct wide_hw_breakpoint *wbp,
				    void (*destroyed)(void *arg), void *arg)
{
}

static inline int wide_hw_breakpoint_modify(struct wide_hw_breakpoint *wbp,
					    u64 addr, u64 len, u32 type,
					    bool armed)
{
	return -EOPNOTSUPP;
}

static inline int wide_hw_breakpoint_arm(struct wide_hw_breakpoint *wbp,
					 u64 addr, u64 len, u32 type)
{
	return -EOPNOTSUPP;
}

static inline void
wide_hw_breakpoint_disarm(struct wide_hw_breakpoint *wbp) { }
static inline void wide_hw_breakpoint_sync(struct wide_hw_breakpoint *wbp) { }

static inline bool wide_hw_breakpoint_armed(struct wide_hw_breakpoint *wbp)
{
	return false;
}

static inline void flush_ptrace_hw_breakpoint(struct task_struct *tsk) { }

#endif /* CONFIG_HAVE_HW_BREAKPOINT */
#endif /* _LINUX_HW_BREAKPOINT_H */
