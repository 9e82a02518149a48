// SPDX-License-Identifier: GPL-2.0
/*
 * A debugger's step over its own breakpoint onto a watched store, with raw
 * ptrace, the way gdb does it in all-stop mode (no displaced stepping):
 *
 *   1. the tracee stops on an int3 that the tracer put over the first byte
 *      of a store to a variable (RIP = store + 1);
 *   2. the tracer sets a write watchpoint on that variable: DR7 = 0,
 *      DR0 = &var, DR7 = L0 | LE | R/W0 | LEN0, DR6 = 0, with
 *      PTRACE_POKEUSER, in gdb's order (x86_linux_update_debug_registers());
 *   3. it steps over its breakpoint in place: puts the original byte back,
 *      sets RIP back to the store, PTRACE_SINGLESTEP. The stepped
 *      instruction is the watched store itself, so one #DB carries both
 *      DR6.BS (the step) and DR6.B0 (the watchpoint): data breakpoints and
 *      TF are both traps, taken together after the instruction;
 *   4. it puts the int3 back and continues with PTRACE_CONT.
 *
 * Our issue tracker has this hanging the tracee under QEMU TCG on pristine
 * upstream 6.12 (and working natively on 6.18). A hang must not hang the
 * test runner: every wait here gives up after HWBP_STEP_WATCH_TIMEOUT
 * seconds (default 10). On a timeout the test collects evidence before it
 * kills the tracee: /proc/PID/stat twice, one second apart (state, utime,
 * stime, CPU), /proc/PID/sched (runtime, switches), the signal and state
 * lines of /proc/PID/status, wchan, syscall and stack. How to read it:
 *
 *  - state R, stime growing: a loop in the kernel (e.g. a #DB taken again
 *    and again, each one consumed without a signal);
 *  - state R, utime growing: a loop in user mode (the store re-executed,
 *    or the task let run on without the trap being reported);
 *  - state R, neither growing although the task is on a CPU: that CPU
 *    takes no timer ticks, i.e. the (v)CPU is stuck below the kernel,
 *    inside the emulator. The tracer and the tracee are pinned to
 *    different CPUs when there are two, so the tracer still runs then; on
 *    a single CPU nothing in the guest can report it;
 *  - state S/D (wchan, stack say where) or t: asleep, or stopped for
 *    ptrace without waitpid() saying so: a lost stop or wakeup.
 *
 * The rows (FIXTURE_VARIANT):
 *
 *  - step_dr_*:   the gdb case above, watchpoint W or RW, length 1/4/8.
 *                 Must stop with SIGTRAP after the store with DR6.B0 set
 *                 (asserted); DR6.BS is expected too, as real hardware
 *                 reports both, and si_code must agree with the DR6 bits.
 *  - cont_dr_*:   control: the same, but PTRACE_CONT (no TF). Must stop
 *                 after the store with B0 and without BS, si_code
 *                 TRAP_HWBKPT.
 *  - step_only_*: control: PTRACE_SINGLESTEP over the store with no
 *                 watchpoint. Must stop after the store with BS and no Bn,
 *                 si_code TRAP_TRACE.
 *  - step_perf_*: the watchpoint is a perf_event_open(PERF_TYPE_BREAKPOINT)
 *                 event the tracer opens on the tracee instead of DR7; the
 *                 step is PTRACE_SINGLESTEP. Must stop after the store
 *                 with BS, and the event must count 1 hit. ptrace's DR6
 *                 shows no Bn: only ptrace's own breakpoints set them
 *                 (ptrace_triggered()).
 *  - cont_perf_*: control: the perf event and PTRACE_CONT: no stop at all,
 *                 the tracee exits, and the event counts 1.
 *
 * Every row prints the DR6 that PEEKUSER showed and its decoded bits, so
 * runs under QEMU, under KVM and on hardware, with upstream and with our
 * layer, can be compared line by line.
 *
 * What gdb needs from DR6 (gdb/nat/x86-dregs.c, gdb/linux-nat.c):
 * x86_stopped_by_watchpoint() -> x86_dr_stopped_data_address() reads DR6
 * (PEEKUSER u_debugreg[6]) and reports a watchpoint for each Bn whose DR7
 * R/W-LEN field is non-zero (a data breakpoint); it never looks at BS.
 * linux-nat's save_stop_reason() picks the stop reason from si_code:
 * TRAP_HWBKPT -> check the debug registers; TRAP_TRACE -> "we may have
 * single stepped an instruction that triggered a watchpoint ... on x86
 * si_code indicates TRAP_TRACE" -> check the debug registers too. The
 * kernel's si_code is TRAP_TRACE when BS is set, else TRAP_HWBKPT when a
 * Bn is (get_si_code()). So:
 *
 *  - B0 is what gdb needs. Without it the stop is a plain end of step,
 *    the watchpoint is marked not triggered (watchpoints_triggered()),
 *    and gdb does not even compare the old and new values of a hardware
 *    watchpoint: the write goes unreported;
 *  - BS is tolerable to lose: with B0 alone the si_code is TRAP_HWBKPT,
 *    gdb still finds B0, and infrun ends its step-over because it asked
 *    for a step and the PC moved past the instruction, not because of BS.
 *    A spec deviation (hardware reports both), so the test EXPECTs it;
 *  - neither may be replaced by a hang: gdb waits for the stop forever.
 */
