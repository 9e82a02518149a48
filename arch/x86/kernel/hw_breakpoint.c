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
 *  - route a #DB to the events whose registers fired (the die notifier);
 *  - reload the registers when something else has clobbered them (KVM
 *    after a guest ran, text poking, resume, a CPU coming online).
 *
 * Per-CPU state and its rules
 * ---------------------------
 * dr_owner[i] is the event using DRi on this CPU; dr_addr[i] is what DRi
 * must hold; cpu_dr7 is what DR7 must hold.  They are written only on
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
 * del, and #DB runs with interrupts off, so a pointer read from dr_owner
 * cannot go away under the handler.
 *
 * Register writes are kept to what changed: a slot change writes its
 * address register and DR7, nothing else.  The address is written on
 * every install even when dr_addr says it already holds it, because KVM
 * loads guest values into DR0-DR3 without telling us while no host
 * breakpoint is enabled.
 */

#include <linux/cpuhotplug.h>
#include <linux/hw_breakpoint.h>
#include <linux/init.h>
#include <linux/kdebug.h>
#include <linux/kprobes.h>
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

DEFINE_PER_CPU(unsigned long, cpu_dr7);
EXPORT_PER_CPU_SYMBOL(cpu_dr7);

static DEFINE_PER_CPU(struct perf_event *, dr_owner[HBP_NUM]);
static DEFINE_PER_CPU(unsigned long, dr_addr[HBP_NUM]);

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
	return dr7_field(drnum, len, type) |
	       (DR_GLOBAL_ENABLE << (drnum * DR_ENABLE_SIZE)) |
	       DR_GLOBAL_SLOWDOWN;
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

#ifdef CONFIG_SMP
	/* Read by entry code to find each CPU's per-CPU area. */
	if (overlaps_object(addr, len, __per_cpu_offset,
			    sizeof(__per_cpu_offset[0]) * nr_cpu_ids))
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
		    overlaps_object(addr, len, per_cpu_ptr(&dr_owner, cpu),
				    sizeof(dr_owner)) ||
		    overlaps_object(addr, len, per_cpu_ptr(&dr_addr, cpu),
				    sizeof(dr_addr)))
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

	if (overlaps_entry_data(hw->address, x86_bp_span(hw)))
		return -EINVAL;
	return 0;
}

/* --- install / uninstall ------------------------------------------------- */

static void write_dr7(unsigned long old, unsigned long new)
{
	if (new != old)
		set_debugreg(new, 7);
}

int arch_install_hw_breakpoint(struct perf_event *bp)
{
	struct arch_hw_breakpoint *info = counter_arch_bp(bp);
	unsigned long old_dr7, new_dr7;
	int slot;

	for (slot = 0; slot < HBP_NUM; slot++) {
		if (!this_cpu_read(dr_owner[slot]))
			break;
	}
	/* The accounting promised a register: running out is our bug. */
	if (WARN_ONCE(slot == HBP_NUM, "x86 debug registers all in use"))
		return -EBUSY;

	this_cpu_write(dr_owner[slot], bp);
	this_cpu_write(dr_addr[slot], info->address);
	set_debugreg(info->address, slot);
	if (info->mask)
		amd_set_dr_addr_mask(info->mask, slot);

	old_dr7 = this_cpu_read(cpu_dr7);
	new_dr7 = (old_dr7 & ~dr7_slot_bits(slot)) |
		  encode_dr7(slot, info->len, info->type);
	this_cpu_write(cpu_dr7, new_dr7);
	barrier();
	write_dr7(old_dr7, new_dr7);
	return 0;
}

