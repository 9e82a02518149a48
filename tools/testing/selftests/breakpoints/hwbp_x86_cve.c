// SPDX-License-Identifier: GPL-2.0
/*
 * The x86 debug-register bugs a debugger can reach through ptrace, as
 * regression tests for our breakpoint layer:
 *
 *  - CVE-2018-1000199: a refused POKEUSER of DR0-DR3 (a kernel address)
 *    still changed the perf breakpoint behind the register, and the next
 *    DR7 write (or the rollback of a refused one) armed it. The kernel then
 *    trapped on its own code or data; on do_debug itself, for ever.
 *  - CVE-2018-8897: a data breakpoint on the operand of MOV SS. Loading SS
 *    holds back the #DB until one more instruction has run; if that one
 *    enters the kernel (INT3, SYSCALL, INT 0x80), the #DB is raised on the
 *    first instruction of the kernel entry, before it has switched GS or
 *    the stack.
 *  - The regression of the first fix (upstream commit bd14406b78e6): an
 *    address written to DRn after DR7 had enabled the slot, or while the
 *    slot was disabled, was ignored.
 *
 * What 6.12 does, from arch/x86/kernel/ptrace.c and our
 * kernel/events/hw_breakpoint.c and arch/x86/kernel/hw_breakpoint.c:
 *
 *  - DRn (n < 4): ptrace_set_breakpoint_addr() registers a disabled W len 1
 *    breakpoint at the value on the first write, and modifies the existing
 *    one (keeping its type, length and enable state) afterwards. ptrace
 *    breakpoints have exclude_kernel set (ptrace_breakpoint_init()), so
 *    hwbp_validate() refuses any range that reaches TASK_SIZE_MAX with
 *    EINVAL, and modify_user_hw_breakpoint_check() changes nothing unless
 *    the whole update is valid. PEEKUSER DRn is bp->hw.info.address: what
 *    the register is loaded with on install.
 *  - DR7: a slot DR7 enables that has no breakpoint yet gets one at
 *    address 0 (a user address this program never touches). A refused DR7
 *    is undone by a second pass with the old value; PEEKUSER DR7 is
 *    thread->ptrace_dr7, written only on success.
 *  - DR6: the virtual DR6. ptrace_triggered() sets Bn when slot n hits in
 *    user mode; a hit in kernel mode of these exclude_kernel breakpoints
 *    is dropped by perf_bp_event() (perf_exclude_event()), so it sets
 *    nothing and sends no signal.
 */
#include <stddef.h>
#include <sys/user.h>
#include <asm/debugreg.h>

#include "../kselftest_harness.h"
#include "hwbp_util.h"

#include <limits.h>

/* DR7 R/W bits 10: I/O breakpoint, which ptrace refuses; not in debugreg.h */
#define DR_RW_IO	0x2

/* Bits of DR6 that report why a #DB happened, as these tests use them. */
#define DR6_WHY		(DR_TRAP_BITS | DR_STEP)

/* What the tracee accesses. Nothing else lives in their cache lines. */
static volatile long cve_var __aligned(64);
static volatile union {
	uint16_t sel;		/* a copy of the SS selector, for MOV SS */
	uint64_t word;
} ss_slot __aligned(64);

static __attribute__((noinline, noclone)) void x_target(void)
{
	hwbp_barrier();
}

static void (*volatile x_target_ptr)(void) = x_target;

#define STR_(x)		#x
#define STR(x)		STR_(x)

/*
 * long NAME(const volatile uint16_t *sel): do SETUP, load SS from *sel,
 * then run INSN, which sits at NAME_insn; NAME_next is the instruction
 * after it. Returns %rax, which for the instructions that enter the
 * kernel is the result of the system call SETUP chose. Only registers
 * the SysV ABI lets a call clobber change (SYSCALL clobbers %rcx and
 * %r11, INT 0x80 %r8-%r11).
 */
#define MOVSS_FN(name, setup, insn)					\
	"	.p2align 4\n"						\
	"	.globl " #name ", " #name "_insn, " #name "_next\n"	\
	"	.hidden " #name ", " #name "_insn, " #name "_next\n"	\
	"	.type " #name ", @function\n"				\
	#name ":\n"							\
	"	" setup "\n"						\
	"	mov (%rdi), %ss\n"					\
	#name "_insn:\n"						\
	"	" insn "\n"						\
	#name "_next:\n"						\
	"	ret\n"							\
	"	.size " #name ", . - " #name "\n"

/* getpid is 39 in the 64-bit table, 20 in the i386 one INT 0x80 uses. */
#define NR32_GETPID	20

asm("	.pushsection .text\n"
	MOVSS_FN(hwbp_movss_nop, "xor %eax, %eax", "nop")
	MOVSS_FN(hwbp_movss_int3, "xor %eax, %eax", "int3")
	MOVSS_FN(hwbp_movss_syscall, "mov $" STR(__NR_getpid) ", %eax", "syscall")
	MOVSS_FN(hwbp_movss_int80, "mov $" STR(NR32_GETPID) ", %eax", "int $0x80")
	"	.p2align 4\n"
	"	.globl hwbp_int80_getpid\n"
	"	.hidden hwbp_int80_getpid\n"
	"	.type hwbp_int80_getpid, @function\n"
	"hwbp_int80_getpid:\n"
	"	mov $" STR(NR32_GETPID) ", %eax\n"
	"	int $0x80\n"
	"	ret\n"
	"	.size hwbp_int80_getpid, . - hwbp_int80_getpid\n"
	"	.popsection\n");

