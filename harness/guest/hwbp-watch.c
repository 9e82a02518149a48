// SPDX-License-Identifier: GPL-2.0
/*
 * A gdb-style hardware watchpoint through ptrace, for the harness's demo:
 * what a debugger does with the layer, next to what perf does with it.
 *
 * usage: hwbp-watch [-q] ADDR|SYMBOL PROGRAM [ARGS...]
 *
 * Runs PROGRAM under ptrace with a write watchpoint on the 8 bytes at ADDR
 * (8-aligned), or at SYMBOL from PROGRAM's symbol table (non-PIE programs
 * only: their addresses are the link-time ones), and prints each hit as gdb
 * does, with the value before and after the write.  Exit status 0 iff
 * PROGRAM exited with status 0.  With -q it only counts the hits, and
 * prints their number at the end (harness/bench.sh times the round trips).
 *
 * Each architecture has its own debugger interface, and they do not agree
 * on when a hit is reported:
 *  - x86_64: DR0 and DR7 through PTRACE_POKEUSER into u_debugreg.  Data
 *    breakpoints are traps: the stop comes after the write.
 *  - arm64: PTRACE_SETREGSET NT_ARM_HW_WATCH.  Watchpoints are faults: the
 *    stop comes before the write, with the watchpoint still armed, so a
 *    plain resume would hit it again.  The tracer turns it off, steps the
 *    instruction, and turns it back on (as gdb does).
 *  - powerpc: PPC_PTRACE_SETHWDEBUG.  Also before the write, and the
 *    kernel disables the watchpoint when it fires (one-shot, the ABI since
 *    the DABR days): the tracer steps the instruction, then deletes the
 *    spent watchpoint and sets it again.
 * So every hit below is reported once the write is done, on every arch.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#if defined(__aarch64__) || defined(__powerpc64__)
#include <asm/ptrace.h>
#endif

#ifndef TRAP_HWBKPT
#define TRAP_HWBKPT	4
#endif

#define WATCH_LEN	8

static pid_t child;
static unsigned long watch_addr;

/* Give up: a traced child left behind would stay stopped forever. */
static void quit(void)
{
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	exit(1);
}

static void die(const char *what)
{
	perror(what);
	quit();
}

/* ------------------------------------------------------------------------
 * Symbols, from the traced program's own file (/proc/PID/exe), so that a
 * hit names the function that wrote, as gdb would without debug info.
 */

struct symtab {
	const Elf64_Sym *syms;
	size_t nsyms;
	const char *strs;
	size_t strs_len;
};

static struct symtab symtab;

static void load_symtab(pid_t pid)
{
	const Elf64_Ehdr *eh;
	const Elf64_Shdr *sh;
	char path[64];
	struct stat st;
	void *map;
	int fd, i;

	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return;
	if (fstat(fd, &st) || st.st_size < (off_t)sizeof(*eh)) {
		close(fd);
		return;
	}
	map = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return;

	/*
	 * Only a non-PIE program's symbol values are its run-time
	 * addresses; for anything else we would need the load bias, and
	 * plain addresses serve.
	 */
	eh = map;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_type != ET_EXEC ||
	    eh->e_shentsize != sizeof(*sh) ||
	    eh->e_shoff + (size_t)eh->e_shnum * sizeof(*sh) > (size_t)st.st_size)
		return;
	sh = (const Elf64_Shdr *)((const char *)map + eh->e_shoff);
	for (i = 0; i < eh->e_shnum; i++) {
		const Elf64_Shdr *str;

		if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum ||
		    sh[i].sh_offset + sh[i].sh_size > (size_t)st.st_size)
			continue;
		str = &sh[sh[i].sh_link];
		if (str->sh_offset + str->sh_size > (size_t)st.st_size)
			continue;
		symtab.syms = (const Elf64_Sym *)((const char *)map + sh[i].sh_offset);
		symtab.nsyms = sh[i].sh_size / sizeof(Elf64_Sym);
		symtab.strs = (const char *)map + str->sh_offset;
		symtab.strs_len = str->sh_size;
		return;
	}
}

static const char *sym_name(const Elf64_Sym *s)
{
	if (s->st_name >= symtab.strs_len)
		return "";
	return symtab.strs + s->st_name;
}

