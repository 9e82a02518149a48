// SPDX-License-Identifier: GPL-2.0
/*
 * Which watchpoint an exception belongs to, and whether the access really
 * touched the watched bytes.
 *
 * A DAWR or DABR compares doublewords, so it also fires for an access that
 * only shares a doubleword with the watched range (and, before POWER10, a
 * 16-byte vector access is compared as a quadword).  The exception comes
 * before the access, with the instruction still at NIP; decoding that
 * instruction gives the effective address, size and direction of the
 * access, from which the verdict follows:
 *
 *   miss       the register could not have fired for this access;
 *   false hit  it fired, but no watched byte was touched (or the access
 *              came from a privilege level the watchpoint does not count);
 *   hit        a watched byte was touched, as the watchpoint asked.
 *
 * The verdict is a pure function of the watchpoint and the decoded
 * access, so KUnit drives it directly.  Built with or without perf:
 * process.c uses the wp_* entry points for ptrace without perf.
 */

#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/uaccess.h>
#include <asm/cache.h>
#include <asm/hw_breakpoint.h>
#include <asm/inst.h>
#include <asm/sstep.h>

#include "hw_breakpoint_decode.h"

/* The comparison granule for an access of @size bytes. */
static unsigned int hwbp_granule(unsigned int size, bool isa31)
{
	if (size == 16 && !isa31)
		return 16;
	return HW_BREAKPOINT_SIZE;
}

static bool hwbp_overlaps(unsigned long a_start, unsigned long a_end,
			  unsigned long b_start, unsigned long b_end)
{
	return a_start < b_end && b_start < a_end;
}

static bool hwbp_kind_watched(const struct arch_hw_breakpoint *w,
			      enum hwbp_access_kind kind)
{
	switch (kind) {
	case HWBP_ACCESS_LOAD:
		return w->type & HW_BRK_TYPE_READ;
	case HWBP_ACCESS_STORE:
		return w->type & HW_BRK_TYPE_WRITE;
	default:
		/* Unknown direction: either kind may have fired. */
		return w->type & HW_BRK_TYPE_RDWR;
	}
}

static bool hwbp_privilege_counted(const struct arch_hw_breakpoint *w,
				   bool user)
{
	return w->type & (user ? HW_BRK_TYPE_USER : HW_BRK_TYPE_KERNEL);
}

/**
 * hwbp_verdict - what an access means for one watchpoint
 * @w: the watchpoint
 * @acc: the decoded access; for HWBP_ACCESS_UNKNOWN only @dar is known
 * @dar: the data address the exception reported
 * @user: the access came from user mode
 * @isa31: POWER10 comparison rules (no quadword granule)
 *
 * Return: HWBP_MISS, HWBP_FALSE_HIT or HWBP_HIT.
 */
enum hwbp_verdict
hwbp_verdict(const struct arch_hw_breakpoint *w, const struct hwbp_access *acc,
	     unsigned long dar, bool user, bool isa31)
{
	unsigned long start = acc->ea, end = acc->ea + acc->size;
	unsigned long w_end = w->address + w->len;
	unsigned long granule, hw_start, hw_end;

	/* Undecoded, or no data access at all: go by the reported address. */
	if (acc->kind == HWBP_ACCESS_UNKNOWN ||
	    acc->kind == HWBP_ACCESS_NONE || !acc->size) {
		start = dar;
		end = dar + 1;
	}
	if (!hwbp_kind_watched(w, acc->kind))
		return HWBP_MISS;

	granule = hwbp_granule(end - start, isa31);
	hw_start = ALIGN_DOWN(w->address, granule);
	hw_end = ALIGN(w_end, granule);
	if (!hwbp_overlaps(start, end, hw_start, hw_end))
		return HWBP_MISS;

	if (!hwbp_privilege_counted(w, user))
		return HWBP_FALSE_HIT;
	if (!hwbp_overlaps(start, end, w->address, w_end))
		return HWBP_FALSE_HIT;
	return HWBP_HIT;
}
EXPORT_SYMBOL_IF_KUNIT(hwbp_verdict);

