/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the hwbp_* hardware breakpoint selftests:
 * perf_event_open() wrappers for PERF_TYPE_BREAKPOINT, memory accesses the
 * compiler can neither merge nor drop, CPU/sysfs/sysctl helpers, privilege
 * dropping, exec helpers and the per-architecture slot counts as reported
 * by ptrace. Needs _GNU_SOURCE, which lib.mk defines.
 */
#ifndef HWBP_UTIL_H
#define HWBP_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>

#if defined(__aarch64__)
#include <elf.h>		/* NT_ARM_HW_BREAK, NT_ARM_HW_WATCH */
#include <asm/ptrace.h>		/* struct user_hwdebug_state */
#elif defined(__powerpc__)
#include <asm/ptrace.h>		/* struct ppc_debug_info */
#endif

/*
 * Keep the compiler from moving, merging or dropping memory accesses across
 * this point. Every watched access in these tests is also volatile, so each
 * one is emitted exactly once, as the single access of the given width.
 */
static inline void hwbp_barrier(void)
{
	asm volatile("" ::: "memory");
}

#ifndef __aligned
#define __aligned(x)	__attribute__((aligned(x)))
#endif

#define HWBP_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define HWBP_LONG	((uint64_t)sizeof(long))

/* From include/uapi/asm-generic/siginfo.h; glibc 2.36 lacks them. */
#ifndef TRAP_PERF
#define TRAP_PERF		6
#endif
#ifndef TRAP_PERF_FLAG_ASYNC
#define TRAP_PERF_FLAG_ASYNC	(1u << 0)
#endif

/*
 * QEMU 10.0 decodes DAWRX[PR] from the wrong bit on pseries, so a DAWR
 * watchpoint restricted to user space (exclude_kernel=1) never fires under
 * QEMU. The tests run as root, so on powerpc the watchpoints that must fire
 * watch every privilege level; the tests only touch the watched data from
 * user space, so the counts they expect are the same.
 */
#if defined(__powerpc__)
#define HWBP_EXCLUDE_KERNEL	0
#else
#define HWBP_EXCLUDE_KERNEL	1
#endif

static inline void hwbp_attr_init(struct perf_event_attr *attr,
				  uint32_t bp_type, uint64_t addr,
				  uint64_t len)
{
	memset(attr, 0, sizeof(*attr));
	attr->type = PERF_TYPE_BREAKPOINT;
	attr->size = sizeof(*attr);
	attr->bp_type = bp_type;
	attr->bp_addr = addr;
	attr->bp_len = len;
	/* Counting mode: no overflow, so no throttling can lose a hit. */
	attr->sample_period = 0;
	attr->exclude_kernel = HWBP_EXCLUDE_KERNEL;
	attr->exclude_hv = HWBP_EXCLUDE_KERNEL;
}