#define MOVSS_DECL(name)						\
	long name(const volatile uint16_t *sel);			\
	extern const char name##_insn[], name##_next[]

MOVSS_DECL(hwbp_movss_nop);
MOVSS_DECL(hwbp_movss_int3);
MOVSS_DECL(hwbp_movss_syscall);
MOVSS_DECL(hwbp_movss_int80);
long hwbp_int80_getpid(void);

static uint16_t read_ss(void)
{
	uint16_t sel;

	asm volatile("mov %%ss, %0" : "=r" (sel));
	return sel;
}

/*
 * The tracee: it stops itself with SIGSTOP, then runs the command the
 * tracer has poked into tracee_cmd, and stops again.
 */
enum {
	CMD_STOP,		/* nothing: just stop again */
	CMD_GETPID,		/* the getpid system call; result in tracee_result */
	CMD_WRITE,		/* store all 8 bytes of cve_var */
	CMD_WRITE_LAST,		/* store its last byte only */
	CMD_READ,		/* load all 8 bytes of cve_var */
	CMD_CALL,		/* call x_target() */
	CMD_READ_SEL,		/* a plain 2-byte load of ss_slot.sel */
	CMD_MOVSS_NOP,		/* MOV SS, then the instructions below */
	CMD_MOVSS_INT3,
	CMD_MOVSS_SYSCALL,
	CMD_MOVSS_INT80,
	CMD_EXIT,
};

static volatile long tracee_cmd;
static volatile long tracee_result;
static volatile long tracee_ss;		/* SS after the command */

static void __attribute__((noreturn)) tracee_main(void)
{
	ss_slot.sel = read_ss();
	if (ptrace(PTRACE_TRACEME, 0, 0, 0))
		_exit(1);
	for (;;) {
		raise(SIGSTOP);
		switch (tracee_cmd) {
		case CMD_GETPID:
			tracee_result = syscall(__NR_getpid);
			break;
		case CMD_WRITE:
			hwbp_store_long(&cve_var, tracee_cmd);
			break;
		case CMD_WRITE_LAST:
			hwbp_store8((volatile uint8_t *)&cve_var + 7, 1);
			break;
		case CMD_READ:
			hwbp_load_long(&cve_var);
			break;
		case CMD_CALL:
			x_target_ptr();
			break;
		case CMD_READ_SEL:
			tracee_result = *(volatile uint16_t *)&ss_slot.sel;
			hwbp_barrier();
			break;
		case CMD_MOVSS_NOP:
			tracee_result = hwbp_movss_nop(&ss_slot.sel);
			break;
		case CMD_MOVSS_INT3:
			tracee_result = hwbp_movss_int3(&ss_slot.sel);
			break;
		case CMD_MOVSS_SYSCALL:
			tracee_result = hwbp_movss_syscall(&ss_slot.sel);
			break;
		case CMD_MOVSS_INT80:
			tracee_result = hwbp_movss_int80(&ss_slot.sel);
			break;
		case CMD_EXIT:
			_exit(0);
		}
		tracee_ss = read_ss();
	}
}

/* A tracee stopped at its first SIGSTOP, killed if we die. */
static pid_t start_tracee(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0)
		tracee_main();
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status) ||
	    WSTOPSIG(status) != SIGSTOP ||
	    ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_EXITKILL)) {
		hwbp_reap(pid);
		return -ECHILD;
	}
	return pid;
}

static long peek_var(pid_t pid, volatile long *var)
{
	long val;

	errno = 0;
	val = ptrace(PTRACE_PEEKDATA, pid, (void *)var, 0);
	return errno ? LONG_MIN : val;
}

static unsigned long dr7_slot(int slot, unsigned int rw, unsigned int len)
{
	return (DR_LOCAL_ENABLE << (slot * DR_ENABLE_SIZE)) |
	       ((unsigned long)(rw | len) <<
		(DR_CONTROL_SHIFT + slot * DR_CONTROL_SIZE));
}

/* One SIGTRAP stop of the tracee. */
struct trap {
	int si_code;
	unsigned long dr6;	/* PEEKUSER DR6 at the stop */
	unsigned long ip;
};

struct run {
	int ntraps;
	struct trap trap[4];
	int status;		/* the wait status if it did not stop again */
};

/*
 * Have the stopped tracee run @cmd until it stops itself again. Each
 * SIGTRAP on the way is recorded and suppressed, and DR6 cleared after
 * it as gdb does. 0 if the tracee came back to its SIGSTOP, else -1
 * with run->status saying what happened instead.
 */