#include <stddef.h>
#include <time.h>
#include <sys/user.h>
#include <asm/debugreg.h>

#include <fcntl.h>

#include "../kselftest_harness.h"
#include "hwbp_util.h"

#if defined(__x86_64__)

/* Each wait for a stop of the tracee gives up after this many seconds. */
#define TIMEOUT_ENV		"HWBP_STEP_WATCH_TIMEOUT"
#define TIMEOUT_DEFAULT_S	10
/* How long a SIGKILLed tracee may take to die before it is left behind. */
#define KILL_WAIT_MS		5000

#define INT3			0xcc
#define STORE_VALUE		0x8877665544332211ull

/* Bits of DR6 that say why a #DB happened (positive polarity, as PEEKUSER). */
#define DR_BD			0x2000
#define DR6_WHY			(DR_TRAP_BITS | DR_BD | DR_STEP | DR_SWITCH)

/*
 * The watched variable. The tracee's store sequences name it from asm, so
 * it is global, and hidden so that a RIP-relative reference links in a
 * PIE. Nothing else lives in its cache line.
 */
uint64_t hwbp_sw_var __aligned(64)
	__attribute__((visibility("hidden")));

/*
 * void NAME(void): load STORE_VALUE into %rax and store part of it to
 * hwbp_sw_var with INSN, which sits at NAME_insn; NAME_next is the
 * instruction after it. Only %rax changes.
 */
#define STORE_FN(name, insn)						\
	"	.p2align 4\n"						\
	"	.globl " #name ", " #name "_insn, " #name "_next\n"	\
	"	.hidden " #name ", " #name "_insn, " #name "_next\n"	\
	"	.type " #name ", @function\n"				\
	#name ":\n"							\
	"	movabs $0x8877665544332211, %rax\n"			\
	#name "_insn:\n"						\
	"	" insn "\n"						\
	#name "_next:\n"						\
	"	ret\n"							\
	"	.size " #name ", . - " #name "\n"

asm("	.pushsection .text\n"
	STORE_FN(hwbp_sw_store1, "movb %al, hwbp_sw_var(%rip)")
	STORE_FN(hwbp_sw_store4, "movl %eax, hwbp_sw_var(%rip)")
	STORE_FN(hwbp_sw_store8, "movq %rax, hwbp_sw_var(%rip)")
	"	.popsection\n");

#define STORE_DECL(name)						\
	void name(void);						\
	extern const char name##_insn[], name##_next[]

STORE_DECL(hwbp_sw_store1);
STORE_DECL(hwbp_sw_store4);
STORE_DECL(hwbp_sw_store8);

struct store_seq {
	void (*fn)(void);
	const char *insn;	/* the store, where the int3 goes */
	const char *next;	/* the instruction after it */
};

static struct store_seq store_seq(uint64_t len)
{
	switch (len) {
	case 1:
		return (struct store_seq){ hwbp_sw_store1, hwbp_sw_store1_insn,
					   hwbp_sw_store1_next };
	case 4:
		return (struct store_seq){ hwbp_sw_store4, hwbp_sw_store4_insn,
					   hwbp_sw_store4_next };
	default:
		return (struct store_seq){ hwbp_sw_store8, hwbp_sw_store8_insn,
					   hwbp_sw_store8_next };
	}
}

/* What the variable holds after a store of @len bytes (it starts at 0). */
static uint64_t stored_value(uint64_t len)
{
	return len == 8 ? STORE_VALUE : STORE_VALUE & ((1ull << (len * 8)) - 1);
}

enum sw_mode {
	SW_STEP_DR,	/* gdb: DR0/DR7 watchpoint, PTRACE_SINGLESTEP */
	SW_CONT_DR,	/* control: DR0/DR7 watchpoint, PTRACE_CONT */
	SW_STEP_ONLY,	/* control: PTRACE_SINGLESTEP, no watchpoint */
	SW_STEP_PERF,	/* perf breakpoint on the tracee, PTRACE_SINGLESTEP */
	SW_CONT_PERF,	/* control: perf breakpoint, PTRACE_CONT */
};