/* perf_event_open(); returns the fd, or -errno. */
static inline int hwbp_open(const struct perf_event_attr *attr, pid_t pid,
			    int cpu)
{
	int fd = syscall(__NR_perf_event_open, attr, pid, cpu, -1,
			 PERF_FLAG_FD_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* Open and close at once: 0 if the breakpoint was accepted, else -errno. */
static inline int hwbp_try(const struct perf_event_attr *attr, pid_t pid,
			   int cpu)
{
	int fd = hwbp_open(attr, pid, cpu);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

/* The event's count, or -1 if read() fails. */
static inline int64_t hwbp_count(int fd)
{
	uint64_t count;

	if (read(fd, &count, sizeof(count)) != sizeof(count))
		return -1;
	return (int64_t)count;
}

static inline int hwbp_ioctl(int fd, unsigned long req, unsigned long arg)
{
	return ioctl(fd, req, arg) ? -errno : 0;
}

static inline int hwbp_modify(int fd, const struct perf_event_attr *attr)
{
	return hwbp_ioctl(fd, PERF_EVENT_IOC_MODIFY_ATTRIBUTES,
			  (unsigned long)attr);
}

/* Single accesses of a given width; each is exactly one load or store. */
static inline void hwbp_store8(volatile void *p, uint8_t v)
{
	*(volatile uint8_t *)p = v;
	hwbp_barrier();
}

static inline uint8_t hwbp_load8(volatile void *p)
{
	uint8_t v = *(volatile uint8_t *)p;

	hwbp_barrier();
	return v;
}

static inline void hwbp_store_long(volatile long *p, long v)
{
	*p = v;
	hwbp_barrier();
}

static inline long hwbp_load_long(volatile long *p)
{
	long v = *p;

	hwbp_barrier();
	return v;
}

/* @n stores to *p, one per iteration. */
static inline void hwbp_store_n(volatile long *p, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		hwbp_store_long(p, (long)i);
}

/* A bp_type as the tests print it. */
static inline const char *hwbp_type_name(uint32_t type)
{
	switch (type) {
	case HW_BREAKPOINT_R:	return "R";
	case HW_BREAKPOINT_W:	return "W";
	case HW_BREAKPOINT_RW:	return "RW";
	case HW_BREAKPOINT_X:	return "X";
	default:		return "?";
	}
}

static inline const char *hwbp_errname(int err)
{
	switch (err < 0 ? -err : err) {
	case 0:		return "success";
	case EINVAL:	return "EINVAL";
	case ENOSPC:	return "ENOSPC";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EACCES:	return "EACCES";
	case EPERM:	return "EPERM";
	case E2BIG:	return "E2BIG";
	case ENODEV:	return "ENODEV";
	case ENOENT:	return "ENOENT";
	case ESRCH:	return "ESRCH";
	case EIO:	return "EIO";
	case EBUSY:	return "EBUSY";
	default:	return strerror(err < 0 ? -err : err);
	}
}

/*
 * The perf part of a SIGTRAP's siginfo. glibc 2.36 has no si_perf_*
 * members, so read them where include/uapi/asm-generic/siginfo.h puts them:
 * _sigfault is { void *_addr; union { ...; struct { unsigned long _data;
 * __u32 _type; __u32 _flags; } _perf; }; }, and that union is aligned to a
 * pointer (it also holds pointers), so it starts right after si_addr. None
 * of the architectures tested here defines __ARCH_SI_TRAPNO.
 */
struct hwbp_si_perf {
	unsigned long data;
	uint32_t type;
	uint32_t flags;
};

static inline struct hwbp_si_perf hwbp_si_perf(const siginfo_t *si)
{
	struct hwbp_si_perf perf;

	memcpy(&perf, (const char *)&si->si_addr + sizeof(void *),
	       sizeof(perf));
	return perf;
}

/* Small files in /proc and /sys. */
static inline int hwbp_read_int(const char *path, int *val)
{
	char buf[32] = "";
	int fd, n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	*val = atoi(buf);
	return 0;
}

static inline int hwbp_write_int(const char *path, int val)
{
	char buf[32];
	int fd, n, len;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%d\n", val);
	n = write(fd, buf, len);
	if (n < 0)
		n = -errno;
	close(fd);
	return n < 0 ? n : 0;
}

#define HWBP_PARANOID	"/proc/sys/kernel/perf_event_paranoid"

/* CPUs. sched_setaffinity(0, ...) acts on the calling thread only. */
static inline int hwbp_nr_cpus(void)
{
	return (int)sysconf(_SC_NPROCESSORS_CONF);
}

static inline bool hwbp_cpu_online(int cpu)
{
	char path[64];
	int val = 0;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online",
		 cpu);
	if (hwbp_read_int(path, &val) == 0)
		return val == 1;
	/* No online file (e.g. x86 CPU 0): online if the CPU exists. */
	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d", cpu);
	return access(path, F_OK) == 0;
}

static inline int hwbp_set_cpu_online(int cpu, bool online)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online",
		 cpu);
	return hwbp_write_int(path, online ? 1 : 0);
}

static inline int hwbp_pin_self(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return -errno;
	/* The migration is done when sched_setaffinity() returns. */
	return sched_getcpu() == cpu ? 0 : -EAGAIN;
}