static int sym_lookup(const char *name, unsigned long *addr)
{
	size_t i;

	for (i = 0; i < symtab.nsyms; i++) {
		const Elf64_Sym *s = &symtab.syms[i];

		if (ELF64_ST_TYPE(s->st_info) == STT_OBJECT &&
		    !strcmp(sym_name(s), name)) {
			*addr = s->st_value;
			return 0;
		}
	}
	return -1;
}

static const char *func_at(unsigned long pc)
{
	size_t i;

	for (i = 0; i < symtab.nsyms; i++) {
		const Elf64_Sym *s = &symtab.syms[i];

		if (ELF64_ST_TYPE(s->st_info) == STT_FUNC &&
		    pc >= s->st_value && pc < s->st_value + s->st_size)
			return sym_name(s);
	}
	return NULL;
}

/*
 * A signal that stops the child in place of an event we wait for, kept to
 * be delivered when it runs on (one is enough for this demo: the tracee
 * is not expected to take many).
 */
static int pending_sig;
static int child_status;

/* Return: 1 stopped, with the status in *status; 0 the child is gone. */
static int wait_child(int *status)
{
	if (waitpid(child, status, 0) != child)
		die("waitpid");
	if (WIFEXITED(*status) || WIFSIGNALED(*status)) {
		child_status = *status;
		return 0;
	}
	return 1;
}

#if defined(__aarch64__) || defined(__powerpc64__)
/*
 * Step one instruction.  Another signal may stop the child first, with
 * the instruction not run yet: keep it for later and step again.
 */
static int wait_step(void)
{
	int status;

	for (;;) {
		if (ptrace(PTRACE_SINGLESTEP, child, 0, 0))
			die("PTRACE_SINGLESTEP");
		if (!wait_child(&status))
			return 0;
		if (WSTOPSIG(status) == SIGTRAP)
			return 1;
		pending_sig = WSTOPSIG(status);
	}
}
#endif

/* ------------------------------------------------------------------------
 * Per architecture: arm the watchpoint; step a reported hit past its
 * write (Return: 0 if the child ended meanwhile); read the PC.  The
 * NT_PRSTATUS regset is the one register interface all three have (arm64
 * has no PTRACE_PEEKUSER).
 */

#if defined(__x86_64__)

#define DR_OFFSET(n)	offsetof(struct user, u_debugreg[n])
/* DR7 for slot 0: L0 enable, R/W0 = 01 (data writes), LEN0 = 10 (8 bytes) */
#define DR7_WATCH0	((1UL << 0) | (1UL << 16) | (2UL << 18))

static void arch_arm(void)
{
	/*
	 * The address first: ptrace validates a DR7 enable against the
	 * address already in DR0.
	 */
	if (ptrace(PTRACE_POKEUSER, child, DR_OFFSET(0), watch_addr))
		die("PTRACE_POKEUSER DR0");
	if (ptrace(PTRACE_POKEUSER, child, DR_OFFSET(7), DR7_WATCH0))
		die("PTRACE_POKEUSER DR7");
}

/* A data breakpoint is a trap: the write is already done. */
static int arch_step_over(void)
{
	return 1;
}

static unsigned long arch_get_pc(void)
{
	struct user_regs_struct regs;
	struct iovec iov = { .iov_base = &regs, .iov_len = sizeof(regs) };

	if (ptrace(PTRACE_GETREGSET, child, NT_PRSTATUS, &iov))
		die("PTRACE_GETREGSET NT_PRSTATUS");
	return regs.rip;
}

#elif defined(__aarch64__)

/*
 * Control word of a watchpoint pair, as the regset takes it: E (bit 0),
 * PAC (bits 2:1, 2 = EL0), LSC (bits 4:3, 2 = store), BAS (bits 12:5,
 * one bit per byte of the doubleword).
 */
#define WCR_ENABLE	(1U << 0)
#define WCR_EL0		(2U << 1)
#define WCR_STORE	(2U << 3)
#define WCR_BAS_ALL	(0xffU << 5)

static void set_watch_ctrl(unsigned int ctrl)
{
	struct user_hwdebug_state st;
	struct iovec iov = {
		.iov_base = &st,
		/* the header and one pair: slot 0 only */
		.iov_len = offsetof(struct user_hwdebug_state, dbg_regs[1]),
	};

	memset(&st, 0, sizeof(st));
	st.dbg_regs[0].addr = watch_addr;
	st.dbg_regs[0].ctrl = ctrl;
	if (ptrace(PTRACE_SETREGSET, child, NT_ARM_HW_WATCH, &iov))
		die("PTRACE_SETREGSET NT_ARM_HW_WATCH");
}