static const char *const mode_name[] = {
	[SW_STEP_DR]	= "step+DR7 watchpoint (gdb)",
	[SW_CONT_DR]	= "cont+DR7 watchpoint",
	[SW_STEP_ONLY]	= "step, no watchpoint",
	[SW_STEP_PERF]	= "step+perf watchpoint",
	[SW_CONT_PERF]	= "cont+perf watchpoint",
};

static bool mode_steps(enum sw_mode mode)
{
	return mode == SW_STEP_DR || mode == SW_STEP_ONLY ||
	       mode == SW_STEP_PERF;
}

static bool mode_dr(enum sw_mode mode)
{
	return mode == SW_STEP_DR || mode == SW_CONT_DR;
}

static bool mode_perf(enum sw_mode mode)
{
	return mode == SW_STEP_PERF || mode == SW_CONT_PERF;
}

/* DR7 for slot 0 as gdb builds it: L0, LE (gdb always sets it), R/W, LEN. */
static unsigned long dr7_watch0(uint32_t type, uint64_t len)
{
	unsigned int rw = type == HW_BREAKPOINT_RW ? DR_RW_READ : DR_RW_WRITE;
	unsigned int len_bits;

	switch (len) {
	case 1:
		len_bits = DR_LEN_1;
		break;
	case 2:
		len_bits = DR_LEN_2;
		break;
	case 4:
		len_bits = DR_LEN_4;
		break;
	default:
		len_bits = DR_LEN_8;
		break;
	}
	return DR_LOCAL_ENABLE | DR_LOCAL_SLOWDOWN |
	       ((unsigned long)(rw | len_bits) << DR_CONTROL_SHIFT);
}

/* The reason bits of a DR6 value, by name: "B0 BS", or "none". */
static const char *dr6_str(unsigned long dr6, char *buf, size_t size)
{
	static const struct {
		unsigned long bit;
		const char *name;
	} bits[] = {
		{ DR_TRAP0, "B0" }, { DR_TRAP1, "B1" }, { DR_TRAP2, "B2" },
		{ DR_TRAP3, "B3" }, { DR_BD, "BD" }, { DR_STEP, "BS" },
		{ DR_SWITCH, "BT" },
	};
	size_t i, n = 0;

	buf[0] = '\0';
	if (dr6 == ~0ul) {
		snprintf(buf, size, "unreadable");
		return buf;
	}
	for (i = 0; i < HWBP_ARRAY_SIZE(bits) && n < size; i++) {
		if (dr6 & bits[i].bit)
			n += snprintf(buf + n, size - n, "%s%s", n ? " " : "",
				      bits[i].name);
	}
	if (!n)
		snprintf(buf, size, "none");
	return buf;
}

static const char *si_code_str(int code)
{
	switch (code) {
	case TRAP_BRKPT:	return "TRAP_BRKPT";
	case TRAP_TRACE:	return "TRAP_TRACE";
	case TRAP_HWBKPT:	return "TRAP_HWBKPT";
	case SI_KERNEL:		return "SI_KERNEL";
	default:		return "?";
	}
}

/* The si_code the kernel derives from DR6 (get_si_code()). */
static int dr6_si_code(unsigned long dr6)
{
	if (dr6 & DR_STEP)
		return TRAP_TRACE;
	if (dr6 & DR_TRAP_BITS)
		return TRAP_HWBKPT;
	return TRAP_BRKPT;
}

static const char *status_str(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exited with %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "killed by signal %d", WTERMSIG(status));
	else if (WIFSTOPPED(status))
		snprintf(buf, size, "stopped by signal %d", WSTOPSIG(status));
	else
		snprintf(buf, size, "status %#x", status);
	return buf;
}

static int64_t ms_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 +
	       (now.tv_nsec - start->tv_nsec) / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * waitpid() for @pid that gives up after @ms milliseconds: 1 with *status
 * set, 0 on timeout, -errno if waitpid() fails.
 */
static int wait_ms(pid_t pid, int *status, int64_t ms)
{
	struct timespec start;
	long nap = 1;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		pid_t got = waitpid(pid, status, WNOHANG);

		if (got == pid)
			return 1;
		if (got < 0 && errno != EINTR)
			return -errno;
		if (ms_since(&start) >= ms)
			return 0;
		sleep_ms(nap);
		if (nap < 20)
			nap *= 2;
	}
}