static inline void hwbp_unpin_self(void)
{
	cpu_set_t set;
	int cpu;

	CPU_ZERO(&set);
	for (cpu = 0; cpu < hwbp_nr_cpus() && cpu < CPU_SETSIZE; cpu++)
		CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/*
 * Become an unprivileged user: no supplementary groups, all uids/gids
 * @uid, hence no capabilities (no SECBIT_KEEP_CAPS). A credential change
 * makes the process non-dumpable, which on its own would refuse ptrace and
 * perf access by the same user; set it dumpable again so that only the uid
 * decides what the tests check.
 */
static inline int hwbp_become_user(uid_t uid)
{
	if (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
	    setresuid(uid, uid, uid))
		return -errno;
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
		return -errno;
	return 0;
}

/*
 * Run @fn in a forked child and hand its int result back through a pipe.
 * Returns 0 and sets *result, or -errno / -ECHILD if the child died.
 */
static inline int hwbp_in_child(int (*fn)(void *), void *arg, int *result)
{
	int pfd[2], status, r = 0;
	pid_t pid;

	if (pipe(pfd))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		close(pfd[0]);
		r = fn(arg);
		if (write(pfd[1], &r, sizeof(r)) != sizeof(r))
			_exit(2);
		_exit(0);
	}
	close(pfd[1]);
	if (read(pfd[0], &r, sizeof(r)) != sizeof(r))
		r = INT32_MIN;
	close(pfd[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) || r == INT32_MIN)
		return -ECHILD;
	*result = r;
	return 0;
}

/*
 * A child stopped under ptrace, for the ptrace requests that report the
 * debug hardware. Returns its pid (stopped by SIGSTOP) or -errno.
 */
static inline pid_t hwbp_stopped_tracee(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, 0, 0))
			_exit(1);
		raise(SIGSTOP);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -ECHILD;
	}
	return pid;
}

static inline void hwbp_reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* The exit code of a child, or 1000 + the signal that killed it. */
static inline int hwbp_wait_exit(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFSIGNALED(status))
		return 1000 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/*
 * For exec tests: the program re-executes itself (/proc/self/exe) with
 * HWBP_EXEC_WRITER N as arguments; its main() then calls
 * hwbp_exec_writer(), which maps a page at the fixed HWBP_EXEC_ADDR, as
 * the old image did, and stores to it N times.
 */
#define HWBP_EXEC_WRITER	"--hwbp-exec-writer"
/* Free in every 64-bit user layout used here (39 bits of VA or more). */
#define HWBP_EXEC_ADDR		0x7000000000ul

static inline volatile long *hwbp_map_exec_addr(void)
{
	void *p = mmap((void *)HWBP_EXEC_ADDR, getpagesize(),
		       PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
		       -1, 0);

	return p == (void *)HWBP_EXEC_ADDR ? p : NULL;
}

static inline int hwbp_exec_writer(int argc, char **argv)
{
	volatile long *p = hwbp_map_exec_addr();

	if (!p || argc < 3)
		return 3;
	hwbp_store_n(p, atoi(argv[2]));
	return 0;
}

static inline void hwbp_exec_self_writer(int n)
{
	char name[] = "hwbp-exec-writer", mode[] = HWBP_EXEC_WRITER, num[16];
	char *const args[] = { name, mode, num, NULL };

	snprintf(num, sizeof(num), "%d", n);
	execv("/proc/self/exe", args);
	_exit(4);
}

/* Whether a /sys file's words ("[a] b c") include @word. */
static inline bool hwbp_file_has_word(const char *path, const char *word)
{
	char buf[256], *tok, *save;
	int fd, n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (tok = strtok_r(buf, "\n []", &save); tok;
	     tok = strtok_r(NULL, "\n []", &save))
		if (!strcmp(tok, word))
			return true;
	return false;
}

/*
 * Why this machine cannot sleep in @state ("mem", "freeze") and wake
 * itself through an RTC alarm, or NULL. Without such an alarm a
 * suspended guest would never resume.
 */