static int run_cmd(pid_t pid, long cmd, struct run *run)
{
	memset(run, 0, sizeof(*run));
	if (ptrace(PTRACE_POKEDATA, pid, (void *)&tracee_cmd, cmd) ||
	    ptrace(PTRACE_CONT, pid, 0, 0))
		return -1;
	for (;;) {
		struct user_regs_struct regs;
		struct trap *t;
		siginfo_t si;
		int status;

		if (waitpid(pid, &status, 0) != pid)
			return -1;
		if (WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP)
			return 0;
		if (!WIFSTOPPED(status) || WSTOPSIG(status) != SIGTRAP ||
		    run->ntraps == HWBP_ARRAY_SIZE(run->trap)) {
			run->status = status;
			return -1;
		}
		t = &run->trap[run->ntraps++];
		if (ptrace(PTRACE_GETSIGINFO, pid, 0, &si) ||
		    ptrace(PTRACE_GETREGS, pid, 0, &regs))
			return -1;
		t->si_code = si.si_code;
		t->ip = regs.rip;
		t->dr6 = hwbp_peek_dr(pid, 6);
		if (hwbp_poke_dr(pid, 6, 0) || ptrace(PTRACE_CONT, pid, 0, 0))
			return -1;
	}
}

static const char *status_str(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exited with %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "killed by signal %d", WTERMSIG(status));
	else if (WIFSTOPPED(status))
		snprintf(buf, size, "stopped by signal %d (or too many traps)",
			 WSTOPSIG(status));
	else
		snprintf(buf, size, "status %#x", status);
	return buf;
}

/* Run @cmd, which must complete; the run is in *run. */
#define RUN(pid, cmd, run) do {						\
	char __buf[64];							\
	ASSERT_EQ(0, run_cmd(pid, cmd, run)) {				\
		TH_LOG("command %d: tracee %s", (int)(cmd),		\
		       status_str((run)->status, __buf, sizeof(__buf))); \
	}								\
} while (0)

/* Run @cmd, which must neither trap nor lose the tracee. */
#define RUN_QUIET(pid, cmd) do {					\
	struct run __run;						\
									\
	RUN(pid, cmd, &__run);						\
	EXPECT_EQ(0, __run.ntraps) {					\
		TH_LOG("command %d: SIGTRAP si_code %d DR6 %#lx ip %#lx", \
		       (int)(cmd), __run.trap[0].si_code,		\
		       __run.trap[0].dr6, __run.trap[0].ip);		\
	}								\
} while (0)

/* Run @cmd, which must trap exactly once on a hit of @slot. */
#define RUN_HIT(pid, cmd, slot) do {					\
	struct run __run;						\
									\
	RUN(pid, cmd, &__run);						\
	EXPECT_EQ(1, __run.ntraps) TH_LOG("command %d", (int)(cmd));	\
	if (__run.ntraps >= 1) {					\
		EXPECT_EQ(TRAP_HWBKPT, __run.trap[0].si_code);		\
		EXPECT_EQ(DR_TRAP0 << (slot), __run.trap[0].dr6 & DR6_WHY) \
			TH_LOG("DR6 %#lx", __run.trap[0].dr6);		\
	}								\
} while (0)

/*
 * Kernel log lines that say the kernel hit a bug. /dev/kmsg is opened at
 * its end before the test, and read up to the end after it.
 */
static int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

static int kmsg_bad_lines(struct __test_metadata *_metadata, int fd)
{
	static const char *const bad[] = {
		"WARNING:", "BUG:", "Oops", "Call Trace:", "Kernel panic",
	};
	char rec[2048];
	int found = 0;

	if (fd < 0) {
		TH_LOG("no /dev/kmsg: kernel warnings not checked");
		return 0;
	}
	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);
		size_t i;

		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records: go on */
		if (n <= 0)
			break;
		rec[n] = '\0';
		for (i = 0; i < HWBP_ARRAY_SIZE(bad); i++) {
			if (strstr(rec, bad[i])) {
				TH_LOG("kernel: %.200s", strchr(rec, ';') ?: rec);
				found++;
				break;
			}
		}
	}
	close(fd);
	return found;
}

/*
 * TASK_SIZE_MAX: the end of user space less its guard page, 47 or 56
 * address bits. A mapping just above 47 bits exists only with 5-level
 * paging, where the kernel's limit is 56 bits.
 */
static uint64_t task_size_max(void)
{
	long page = getpagesize();
	void *hint = (void *)(1ul << 47);
	void *p = mmap(hint, page, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p != MAP_FAILED)
		munmap(p, page);
	return (p == hint ? 1ull << 56 : 1ull << 47) - page;
}

/* A kernel symbol's address from /proc/kallsyms, 0 if hidden or absent. */
static uint64_t ksym_addr(const char *name)
{
	unsigned long long addr, found = 0;
	char line[512], sym[256], type;
	FILE *f = fopen("/proc/kallsyms", "re");

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, sym) == 3 &&
		    !strcmp(sym, name))
			found = addr;
	}
	fclose(f);
	return found;
}

/*
 * The addresses a debugger must not get into DR0-DR3. The kernel code of
 * getpid() comes first: CMD_GETPID runs it, so a breakpoint left there
 * would be hit. Without kallsyms, the start of the kernel image of a
 * kernel without KASLR (ours) stands in. The last row is the control: the
 * highest 8-aligned user address, accepted for every type and length.
 */
#define KSYM			"__x64_sys_getpid"
#define KSYM_FALLBACK		0xffffffff81000000ull