static void arch_arm(void)
{
	struct user_hwdebug_state st;
	struct iovec iov = { .iov_base = &st, .iov_len = sizeof(st) };

	if (ptrace(PTRACE_GETREGSET, child, NT_ARM_HW_WATCH, &iov))
		die("PTRACE_GETREGSET NT_ARM_HW_WATCH");
	/* dbg_info: debug architecture in bits 15:8, pairs in bits 7:0 */
	if (!(st.dbg_info & 0xff)) {
		errno = ENODEV;
		die("no hardware watchpoints");
	}
	set_watch_ctrl(WCR_ENABLE | WCR_EL0 | WCR_STORE | WCR_BAS_ALL);
}

/*
 * Stopped before the store, watchpoint armed: off, one step, on again.
 * Resuming with it armed would report the same store again, forever.
 */
static int arch_step_over(void)
{
	int ret;

	set_watch_ctrl(WCR_EL0 | WCR_STORE | WCR_BAS_ALL);
	ret = wait_step();
	if (!ret)
		return 0;
	set_watch_ctrl(WCR_ENABLE | WCR_EL0 | WCR_STORE | WCR_BAS_ALL);
	return ret;
}

static unsigned long arch_get_pc(void)
{
	struct user_pt_regs regs;
	struct iovec iov = { .iov_base = &regs, .iov_len = sizeof(regs) };

	if (ptrace(PTRACE_GETREGSET, child, NT_PRSTATUS, &iov))
		die("PTRACE_GETREGSET NT_PRSTATUS");
	return regs.pc;
}

#elif defined(__powerpc64__)

static long ppc_handle;

static void arch_arm(void)
{
	struct ppc_debug_info info;
	struct ppc_hw_breakpoint bp = {
		.version = 1,
		.trigger_type = PPC_BREAKPOINT_TRIGGER_WRITE,
		.condition_mode = PPC_BREAKPOINT_CONDITION_NONE,
		.addr = watch_addr,
	};

	if (ptrace(PPC_PTRACE_GETHWDBGINFO, child, 0, &info))
		die("PPC_PTRACE_GETHWDBGINFO");
	if (!info.num_data_bps) {
		errno = ENODEV;
		die("no hardware watchpoints");
	}
	/*
	 * A range is [addr, addr2): the kernel takes addr2 - addr as the
	 * length.  Without range support the watch is the doubleword that
	 * holds addr, which is the same 8 bytes here.
	 */
	if (info.features & PPC_DEBUG_FEATURE_DATA_BP_RANGE) {
		bp.addr_mode = PPC_BREAKPOINT_MODE_RANGE_INCLUSIVE;
		bp.addr2 = watch_addr + WATCH_LEN;
	} else {
		bp.addr_mode = PPC_BREAKPOINT_MODE_EXACT;
	}
	ppc_handle = ptrace(PPC_PTRACE_SETHWDEBUG, child, 0, &bp);
	if (ppc_handle <= 0)
		die("PPC_PTRACE_SETHWDEBUG");
}

/*
 * Stopped before the store, and the kernel has already turned the
 * watchpoint off: step the store, then give the spent watchpoint's slot
 * back and set a new one (a disabled ptrace watchpoint still holds its
 * slot).
 */
static int arch_step_over(void)
{
	int ret;

	ret = wait_step();
	if (!ret)
		return 0;
	if (ptrace(PPC_PTRACE_DELHWDEBUG, child, 0, ppc_handle))
		die("PPC_PTRACE_DELHWDEBUG");
	arch_arm();
	return ret;
}

static unsigned long arch_get_pc(void)
{
	struct pt_regs regs;
	struct iovec iov = { .iov_base = &regs, .iov_len = sizeof(regs) };

	if (ptrace(PTRACE_GETREGSET, child, NT_PRSTATUS, &iov))
		die("PTRACE_GETREGSET NT_PRSTATUS");
	return regs.nip;
}

#else
#error "hwbp-watch: x86_64, arm64 and powerpc64 only"
#endif

static long peek_watched(void)
{
	long val;

	errno = 0;
	val = ptrace(PTRACE_PEEKDATA, child, watch_addr, 0);
	if (errno)
		die("PTRACE_PEEKDATA");
	return val;
}

