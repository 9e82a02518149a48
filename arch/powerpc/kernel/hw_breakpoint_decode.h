/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the powerpc breakpoint backend (hw_breakpoint.c), its decoder
 * (hw_breakpoint_constraints.c) and its KUnit suite share.
 */
#ifndef _POWERPC_KERNEL_HW_BREAKPOINT_DECODE_H
#define _POWERPC_KERNEL_HW_BREAKPOINT_DECODE_H

#include <linux/types.h>
#include <kunit/visibility.h>
#include <asm/hw_breakpoint.h>

enum hwbp_access_kind {
	HWBP_ACCESS_UNKNOWN,	/* not decoded: only DAR is known */
	HWBP_ACCESS_NONE,	/* decoded, touches no data */
	HWBP_ACCESS_LOAD,
	HWBP_ACCESS_STORE,
};

/* The data access of one instruction. */
struct hwbp_access {
	unsigned long		ea;
	unsigned int		size;
	enum hwbp_access_kind	kind;
	bool			atomic;	/* larx/stcx: cannot be stepped over */
};

enum hwbp_verdict {
	HWBP_MISS,
	HWBP_FALSE_HIT,
	HWBP_HIT,
};

struct pt_regs;

struct hwbp_access hwbp_decode_access(struct pt_regs *regs, ppc_inst_t *instr);
enum hwbp_verdict hwbp_verdict(const struct arch_hw_breakpoint *w,
			       const struct hwbp_access *acc,
			       unsigned long dar, bool user, bool isa31);

#if IS_ENABLED(CONFIG_KUNIT)
struct hwbp_access hwbp_access_of(int type, unsigned long ea,
				  unsigned long msr, unsigned int dcache_line);
int hwbp_parse_range(unsigned long addr, u64 len, bool dawr, bool isa31,
		     u32 *hw_len);
#endif

#endif /* _POWERPC_KERNEL_HW_BREAKPOINT_DECODE_H */
