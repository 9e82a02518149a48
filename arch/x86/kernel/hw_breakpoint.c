// SPDX-License-Identifier: GPL-2.0
/*
 * x86 backend of the hardware-breakpoint layer: DR0-DR3 and DR7.
 *
 * The generic layer (kernel/events/hw_breakpoint.c) has already promised a
 * register on every CPU an event may run on.  Here we:
 *
 *  - check an attr and turn it into X86_BREAKPOINT_* codes (parse);
 *  - give a scheduled event a free register on this CPU (install), and
 *    take it back (uninstall);
 *  - route a #DB to the events whose registers fired (called by traps.c);
 *  - reload the registers when something else has clobbered them (KVM
 *    after a guest ran, text poking, kgdb, the boot CPU after resume).
 *
 * Per-CPU state and its rules
 * ---------------------------
 * hwbp_dr_owner[i] is the event using DRi on this CPU, hwbp_dr_addr[i]
 * is what DRi must hold, cpu_dr7 is what DR7 must hold.  They are written only on
 * their own CPU with interrupts disabled (perf's add/del, kgdb with the
 * machine stopped) and read by the #DB handler on the same CPU, so no lock
 * is needed.  Two orderings matter:
 *
 *  - the owner is published before DR7 enables the register, and cleared
 *    only after DR7 has disabled it, so a #DB never finds an armed
 *    register without its event;
 *  - cpu_dr7 is set before DR7 is written on install, and cleared after it
 *    on uninstall, because NMI, MCE and KVM read cpu_dr7 to learn whether
 *    DR7 may be live.
 *
 * An event freed by perf stays valid for an RCU grace period after its
 * del, and #DB runs with interrupts off, so a pointer read from
 * hwbp_dr_owner cannot go away under the handler.
 *
 * Install writes the slot's address register and DR7; uninstall writes
 * DR7 alone and leaves the old address in DRn, which is harmless once the
 * slot's enable bits are clear (the #DB handler drops the status bits such
 * a register may still set, see below).  The address is written on every
 * install, because KVM loads guest values into DR0-DR3 without telling us
 * while no host breakpoint is enabled.
 *
 * A CPU that goes offline loses all its events in perf core before it
 * dies, and cpu_init() clears the debug registers of a CPU coming up, so
 * hotplug needs no callback here.  The boot CPU never goes offline across
 * suspend, so its CPU-bound events stay installed while firmware resets
 * its registers: a syscore resume hook reloads them.
 */

#include <kunit/visibility.h>
#include <linux/hw_breakpoint.h>
#include <linux/init.h>
#include <linux/kdebug.h>
#include <linux/kprobes.h>
#include <linux/lockdep.h>
#include <linux/percpu.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <linux/syscore_ops.h>

#include <asm/cpu_entry_area.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/processor.h>
#include <asm/sections.h>
#include <asm/tlbflush.h>

#include "hw_breakpoint_kunit.h"

DEFINE_PER_CPU(unsigned long, cpu_dr7);
EXPORT_PER_CPU_SYMBOL(cpu_dr7);

static DEFINE_PER_CPU(struct perf_event *, hwbp_dr_owner[HBP_NUM]);
static DEFINE_PER_CPU(unsigned long, hwbp_dr_addr[HBP_NUM]);

/* @cpu's owner table, for the KUnit suite. */
VISIBLE_IF_KUNIT struct perf_event **hwbp_owner_table(int cpu)
{
	return &per_cpu(hwbp_dr_owner[0], cpu);
}
EXPORT_SYMBOL_IF_KUNIT(hwbp_owner_table);

/* @cpu's address shadow, for the KUnit suite. */
VISIBLE_IF_KUNIT unsigned long *hwbp_addr_table(int cpu)
{
	return &per_cpu(hwbp_dr_addr[0], cpu);
}
EXPORT_SYMBOL_IF_KUNIT(hwbp_addr_table);

/* --- DR7 encoding: pure functions ---------------------------------------- */

static unsigned long dr7_field(int slot, unsigned int len, unsigned int type)
{
	unsigned long field = (len | type) & 0xf;

	return field << (DR_CONTROL_SHIFT + slot * DR_CONTROL_SIZE);
}

