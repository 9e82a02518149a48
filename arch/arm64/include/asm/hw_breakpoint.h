/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm64 hardware breakpoints (DBGBVR<n>_EL1/DBGBCR<n>_EL1) and watchpoints
 * (DBGWVR<n>_EL1/DBGWCR<n>_EL1): Arm ARM D2, "AArch64 self-hosted debug".
 *
 * asm/processor.h includes this header in every arm64 file, with the
 * breakpoint layer configured or not, and perf_event.h embeds struct
 * arch_hw_breakpoint in every event: keep it self-contained and light.
 */
#ifndef __ASM_HW_BREAKPOINT_H
#define __ASM_HW_BREAKPOINT_H

#include <asm/cpufeature.h>
#include <asm/sysreg.h>

/*
 * A control word as ptrace's NT_ARM_HW_BREAK/NT_ARM_HW_WATCH regsets show
 * it: the low bits of DBGBCR/DBGWCR plus the watchpoint MASK field.
 *
 *	E [0]  PMC/PAC [2:1]  LSC [4:3]  BAS [12:5]  MASK [28:24]
 *
 * A breakpoint has LSC 0 and a 4-bit BAS.  MASK is 0, or the number of low
 * address bits a watchpoint ignores (3 to 31: 8 bytes to 2 GiB), with BAS
 * 0xff.
 */
struct arch_hw_breakpoint_ctrl {
	u32 enabled	: 1;
	u32 privilege	: 2;
	u32 type	: 2;
	u32 bas		: 8;
	u32 mask	: 5;
};

/* Field positions of the control word above. */
#define ARM64_HWBP_CTRL_PRIV_SHIFT	1
#define ARM64_HWBP_CTRL_LSC_SHIFT	3
#define ARM64_HWBP_CTRL_BAS_SHIFT	5
#define ARM64_HWBP_CTRL_MASK_SHIFT	24
/* DBGBCR/DBGWCR.HMC: an EL1 breakpoint also matches at EL2 (VHE). */
#define ARM64_HWBP_CTRL_HMC		BIT(13)

/* PMC/PAC: the exception levels a pair matches. */
#define ARM64_HWBP_PRIV_EL1		1
#define ARM64_HWBP_PRIV_EL0		2

/* LSC: the accesses a watchpoint matches; breakpoints use 0. */
#define ARM64_HWBP_EXECUTE		0
#define ARM64_HWBP_LOAD			1
#define ARM64_HWBP_STORE		2

/* The most pairs of each kind the architecture numbers without banking. */
#define ARM_MAX_BRP			16
#define ARM_MAX_WRP			16

/*
 * What one breakpoint asks of a register pair.  @address is what the value
 * register holds (a watchpoint's is aligned down; BAS or MASK say which
 * bytes count).  @trigger is the address a hit reports: the PC of a
 * breakpoint, the fault address of a watchpoint; ptrace puts it in
 * si_addr.
 */
struct arch_hw_breakpoint {
	u64 address;
	u64 trigger;
	struct arch_hw_breakpoint_ctrl ctrl;
};

static inline u32 encode_ctrl_reg(struct arch_hw_breakpoint_ctrl ctrl)
{
	return ctrl.enabled |
	       (u32)ctrl.privilege << ARM64_HWBP_CTRL_PRIV_SHIFT |
	       (u32)ctrl.type << ARM64_HWBP_CTRL_LSC_SHIFT |
	       (u32)ctrl.bas << ARM64_HWBP_CTRL_BAS_SHIFT |
	       (u32)ctrl.mask << ARM64_HWBP_CTRL_MASK_SHIFT;
}

static inline void decode_ctrl_reg(u32 reg, struct arch_hw_breakpoint_ctrl *ctrl)
{
	ctrl->enabled = reg & 1;
	ctrl->privilege = (reg >> ARM64_HWBP_CTRL_PRIV_SHIFT) & 0x3;
	ctrl->type = (reg >> ARM64_HWBP_CTRL_LSC_SHIFT) & 0x3;
	ctrl->bas = (reg >> ARM64_HWBP_CTRL_BAS_SHIFT) & 0xff;
	ctrl->mask = (reg >> ARM64_HWBP_CTRL_MASK_SHIFT) & 0x1f;
}

struct perf_event;
struct perf_event_attr;
struct notifier_block;
struct pt_regs;
struct task_struct;

int arch_bp_generic_fields(struct arch_hw_breakpoint_ctrl ctrl,
			   u64 *gen_len, int *gen_type, int *offset);
int arch_check_bp_in_kernelspace(struct arch_hw_breakpoint *hw);
int hw_breakpoint_arch_parse(struct perf_event *bp,
			     const struct perf_event_attr *attr,
			     struct arch_hw_breakpoint *hw);
int hw_breakpoint_exceptions_notify(struct notifier_block *unused,
				    unsigned long val, void *data);
int arch_install_hw_breakpoint(struct perf_event *bp);
void arch_uninstall_hw_breakpoint(struct perf_event *bp);
void hw_breakpoint_pmu_read(struct perf_event *bp);
int hw_breakpoint_slots(int type);

#ifdef CONFIG_HAVE_HW_BREAKPOINT
void __hw_breakpoint_thread_switch(struct task_struct *next);
void hw_breakpoint_signal_deliver(struct pt_regs *regs);
void ptrace_hw_copy_thread(struct task_struct *task);

/* A task whose step over a breakpoint or watchpoint is in flight. */
#define hwbp_task_stepping(t)						\
	({								\
		const struct debug_info *__dbg = &(t)->thread.debug;	\
									\
		__dbg->bps_disabled | __dbg->wps_disabled;		\
	})

/*
 * Called on every context switch: only a task in the middle of a step-over
 * needs this CPU's pairs changed, so others never leave the inline test.
 */
#define hw_breakpoint_thread_switch(next)				\
	do {								\
		struct task_struct *__next = (next);			\
									\
		if (unlikely(hwbp_task_stepping(current) |		\
			     hwbp_task_stepping(__next)))		\
			__hw_breakpoint_thread_switch(__next);		\
	} while (0)
#else
static inline void hw_breakpoint_thread_switch(struct task_struct *next) { }
static inline void hw_breakpoint_signal_deliver(struct pt_regs *regs) { }
static inline void ptrace_hw_copy_thread(struct task_struct *task) { }
#endif

/* One field of the sanitised ID_AA64DFR0_EL1: a count minus one. */
static inline int arm64_debug_pairs(int shift)
{
	u64 dfr0 = read_sanitised_ftr_reg(SYS_ID_AA64DFR0_EL1);

	return cpuid_feature_extract_unsigned_field(dfr0, shift) + 1;
}

/* Breakpoint pairs every CPU has (KVM sizes guest debug with it). */
static inline int get_num_brps(void)
{
	return arm64_debug_pairs(ID_AA64DFR0_EL1_BRPs_SHIFT);
}

/* Watchpoint pairs every CPU has. */
static inline int get_num_wrps(void)
{
	return arm64_debug_pairs(ID_AA64DFR0_EL1_WRPs_SHIFT);
}

#ifdef CONFIG_CPU_PM
void cpu_suspend_set_dbg_restorer(int (*hw_bp_restore)(unsigned int));
#else
static inline void cpu_suspend_set_dbg_restorer(int (*hw_bp_restore)(unsigned int))
{
}
#endif

#endif /* __ASM_HW_BREAKPOINT_H */