static int64_t timeout_ms(void)
{
	const char *env = getenv(TIMEOUT_ENV);
	int s = env ? atoi(env) : 0;

	return (s > 0 ? s : TIMEOUT_DEFAULT_S) * 1000ll;
}

/* --- evidence of a hang ---------------------------------------------------- */

struct proc_stat {
	char state;
	unsigned long long utime, stime;	/* clock ticks */
	int cpu;
	double runtime_ms;			/* se.sum_exec_runtime */
	unsigned long long switches;		/* nr_switches */
};

/* Fields 3 (state), 14 (utime), 15 (stime), 39 (processor) of stat. */
static int read_stat(pid_t pid, struct proc_stat *st)
{
	char path[64], buf[1024], *p, *tok, *save;
	int fd, n, field;
	FILE *f;

	memset(st, 0, sizeof(*st));
	st->state = '?';
	st->cpu = -1;
	st->runtime_ms = -1;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p)
		return -EIO;
	for (field = 3, tok = strtok_r(p + 1, " ", &save); tok;
	     field++, tok = strtok_r(NULL, " ", &save)) {
		if (field == 3)
			st->state = tok[0];
		else if (field == 14)
			st->utime = strtoull(tok, NULL, 10);
		else if (field == 15)
			st->stime = strtoull(tok, NULL, 10);
		else if (field == 39)
			st->cpu = atoi(tok);
	}

	/* Exact runtime, where CONFIG_SCHED_DEBUG provides it. */
	snprintf(path, sizeof(path), "/proc/%d/sched", pid);
	f = fopen(path, "re");
	if (f) {
		while (fgets(buf, sizeof(buf), f)) {
			p = strchr(buf, ':');
			if (!p)
				continue;
			if (!strncmp(buf, "se.sum_exec_runtime", 19))
				st->runtime_ms = strtod(p + 1, NULL);
			else if (!strncmp(buf, "nr_switches", 11))
				st->switches = strtoull(p + 1, NULL, 10);
		}
		fclose(f);
	}
	return 0;
}

/* Log a small /proc/PID file, one TH_LOG per line (at most @max lines). */
static void log_proc_file(struct __test_metadata *_metadata, pid_t pid,
			  const char *name, const char *const *only, int max)
{
	char path[64], line[256];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
	f = fopen(path, "re");
	if (!f) {
		TH_LOG("  %s: %s", name, strerror(errno));
		return;
	}
	while (n < max && fgets(line, sizeof(line), f)) {
		const char *const *o;
		bool keep = !only;

		for (o = only; o && *o; o++)
			keep |= !strncmp(line, *o, strlen(*o));
		if (!keep)
			continue;
		line[strcspn(line, "\n")] = '\0';
		TH_LOG("  %s: %s", name, line);
		n++;
	}
	if (!n && !ferror(f))
		TH_LOG("  %s: (empty)", name);
	fclose(f);
}

static void log_stat(struct __test_metadata *_metadata, const char *when,
		     const struct proc_stat *st)
{
	TH_LOG("  stat %s: state %c utime %llu stime %llu (ticks) cpu %d sum_exec_runtime %.3f ms nr_switches %llu",
	       when, st->state, st->utime, st->stime, st->cpu,
	       st->runtime_ms, st->switches);
}

/*
 * The tracee did not stop in time: say what it is doing, then kill it.
 * Returns with *pid cleared once it is reaped or given up on.
 */