struct kaddr {
	const char *what;
	uint64_t addr;
	int want;
};

#define NR_KADDR	6

static void kaddr_rows(struct __test_metadata *_metadata,
		       struct kaddr rows[NR_KADDR])
{
	uint64_t sym = ksym_addr(KSYM), tsm = task_size_max();

	if (!sym)
		TH_LOG("no address for %s in /proc/kallsyms, using %#llx",
		       KSYM, KSYM_FALLBACK);
	rows[0] = (struct kaddr){ KSYM, sym ?: KSYM_FALLBACK, -EINVAL };
	/* the first canonical kernel address with 4-level paging */
	rows[1] = (struct kaddr){ "0xffff800000000000",
				  0xffff800000000000ull, -EINVAL };
	/* the last byte: bp_addr + bp_len - 1 wraps for lengths above 1 */
	rows[2] = (struct kaddr){ "~0", ~0ull, -EINVAL };
	rows[3] = (struct kaddr){ "non-canonical", 1ull << 63, -EINVAL };
	/* the guard page above user space is not user space */
	rows[4] = (struct kaddr){ "TASK_SIZE_MAX", tsm, -EINVAL };
	rows[5] = (struct kaddr){ "TASK_SIZE_MAX - 8", tsm - 8, 0 };
}

/*
 * CVE-2018-1000199, first the address, then DR7. DRn = kernel address on
 * a slot without a breakpoint must fail with EINVAL and leave no
 * breakpoint; DR7 enabling the slot then succeeds, with a breakpoint at
 * address 0, and the kernel address is nowhere: not in PEEKUSER, not in a
 * trap when the kernel runs getpid(). Each row uses a fresh tracee and
 * the next of DR0-DR3.
 */
TEST(cve_2018_1000199_dr0_first)
{
	static const struct {
		unsigned int rw, len;
	} types[] = {
		{ DR_RW_EXECUTE, DR_LEN_1 },
		{ DR_RW_WRITE, DR_LEN_1 },
		{ DR_RW_READ, DR_LEN_8 },
	};
	struct kaddr rows[NR_KADDR];
	int kmsg = kmsg_open();
	size_t i, t;

	kaddr_rows(_metadata, rows);
	for (i = 0; i < NR_KADDR; i++) {
		int slot = i % 4, got;
		uint64_t want_addr = rows[i].want ? 0 : rows[i].addr;
		pid_t pid = start_tracee();

		ASSERT_LT(0, pid);
		got = hwbp_poke_dr(pid, slot, rows[i].addr);
		EXPECT_EQ(rows[i].want, got) {
			TH_LOG("DR%d = %s (%#llx): got %s", slot, rows[i].what,
			       (unsigned long long)rows[i].addr,
			       hwbp_errname(got));
		}
		EXPECT_EQ(want_addr, hwbp_peek_dr(pid, slot));

		for (t = 0; t < HWBP_ARRAY_SIZE(types); t++) {
			unsigned long dr7 = dr7_slot(slot, types[t].rw,
						     types[t].len);

			got = hwbp_poke_dr(pid, 7, dr7);
			EXPECT_EQ(0, got) {
				TH_LOG("DR7 %#lx after DR%d = %s: got %s", dr7,
				       slot, rows[i].what, hwbp_errname(got));
			}
			EXPECT_EQ(dr7, hwbp_peek_dr(pid, 7));
			EXPECT_EQ(want_addr, hwbp_peek_dr(pid, slot)) {
				TH_LOG("DR%d after DR7 %#lx", slot, dr7);
			}
			RUN_QUIET(pid, CMD_GETPID);
			EXPECT_EQ(pid, peek_var(pid, &tracee_result));
		}
		EXPECT_EQ(0, hwbp_peek_dr(pid, 6) & DR6_WHY);
		hwbp_reap(pid);
	}
	EXPECT_EQ(0, kmsg_bad_lines(_metadata, kmsg));
}

/*
 * CVE-2018-1000199, DR7 first: the slot already has an enabled breakpoint
 * (at 0) of each type, and DRn = kernel address must fail with EINVAL
 * without touching it: PEEKUSER still shows the old address, and DR7
 * written again (which revalidates every enabled slot) still succeeds with
 * it. The same once the slot holds a valid user address.
 */
FIXTURE(dr7_first) {
	pid_t pid;
	int kmsg;
};

FIXTURE_VARIANT(dr7_first) {
	int slot;
	unsigned int rw, len;
};

FIXTURE_SETUP(dr7_first)
{
	self->kmsg = -1;
	self->pid = start_tracee();
	ASSERT_LT(0, self->pid);
	self->kmsg = kmsg_open();
}

FIXTURE_TEARDOWN(dr7_first)
{
	if (self->pid > 0)
		hwbp_reap(self->pid);
}

FIXTURE_VARIANT_ADD(dr7_first, X_dr0) {
	.slot = 0, .rw = DR_RW_EXECUTE, .len = DR_LEN_1,
};

FIXTURE_VARIANT_ADD(dr7_first, W_len1_dr1) {
	.slot = 1, .rw = DR_RW_WRITE, .len = DR_LEN_1,
};