static unsigned long dr7_enable_bits(int slot)
{
	return (DR_LOCAL_ENABLE | DR_GLOBAL_ENABLE) << (slot * DR_ENABLE_SIZE);
}

/* Every bit of DR7 that belongs to @slot. */
static unsigned long dr7_slot_bits(int slot)
{
	return dr7_field(slot, 0xf, 0) | dr7_enable_bits(slot);
}

/* encode_dr7(), inlined into install, which runs at every context switch. */
static __always_inline unsigned long dr7_arm_bits(int drnum, unsigned int len,
						  unsigned int type)
{
	return dr7_field(drnum, len, type) |
	       (DR_GLOBAL_ENABLE << (drnum * DR_ENABLE_SIZE)) |
	       DR_GLOBAL_SLOWDOWN;
}

/**
 * encode_dr7 - DR7 bits that arm one debug register
 * @drnum: register number, 0-3
 * @len: X86_BREAKPOINT_LEN_* code
 * @type: X86_BREAKPOINT_* type code
 *
 * The global enable is used: hw_breakpoint_active() and KVM look for it.
 *
 * Return: the bits to OR into DR7.
 */
unsigned long encode_dr7(int drnum, unsigned int len, unsigned int type)
{
	return dr7_arm_bits(drnum, len, type);
}

/**
 * decode_dr7 - read one register's settings back from DR7
 * @dr7: DR7 value
 * @bpnum: register number, 0-3
 * @len: returns the X86_BREAKPOINT_LEN_* code
 * @type: returns the X86_BREAKPOINT_* type code
 *
 * Return: the register's two enable bits (local, global); 0 if disabled.
 */
int decode_dr7(unsigned long dr7, int bpnum, unsigned int *len,
	       unsigned int *type)
{
	unsigned int field = dr7 >> (DR_CONTROL_SHIFT + bpnum * DR_CONTROL_SIZE);

	*len = X86_BREAKPOINT_LEN_1 | (field & 0xc);
	*type = X86_BREAKPOINT_EXECUTE | (field & 0x3);
	return (dr7 >> (bpnum * DR_ENABLE_SIZE)) & 0x3;
}

static int x86_len_bytes(u8 len)
{
	switch (len) {
	case X86_BREAKPOINT_LEN_1:
		return 1;
	case X86_BREAKPOINT_LEN_2:
		return 2;
	case X86_BREAKPOINT_LEN_4:
		return 4;
#ifdef CONFIG_X86_64
	case X86_BREAKPOINT_LEN_8:
		return 8;
#endif
	}
	return -EINVAL;
}

static int x86_len_code(u64 bytes)
{
	switch (bytes) {
	case 1:
		return X86_BREAKPOINT_LEN_1;
	case 2:
		return X86_BREAKPOINT_LEN_2;
	case 4:
		return X86_BREAKPOINT_LEN_4;
#ifdef CONFIG_X86_64
	case 8:
		return X86_BREAKPOINT_LEN_8;
#endif
	}
	return -EINVAL;
}

/**
 * arch_bp_generic_fields - turn x86 codes into HW_BREAKPOINT_* values
 * @x86_len: X86_BREAKPOINT_LEN_* code
 * @x86_type: X86_BREAKPOINT_* type code
 * @gen_len: returns the length in bytes
 * @gen_type: returns the HW_BREAKPOINT_* type
 *
 * Used by ptrace to turn a DR7 written by a debugger into perf attrs.
 *
 * Return: 0, or -EINVAL for a combination perf cannot express.
 */