static void report_hang(struct __test_metadata *_metadata, pid_t *pid,
			const char *phase)
{
	static const char *const status_lines[] = {
		"State:", "SigPnd:", "ShdPnd:", "SigBlk:",
		"voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:",
		NULL,
	};
	long hz = sysconf(_SC_CLK_TCK);
	struct proc_stat a, b;
	long long du, ds;
	double dr;
	int status, ret;

	TH_LOG("HANG: no stop of tracee %d %lld s after %s; evidence:",
	       *pid, (long long)timeout_ms() / 1000, phase);
	read_stat(*pid, &a);
	log_stat(_metadata, "t+0s", &a);
	log_proc_file(_metadata, *pid, "wchan", NULL, 1);
	log_proc_file(_metadata, *pid, "syscall", NULL, 1);
	log_proc_file(_metadata, *pid, "status", status_lines, 8);
	log_proc_file(_metadata, *pid, "stack", NULL, 16);
	sleep_ms(1000);
	read_stat(*pid, &b);
	log_stat(_metadata, "t+1s", &b);
	log_proc_file(_metadata, *pid, "wchan", NULL, 1);
	log_proc_file(_metadata, *pid, "syscall", NULL, 1);

	du = (long long)(b.utime - a.utime);
	ds = (long long)(b.stime - a.stime);
	dr = a.runtime_ms >= 0 && b.runtime_ms >= 0 ?
	     b.runtime_ms - a.runtime_ms : -1;
	TH_LOG("  in 1 s: utime +%lld ms, stime +%lld ms, runtime +%.1f ms, switches +%lld",
	       du * 1000 / hz, ds * 1000 / hz, dr,
	       (long long)(b.switches - a.switches));
	if (b.state == 'R' && ds > 0 && du <= 0)
		TH_LOG("  => running, charged system time only: spinning in the kernel");
	else if (b.state == 'R' && du > 0 && ds <= 0)
		TH_LOG("  => running, charged user time only: looping in user mode");
	else if (b.state == 'R' && (du > 0 || ds > 0))
		TH_LOG("  => running in user and kernel mode: a loop through the kernel (trap, return, trap)");
	else if (b.state == 'R')
		TH_LOG("  => running but charged no tick: its CPU %d takes no timer interrupts (stuck below the kernel?)",
		       b.cpu);
	else if (b.state == 't' || b.state == 'T')
		TH_LOG("  => stopped, yet waitpid() reported no stop: a lost ptrace notification");
	else
		TH_LOG("  => not running (state %c): asleep, see wchan/stack",
		       b.state);

	kill(*pid, SIGKILL);
	ret = wait_ms(*pid, &status, KILL_WAIT_MS);
	if (ret == 1)
		TH_LOG("  tracee reaped after SIGKILL");
	else
		TH_LOG("  tracee %d still there %d ms after SIGKILL: left behind",
		       *pid, KILL_WAIT_MS);
	*pid = 0;
}

/* --- the test ------------------------------------------------------------- */

FIXTURE(step_watch) {
	pid_t pid;
	int perf_fd;
};

FIXTURE_VARIANT(step_watch) {
	enum sw_mode mode;
	uint32_t type;		/* HW_BREAKPOINT_W or _RW; 0 for none */
	uint64_t len;		/* watch and store length */
};

FIXTURE_SETUP(step_watch)
{
	self->pid = 0;
	self->perf_fd = -1;
}

/* Never blocks: a tracee that cannot be killed is left behind. */
FIXTURE_TEARDOWN(step_watch)
{
	int status;

	if (self->perf_fd >= 0)
		close(self->perf_fd);
	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		wait_ms(self->pid, &status, KILL_WAIT_MS);
	}
}

FIXTURE_VARIANT_ADD(step_watch, step_dr_W_len1) {
	.mode = SW_STEP_DR, .type = HW_BREAKPOINT_W, .len = 1,
};

FIXTURE_VARIANT_ADD(step_watch, step_dr_W_len4) {
	.mode = SW_STEP_DR, .type = HW_BREAKPOINT_W, .len = 4,
};

FIXTURE_VARIANT_ADD(step_watch, step_dr_W_len8) {
	.mode = SW_STEP_DR, .type = HW_BREAKPOINT_W, .len = 8,
};

FIXTURE_VARIANT_ADD(step_watch, step_dr_RW_len1) {
	.mode = SW_STEP_DR, .type = HW_BREAKPOINT_RW, .len = 1,
};

FIXTURE_VARIANT_ADD(step_watch, step_dr_RW_len4) {
	.mode = SW_STEP_DR, .type = HW_BREAKPOINT_RW, .len = 4,
};

FIXTURE_VARIANT_ADD(step_watch, step_dr_RW_len8) {
	.mode = SW_STEP_DR, .type = HW_BREAKPOINT_RW, .len = 8,
};

FIXTURE_VARIANT_ADD(step_watch, cont_dr_W_len1) {
	.mode = SW_CONT_DR, .type = HW_BREAKPOINT_W, .len = 1,
};

FIXTURE_VARIANT_ADD(step_watch, cont_dr_W_len4) {
	.mode = SW_CONT_DR, .type = HW_BREAKPOINT_W, .len = 4,
};

FIXTURE_VARIANT_ADD(step_watch, cont_dr_W_len8) {
	.mode = SW_CONT_DR, .type = HW_BREAKPOINT_W, .len = 8,
};

FIXTURE_VARIANT_ADD(step_watch, cont_dr_RW_len1) {
	.mode = SW_CONT_DR, .type = HW_BREAKPOINT_RW, .len = 1,
};

FIXTURE_VARIANT_ADD(step_watch, cont_dr_RW_len4) {
	.mode = SW_CONT_DR, .type = HW_BREAKPOINT_RW, .len = 4,
};

FIXTURE_VARIANT_ADD(step_watch, cont_dr_RW_len8) {
	.mode = SW_CONT_DR, .type = HW_BREAKPOINT_RW, .len = 8,
};