FIXTURE_VARIANT_ADD(dr7_first, W_len8_dr2) {
	.slot = 2, .rw = DR_RW_WRITE, .len = DR_LEN_8,
};

FIXTURE_VARIANT_ADD(dr7_first, RW_len4_dr3) {
	.slot = 3, .rw = DR_RW_READ, .len = DR_LEN_4,
};

static void refuse_kernel_rows(struct __test_metadata *_metadata, pid_t pid,
			       int slot, unsigned long dr7,
			       const struct kaddr *rows, uint64_t old)
{
	int i, got;

	for (i = 0; i < NR_KADDR; i++) {
		if (!rows[i].want)
			continue;
		got = hwbp_poke_dr(pid, slot, rows[i].addr);
		EXPECT_EQ(-EINVAL, got) {
			TH_LOG("DR%d = %s with DR7 %#lx: got %s", slot,
			       rows[i].what, dr7, hwbp_errname(got));
		}
		EXPECT_EQ(old, hwbp_peek_dr(pid, slot)) {
			TH_LOG("DR%d after refusing %s", slot, rows[i].what);
		}
		EXPECT_EQ(dr7, hwbp_peek_dr(pid, 7));
		got = hwbp_poke_dr(pid, 7, dr7);
		EXPECT_EQ(0, got) TH_LOG("DR7 again: %s", hwbp_errname(got));
		EXPECT_EQ(old, hwbp_peek_dr(pid, slot));
	}
}

TEST_F(dr7_first, kernel_address)
{
	unsigned long dr7 = dr7_slot(variant->slot, variant->rw, variant->len);
	struct kaddr rows[NR_KADDR];
	pid_t pid = self->pid;
	int got;

	kaddr_rows(_metadata, rows);
	got = hwbp_poke_dr(pid, 7, dr7);
	ASSERT_EQ(0, got) TH_LOG("DR7 %#lx: %s", dr7, hwbp_errname(got));
	ASSERT_EQ(0, hwbp_peek_dr(pid, variant->slot));

	refuse_kernel_rows(_metadata, pid, variant->slot, dr7, rows, 0);
	RUN_QUIET(pid, CMD_GETPID);
	EXPECT_EQ(pid, peek_var(pid, &tracee_result));

	/* The control row moves the breakpoint; the refusals keep it there. */
	got = hwbp_poke_dr(pid, variant->slot, rows[NR_KADDR - 1].addr);
	EXPECT_EQ(0, got) TH_LOG("%s: %s", rows[NR_KADDR - 1].what,
				 hwbp_errname(got));
	EXPECT_EQ(rows[NR_KADDR - 1].addr, hwbp_peek_dr(pid, variant->slot));
	refuse_kernel_rows(_metadata, pid, variant->slot, dr7, rows,
			   rows[NR_KADDR - 1].addr);
	RUN_QUIET(pid, CMD_GETPID);
	EXPECT_EQ(pid, peek_var(pid, &tracee_result));

	EXPECT_EQ(0, hwbp_peek_dr(pid, 6) & DR6_WHY);
	EXPECT_EQ(dr7, hwbp_peek_dr(pid, 7));
	EXPECT_EQ(0, kmsg_bad_lines(_metadata, self->kmsg));
	self->kmsg = -1;
}

/*
 * CVE-2018-1000199, the error paths keep what was there: an armed user
 * breakpoint survives refused writes of DR0-DR3 and a refused DR7, whose
 * rollback must restore its exact type and length.
 */