int arch_bp_generic_fields(int x86_len, int x86_type,
			   int *gen_len, int *gen_type)
{
	int bytes;

	if (x86_type == X86_BREAKPOINT_EXECUTE) {
		/* The SDM requires length 1 for instruction breakpoints. */
		if (x86_len != X86_BREAKPOINT_LEN_X)
			return -EINVAL;
		*gen_type = HW_BREAKPOINT_X;
		*gen_len = sizeof(long);
		return 0;
	}

	if (x86_type == X86_BREAKPOINT_WRITE)
		*gen_type = HW_BREAKPOINT_W;
	else if (x86_type == (X86_BREAKPOINT_RW))
		*gen_type = HW_BREAKPOINT_W | HW_BREAKPOINT_R;
	else
		return -EINVAL;	/* I/O breakpoints are not supported */

	bytes = x86_len_bytes(x86_len);
	if (bytes < 0)
		return bytes;
	*gen_len = bytes;
	return 0;
}

/* --- parse --------------------------------------------------------------- */

/* Bytes covered by @hw; an AMD mask widens the range beyond the length. */
static unsigned long x86_bp_span(const struct arch_hw_breakpoint *hw)
{
	if (hw->mask)
		return hw->mask + 1;
	return x86_len_bytes(hw->len);
}

int arch_check_bp_in_kernelspace(struct arch_hw_breakpoint *hw)
{
	unsigned long last = hw->address + x86_bp_span(hw) - 1;

	return hw->address >= TASK_SIZE_MAX || last >= TASK_SIZE_MAX;
}

static bool ranges_overlap(unsigned long a, unsigned long a_len,
			   unsigned long b, unsigned long b_len)
{
	return a < b + b_len && b < a + a_len;
}

static bool overlaps_object(unsigned long addr, unsigned long len,
			    const void *obj, unsigned long size)
{
	return ranges_overlap(addr, len, (unsigned long)obj, size);
}

/*
 * Data the #DB entry path touches before it can disable DR7, or that must
 * stay consistent while it runs.  A watchpoint there would fire inside the
 * entry code, recurse, or be taken on a half-switched stack.
 */
static bool overlaps_entry_data(unsigned long addr, unsigned long len)
{
	int cpu;

	/* IST and entry stacks, the TSS and GDT as the CPU sees them. */
	if (ranges_overlap(addr, len, CPU_ENTRY_AREA_BASE,
			   CPU_ENTRY_AREA_MAP_SIZE))
		return true;

	/* Read by entry code to find this CPU's per-CPU area. */
#ifdef CONFIG_SMP
	if (overlaps_object(addr, len, __per_cpu_offset,
			    sizeof(__per_cpu_offset[0]) * nr_cpu_ids))
		return true;
#else
	if (overlaps_object(addr, len, &pcpu_unit_offsets,
			    sizeof(pcpu_unit_offsets)))
		return true;
#endif

	for_each_possible_cpu(cpu) {
		if (overlaps_object(addr, len, get_cpu_gdt_rw(cpu), GDT_SIZE) ||
		    overlaps_object(addr, len, &per_cpu(cpu_tss_rw, cpu),
				    sizeof(struct tss_struct)) ||
		    overlaps_object(addr, len, &per_cpu(cpu_tlbstate, cpu),
				    sizeof(struct tlb_state)) ||
		    overlaps_object(addr, len, &per_cpu(pcpu_hot, cpu),
				    sizeof(struct pcpu_hot)) ||
		    overlaps_object(addr, len, &per_cpu(cpu_dr7, cpu),
				    sizeof(unsigned long)) ||
		    overlaps_object(addr, len, per_cpu_ptr(&hwbp_dr_owner, cpu),
				    sizeof(hwbp_dr_owner)) ||
		    overlaps_object(addr, len, per_cpu_ptr(&hwbp_dr_addr, cpu),
				    sizeof(hwbp_dr_addr)))
			return true;
	}
	return false;
}

static bool in_section(unsigned long addr, const char *start, const char *end)
{
	return addr >= (unsigned long)start && addr < (unsigned long)end;
}

/*
 * Kernel code where an instruction breakpoint would trap before the #DB
 * handler could protect itself, or inside the handler's own path.
 */
static bool kernel_text_refuses_bp(unsigned long addr)
{
	if (in_section(addr, __entry_text_start, __entry_text_end) ||
	    in_section(addr, __noinstr_text_start, __noinstr_text_end) ||
	    in_section(addr, __kprobes_text_start, __kprobes_text_end))
		return true;
	/*
	 * Without kprobes there is no list of the functions the exception
	 * path uses (NOKPROBE_SYMBOL), so no kernel text is known safe.
	 */
	return !IS_ENABLED(CONFIG_KPROBES) || within_kprobe_blacklist(addr);
}