static inline const char *hwbp_cannot_sleep(const char *state)
{
	static char why[128];
	glob_t g;
	int fd;

	if (!hwbp_file_has_word("/sys/power/state", state)) {
		snprintf(why, sizeof(why), "no \"%s\" in /sys/power/state",
			 state);
		return why;
	}
	if (glob("/sys/class/rtc/rtc*/alarmtimer.*", GLOB_NOSORT, NULL, &g))
		return "no RTC serves alarm timers: a suspended machine could never wake up";
	globfree(&g);
	fd = timerfd_create(CLOCK_BOOTTIME_ALARM, TFD_CLOEXEC);
	if (fd < 0) {
		snprintf(why, sizeof(why),
			 "timerfd_create(CLOCK_BOOTTIME_ALARM): %s",
			 strerror(errno));
		return why;
	}
	close(fd);
	return NULL;
}

#if defined(__x86_64__)
#include <sys/user.h>

/* Write DRn of a stopped tracee: 0 or -errno. */
static inline int hwbp_poke_dr(pid_t pid, int n, unsigned long val)
{
	return ptrace(PTRACE_POKEUSER, pid,
		      offsetof(struct user, u_debugreg[n]), val) ? -errno : 0;
}

/* DRn as PEEKUSER shows it; ~0 if PEEKUSER fails (~0 is never valid). */
static inline unsigned long hwbp_peek_dr(pid_t pid, int n)
{
	long val;

	errno = 0;
	val = ptrace(PTRACE_PEEKUSER, pid,
		     offsetof(struct user, u_debugreg[n]), 0);
	return errno ? ~0ul : (unsigned long)val;
}
#endif

#if defined(__powerpc__)
/* What the watchpoint hardware is, from PPC_PTRACE_GETHWDBGINFO. */
static inline int hwbp_ppc_dbginfo(struct ppc_debug_info *info)
{
	pid_t pid = hwbp_stopped_tracee();
	int ret = 0;

	if (pid < 0)
		return pid;
	if (ptrace(PPC_PTRACE_GETHWDBGINFO, pid, 0, info))
		ret = -errno;
	hwbp_reap(pid);
	return ret;
}
#endif

#if defined(__aarch64__)
/* Number of slots from NT_ARM_HW_BREAK/NT_ARM_HW_WATCH: dbg_info[7:0]. */
static inline int hwbp_arm64_slots(int note)
{
	struct user_hwdebug_state state;
	struct iovec iov = { .iov_base = &state, .iov_len = sizeof(state) };
	pid_t pid = hwbp_stopped_tracee();
	int ret;

	if (pid < 0)
		return pid;
	memset(&state, 0, sizeof(state));
	ret = ptrace(PTRACE_GETREGSET, pid, note, &iov) ? -errno :
	      (int)(state.dbg_info & 0xff);
	hwbp_reap(pid);
	return ret;
}
#endif

/*
 * The number of data breakpoint slots the architecture documents for a
 * task, as its ptrace interface reports them: x86 has DR0-DR3, shared
 * between execute and data breakpoints; arm64 reports its watchpoint
 * registers in NT_ARM_HW_WATCH; powerpc its DAWRs in GETHWDBGINFO.
 */
static inline int hwbp_data_slots(void)
{
#if defined(__x86_64__) || defined(__i386__)
	return 4;
#elif defined(__aarch64__)
	return hwbp_arm64_slots(NT_ARM_HW_WATCH);
#elif defined(__powerpc__)
	struct ppc_debug_info info;
	int ret = hwbp_ppc_dbginfo(&info);

	return ret ? ret : (int)info.num_data_bps;
#else
	return -EOPNOTSUPP;
#endif
}

/* Likewise for instruction breakpoints (0: none). */
static inline int hwbp_inst_slots(void)
{
#if defined(__x86_64__) || defined(__i386__)
	return 4;
#elif defined(__aarch64__)
	return hwbp_arm64_slots(NT_ARM_HW_BREAK);
#elif defined(__powerpc__)
	return 0;
#else
	return -EOPNOTSUPP;
#endif
}

/* x86 and sh share one pool of slots between data and instructions. */
#if defined(__x86_64__) || defined(__i386__)
#define HWBP_SHARED_SLOTS	1
#else
#define HWBP_SHARED_SLOTS	0
#endif

#endif /* HWBP_UTIL_H */