TEST(cve_2018_1000199_keeps_user_bp)
{
	unsigned long dr7 = dr7_slot(0, DR_RW_WRITE, DR_LEN_8);
	unsigned long bad, dr7_x;
	struct kaddr rows[NR_KADDR];
	struct run run;
	int n, got, kmsg;
	pid_t pid;

	kaddr_rows(_metadata, rows);
	pid = start_tracee();
	ASSERT_LT(0, pid);
	kmsg = kmsg_open();

	ASSERT_EQ(0, hwbp_poke_dr(pid, 0, (uintptr_t)&cve_var));
	ASSERT_EQ(0, hwbp_poke_dr(pid, 7, dr7));
	/* The baseline: the breakpoint works. */
	RUN(pid, CMD_WRITE, &run);
	ASSERT_EQ(1, run.ntraps) TH_LOG("the W len 8 breakpoint never hit");

	for (n = 0; n < 4; n++) {
		got = hwbp_poke_dr(pid, n, rows[0].addr);
		EXPECT_EQ(-EINVAL, got) TH_LOG("DR%d: %s", n, hwbp_errname(got));
	}
	EXPECT_EQ((uintptr_t)&cve_var, hwbp_peek_dr(pid, 0));
	for (n = 1; n < 4; n++)
		EXPECT_EQ(0, hwbp_peek_dr(pid, n)) TH_LOG("DR%d", n);
	EXPECT_EQ(dr7, hwbp_peek_dr(pid, 7));
	RUN_HIT(pid, CMD_WRITE, 0);
	RUN_QUIET(pid, CMD_GETPID);

	/*
	 * Slot 0 becomes RW len 4 and slot 1 an I/O breakpoint: the first
	 * pass changes slot 0, then fails on slot 1 with EINVAL
	 * (arch_bp_generic_fields()); the second pass must put slot 0 back
	 * to W len 8. RW would trap the read; len 4 would miss byte 7.
	 */
	bad = dr7_slot(0, DR_RW_READ, DR_LEN_4) | dr7_slot(1, DR_RW_IO, DR_LEN_1);
	got = hwbp_poke_dr(pid, 7, bad);
	EXPECT_EQ(-EINVAL, got) TH_LOG("DR7 %#lx: %s", bad, hwbp_errname(got));
	EXPECT_EQ(dr7, hwbp_peek_dr(pid, 7));
	EXPECT_EQ((uintptr_t)&cve_var, hwbp_peek_dr(pid, 0));
	RUN_QUIET(pid, CMD_READ);
	RUN_HIT(pid, CMD_WRITE_LAST, 0);

	/* An execute breakpoint in DR1 beside it, then DR1 = kernel code. */
	dr7_x = dr7 | dr7_slot(1, DR_RW_EXECUTE, DR_LEN_1);
	ASSERT_EQ(0, hwbp_poke_dr(pid, 1, (uintptr_t)x_target));
	ASSERT_EQ(0, hwbp_poke_dr(pid, 7, dr7_x));
	RUN_HIT(pid, CMD_CALL, 1);
	got = hwbp_poke_dr(pid, 1, rows[0].addr);
	EXPECT_EQ(-EINVAL, got) TH_LOG("DR1 = %s: %s", rows[0].what,
				       hwbp_errname(got));
	EXPECT_EQ((uintptr_t)x_target, hwbp_peek_dr(pid, 1));
	RUN_QUIET(pid, CMD_GETPID);
	RUN_HIT(pid, CMD_CALL, 1);
	RUN_HIT(pid, CMD_WRITE, 0);
	EXPECT_EQ(dr7_x, hwbp_peek_dr(pid, 7));

	hwbp_reap(pid);
	EXPECT_EQ(0, kmsg_bad_lines(_metadata, kmsg));
}

/*
 * CVE-2018-8897: an RW watchpoint on the selector that MOV SS loads, then
 * an instruction that enters the kernel. Everything runs in the tracee,
 * a forked child.
 *
 * Whether the #DB of MOV SS is held back by one instruction is up to the
 * CPU: real ones do (the SDM's MOV SS rule); QEMU's TCG, by our reading
 * of its watchpoint code, raises it at the next instruction boundary. A
 * MOV SS followed by a NOP tells which: the trap reports the address
 * after the NOP, or the NOP's own. Then, in 6.12:
 *
 *  - held back: the #DB arrives on the kernel's entry code, in kernel
 *    mode. exc_debug_kernel() runs the die chain, our handler finds the
 *    ptrace breakpoint owning DR0 and calls perf_bp_event() with the
 *    kernel's registers, which perf_exclude_event() drops: the
 *    breakpoint is exclude_kernel. No DR6 bit, no signal. The entry
 *    then runs as usual: INT3 gives its own SIGTRAP (do_int3_user(),
 *    force_sig(): si_code SI_KERNEL, ip after the INT3), SYSCALL and
 *    INT 0x80 run getpid() and return its result.
 *  - at once: the #DB comes from user mode with ip on the entering
 *    instruction: a SIGTRAP with TRAP_HWBKPT and DR6 B0. The instruction
 *    then runs as above.
 *
 * Either way the watchpoint must still work afterwards, SS must still be
 * the user's, and the kernel must not have warned.
 */
enum entry { ENTRY_INT3, ENTRY_SYSCALL, ENTRY_INT80 };

FIXTURE(movss) {
	pid_t pid;
	int kmsg;
};

FIXTURE_VARIANT(movss) {
	enum entry entry;
	unsigned int len;	/* DR7 LEN bits */
};

/* Whether INT 0x80 works at all: without IA32_EMULATION it is a #GP. */
static bool int80_works(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(hwbp_int80_getpid() == syscall(__NR_getpid) ? 0 : 1);
	return pid > 0 && hwbp_wait_exit(pid) == 0;
}

FIXTURE_SETUP(movss)
{
	self->kmsg = -1;
	self->pid = -1;
	if (variant->entry == ENTRY_INT80 && !int80_works())
		SKIP(return, "INT 0x80 is not available (no IA32_EMULATION)");
	self->pid = start_tracee();
	ASSERT_LT(0, self->pid);
	self->kmsg = kmsg_open();
}

FIXTURE_TEARDOWN(movss)
{
	if (self->pid > 0)
		hwbp_reap(self->pid);
}

FIXTURE_VARIANT_ADD(movss, int3_len2) {
	.entry = ENTRY_INT3, .len = DR_LEN_2,
};

FIXTURE_VARIANT_ADD(movss, int3_len4) {
	.entry = ENTRY_INT3, .len = DR_LEN_4,
};

FIXTURE_VARIANT_ADD(movss, int3_len8) {
	.entry = ENTRY_INT3, .len = DR_LEN_8,
};

FIXTURE_VARIANT_ADD(movss, syscall_len2) {
	.entry = ENTRY_SYSCALL, .len = DR_LEN_2,
};

