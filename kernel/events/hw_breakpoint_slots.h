/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interface between the breakpoint PMU (hw_breakpoint.c) and the slot
 * accounting (hw_breakpoint_slots.c).  Nothing outside kernel/events/
 * should need it.
 */
#ifndef _KERNEL_EVENTS_HW_BREAKPOINT_SLOTS_H
#define _KERNEL_EVENTS_HW_BREAKPOINT_SLOTS_H

#include <linux/hw_breakpoint.h>

/* Largest per-class slot count the accounting tables can describe. */
#define HWBP_SLOTS_MAX	16

void hwbp_slots_init(void);
int hwbp_slots_in_class(enum bp_type_idx class);
enum bp_type_idx hwbp_class_of(u32 bp_type);
int hwbp_slots_change_type(struct perf_event *bp, u32 old_type, u32 new_type);

#if IS_ENABLED(CONFIG_KUNIT)
/* For hw_breakpoint_slots_test.c only. */
struct slots_shard;
void hwbp_slots_lock(unsigned long *flags);
void hwbp_slots_unlock(unsigned long flags);
struct slots_shard *hwbp_slots_shard_of(struct task_struct *tsk);
void hwbp_slots_lock_shard(struct slots_shard *sh, unsigned long *flags);
void hwbp_slots_unlock_shard(struct slots_shard *sh, unsigned long flags);
unsigned int hwbp_slots_nr_task_records(void);
#endif

#endif /* _KERNEL_EVENTS_HW_BREAKPOINT_SLOTS_H */
