/* SPDX-License-Identifier: GPL-2.0 */
/*
 * powerpc data watchpoints as perf breakpoints.
 *
 * Book3S has no instruction breakpoints for perf, only data address
 * watchpoints: DAWR0 (POWER8 on), DAWR1 (POWER10, CPU_FTR_DAWR1), or the
 * one DABR of older CPUs.  A DAWR watches whole doublewords, from the
 * doubleword that holds the first watched byte for MRD+1 doublewords; the
 * DABR watches one doubleword.  The backend (arch/powerpc/kernel/
 * hw_breakpoint.c) sorts real hits from the neighbouring accesses that
 * raise the exception too.
 *
 * struct arch_hw_breakpoint is shared with code we do not own: ptrace
 * (its DABR emulation and hw_brk[] bookkeeping), xmon, process.c's
 * register writers and dawr.c.  The HW_BRK_TYPE_* values are part of that
 * contract: the low three are the DABR's DR/DW/BT bits, so ptrace's
 * PTRACE_SET_DEBUGREG value carries them as they are.
 */
#ifndef _ASM_POWERPC_HW_BREAKPOINT_H
#define _ASM_POWERPC_HW_BREAKPOINT_H

#include <asm/cpu_has_feature.h>

#ifdef __KERNEL__

#include <linux/bits.h>
#include <linux/types.h>
#include <asm/reg.h>

/**
 * struct arch_hw_breakpoint - one watchpoint, as the hardware needs it
 * @address: first watched byte
 * @type: HW_BRK_TYPE_* access kinds and privilege levels
 * @flags: HW_BRK_FLAG_*, kept by ptrace for its own slots
 * @len: bytes watched from @address
 * @hw_len: bytes the register covers: whole doublewords
 * @serial: new on every parse of a perf breakpoint; a step-over names the
 *	events it holds back by serial, never by pointer
 */
struct arch_hw_breakpoint {
	unsigned long	address;
	u16		type;
	u16		flags;
	u32		len;
	u32		hw_len;
	u32		serial;
};

/* Access kinds, at the DABR's own bit positions (see above). */
#define HW_BRK_TYPE_READ		BIT(0)	/* DABR DR */
#define HW_BRK_TYPE_WRITE		BIT(1)	/* DABR DW */
#define HW_BRK_TYPE_TRANSLATE		BIT(2)	/* DABR BT */
/* Privilege levels watched, from the least privileged up. */
#define HW_BRK_TYPE_USER		BIT(3)
#define HW_BRK_TYPE_KERNEL		BIT(4)
#define HW_BRK_TYPE_HYP			BIT(5)

/* Masks of the bits above, as the ptrace and xmon callers name them. */
#define HW_BRK_TYPE_PRIV_ALL	(HW_BRK_TYPE_HYP | HW_BRK_TYPE_KERNEL | HW_BRK_TYPE_USER)
#define HW_BRK_TYPE_RDWR	(HW_BRK_TYPE_WRITE | HW_BRK_TYPE_READ)
/* The low three DABR bits are the access kinds plus translation. */
#define HW_BRK_TYPE_DABR	(HW_BRK_TYPE_TRANSLATE | HW_BRK_TYPE_RDWR)

/* arch_hw_breakpoint.flags: a slot kept but not programmed. */
#define HW_BRK_FLAG_DISABLED	0x1

/* The match granule: a doubleword (a word on the 8xx comparators). */
#define HW_BREAKPOINT_SIZE	(IS_ENABLED(CONFIG_PPC_8xx) ? 0x4 : 0x8)

#define DABR_MAX_LEN	8
#define DAWR_MAX_LEN	512

/* DABR bits 61-63 (Power ISA 2.07 Book III): BT, DW, DR. */
#define HW_DABR_TRANSLATION	0x4UL
#define HW_DABR_DATA_WRITE	0x2UL
#define HW_DABR_DATA_READ	0x1UL

/* DAWRX bits 48:53: MRD, the number of doublewords matched, minus one. */
#define HW_DAWRX_MRD_SHIFT	10
#define HW_DAWRX_MRD_MAX	0x3fUL

/* How many data watchpoints the CPU has: DAWR1 exists on POWER10. */
static inline int nr_wp_slots(void)
{
	return cpu_has_feature(CPU_FTR_DAWR1) ? 2 : 1;
}

/*
 * The register values of @brk.  Pure: they read nothing but @brk, so
 * KUnit checks them against the ISA's layouts.  A watchpoint with neither
 * read nor write set encodes as 0, which matches nothing.
 */
static inline unsigned long hw_brk_dawr(const struct arch_hw_breakpoint *brk)
{
	if (!(brk->type & HW_BRK_TYPE_RDWR))
		return 0;
	return brk->address & ~(unsigned long)(HW_BREAKPOINT_SIZE - 1);
}