static int parse_execute(const struct perf_event_attr *attr,
			 struct arch_hw_breakpoint *hw)
{
	if (attr->bp_addr >= TASK_SIZE_MAX &&
	    kernel_text_refuses_bp(attr->bp_addr))
		return -EINVAL;
	/* perf spells "one instruction" as the size of a pointer. */
	if (attr->bp_len != sizeof(long))
		return -EINVAL;
	hw->type = X86_BREAKPOINT_EXECUTE;
	hw->len = X86_BREAKPOINT_LEN_X;
	return 0;
}

static int parse_data(const struct perf_event_attr *attr,
		      struct arch_hw_breakpoint *hw)
{
	u64 len = attr->bp_len;
	int code;

	if (attr->bp_type == HW_BREAKPOINT_W)
		hw->type = X86_BREAKPOINT_WRITE;
	else if (attr->bp_type == (HW_BREAKPOINT_R | HW_BREAKPOINT_W))
		hw->type = X86_BREAKPOINT_RW;
	else
		return -EINVAL;	/* x86 cannot watch reads alone */

	/* The hardware ignores low address bits: require natural alignment. */
	if (!len || (len & (len - 1)) || (attr->bp_addr & (len - 1)))
		return -EINVAL;

	code = x86_len_code(len);
	if (code > 0) {
		hw->len = code;
		return 0;
	}

	/* Longer aligned ranges need AMD's address-mask extension. */
	if (!boot_cpu_has(X86_FEATURE_BPEXT))
		return -EOPNOTSUPP;
	hw->len = X86_BREAKPOINT_LEN_1;
	hw->mask = len - 1;
	return 0;
}

int hw_breakpoint_arch_parse(struct perf_event *bp,
			     const struct perf_event_attr *attr,
			     struct arch_hw_breakpoint *hw)
{
	unsigned long len = attr->bp_len;
	int err;

	if (!len || attr->bp_addr + len - 1 < attr->bp_addr)
		return -EINVAL;

	hw->address = attr->bp_addr;
	hw->mask = 0;
	if (attr->bp_type == HW_BREAKPOINT_X)
		err = parse_execute(attr, hw);
	else
		err = parse_data(attr, hw);
	if (err)
		return err;

	/*
	 * Entry data is all kernel memory: a user range needs no look at it,
	 * which keeps ptrace and perf's task breakpoints from paying a walk
	 * over every possible CPU on each parse.
	 */
	if (arch_check_bp_in_kernelspace(hw) &&
	    overlaps_entry_data(hw->address, x86_bp_span(hw)))
		return -EINVAL;
	return 0;
}

/* --- install / uninstall ------------------------------------------------- */

/* The register on this CPU whose owner is @bp; NULL finds a free one. */
static int slot_owned_by(const struct perf_event *bp)
{
	int slot;

	for (slot = 0; slot < HBP_NUM; slot++) {
		if (this_cpu_read(hwbp_dr_owner[slot]) == bp)
			return slot;
	}
	return -1;
}

/*
 * Enable a free register's @bits in DR7, cpu_dr7 first (see the rules at
 * the top).  A free register has no bits left in cpu_dr7: uninstall
 * clears them all, so OR-ing is enough.
 */
static void dr7_arm(unsigned long bits)
{
	unsigned long dr7 = this_cpu_read(cpu_dr7) | bits;

	this_cpu_write(cpu_dr7, dr7);
	barrier();
	set_debugreg(dr7, 7);
}

/* Clear @slot's bits from DR7, cpu_dr7 last. */
static void dr7_disarm(int slot)
{
	unsigned long dr7 = this_cpu_read(cpu_dr7) & ~dr7_slot_bits(slot);

	/* Keep DR7 all clear when nothing is armed. */
	if (!(dr7 & (DR_LOCAL_ENABLE_MASK | DR_GLOBAL_ENABLE_MASK)))
		dr7 = 0;
	set_debugreg(dr7, 7);
	barrier();
	this_cpu_write(cpu_dr7, dr7);
}