/**
 * hwbp_access_of - the access an analysed instruction makes
 * @type: instruction_op.type from analyse_instr()
 * @ea: its effective address
 * @msr: the MSR it runs under (32-bit mode truncates the address)
 * @dcache_line: the data cache block size, for dcbz
 *
 * Return: the access; HWBP_ACCESS_NONE if the instruction touches no
 * data, HWBP_ACCESS_UNKNOWN if the decoder could not tell.
 */
VISIBLE_IF_KUNIT struct hwbp_access
hwbp_access_of(int type, unsigned long ea, unsigned long msr,
	       unsigned int dcache_line)
{
	struct hwbp_access acc = { .ea = ea, .size = GETSIZE(type) };
	int op = GETTYPE(type);

	if (!(msr & MSR_64BIT))
		acc.ea &= 0xffffffffUL;

	if (op == CACHEOP) {
		/* Only dcbz writes data; it zeroes a whole block. */
		if ((type & CACHEOP_MASK) != DCBZ) {
			acc.kind = HWBP_ACCESS_NONE;
			return acc;
		}
		acc.kind = HWBP_ACCESS_STORE;
		acc.size = dcache_line;
		acc.ea = ALIGN_DOWN(acc.ea, dcache_line);
		return acc;
	}

	if (OP_IS_LOAD(op))
		acc.kind = HWBP_ACCESS_LOAD;
	else if (OP_IS_STORE(op))
		acc.kind = HWBP_ACCESS_STORE;
	else
		acc.kind = op == UNKNOWN ? HWBP_ACCESS_UNKNOWN :
					   HWBP_ACCESS_NONE;

	/* lvx/stvx ignore the low bits of the address. */
	if ((op == LOAD_VMX || op == STORE_VMX) && acc.size)
		acc.ea = ALIGN_DOWN(acc.ea, acc.size);
	acc.atomic = op == LARX || op == STCX;
	return acc;
}
EXPORT_SYMBOL_IF_KUNIT(hwbp_access_of);

/*
 * Fetch the instruction at NIP.  The exception handler may not sleep, so
 * a user instruction that is not resident is left undecoded.
 */
static int hwbp_fetch(struct pt_regs *regs, ppc_inst_t *instr)
{
	int err;

	if (!user_mode(regs))
		return copy_inst_from_kernel_nofault(instr, (u32 *)regs->nip);

	pagefault_disable();
	err = __get_user_instr(*instr, (void __user *)regs->nip);
	pagefault_enable();
	return err;
}

/**
 * hwbp_decode_access - decode the access of the instruction at NIP
 * @regs: the interrupted context
 * @instr: the instruction, or ppc_inst(0) if it could not be read
 *
 * Return: the access; HWBP_ACCESS_UNKNOWN when the instruction could not
 * be read or decoded.
 */
struct hwbp_access hwbp_decode_access(struct pt_regs *regs, ppc_inst_t *instr)
{
	struct instruction_op op;

	*instr = ppc_inst(0);
	if (hwbp_fetch(regs, instr) || analyse_instr(&op, regs, *instr) < 0) {
		*instr = ppc_inst(0);
		return (struct hwbp_access) { .kind = HWBP_ACCESS_UNKNOWN };
	}
	return hwbp_access_of(op.type, op.ea, regs->msr, l1_dcache_bytes());
}

/*
 * The entry points process.c uses when ptrace drives the registers
 * without perf.  @type and @size carry the decoded access through.
 */
void wp_get_instr_detail(struct pt_regs *regs, ppc_inst_t *instr,
			 int *type, int *size, unsigned long *ea)
{
	struct hwbp_access acc = hwbp_decode_access(regs, instr);

	*type = acc.kind;
	*size = acc.size;
	*ea = acc.ea;
}

bool wp_check_constraints(struct pt_regs *regs, ppc_inst_t instr,
			  unsigned long ea, int type, int size,
			  struct arch_hw_breakpoint *info)
{
	struct hwbp_access acc = { .ea = ea, .size = size, .kind = type };

	return hwbp_verdict(info, &acc, regs->dar, user_mode(regs),
			    cpu_has_feature(CPU_FTR_ARCH_31)) != HWBP_MISS;
}