FIXTURE_VARIANT_ADD(movss, syscall_len4) {
	.entry = ENTRY_SYSCALL, .len = DR_LEN_4,
};

FIXTURE_VARIANT_ADD(movss, syscall_len8) {
	.entry = ENTRY_SYSCALL, .len = DR_LEN_8,
};

FIXTURE_VARIANT_ADD(movss, int80_len2) {
	.entry = ENTRY_INT80, .len = DR_LEN_2,
};

FIXTURE_VARIANT_ADD(movss, int80_len4) {
	.entry = ENTRY_INT80, .len = DR_LEN_4,
};

FIXTURE_VARIANT_ADD(movss, int80_len8) {
	.entry = ENTRY_INT80, .len = DR_LEN_8,
};

TEST_F(movss, deferred_db)
{
	static const struct {
		long cmd;
		const char *insn, *next;
		const char *name;
	} entries[] = {
		[ENTRY_INT3] = { CMD_MOVSS_INT3, hwbp_movss_int3_insn,
				 hwbp_movss_int3_next, "int3" },
		[ENTRY_SYSCALL] = { CMD_MOVSS_SYSCALL, hwbp_movss_syscall_insn,
				    hwbp_movss_syscall_next, "syscall" },
		[ENTRY_INT80] = { CMD_MOVSS_INT80, hwbp_movss_int80_insn,
				  hwbp_movss_int80_next, "int $0x80" },
	};
	unsigned long dr7 = dr7_slot(0, DR_RW_READ, variant->len);
	const typeof(entries[0]) *e = &entries[variant->entry];
	pid_t pid = self->pid;
	struct run run;
	bool deferred;
	int i = 0;

	ASSERT_EQ(0, hwbp_poke_dr(pid, 0, (uintptr_t)&ss_slot));
	ASSERT_EQ(0, hwbp_poke_dr(pid, 7, dr7));

	/* The watchpoint works for a plain load. */
	RUN_HIT(pid, CMD_READ_SEL, 0);

	/* MOV SS; NOP: where does the CPU report the load? */
	RUN(pid, CMD_MOVSS_NOP, &run);
	ASSERT_EQ(1, run.ntraps) TH_LOG("MOV SS did not trap once");
	EXPECT_EQ(TRAP_HWBKPT, run.trap[0].si_code);
	EXPECT_EQ(DR_TRAP0, run.trap[0].dr6 & DR6_WHY);
	deferred = run.trap[0].ip == (uintptr_t)hwbp_movss_nop_next;
	ASSERT_TRUE(deferred || run.trap[0].ip == (uintptr_t)hwbp_movss_nop_insn) {
		TH_LOG("MOV SS trap at %#lx: neither the NOP (%p) nor after it (%p)",
		       run.trap[0].ip, hwbp_movss_nop_insn,
		       hwbp_movss_nop_next);
	}
	TH_LOG("this CPU %s the #DB of MOV SS",
	       deferred ? "holds back" : "does not hold back");

	/* MOV SS; then into the kernel. */
	RUN(pid, e->cmd, &run);
	if (!deferred) {
		ASSERT_LE(1, run.ntraps) TH_LOG("no trap for MOV SS");
		EXPECT_EQ(TRAP_HWBKPT, run.trap[0].si_code);
		EXPECT_EQ(DR_TRAP0, run.trap[0].dr6 & DR6_WHY);
		EXPECT_EQ((uintptr_t)e->insn, run.trap[0].ip);
		i++;
	}
	if (variant->entry == ENTRY_INT3) {
		ASSERT_EQ(i + 1, run.ntraps) TH_LOG("INT3: %d traps", run.ntraps);
		EXPECT_EQ(SI_KERNEL, run.trap[i].si_code);
		/* No watchpoint hit may be reported from the kernel entry. */
		EXPECT_EQ(0, run.trap[i].dr6 & DR6_WHY)
			TH_LOG("DR6 %#lx at the INT3 trap", run.trap[i].dr6);
		EXPECT_EQ((uintptr_t)e->next, run.trap[i].ip);
	} else {
		EXPECT_EQ(i, run.ntraps) {
			TH_LOG("%s: %d traps, want %d; the last: si_code %d DR6 %#lx ip %#lx",
			       e->name, run.ntraps, i,
			       run.trap[run.ntraps ? run.ntraps - 1 : 0].si_code,
			       run.trap[run.ntraps ? run.ntraps - 1 : 0].dr6,
			       run.trap[run.ntraps ? run.ntraps - 1 : 0].ip);
		}
		EXPECT_EQ(pid, peek_var(pid, &tracee_result));
	}
	EXPECT_EQ(read_ss(), peek_var(pid, &tracee_ss));
	EXPECT_EQ(0, hwbp_peek_dr(pid, 6) & DR6_WHY);
	EXPECT_EQ(dr7, hwbp_peek_dr(pid, 7));
	EXPECT_EQ((uintptr_t)&ss_slot, hwbp_peek_dr(pid, 0));

	/* Nothing is broken: the watchpoint still hits, the tracee exits. */
	RUN_HIT(pid, CMD_READ_SEL, 0);
	ASSERT_EQ(0, ptrace(PTRACE_POKEDATA, pid, (void *)&tracee_cmd,
			    CMD_EXIT));
	ASSERT_EQ(0, ptrace(PTRACE_CONT, pid, 0, 0));
	EXPECT_EQ(0, hwbp_wait_exit(pid));
	self->pid = -1;
	EXPECT_EQ(0, kmsg_bad_lines(_metadata, self->kmsg));
}