static inline unsigned long hw_brk_dawrx(const struct arch_hw_breakpoint *brk)
{
	unsigned long dwords = ((unsigned long)brk->hw_len + 7) / 8;
	unsigned long x = 0;

	if (!(brk->type & HW_BRK_TYPE_RDWR))
		return 0;
	if (brk->type & HW_BRK_TYPE_READ)
		x |= DAWRX_DR;
	if (brk->type & HW_BRK_TYPE_WRITE)
		x |= DAWRX_DW;
	if (brk->type & HW_BRK_TYPE_TRANSLATE)
		x |= DAWRX_WT;
	if (brk->type & HW_BRK_TYPE_USER)
		x |= DAWRX_USER;
	if (brk->type & HW_BRK_TYPE_KERNEL)
		x |= DAWRX_KERNEL;
	if (brk->type & HW_BRK_TYPE_HYP)
		x |= DAWRX_HYP;
	/* A zero length still matches its one doubleword. */
	if (dwords)
		dwords--;
	if (dwords > HW_DAWRX_MRD_MAX)
		dwords = HW_DAWRX_MRD_MAX;
	return x | (dwords << HW_DAWRX_MRD_SHIFT);
}

static inline unsigned long hw_brk_dabr(const struct arch_hw_breakpoint *brk)
{
	unsigned long v = brk->address & ~7UL;

	if (!(brk->type & HW_BRK_TYPE_RDWR))
		return 0;
	if (brk->type & HW_BRK_TYPE_READ)
		v |= HW_DABR_DATA_READ;
	if (brk->type & HW_BRK_TYPE_WRITE)
		v |= HW_DABR_DATA_WRITE;
	if (brk->type & HW_BRK_TYPE_TRANSLATE)
		v |= HW_DABR_TRANSLATION;
	return v;
}

static inline unsigned long hw_brk_dabrx(const struct arch_hw_breakpoint *brk)
{
	unsigned long x = 0;

	if (brk->type & HW_BRK_TYPE_USER)
		x |= DABRX_USER;
	if (brk->type & HW_BRK_TYPE_KERNEL)
		x |= DABRX_KERNEL;
	if (brk->type & HW_BRK_TYPE_HYP)
		x |= DABRX_HYP;
	return x;
}

struct pt_regs;

/*
 * The instruction decoder for watchpoint exceptions (hw_breakpoint_
 * constraints.c), built whether or not perf is: process.c's ptrace-only
 * path uses it to find which register fired.
 */
bool wp_check_constraints(struct pt_regs *regs, ppc_inst_t instr,
			  unsigned long ea, int type, int size,
			  struct arch_hw_breakpoint *info);

void wp_get_instr_detail(struct pt_regs *regs, ppc_inst_t *instr,
			 int *type, int *size, unsigned long *ea);

/**
 * struct hw_brk_step - a user-mode step over a watched access
 * @nip: the instruction being stepped
 * @hits: serials of the events the access really touched
 * @nr_hits: entries in @hits
 * @cpu: the CPU whose registers the step turned off
 * @active: a step is under way
 * @own_se: MSR_SE was set by the backend (not by a debugger)
 *
 * Kept in the task (thread.hw_step): the task may be preempted, migrate,
 * take a signal or have its events changed or closed before the step
 * ends.  Only accesses that cannot be emulated are stepped.
 */
struct hw_brk_step {
	unsigned long	nip;
	u32		hits[4];
	u8		nr_hits;
	bool		active;
	bool		own_se;
	int		cpu;
};

#ifdef CONFIG_HAVE_HW_BREAKPOINT
#include <linux/kdebug.h>
#include <asm/debug.h>

struct perf_event_attr;
struct perf_event;
struct perf_sample_data;
struct task_struct;

int hw_breakpoint_slots(int type);
int arch_bp_generic_fields(int type, int *gen_bp_type);
int arch_check_bp_in_kernelspace(struct arch_hw_breakpoint *hw);
int hw_breakpoint_arch_parse(struct perf_event *bp,
			     const struct perf_event_attr *attr,
			     struct arch_hw_breakpoint *hw);
int hw_breakpoint_exceptions_notify(struct notifier_block *unused,
				    unsigned long val, void *data);
int arch_install_hw_breakpoint(struct perf_event *bp);
void arch_uninstall_hw_breakpoint(struct perf_event *bp);
void hw_breakpoint_pmu_read(struct perf_event *bp);
void flush_ptrace_hw_breakpoint(struct task_struct *tsk);
void ptrace_triggered(struct perf_event *bp, struct perf_sample_data *data,
		      struct pt_regs *regs);
void thread_change_pc(struct task_struct *tsk, struct pt_regs *regs);
void hw_breakpoint_disable(void);

#else	/* !CONFIG_HAVE_HW_BREAKPOINT: no perf events own the registers */
static inline void hw_breakpoint_disable(void) { }
static inline void thread_change_pc(struct task_struct *tsk,
				    struct pt_regs *regs) { }
#endif	/* CONFIG_HAVE_HW_BREAKPOINT */

/*
 * Whether this CPU watches with a DAWR (dawr.c): POWER8 and POWER10 do,
 * POWER9 only when the administrator forces it on (its erratum).  Without
 * CONFIG_PPC_DAWR the answer is a constant no, and the callers' DAWR
 * branches, set_dawr() calls included, compile away.
 */
extern bool dawr_force_enable;
int set_dawr(int nr, struct arch_hw_breakpoint *brk);

static inline bool dawr_enabled(void)
{
	return IS_ENABLED(CONFIG_PPC_DAWR) && dawr_force_enable;
}

#endif	/* __KERNEL__ */
#endif	/* _ASM_POWERPC_HW_BREAKPOINT_H */