FIXTURE_VARIANT_ADD(step_watch, step_only_len1) {
	.mode = SW_STEP_ONLY, .type = 0, .len = 1,
};

FIXTURE_VARIANT_ADD(step_watch, step_only_len4) {
	.mode = SW_STEP_ONLY, .type = 0, .len = 4,
};

FIXTURE_VARIANT_ADD(step_watch, step_only_len8) {
	.mode = SW_STEP_ONLY, .type = 0, .len = 8,
};

FIXTURE_VARIANT_ADD(step_watch, step_perf_W_len1) {
	.mode = SW_STEP_PERF, .type = HW_BREAKPOINT_W, .len = 1,
};

FIXTURE_VARIANT_ADD(step_watch, step_perf_W_len4) {
	.mode = SW_STEP_PERF, .type = HW_BREAKPOINT_W, .len = 4,
};

FIXTURE_VARIANT_ADD(step_watch, step_perf_W_len8) {
	.mode = SW_STEP_PERF, .type = HW_BREAKPOINT_W, .len = 8,
};

FIXTURE_VARIANT_ADD(step_watch, step_perf_RW_len8) {
	.mode = SW_STEP_PERF, .type = HW_BREAKPOINT_RW, .len = 8,
};

FIXTURE_VARIANT_ADD(step_watch, cont_perf_W_len8) {
	.mode = SW_CONT_PERF, .type = HW_BREAKPOINT_W, .len = 8,
};

FIXTURE_VARIANT_ADD(step_watch, cont_perf_RW_len8) {
	.mode = SW_CONT_PERF, .type = HW_BREAKPOINT_RW, .len = 8,
};

/*
 * The tracer on the first CPU it may use, the tracee on the last, so that
 * a CPU stuck in the tracee leaves the tracer running. -1: one CPU only.
 */
static int pick_cpus(int *tracer_cpu)
{
	cpu_set_t set;
	int cpu, first = -1, last = -1;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -1;
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &set))
			continue;
		if (first < 0)
			first = cpu;
		last = cpu;
	}
	if (first < 0 || first == last)
		return -1;
	*tracer_cpu = first;
	return last;
}

static void __attribute__((noreturn)) tracee(pid_t parent, int cpu,
					     void (*store)(void))
{
	int null = open("/dev/null", O_RDWR);

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(10);
	/*
	 * A tracee stuck where SIGKILL cannot reach it (a wedged vCPU) must
	 * not hold the runner's output pipe: it prints nothing anyway.
	 */
	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
		_exit(13);
	close(null);
	if (cpu >= 0 && hwbp_pin_self(cpu))
		_exit(11);
	if (ptrace(PTRACE_TRACEME, 0, 0, 0))
		_exit(12);
	raise(SIGSTOP);
	store();
	_exit(0);
}

/* Wait for the tracee's next event, or report the hang and fail. */
#define WAIT_EVENT(phase, status) do {					\
	int __ret = wait_ms(self->pid, (status), tmo);			\
									\
	if (__ret == 0)							\
		report_hang(_metadata, &self->pid, (phase));		\
	ASSERT_EQ(1, __ret) {						\
		if (__ret == 0)						\
			TH_LOG("%s: tracee hung after %s (no stop in %lld s)", \
			       mode_name[variant->mode], (phase),	\
			       (long long)tmo / 1000);			\
		else							\
			TH_LOG("waitpid after %s: %s", (phase),		\
			       strerror(-__ret));			\
	}								\
} while (0)

