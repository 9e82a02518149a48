/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the arm64 breakpoint KUnit suite (hw_breakpoint_kunit.c) shares
 * with hw_breakpoint.c: a pair's state, and the pure functions that are
 * static unless CONFIG_KUNIT is set.
 */
#ifndef _ARM64_KERNEL_HW_BREAKPOINT_KUNIT_H
#define _ARM64_KERNEL_HW_BREAKPOINT_KUNIT_H

#include <linux/types.h>
#include <asm/hw_breakpoint.h>

struct perf_event;

/* One register pair on one CPU: its owner and the words it needs. */
struct hwbp_pair {
	struct perf_event *owner;
	u64 value;		/* for DBGxVR */
	u32 ctrl;		/* for DBGxCR, with E set */
};

#if IS_ENABLED(CONFIG_KUNIT)
u32 hwbp_ctrl_word(struct arch_hw_breakpoint_ctrl ctrl, bool el2_host);
u64 hwbp_watched_span(u64 value, struct arch_hw_breakpoint_ctrl ctrl,
		      u64 *len);
unsigned long hwbp_pick_watchpoints(u64 far, bool write, u64 block,
				    const struct hwbp_pair *pairs, int n);
#endif

#endif /* _ARM64_KERNEL_HW_BREAKPOINT_KUNIT_H */