void arch_uninstall_hw_breakpoint(struct perf_event *bp)
{
	struct arch_hw_breakpoint *info = counter_arch_bp(bp);
	unsigned long old_dr7, new_dr7;
	int slot;

	for (slot = 0; slot < HBP_NUM; slot++) {
		if (this_cpu_read(dr_owner[slot]) == bp)
			break;
	}
	if (WARN_ONCE(slot == HBP_NUM, "x86 breakpoint not installed"))
		return;

	old_dr7 = this_cpu_read(cpu_dr7);
	new_dr7 = old_dr7 & ~dr7_slot_bits(slot);
	/* Keep DR7 all clear when nothing is armed. */
	if (!(new_dr7 & (DR_LOCAL_ENABLE_MASK | DR_GLOBAL_ENABLE_MASK)))
		new_dr7 = 0;
	write_dr7(old_dr7, new_dr7);
	barrier();
	this_cpu_write(cpu_dr7, new_dr7);

	if (info->mask)
		amd_set_dr_addr_mask(0, slot);
	this_cpu_write(dr_owner[slot], NULL);
}

void hw_breakpoint_pmu_read(struct perf_event *bp)
{
	/* The count is kept by perf_bp_event(); there is nothing to read. */
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
		set_debugreg(this_cpu_read(dr_addr[slot]), slot);
	set_debugreg(DR6_RESERVED, 6);
	set_debugreg(this_cpu_read(cpu_dr7), 7);
}
EXPORT_SYMBOL_GPL(hw_breakpoint_restore);

/* --- #DB ----------------------------------------------------------------- */

/*
 * Hand each register that fired to its event and clear its bit in the
 * entry code's DR6 copy.  Bits without an owner (a debugger writing DR7
 * by hand) are left for the rest of the #DB path.
 */
static int hwbp_handle_debug(struct die_args *args)
{
	unsigned long *dr6 = (unsigned long *)args->err;
	unsigned long fired = *dr6 & DR_TRAP_BITS;
	struct perf_event *bp;
	int slot;

	if (!fired)
		return NOTIFY_DONE;

	for (slot = 0; slot < HBP_NUM; slot++) {
		if (!(fired & (DR_TRAP0 << slot)))
			continue;
		bp = this_cpu_read(dr_owner[slot]);
		if (!bp)
			continue;
		/*
		 * An instruction breakpoint reported together with a single
		 * step: the step is handled first, and the breakpoint fires
		 * again when the instruction runs.
		 */
		if (bp->hw.info.type == X86_BREAKPOINT_EXECUTE &&
		    (*dr6 & DR_STEP))
			continue;

		*dr6 &= ~(DR_TRAP0 << slot);
		perf_bp_event(bp, args->regs);

		/* Resume past an instruction breakpoint instead of re-trapping. */
		if (bp->hw.info.type == X86_BREAKPOINT_EXECUTE)
			args->regs->flags |= X86_EFLAGS_RF;
	}

	/*
	 * Let the rest of the #DB path run when something is left: a single
	 * step, an unclaimed register, or a handler (ptrace, kgdb) that asked
	 * for a signal through virtual_dr6.
	 */
	if (*dr6 || (current->thread.virtual_dr6 & DR_TRAP_BITS))
		return NOTIFY_DONE;
	return NOTIFY_STOP;
}

int hw_breakpoint_exceptions_notify(struct notifier_block *unused,
				    unsigned long val, void *data)
{
	if (val != DIE_DEBUG)
		return NOTIFY_DONE;
	return hwbp_handle_debug(data);
}

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

/* --- CPU online and resume ----------------------------------------------- */

/*
 * A CPU coming online starts with cleared debug registers (cpu_init()),
 * but perf may already have scheduled events on it: write back the state
 * this CPU should have.
 */
static int hwbp_cpu_online(unsigned int cpu)
{
	unsigned long flags;

	local_irq_save(flags);
	hw_breakpoint_restore();
	local_irq_restore(flags);
	return 0;
}

/* The boot CPU's registers do not survive suspend; the others re-online. */
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
	int ret;

	register_syscore(&hwbp_syscore);
	ret = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN,
					"x86/hw_breakpoint:online",
					hwbp_cpu_online, NULL);
	return ret < 0 ? ret : 0;
}
core_initcall(hwbp_x86_init);

#if IS_ENABLED(CONFIG_HW_BREAKPOINT_KUNIT_TEST)
#include "hw_breakpoint_kunit.c"
#endif
