/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the x86 breakpoint KUnit suite (hw_breakpoint_kunit.c) reaches
 * inside hw_breakpoint.c.  These are static unless CONFIG_KUNIT is set.
 */
#ifndef _X86_KERNEL_HW_BREAKPOINT_KUNIT_H
#define _X86_KERNEL_HW_BREAKPOINT_KUNIT_H

#if IS_ENABLED(CONFIG_KUNIT)
struct perf_event;
struct pt_regs;

/* Per CPU, HBP_NUM entries: the event using DRn, the address DRn holds. */
struct perf_event **hwbp_owner_table(int cpu);
unsigned long *hwbp_addr_table(int cpu);

int hwbp_handle_debug(unsigned long *dr6, struct pt_regs *regs,
		      unsigned long dr7);
#endif

#endif /* _X86_KERNEL_HW_BREAKPOINT_KUNIT_H */
