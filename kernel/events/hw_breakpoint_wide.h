/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interface between the breakpoint PMU (hw_breakpoint.c) and the wide
 * breakpoints that can be switched from atomic context
 * (hw_breakpoint_wide.c): the PMU programs a register only if the wide
 * breakpoint that owns the event, if any, is armed.
 */
#ifndef _KERNEL_EVENTS_HW_BREAKPOINT_WIDE_H
#define _KERNEL_EVENTS_HW_BREAKPOINT_WIDE_H

#include <linux/perf_event.h>

/*
 * Whether @bp is one CPU's event of a wide breakpoint: those, and only
 * those, carry their per-CPU state in pmu_private.  Task breakpoints skip
 * the wide checks on every context switch.
 */
static inline bool hwbp_is_wide(const struct perf_event *bp)
{
	return bp->pmu_private;
}

int hwbp_wide_install(struct perf_event *bp);
void hwbp_wide_uninstall(struct perf_event *bp);

#endif /* _KERNEL_EVENTS_HW_BREAKPOINT_WIDE_H */
