/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 debug-register breakpoints: DR0-DR3 hold addresses, DR7 enables them
 * and says what each one watches (Intel SDM vol. 3, "Debug Registers").
 *
 * perf_event.h embeds struct arch_hw_breakpoint in every event, so this
 * header is seen by most of the kernel: keep it self-contained and light.
 */
#ifndef _ASM_X86_HW_BREAKPOINT_H
#define _ASM_X86_HW_BREAKPOINT_H

#include <linux/types.h>
#include <uapi/asm/hw_breakpoint.h>

#define __ARCH_HW_BREAKPOINT_H

/*
 * What one breakpoint asks of a debug register.  @len and @type hold the
 * X86_BREAKPOINT_* codes below (ptrace and kgdb build DR7 from them with
 * encode_dr7()).  @mask is non-zero only for an AMD address-mask range.
 */
struct arch_hw_breakpoint {
	u8		type;		/* X86_BREAKPOINT_EXECUTE, _WRITE, _RW */
	u8		len;		/* X86_BREAKPOINT_LEN_* */
	u8		slot;		/* DRn it was last installed in */
	unsigned long	address;	/* as given: what DRn gets */
	unsigned long	mask;		/* AMD DRn address mask, or 0 */
};

#include <linux/kdebug.h>
#include <linux/percpu.h>
#include <linux/list.h>

/*
 * A code is 0x40 | LEN or 0x80 | R/W, with LEN (DR7 bits 18-19 of slot 0)
 * and R/W (bits 16-17) already in their place in the slot's 4-bit field:
 * (len | type) & 0xf is that field.
 */
#define X86_BREAKPOINT_EXECUTE		0x80
#define X86_BREAKPOINT_WRITE		0x81
#define X86_BREAKPOINT_RW		0x83

#define X86_BREAKPOINT_LEN_1		0x40
/* Execute breakpoints must say length 1. */
#define X86_BREAKPOINT_LEN_X		X86_BREAKPOINT_LEN_1
#define X86_BREAKPOINT_LEN_2		0x44
#define X86_BREAKPOINT_LEN_4		0x4c
#ifdef CONFIG_X86_64
#define X86_BREAKPOINT_LEN_8		0x48
#endif

/* DR0-DR3.  Also defined, identically, by asm/processor.h. */
#define HBP_NUM 4

/* One pool: instruction and data breakpoints share DR0-DR3. */
#define hw_breakpoint_slots(type)	(HBP_NUM)

struct perf_event;
struct perf_event_attr;

/* Hooks for the generic layer (kernel/events/hw_breakpoint.c). */
int hw_breakpoint_arch_parse(struct perf_event *bp,
			     const struct perf_event_attr *attr,
			     struct arch_hw_breakpoint *hw);
int arch_check_bp_in_kernelspace(struct arch_hw_breakpoint *hw);
int arch_install_hw_breakpoint(struct perf_event *bp);
void arch_uninstall_hw_breakpoint(struct perf_event *bp);
void hw_breakpoint_pmu_read(struct perf_event *bp);

/*
 * traps.c hands every #DB to hw_breakpoint_debug_trap() before the die
 * chain, so the generic layer registers no die notifier.
 */
#define ARCH_HW_BREAKPOINT_TRAP_HOOK
struct pt_regs;
bool hw_breakpoint_debug_trap(struct pt_regs *regs, unsigned long *dr6);

/* DR7 helpers shared with ptrace and kgdb. */
unsigned long encode_dr7(int drnum, unsigned int len, unsigned int type);
int decode_dr7(unsigned long dr7, int bpnum, unsigned int *len,
	       unsigned int *type);
int arch_bp_generic_fields(int x86_len, int x86_type,
			   int *gen_len, int *gen_type);

#endif /* _ASM_X86_HW_BREAKPOINT_H */