/*
 * The regression of the CVE-2018-1000199 fix: DR7 enables the slot while
 * DRn is still 0, then DRn gets the address. The address must take
 * effect: the access traps with DR6 naming the slot. And a new address
 * written while the slot is disabled must stick too: the slot is moved to
 * 0 while disabled and then enabled, so that it must no longer trap.
 */
FIXTURE(addr_after_dr7) {
	pid_t pid;
};

FIXTURE_VARIANT(addr_after_dr7) {
	int slot;
	unsigned int rw, len;
	int off;		/* into cve_var; -1: x_target */
	long hit_cmd;		/* must trap */
	long quiet_cmd;		/* must not */
};

FIXTURE_SETUP(addr_after_dr7)
{
	self->pid = start_tracee();
	ASSERT_LT(0, self->pid);
}

FIXTURE_TEARDOWN(addr_after_dr7)
{
	if (self->pid > 0)
		hwbp_reap(self->pid);
}

FIXTURE_VARIANT_ADD(addr_after_dr7, W_len8_dr0) {
	.slot = 0, .rw = DR_RW_WRITE, .len = DR_LEN_8, .off = 0,
	.hit_cmd = CMD_WRITE, .quiet_cmd = CMD_READ,
};

FIXTURE_VARIANT_ADD(addr_after_dr7, RW_len4_dr1) {
	.slot = 1, .rw = DR_RW_READ, .len = DR_LEN_4, .off = 0,
	.hit_cmd = CMD_READ, .quiet_cmd = CMD_WRITE_LAST,
};

FIXTURE_VARIANT_ADD(addr_after_dr7, W_len1_dr2) {
	.slot = 2, .rw = DR_RW_WRITE, .len = DR_LEN_1, .off = 7,
	.hit_cmd = CMD_WRITE_LAST, .quiet_cmd = CMD_READ,
};

FIXTURE_VARIANT_ADD(addr_after_dr7, X_dr3) {
	.slot = 3, .rw = DR_RW_EXECUTE, .len = DR_LEN_1, .off = -1,
	.hit_cmd = CMD_CALL, .quiet_cmd = CMD_WRITE,
};

TEST_F(addr_after_dr7, takes_effect)
{
	unsigned long dr7 = dr7_slot(variant->slot, variant->rw, variant->len);
	uintptr_t addr = variant->off < 0 ? (uintptr_t)x_target :
			 (uintptr_t)&cve_var + variant->off;
	pid_t pid = self->pid;
	struct run run;
	int got;

	got = hwbp_poke_dr(pid, 7, dr7);
	ASSERT_EQ(0, got) TH_LOG("DR7 %#lx: %s", dr7, hwbp_errname(got));
	EXPECT_EQ(0, hwbp_peek_dr(pid, variant->slot));
	EXPECT_EQ(dr7, hwbp_peek_dr(pid, 7));
	/* Watching address 0: nothing here touches it. */
	RUN_QUIET(pid, variant->hit_cmd);

	got = hwbp_poke_dr(pid, variant->slot, addr);
	ASSERT_EQ(0, got) TH_LOG("DR%d: %s", variant->slot, hwbp_errname(got));
	EXPECT_EQ(addr, hwbp_peek_dr(pid, variant->slot));
	EXPECT_EQ(dr7, hwbp_peek_dr(pid, 7));
	RUN(pid, variant->hit_cmd, &run);
	ASSERT_EQ(1, run.ntraps) TH_LOG("the address written after DR7 is ignored");
	EXPECT_EQ(TRAP_HWBKPT, run.trap[0].si_code);
	EXPECT_EQ(DR_TRAP0 << variant->slot, run.trap[0].dr6 & DR6_WHY)
		TH_LOG("DR6 %#lx", run.trap[0].dr6);
	/* An instruction breakpoint is a fault: reported before the call runs. */
	if (variant->off < 0)
		EXPECT_EQ(addr, run.trap[0].ip);
	RUN_QUIET(pid, variant->quiet_cmd);

	/* Disabled, moved back to 0, enabled: the old address is gone. */
	ASSERT_EQ(0, hwbp_poke_dr(pid, 7, 0));
	ASSERT_EQ(0, hwbp_poke_dr(pid, variant->slot, 0));
	EXPECT_EQ(0, hwbp_peek_dr(pid, variant->slot));
	ASSERT_EQ(0, hwbp_poke_dr(pid, 7, dr7));
	EXPECT_EQ(0, hwbp_peek_dr(pid, variant->slot));
	RUN_QUIET(pid, variant->hit_cmd);
	/* And back to the address while enabled. */
	ASSERT_EQ(0, hwbp_poke_dr(pid, variant->slot, addr));
	RUN_HIT(pid, variant->hit_cmd, variant->slot);
}

TEST_HARNESS_MAIN