int arch_install_hw_breakpoint(struct perf_event *bp)
{
	struct arch_hw_breakpoint *info = counter_arch_bp(bp);
	int slot = slot_owned_by(NULL);

	lockdep_assert_irqs_disabled();
	/* The accounting promised a register: running out is our bug. */
	if (WARN_ONCE(slot < 0, "x86 debug registers all in use"))
		return -EBUSY;

	info->slot = slot;
	this_cpu_write(hwbp_dr_owner[slot], bp);
	this_cpu_write(hwbp_dr_addr[slot], info->address);
	set_debugreg(info->address, slot);
	if (info->mask)
		amd_set_dr_addr_mask(info->mask, slot);
	dr7_arm(dr7_arm_bits(slot, info->len, info->type));
	return 0;
}

/*
 * The register @bp was installed in: the one install noted, checked
 * against the owner table (a modify may have rewritten bp->hw.info).
 */
static int installed_slot(const struct perf_event *bp)
{
	int slot = bp->hw.info.slot;

	if (likely(slot < HBP_NUM && this_cpu_read(hwbp_dr_owner[slot]) == bp))
		return slot;
	return slot_owned_by(bp);
}

void arch_uninstall_hw_breakpoint(struct perf_event *bp)
{
	int slot = installed_slot(bp);

	lockdep_assert_irqs_disabled();
	if (WARN_ONCE(slot < 0, "x86 breakpoint not installed"))
		return;

	dr7_disarm(slot);
	if (counter_arch_bp(bp)->mask)
		amd_set_dr_addr_mask(0, slot);
	this_cpu_write(hwbp_dr_owner[slot], NULL);
}

void hw_breakpoint_pmu_read(struct perf_event *bp)
{
	/* The count is kept by hw_breakpoint_hit(); there is nothing to read. */
}

/**
 * hw_breakpoint_restore - reload this CPU's debug registers
 *
 * For callers that let something else use the registers: KVM after a
 * guest ran, text poking after hw_breakpoint_disable(), kgdb, resume.
 * Call with interrupts disabled.
 */
void hw_breakpoint_restore(void)
{
	int slot;

	for (slot = 0; slot < HBP_NUM; slot++)
		set_debugreg(this_cpu_read(hwbp_dr_addr[slot]), slot);
	set_debugreg(DR6_RESERVED, 6);
	set_debugreg(this_cpu_read(cpu_dr7), 7);
}
EXPORT_SYMBOL_GPL(hw_breakpoint_restore);

/* --- #DB ----------------------------------------------------------------- */

/*
 * Which trap bits (B0-B3) of one #DB are claimed, dropped or passed on.
 *
 * The SDM (vol. 3, "Debug Status Register") lets the CPU set Bn when
 * register n's condition matches even if DR7 does not enable it, and DR6
 * keeps bits until software clears them (QEMU's TCG also leaves bits of
 * earlier hits).  A bit is therefore evidence of a hit only for a register
 * somebody armed:
 *
 *  - Bn of a register with an owner on this CPU is claimed: the event
 *    counts and the bit is cleared.  An instruction breakpoint reported
 *    together with a single step (BS) is cleared without counting: the
 *    step is taken first and the breakpoint, a fault, fires again when the
 *    instruction runs.
 *  - Bn of a register without an owner that @dr7 enables was armed behind
 *    this layer (kgdb before its events exist writes DR7 itself).  It is
 *    left in DR6 for the rest of the #DB path.
 *  - Bn of a register without an owner that @dr7 does not enable is stale
 *    or spurious and is cleared.  Left in DR6, it would make traps.c send
 *    SIGTRAP to a task that only perf was watching, or stop the kernel in
 *    kgdb.
 *
 * @dr7 is DR7 as the handler finds it, or HWBP_DR7_UNREAD to read it only
 * when an unowned bit needs it.  For a #DB from user mode that is what the
 * task ran with.  For a #DB from kernel mode the entry code has already
 * cleared DR7 (local_db_save()), so there an unowned bit is dropped: the
 * same outcome as upstream, which stops the chain whenever only trap bits
 * remain.
 *
 * The rest of the #DB path runs (NOTIFY_DONE) when anything is left in
 * DR6 (BS, BD, BT, a bit passed on) or when a handler asked for a signal
 * through virtual_dr6 (ptrace_triggered(), kgdb).
 */