TEST_F_TIMEOUT(step_watch, step_over, 60)
{
	struct store_seq seq = store_seq(variant->len);
	unsigned long insn = (unsigned long)seq.insn;
	unsigned long next = (unsigned long)seq.next;
	unsigned long dr6, dr7 = 0, b0, bs;
	struct user_regs_struct regs;
	int64_t tmo = timeout_ms();
	int tracer_cpu = -1, tracee_cpu;
	char buf[64], bits[64];
	long orig, var;
	int64_t count;
	siginfo_t si;
	int status;

	TH_LOG("%s, %s len %llu: store at %#lx (%lu bytes), var at %p",
	       mode_name[variant->mode],
	       variant->type ? hwbp_type_name(variant->type) : "-",
	       (unsigned long long)variant->len, insn, next - insn,
	       &hwbp_sw_var);

	tracee_cpu = pick_cpus(&tracer_cpu);
	if (tracee_cpu >= 0 && hwbp_pin_self(tracer_cpu)) {
		TH_LOG("cannot pin the tracer to CPU %d: not pinning",
		       tracer_cpu);
		tracee_cpu = -1;
	}
	if (tracee_cpu < 0)
		TH_LOG("one CPU: a CPU stuck in the tracee would stop the tracer too");

	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (self->pid == 0)
		tracee(getppid(), tracee_cpu, seq.fn);

	/* 1. The tracee's SIGSTOP. */
	WAIT_EVENT("the tracee's start", &status);
	ASSERT_TRUE(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP) {
		TH_LOG("tracee %s", status_str(status, buf, sizeof(buf)));
	}
	ASSERT_EQ(0, ptrace(PTRACE_SETOPTIONS, self->pid, 0,
			    PTRACE_O_EXITKILL));

	/* 2. An int3 over the first byte of the store; run into it. */
	errno = 0;
	orig = ptrace(PTRACE_PEEKTEXT, self->pid, insn, 0);
	ASSERT_EQ(0, errno);
	ASSERT_EQ(0, ptrace(PTRACE_POKETEXT, self->pid, insn,
			    (orig & ~0xffl) | INT3));
	ASSERT_EQ(0, ptrace(PTRACE_CONT, self->pid, 0, 0));
	WAIT_EVENT("PTRACE_CONT into the int3", &status);
	ASSERT_TRUE(WIFSTOPPED(status) && WSTOPSIG(status) == SIGTRAP) {
		TH_LOG("tracee %s", status_str(status, buf, sizeof(buf)));
	}
	ASSERT_EQ(0, ptrace(PTRACE_GETREGS, self->pid, 0, &regs));
	ASSERT_EQ(insn + 1, regs.rip);
	dr6 = hwbp_peek_dr(self->pid, 6);
	TH_LOG("int3 stop: rip = store + 1, DR6 %#lx (%s)", dr6,
	       dr6_str(dr6, bits, sizeof(bits)));

	/* 3. Arm the watchpoint, as gdb inserts it before resuming. */
	if (mode_dr(variant->mode)) {
		dr7 = dr7_watch0(variant->type, variant->len);
		ASSERT_EQ(0, hwbp_poke_dr(self->pid, 7, 0));
		ASSERT_EQ(0, hwbp_poke_dr(self->pid, 0,
				     (unsigned long)&hwbp_sw_var));
		ASSERT_EQ(0, hwbp_poke_dr(self->pid, 7, dr7));
		EXPECT_EQ(dr7, hwbp_peek_dr(self->pid, 7));
		EXPECT_EQ((unsigned long)&hwbp_sw_var, hwbp_peek_dr(self->pid, 0));
	} else if (mode_perf(variant->mode)) {
		struct perf_event_attr attr;

		hwbp_attr_init(&attr, variant->type,
			       (uintptr_t)&hwbp_sw_var, variant->len);
		self->perf_fd = hwbp_open(&attr, self->pid, -1);
		ASSERT_LE(0, self->perf_fd) {
			TH_LOG("perf_event_open(%s len %llu) on the tracee: %s",
			       hwbp_type_name(variant->type),
			       (unsigned long long)variant->len,
			       hwbp_errname(self->perf_fd));
		}
	}
	ASSERT_EQ(0, hwbp_poke_dr(self->pid, 6, 0));

	/* 4. Step over the breakpoint in place: original byte, RIP back. */
	ASSERT_EQ(0, ptrace(PTRACE_POKETEXT, self->pid, insn, orig));
	regs.rip = insn;
	ASSERT_EQ(0, ptrace(PTRACE_SETREGS, self->pid, 0, &regs));
	ASSERT_EQ(0, ptrace(mode_steps(variant->mode) ? PTRACE_SINGLESTEP :
			    PTRACE_CONT, self->pid, 0, 0));

	if (variant->mode == SW_CONT_PERF) {
		/* Nothing stops the tracee: it must run to its exit. */
		WAIT_EVENT("PTRACE_CONT over the store", &status);
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status)) {
			TH_LOG("tracee %s", status_str(status, buf,
							sizeof(buf)));
			if (WIFSTOPPED(status)) {
				dr6 = hwbp_peek_dr(self->pid, 6);
				TH_LOG("unexpected stop, DR6 %#lx (%s)", dr6,
				       dr6_str(dr6, bits, sizeof(bits)));
			}
		}
		if (WIFEXITED(status) || WIFSIGNALED(status))
			self->pid = 0;
		count = hwbp_count(self->perf_fd);
		TH_LOG("%s: perf count %lld", mode_name[variant->mode],
		       (long long)count);
		EXPECT_EQ(1, count);
		return;
	}

	WAIT_EVENT(mode_steps(variant->mode) ?
		   "PTRACE_SINGLESTEP over the store" :
		   "PTRACE_CONT over the store", &status);
	ASSERT_TRUE(WIFSTOPPED(status) && WSTOPSIG(status) == SIGTRAP) {
		TH_LOG("%s: no SIGTRAP after the store, the tracee %s%s",
		       mode_name[variant->mode],
		       status_str(status, buf, sizeof(buf)),
		       WIFEXITED(status) ? ": nothing trapped" : "");
	}
	ASSERT_EQ(0, ptrace(PTRACE_GETSIGINFO, self->pid, 0, &si));
	ASSERT_EQ(0, ptrace(PTRACE_GETREGS, self->pid, 0, &regs));
	dr6 = hwbp_peek_dr(self->pid, 6);
	errno = 0;
	var = ptrace(PTRACE_PEEKDATA, self->pid, &hwbp_sw_var, 0);
	ASSERT_EQ(0, errno);
	b0 = dr6 & DR_TRAP0;
	bs = dr6 & DR_STEP;
	count = self->perf_fd >= 0 ? hwbp_count(self->perf_fd) : -1;

	TH_LOG("%s %s len %llu: DR6 %#lx (%s) si_code %d (%s) rip store%+ld var %#lx perf count %lld",
	       mode_name[variant->mode],
	       variant->type ? hwbp_type_name(variant->type) : "-",
	       (unsigned long long)variant->len, dr6,
	       dr6_str(dr6, bits, sizeof(bits)), si.si_code,
	       si_code_str(si.si_code), (long)(regs.rip - insn),
	       (unsigned long)var, (long long)count);

	/* The store is done and the stop is right after it. */
	ASSERT_EQ(next, regs.rip);
	EXPECT_EQ(stored_value(variant->len), (uint64_t)var);
	EXPECT_EQ(0, dr6 & (DR_BD | DR_SWITCH | (DR_TRAP_BITS & ~DR_TRAP0)));
	/* The kernel's si_code must agree with the DR6 it reports. */
	EXPECT_EQ(dr6_si_code(dr6), si.si_code);

	switch (variant->mode) {
	case SW_STEP_DR:
		ASSERT_NE(0, b0) {
			TH_LOG("watchpoint hit not reported: DR6 %#lx (%s); gdb would miss the write",
			       dr6, bits);
		}
		if (!bs)
			TH_LOG("DR6.BS missing after the step (DR6 %#lx): gdb copes (TRAP_HWBKPT + B0), hardware sets both",
			       dr6);
		EXPECT_NE(0, bs);
		break;
	case SW_CONT_DR:
		ASSERT_NE(0, b0);
		EXPECT_EQ(0, bs);
		break;
	case SW_STEP_ONLY:
		ASSERT_NE(0, bs);
		EXPECT_EQ(0, b0);
		break;
	case SW_STEP_PERF:
		ASSERT_NE(0, bs);
		/* A perf breakpoint is not ptrace's: no Bn in its DR6. */
		EXPECT_EQ(0, b0);
		EXPECT_EQ(1, count);
		break;
	case SW_CONT_PERF:
		break;
	}

	/*
	 * 5. gdb puts its breakpoint back, clears DR6 (it reported a
	 * watchpoint) and continues: the tracee must exit with no more stops.
	 */
	ASSERT_EQ(0, ptrace(PTRACE_POKETEXT, self->pid, insn,
			    (orig & ~0xffl) | INT3));
	ASSERT_EQ(0, hwbp_poke_dr(self->pid, 6, 0));
	ASSERT_EQ(0, ptrace(PTRACE_CONT, self->pid, 0, 0));
	WAIT_EVENT("the final PTRACE_CONT", &status);
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status)) {
		TH_LOG("after the final PTRACE_CONT the tracee %s",
		       status_str(status, buf, sizeof(buf)));
		if (WIFSTOPPED(status)) {
			ptrace(PTRACE_GETREGS, self->pid, 0, &regs);
			dr6 = hwbp_peek_dr(self->pid, 6);
			TH_LOG("extra stop at store%+ld, DR6 %#lx (%s)",
			       (long)(regs.rip - insn), dr6,
			       dr6_str(dr6, bits, sizeof(bits)));
		}
	}
	if (WIFEXITED(status) || WIFSIGNALED(status))
		self->pid = 0;
	if (self->perf_fd >= 0) {
		count = hwbp_count(self->perf_fd);
		EXPECT_EQ(1, count) TH_LOG("perf count at exit %lld",
					   (long long)count);
	}
}

#else /* !__x86_64__ */

TEST(step_watch)
{
	SKIP(return, "x86_64 only");
}

#endif

TEST_HARNESS_MAIN