int main(int argc, char **argv)
{
	unsigned long hits = 0, pc;
	const char *where;
	bool quiet = false;
	long old, val;
	char *end;
	int status;

	if (argc > 1 && !strcmp(argv[1], "-q")) {
		quiet = true;
		argv++;
		argc--;
	}
	if (argc < 3) {
		fprintf(stderr,
			"usage: %s [-q] ADDR|SYMBOL PROGRAM [ARGS...]\n"
			"  write watchpoint on the 8 bytes at ADDR (8-aligned), or at\n"
			"  SYMBOL of a non-PIE PROGRAM; prints each hit as gdb does\n",
			argv[0]);
		return 2;
	}

	child = fork();
	if (child < 0)
		die("fork");
	if (!child) {
		if (ptrace(PTRACE_TRACEME, 0, 0, 0)) {
			perror("PTRACE_TRACEME");
			_exit(127);
		}
		execvp(argv[2], &argv[2]);
		perror(argv[2]);
		_exit(127);
	}

	/*
	 * A traced execve stops the child with SIGTRAP, before its first
	 * instruction: the place to arm, as gdb's "run" does.
	 */
	if (!wait_child(&status)) {
		fprintf(stderr, "hwbp-watch: %s ended before its exec stop\n",
			argv[2]);
		return 1;
	}
	if (WSTOPSIG(status) != SIGTRAP) {
		fprintf(stderr, "hwbp-watch: %s stopped by %s, not at its exec\n",
			argv[2], strsignal(WSTOPSIG(status)));
		quit();
	}
	load_symtab(child);

	errno = 0;
	watch_addr = strtoul(argv[1], &end, 0);
	if ((errno || *end || end == argv[1]) &&
	    sym_lookup(argv[1], &watch_addr)) {
		fprintf(stderr, "hwbp-watch: no symbol %s in %s (non-PIE programs only)\n",
			argv[1], argv[2]);
		quit();
	}
	if (watch_addr % WATCH_LEN) {
		fprintf(stderr, "hwbp-watch: 0x%lx is not %d-byte aligned\n",
			watch_addr, WATCH_LEN);
		quit();
	}

	arch_arm();
	old = quiet ? 0 : peek_watched();
	if (!quiet)
		printf("Hardware watchpoint 1: *0x%lx\n", watch_addr);

	for (;;) {
		siginfo_t si;
		int sig = pending_sig;

		pending_sig = 0;
		fflush(stdout);
		if (ptrace(PTRACE_CONT, child, 0, sig))
			die("PTRACE_CONT");
		if (!wait_child(&status))
			break;

		/*
		 * Ours is a SIGTRAP whose si_code says a hardware
		 * breakpoint; anything else belongs to the program.
		 */
		sig = WSTOPSIG(status);
		if (sig != SIGTRAP ||
		    ptrace(PTRACE_GETSIGINFO, child, 0, &si) ||
		    si.si_code != TRAP_HWBKPT) {
			pending_sig = sig;
			continue;
		}
		if (!arch_step_over())
			break;

		hits++;
		if (quiet)
			continue;
		val = peek_watched();
		printf("\nHardware watchpoint 1: *0x%lx\n\n", watch_addr);
		/*
		 * gdb's "watch" stays silent when a store leaves the value
		 * as it was; the hardware saw a write all the same, and the
		 * hit counts, so it is shown the way gdb's "awatch" does.
		 */
		if (val != old)
			printf("Old value = %ld\nNew value = %ld\n", old, val);
		else
			printf("Value = %ld\n", val);
		old = val;

		pc = arch_get_pc();
		where = func_at(pc);
		printf("0x%016lx in %s ()\n", pc, where ? where : "??");
	}

	if (WIFEXITED(child_status) && WEXITSTATUS(child_status))
		printf("\n[Inferior 1 (process %d) exited with code %02o]\n",
		       child, WEXITSTATUS(child_status));
	else if (WIFEXITED(child_status))
		printf("\n[Inferior 1 (process %d) exited normally]\n", child);
	else
		printf("\n[Inferior 1 (process %d) terminated by signal %s]\n",
		       child, strsignal(WTERMSIG(child_status)));
	printf("hwbp-watch: %lu hits\n", hits);
	return WIFEXITED(child_status) && !WEXITSTATUS(child_status) ? 0 : 1;
}