/*
 * "Read DR7 when you need it": never a value of DR7, whose bits 12, 14
 * and 15 always read as zero.
 */
#define HWBP_DR7_UNREAD	(~0UL)

VISIBLE_IF_KUNIT int hwbp_handle_debug(unsigned long *dr6,
				       struct pt_regs *regs, unsigned long dr7)
{
	unsigned long pending = *dr6 & DR_TRAP_BITS;
	struct perf_event *bp;
	bool execute;
	int slot;

	/* One pass over the bits that are set: a hit usually sets one. */
	for (; pending; pending &= pending - 1) {
		slot = __ffs(pending);
		bp = this_cpu_read(hwbp_dr_owner[slot]);
		if (!bp) {
			if (dr7 == HWBP_DR7_UNREAD)
				get_debugreg(dr7, 7);
			if (!(dr7 & dr7_enable_bits(slot)))
				*dr6 &= ~(DR_TRAP0 << slot);
			continue;
		}

		*dr6 &= ~(DR_TRAP0 << slot);
		execute = bp->hw.info.type == X86_BREAKPOINT_EXECUTE;
		if (execute && (*dr6 & DR_STEP))
			continue;
		hw_breakpoint_hit(bp, regs);
		/* Resume past an instruction breakpoint instead of re-trapping. */
		if (execute)
			regs->flags |= X86_EFLAGS_RF;
	}

	if (*dr6 || (current->thread.virtual_dr6 & DR_TRAP_BITS))
		return NOTIFY_DONE;
	return NOTIFY_STOP;
}
EXPORT_SYMBOL_IF_KUNIT(hwbp_handle_debug);
NOKPROBE_SYMBOL(hwbp_handle_debug);

/**
 * hw_breakpoint_debug_trap - claim the breakpoint hits of one #DB
 * @regs: the interrupted context
 * @dr6: DR6 as the #DB path saw it; the bits claimed here are cleared
 *
 * traps.c calls this before the die chain on every #DB, instead of a die
 * notifier: it would have been the chain's first entry anyway, and a hit
 * then costs no walk of the chain nor its RCU read section.
 *
 * Return: true if nothing is left for the rest of the #DB path.
 */
bool hw_breakpoint_debug_trap(struct pt_regs *regs, unsigned long *dr6)
{
	if (!(*dr6 & DR_TRAP_BITS))
		return false;
	return hwbp_handle_debug(dr6, regs, HWBP_DR7_UNREAD) == NOTIFY_STOP;
}

NOKPROBE_SYMBOL(hw_breakpoint_debug_trap);

/* --- ptrace -------------------------------------------------------------- */

void flush_ptrace_hw_breakpoint(struct task_struct *tsk)
{
	struct thread_struct *thread = &tsk->thread;
	int i;

	for (i = 0; i < HBP_NUM; i++) {
		unregister_hw_breakpoint(thread->ptrace_bps[i]);
		thread->ptrace_bps[i] = NULL;
	}
	thread->virtual_dr6 = 0;
	thread->ptrace_dr7 = 0;
}

/* --- resume -------------------------------------------------------------- */

/* The boot CPU's registers do not survive suspend; see the top comment. */
static void hwbp_resume(void *unused)
{
	hw_breakpoint_restore();
}

static const struct syscore_ops hwbp_syscore_ops = {
	.resume = hwbp_resume,
};

static struct syscore hwbp_syscore = {
	.ops = &hwbp_syscore_ops,
};

static int __init hwbp_x86_init(void)
{
	register_syscore(&hwbp_syscore);
	return 0;
}
core_initcall(hwbp_x86_init);
