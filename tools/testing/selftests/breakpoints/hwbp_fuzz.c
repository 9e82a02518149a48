// SPDX-License-Identifier: GPL-2.0
/*
 * hwbp_fuzz: a seeded random walk over the user surface of the hardware
 * breakpoint layer, from several threads at once.
 *
 * Each fuzz thread draws its operations from its own xorshift64* stream,
 * seeded with SEED + thread index, and does n/j of the n operations:
 *
 *   open     perf_event_open(PERF_TYPE_BREAKPOINT) with random, mostly
 *            half-valid attrs, pid, cpu, group_fd and flags (<= 16 fds);
 *   ioctl    ENABLE, DISABLE, RESET, REFRESH, PERIOD, MODIFY_ATTRIBUTES,
 *            an unknown command, or read(), on one of the thread's fds;
 *   close    one of the thread's fds;
 *   fork     start a child held on a pipe (open may then target its pid),
 *            or let the held one write the fuzz variables, maybe exec
 *            this program as HWBP_EXEC_WRITER, and reap it;
 *   thread   a short-lived thread that writes the fuzz variables;
 *   ptrace   the arch's debug-register interface on a stopped tracee;
 *   hotplug  (-H, root only) take a CPU other than 0 offline or online;
 *   access   plain loads, stores and calls that armed breakpoints see.
 *
 * Oracles:
 *   (a) every call returns success or an errno of its operation's
 *       allow-list (see the lists below for why each errno is there), and
 *       every child exits 0;
 *   (b) once all is closed and reaped and the CPUs are back: every online
 *       CPU takes exactly hwbp_data_slots() pinned CPU-bound breakpoints
 *       and refuses one more with ENOSPC (root only), and so does the task
 *       with task-bound ones; anything else is a leaked (or lost) slot;
 *   (c) a control thread's own task-bound watchpoint, on a variable whose
 *       cache line no fuzz thread ever targets, counts exactly its writes
 *       (spread over the run). It holds a slot on every CPU, so the fuzz
 *       threads see ENOSPC a bit more often; that is expected.
 *   The kernel log is the harness's business.
 *
 * Replay: a thread's walk depends only on its seed and on what the kernel
 * answers (which fds exist, whether a child is held), so a single-thread
 * run, "-s SEED -j 1", is exactly reproducible on the same kernel. In a
 * run of j threads thread i uses SEED + i: "-s SEED+i -j 1" replays its
 * walk, exactly as long as the other threads did not change its answers
 * (mostly ENOSPC). On a failure the seed and the failing thread's last 32
 * operations (numbered, with their results) are printed; for (b) and (c),
 * which no one thread owns, those of every thread. The end report also
 * gives the ops done, time, ops/s, SIGTRAPs, and each op's thread-seconds
 * and errno counts.
 *
 * Options: -s SEED (default: time), -n OPS in all (4000), -j THREADS (3),
 * -t SECONDS time limit (60), -H allow CPU hotplug, -h PERMILLE its share of
 * the operations (20), -p SECONDS a progress line that often (long runs),
 * -v verbose (log every operation).
 */
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <time.h>
#if defined(__x86_64__)
#include <sys/user.h>		/* struct user, u_debugreg[] */
#endif

#include "../kselftest.h"
#include "hwbp_util.h"

#define MAX_THREADS	64
#define MAX_FDS		16	/* per fuzz thread */
#define RING		32	/* operations kept for the failure report */
#define DESC		160
#define NERR		1024	/* errno histogram size; the last is "other" */
#define CTL_WRITES	200	/* the control thread's stores */
#define AREA		4096
#define FAR_FD		4000	/* beyond any fd this program opens */

/* The kernel's internal ENOTSUPP, which PPC_PTRACE_SETHWDEBUG leaks. */
#define ENOTSUPP_KERNEL	524

enum op {
	OP_OPEN, OP_IOCTL, OP_CLOSE, OP_FORK, OP_THREAD, OP_PTRACE,
	OP_HOTPLUG, OP_ACCESS, OP_NR
};

static const char *const op_name[OP_NR] = {
	"open", "ioctl", "close", "fork", "thread", "ptrace", "hotplug",
	"access",
};

/*
 * Relative frequency of each operation, per mille with hotplug at its
 * default; hotplug only with -H, at -h PERMILLE (a CPU going down and up
 * takes most of a second under emulation, so long runs make it rarer).
 */
static unsigned int op_weight[OP_NR] = {
	300, 220, 120, 50, 40, 50, 20, 200,
};

/*
 * Allow-lists, from kernel/events/core.c and hw_breakpoint.c (6.12, ours).
 *
 * perf_event_open():
 *   EINVAL      perf_copy_attr() flag rules, unknown flags, bad cpu,
 *               sigtrap without a task, bad group, reserve_bp_slot() on an
 *               invalid type, the arch parsers;
 *   E2BIG       attr.size out of range or non-zero bytes past the kernel's
 *               struct (perf_copy_attr()), perf_event_validate_size();
 *   ENOSPC      no slot (the whole point of the accounting);
 *   EOPNOTSUPP  hw_breakpoint_event_init(): a class without registers
 *               (powerpc X) or a branch stack; x86 ranges without BPEXT;
 *   ESRCH       bogus pid, or a child already exiting (find_get_context());
 *   EBADF       group_fd closed or not a perf fd (perf_fget_light());
 *   ENODEV      offline CPU (hotplug), a group leader whose task exited,
 *               powerpc without usable DAWR/DABR (ppc_breakpoint_available()).
 *   Not allowed: EBUSY (the breakpoint PMU lacks PERF_PMU_CAP_EXCLUSIVE,
 *   so exclusive_event_installable() never refuses), ENOENT (the type is
 *   always PERF_TYPE_BREAKPOINT), EMFILE (<= 16 fds a thread), ENOMEM,
 *   EINTR (no exec races with an open on the same child).
 *   Without root also EACCES (perf_event_paranoid, perf_check_permission())
 *   and EPERM (kernel addresses need CAP_SYS_ADMIN).
 */
static const int open_allow[] = {
	EINVAL, E2BIG, ENOSPC, EOPNOTSUPP, ESRCH, EBADF, ENODEV, 0
};
static const int unpriv_allow[] = { EACCES, EPERM, 0 };

/* ENABLE, DISABLE, RESET and close() cannot fail on a breakpoint fd. */
static const int none_allow[] = { 0 };

/* REFRESH: inherited or non-sampling event; PERIOD: the same, or 0/bit 63. */
static const int einval_allow[] = { EINVAL, 0 };

/*
 * MODIFY_ATTRIBUTES: perf_copy_attr() (EINVAL, E2BIG), a type or a field
 * that may not change, or the arch parser (EINVAL); x86's parser refuses
 * ranges without BPEXT (EOPNOTSUPP); on arm64 an X <-> data change moves
 * the slot to another class, which may be full (hwbp_slots_change_type():
 * ENOSPC). x86 shares one class; powerpc's parser refuses X first.
 */
static const int modify_allow[] = {
	EINVAL, E2BIG,
#if defined(__x86_64__)
	EOPNOTSUPP,
#elif defined(__aarch64__)
	ENOSPC,
#endif
	0
};

/* An ioctl perf does not know. */
static const int enotty_allow[] = { ENOTTY, 0 };

/* read() into a buffer smaller than the event's read_size (perf_read()). */
static const int enospc_allow[] = { ENOSPC, 0 };

/*
 * The arch's debug-register interface on our own stopped tracee:
 *   x86 POKEUSER: DR4/DR5 or a misaligned offset (EIO), a DR7 perf cannot
 *     express or a bad address (EINVAL: arch_bp_generic_fields(), parser,
 *     exclude_kernel), no slot for a new DRn (ENOSPC);
 *   arm64 SETREGSET: iov_len not a multiple of 4, bad ctrl or address
 *     (EINVAL), an index beyond the task's slots (ENOSPC);
 *   powerpc SETHWDEBUG: bad trigger/mode/condition or length (EINVAL),
 *     address beyond TASK_SIZE (EIO), all ptrace slots used (ENOSPC), no
 *     DAWR/DABR (ENODEV), version != 1 (the kernel-internal ENOTSUPP, 524,
 *     which has always leaked to user space there); DELHWDEBUG: index out
 *     of range (EINVAL) or unused (ENOENT).
 */
#if defined(__x86_64__)
static const int ptrace_allow[] = { EIO, EINVAL, ENOSPC, 0 };
#elif defined(__aarch64__)
static const int ptrace_allow[] = { EINVAL, ENOSPC, 0 };
#elif defined(__powerpc__)
static const int ptrace_allow[] = {
	EINVAL, EIO, ENOSPC, ENODEV, ENOTSUPP_KERNEL, 0
};
static const int ppc_del_allow[] = { EINVAL, ENOENT, 0 };
#endif

/* CPU hotplug: cpu_down() refuses while hotplug is disabled or busy. */
static const int hotplug_allow[] = { EBUSY, EAGAIN, 0 };

/* --- options and shared state -------------------------------------------- */

static uint64_t opt_seed;
static unsigned long opt_ops = 4000;
static int opt_threads = 3;
static int opt_time = 60;
static int opt_progress;		/* seconds between progress lines, 0: none */
static int fuzzers_done;
static bool opt_hotplug, opt_verbose;

static bool is_root;
static int nr_cpus;
static int dev_null = -1;
static int stop;			/* set on failure or timeout */
static unsigned long ops_done;		/* all threads, for progress */
static struct timespec t_start;
static unsigned long sigtraps;
static pthread_mutex_t hotplug_lock = PTHREAD_MUTEX_INITIALIZER;

/* What the fuzz threads watch and touch; the control line is elsewhere. */
static volatile uint8_t area[AREA] __aligned(4096);
static volatile long *exec_page;	/* HWBP_EXEC_ADDR */

/* The control thread's variable: its own mmap()ed page, far from area. */
static volatile long *ctl_var;
static pid_t ctl_tid;

struct fd_slot {
	int fd;
	struct perf_event_attr attr;	/* as opened: MODIFY starts here */
};

struct fuzzer {
	int idx;
	uint64_t seed, rng;
	unsigned long budget, ops;
	pthread_t thread;
	pid_t tid;
	struct fd_slot fds[MAX_FDS];
	int nfds;
	pid_t child;			/* held on child_pipe, or 0 */
	int child_pipe;
	char ring[RING][DESC];
	unsigned long ring_n;
	char *cur;			/* the entry being written */
	char scratch[DESC];		/* after a failure: keep the ring */
	uint32_t hist[OP_NR][NERR];
	double secs[OP_NR];		/* wall time spent in each operation */
	bool failed;
	char why[DESC];
};

static struct fuzzer *fuzzers;

/* --- PRNG ---------------------------------------------------------------- */

/* xorshift64*: small, good enough, and the same everywhere. */
static uint64_t rnd64(struct fuzzer *f)
{
	f->rng ^= f->rng >> 12;
	f->rng ^= f->rng << 25;
	f->rng ^= f->rng >> 27;
	return f->rng * 0x2545f4914f6cdd1dull;
}

/*
 * splitmix64 of the seed: neighbouring seeds (SEED + i) get unrelated
 * streams, and xorshift must not start at 0.
 */
static uint64_t seed_state(uint64_t seed)
{
	uint64_t z = seed + 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return z ? z : 1;
}

static unsigned int rnd(struct fuzzer *f, unsigned int n)
{
	return n ? (unsigned int)(rnd64(f) >> 32) % n : 0;
}

static bool one_in(struct fuzzer *f, unsigned int n)
{
	return rnd(f, n) == 0;
}

static uint64_t pick64(struct fuzzer *f, const uint64_t *v, size_t n)
{
	return v[rnd(f, n)];
}

#define PICK(f, ...) ({							\
	const uint64_t __v[] = { __VA_ARGS__ };				\
	pick64(f, __v, HWBP_ARRAY_SIZE(__v));				\
})

/* --- the operation log and the verdicts ---------------------------------- */

static const char *ename(int err)
{
	static const struct { int err; const char *name; } names[] = {
		{ 0, "ok" }, { EINVAL, "EINVAL" }, { E2BIG, "E2BIG" },
		{ ENOSPC, "ENOSPC" }, { EOPNOTSUPP, "EOPNOTSUPP" },
		{ ESRCH, "ESRCH" }, { EBADF, "EBADF" }, { ENODEV, "ENODEV" },
		{ EACCES, "EACCES" }, { EPERM, "EPERM" }, { EIO, "EIO" },
		{ ENOENT, "ENOENT" }, { ENOTTY, "ENOTTY" }, { EBUSY, "EBUSY" },
		{ EAGAIN, "EAGAIN" }, { EMFILE, "EMFILE" },
		{ ENOMEM, "ENOMEM" }, { EINTR, "EINTR" }, { EFAULT, "EFAULT" },
		{ ENOTSUPP_KERNEL, "ENOTSUPP" },
	};
	static __thread char buf[24];
	size_t i;

	for (i = 0; i < HWBP_ARRAY_SIZE(names); i++)
		if (names[i].err == err)
			return names[i].name;
	snprintf(buf, sizeof(buf), "errno %d", err);
	return buf;
}

/* Start a new log entry: the operation about to be made. */
static __printf(2, 3) void note(struct fuzzer *f, const char *fmt, ...)
{
	char *e = f->failed ? f->scratch : f->ring[f->ring_n++ % RING];
	int n = snprintf(e, DESC, "%lu ", f->ops);
	va_list ap;

	f->cur = e;
	va_start(ap, fmt);
	vsnprintf(e + n, DESC - n, fmt, ap);
	va_end(ap);
}

/* Append to the current entry (its result, mostly). */
static __printf(2, 3) void note_more(struct fuzzer *f, const char *fmt, ...)
{
	char *e = f->cur;
	size_t n = strlen(e);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e + n, DESC - n, fmt, ap);
	va_end(ap);
	if (opt_verbose)
		ksft_print_msg("[%d] %s\n", f->idx, e);
}

static __printf(2, 3) void fail(struct fuzzer *f, const char *fmt, ...)
{
	va_list ap;

	if (f->failed)
		return;
	va_start(ap, fmt);
	vsnprintf(f->why, sizeof(f->why), fmt, ap);
	va_end(ap);
	f->failed = true;
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
}

static bool in_list(const int *list, int err)
{
	for (; *list; list++)
		if (*list == err)
			return true;
	return false;
}

/*
 * Record @ret (>= 0 or -errno) of the current entry and hold it against
 * @allow; @priv_dependent adds the errnos of an unprivileged caller.
 */
static void verdict(struct fuzzer *f, enum op op, long ret, const int *allow,
		    bool priv_dependent)
{
	int err = ret < 0 ? (int)-ret : 0;

	f->hist[op][err < NERR ? err : NERR - 1]++;
	if (ret > 0)
		note_more(f, " = %ld", ret);
	else
		note_more(f, " = %s", ename(err));
	if (!err || in_list(allow, err))
		return;
	if (priv_dependent && !is_root && in_list(unpriv_allow, err))
		return;
	fail(f, "%s returned %s, not in its allow-list", op_name[op],
	     ename(err));
}

/* --- random arguments ---------------------------------------------------- */

/* An address of our own, near nothing else: see (c) in the header. */
static bool near_ctl(uint64_t addr, uint64_t len)
{
	uint64_t ctl = (uintptr_t)ctl_var & ~63ull;
	uint64_t span = len > (1ull << 40) ? (1ull << 40) : len;
	uint64_t lo, hi;

	/* Ranges get rounded to their power of two: allow for that. */
	while (span & (span - 1))
		span &= span - 1;
	span = span ? span << 1 : 64;
	lo = addr & ~(span - 1);
	lo = lo > 4096 ? lo - 4096 : 0;
	hi = addr + span + 4096;
	if (hi < addr)
		hi = UINT64_MAX;
	return ctl + 64 > lo && ctl < hi;
}

/* Not inlined: an execute breakpoint on it fires in op_access(). */
static __attribute__((noinline)) long xtarget(long v)
{
	hwbp_barrier();
	return v * 3 + 1;
}

#if defined(__x86_64__)
#define KADDR		0xffffffff81000000ull	/* >= TASK_SIZE_MAX */
#define X_LEN		8			/* LEN_X: sizeof(long) */
#elif defined(__aarch64__)
#define KADDR		0xffff800080000000ull	/* >= TASK_SIZE */
#define X_LEN		4			/* one A64 instruction */
#else
#define KADDR		0xc000000000000000ull	/* is_kernel_addr() */
#define X_LEN		4
#endif

static uint64_t rand_len(struct fuzzer *f, uint32_t type)
{
	if (type == HW_BREAKPOINT_X && !one_in(f, 3))
		return X_LEN;
	switch (rnd(f, 16)) {
	case 0 ... 2:	return 1;
	case 3 ... 4:	return 2;
	case 5 ... 6:	return 4;
	case 7 ... 10:	return 8;
	case 11:	return 3;
	case 12:	return 0;
	case 13:	return PICK(f, 16, 64, 512);
	default:	return PICK(f, 0x10008, 1ull << 20, 1ull << 32, ~0ull);
	}
}

static uint32_t rand_type(struct fuzzer *f)
{
	switch (rnd(f, 16)) {
	case 0 ... 5:	return HW_BREAKPOINT_W;
	case 6 ... 8:	return HW_BREAKPOINT_RW;
	case 9 ... 10:	return HW_BREAKPOINT_R;
	case 11 ... 12:	return HW_BREAKPOINT_X;
	case 13:	return 0;
	case 14:	return PICK(f, 5, 6, 7, 8);
	default:	return (uint32_t)rnd64(f);
	}
}

static uint64_t rand_addr(struct fuzzer *f, uint32_t type, uint64_t len)
{
	uint64_t align = (len && len <= 8 && !(len & (len - 1))) ? len : 8;
	uint64_t addr;

	if (type == HW_BREAKPOINT_X && one_in(f, 2))
		return (uintptr_t)xtarget + (one_in(f, 8) ? 1 : 0);
	switch (rnd(f, 16)) {
	case 0 ... 8:	/* aligned in area, away from its end */
		addr = (uintptr_t)area + rnd(f, (AREA - 64) / align) * align;
		break;
	case 9 ... 10:	/* misaligned */
		addr = (uintptr_t)area + 8 * rnd(f, AREA / 8 - 8) +
		       1 + rnd(f, 7);
		break;
	case 11:	addr = 0; break;
	case 12:	addr = KADDR + 8 * rnd(f, 8); break;
	case 13:	addr = (uintptr_t)xtarget; break;
	case 14:	addr = HWBP_EXEC_ADDR + 8 * rnd(f, 8); break;
	default:
		addr = PICK(f, 0x0000800000000000ull, ~0ull - 7,
			    0x0000fffffffff000ull, 1ull << 47, 4096);
		break;
	}
	return near_ctl(addr, len) ? (uintptr_t)area : addr;
}

/* Where perf_copy_attr() may look: attr.size can be up to two pages. */
struct attr_buf {
	struct perf_event_attr attr;
	uint8_t tail[8192];
};

static void rand_size(struct fuzzer *f, struct attr_buf *b)
{
	switch (rnd(f, 32)) {
	case 0:	b->attr.size = 0; break;			/* VER0 quirk */
	case 1: b->attr.size = PERF_ATTR_SIZE_VER0; break;	/* no bp_len */
	case 2: b->attr.size = 8; break;			/* E2BIG */
	case 3: b->attr.size = sizeof(b->attr) + 16; break;	/* zero tail */
	case 4: b->attr.size = sizeof(b->attr) + 16;		/* E2BIG */
		b->tail[rnd(f, 16)] = 1;
		break;
	case 5: b->attr.size = 8192; break;	/* > PAGE_SIZE unless 64K */
	}
}

static void rand_attr(struct fuzzer *f, struct attr_buf *b)
{
	struct perf_event_attr *a = &b->attr;

	memset(b, 0, sizeof(*b));
	a->type = PERF_TYPE_BREAKPOINT;
	a->size = sizeof(*a);
	a->bp_type = rand_type(f);
	a->bp_len = rand_len(f, a->bp_type);
	a->bp_addr = rand_addr(f, a->bp_type, a->bp_len);
	a->exclude_kernel = !one_in(f, 6);
	a->exclude_user = one_in(f, 16);
	a->exclude_hv = one_in(f, 2);
	a->inherit = one_in(f, 4);
	a->inherit_thread = a->inherit ? one_in(f, 2) : one_in(f, 24);
	a->sigtrap = one_in(f, 6);
	a->remove_on_exec = a->sigtrap ? !one_in(f, 16) : one_in(f, 8);
	a->sig_data = a->sigtrap ? rnd64(f) : 0;
	a->enable_on_exec = one_in(f, 10);
	a->pinned = one_in(f, 6);
	a->exclusive = one_in(f, 12);
	a->disabled = one_in(f, 4);
	switch (rnd(f, 8)) {
	case 5:	a->sample_period = 1; break;
	case 6:	a->sample_period = 2 + rnd(f, 5); break;
	case 7:	a->sample_period = PICK(f, 1ull << 63, ~0ull, 1000); break;
	}
	if (one_in(f, 32)) {
		a->freq = 1;
		a->sample_freq = PICK(f, 1, 1ull << 40);
	}
	if (one_in(f, 6))
		a->sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID |
				 PERF_SAMPLE_ADDR;
	if (one_in(f, 24)) {
		a->sample_type |= PERF_SAMPLE_BRANCH_STACK;
		a->branch_sample_type = PERF_SAMPLE_BRANCH_ANY |
					PERF_SAMPLE_BRANCH_USER;
	}
	if (one_in(f, 8))
		a->read_format = PERF_FORMAT_GROUP | PERF_FORMAT_ID;
	if (one_in(f, 64))
		a->__reserved_1 = 1;
	rand_size(f, b);
}

static int describe_attr(char *s, size_t n, const struct perf_event_attr *a)
{
	return snprintf(s, n, "t=%#x l=%#llx a=%#llx%s%s%s%s%s%s%s%s%s%s%s p=%#llx sz=%u",
			a->bp_type, (unsigned long long)a->bp_len,
			(unsigned long long)a->bp_addr,
			a->exclude_kernel ? " xk" : "",
			a->exclude_user ? " xu" : "",
			a->inherit ? " inh" : "",
			a->inherit_thread ? " inht" : "",
			a->sigtrap ? " sig" : "",
			a->remove_on_exec ? " roe" : "",
			a->enable_on_exec ? " eoe" : "",
			a->pinned ? " pin" : "",
			a->exclusive ? " excl" : "",
			a->disabled ? " dis" : "",
			a->sample_type & PERF_SAMPLE_BRANCH_STACK ? " brs" : "",
			(unsigned long long)a->sample_period, a->size);
}

/*
 * Half of the opens are tame: every argument but one (@wild) is made
 * valid, so that the success paths get their share and each way of being
 * wrong is met on its own too.
 */
enum {
	W_TYPE, W_LEN, W_ADDR, W_FLAGS, W_SAMPLE, W_SIZE, W_PID, W_CPU,
	W_GROUP, W_OFLAGS, W_NR
};

/* The types the architecture accepts (with a fitting length). */
static bool type_valid(uint32_t type)
{
	switch (type) {
	case HW_BREAKPOINT_W:
	case HW_BREAKPOINT_RW:
		return true;
	case HW_BREAKPOINT_R:
		return !HWBP_SHARED_SLOTS;	/* x86 cannot watch reads */
	case HW_BREAKPOINT_X:
#if defined(__powerpc__)
		return false;			/* no instruction slots */
#else
		return true;
#endif
	}
	return false;
}

static void tame_attr(struct fuzzer *f, struct attr_buf *b, int wild)
{
	struct perf_event_attr *a = &b->attr;
	bool x;

	if (wild != W_TYPE && !type_valid(a->bp_type))
		a->bp_type = HW_BREAKPOINT_W;
	x = a->bp_type == HW_BREAKPOINT_X;
	if (wild != W_LEN)
		a->bp_len = x ? X_LEN : 1u << rnd(f, 4);
	if (wild != W_ADDR || near_ctl(a->bp_addr, a->bp_len))
		a->bp_addr = x ? (uintptr_t)xtarget :
			     (uintptr_t)area + a->bp_len * rnd(f, 64);
	if (wild != W_FLAGS) {
		a->exclude_kernel = HWBP_EXCLUDE_KERNEL || one_in(f, 2);
		if (a->sigtrap)
			a->remove_on_exec = 1;
		if (a->remove_on_exec)
			a->enable_on_exec = 0;
		if (a->inherit_thread)
			a->inherit = 1;
		a->__reserved_1 = 0;
	}
	if (wild != W_SAMPLE) {
		a->freq = 0;
		a->sample_period &= 0xff;
		a->sample_type &= ~PERF_SAMPLE_BRANCH_STACK;
	}
	if (wild != W_SIZE) {
		memset(b->tail, 0, sizeof(b->tail));
		a->size = sizeof(*a);
	}
}

/* Never the control thread: see (c). */
static pid_t rand_pid(struct fuzzer *f)
{
	switch (rnd(f, 16)) {
	case 0 ... 6:	return 0;
	case 7 ... 8:	return -1;
	case 9 ... 10:	return f->tid;
	case 11 ... 12:	return f->child > 0 ? f->child : 0;
	case 13:	return getpid();	/* main, parked in join */
	default:	return (pid_t)PICK(f, INT_MAX, (uint64_t)-2);
	}
}

static int rand_cpu(struct fuzzer *f)
{
	switch (rnd(f, 8)) {
	case 0 ... 4:	return -1;
	case 5 ... 6:	return rnd(f, nr_cpus);
	default:
		return (int)PICK(f, nr_cpus, nr_cpus + 64, 1 << 20,
				 (uint64_t)-2, INT_MAX);
	}
}

static int rand_group(struct fuzzer *f)
{
	switch (rnd(f, 10)) {
	case 0 ... 5:	return -1;
	case 6 ... 7:	return f->nfds ? f->fds[rnd(f, f->nfds)].fd : -1;
	case 8:		return FAR_FD;		/* not open: EBADF */
	default:	return dev_null;	/* not perf: EBADF */
	}
}

static unsigned long rand_flags(struct fuzzer *f)
{
	switch (rnd(f, 16)) {
	case 0 ... 10:	return PERF_FLAG_FD_CLOEXEC;
	case 11:	return 0;
	case 12:	return PERF_FLAG_FD_CLOEXEC | PERF_FLAG_FD_NO_GROUP;
	case 13:	return PERF_FLAG_FD_CLOEXEC | PERF_FLAG_FD_OUTPUT;
	default:	return PERF_FLAG_FD_CLOEXEC | PICK(f, 1ul << 31, 0x10);
	}
}

/* --- operations ---------------------------------------------------------- */

static void op_open(struct fuzzer *f)
{
	struct attr_buf *b = malloc(sizeof(*b));
	char desc[DESC];
	unsigned long flags;
	int pid, cpu, group;
	long fd;

	if (!b)
		return;
	rand_attr(f, b);
	pid = rand_pid(f);
	cpu = rand_cpu(f);
	group = rand_group(f);
	flags = rand_flags(f);
	if (one_in(f, 2)) {
		int wild = rnd(f, W_NR);

		tame_attr(f, b, wild);
		if (wild != W_PID && pid != 0 && pid != f->tid &&
		    pid != f->child)
			pid = 0;
		if (wild != W_CPU && (cpu < -1 || cpu >= nr_cpus ||
				      (pid == -1 && cpu == -1)))
			cpu = pid == -1 ? 0 : -1;
		if (wild != W_CPU && pid == -1 && b->attr.sigtrap)
			pid = 0;
		if (wild != W_GROUP && (group == FAR_FD || group == dev_null))
			group = -1;
		if (wild != W_OFLAGS)
			flags = PERF_FLAG_FD_CLOEXEC;
	}
	describe_attr(desc, sizeof(desc), &b->attr);
	note(f, "open %s pid=%d cpu=%d g=%d fl=%#lx", desc, pid, cpu, group,
	     flags);
	fd = syscall(__NR_perf_event_open, &b->attr, pid, cpu, group, flags);
	verdict(f, OP_OPEN, fd < 0 ? -errno : fd, open_allow, true);
	if (fd >= 0) {
		f->fds[f->nfds].fd = fd;
		f->fds[f->nfds].attr = b->attr;
		f->nfds++;
	}
	free(b);
}

static void op_close(struct fuzzer *f)
{
	int i = rnd(f, f->nfds);
	int fd = f->fds[i].fd;

	note(f, "close %d", fd);
	f->fds[i] = f->fds[--f->nfds];
	verdict(f, OP_CLOSE, close(fd) ? -errno : 0, none_allow, false);
}

/* Mostly a move of address/type/length/disabled, sometimes anything. */
static void rand_modify(struct fuzzer *f, struct attr_buf *b,
			const struct perf_event_attr *old)
{
	memset(b, 0, sizeof(*b));
	if (one_in(f, 5)) {
		rand_attr(f, b);
		return;
	}
	b->attr = *old;
	b->attr.size = sizeof(b->attr);
	if (one_in(f, 2))
		b->attr.bp_type = rand_type(f);
	if (one_in(f, 2))
		b->attr.bp_len = rand_len(f, b->attr.bp_type);
	b->attr.bp_addr = rand_addr(f, b->attr.bp_type, b->attr.bp_len);
	b->attr.disabled = one_in(f, 3);
	switch (rnd(f, 12)) {
	case 0:	b->attr.sample_period ^= 1; break;	/* may not change */
	case 1:	b->attr.type = PERF_TYPE_SOFTWARE; break;
	case 2:	b->attr.exclude_kernel ^= 1; break;
	case 3:	b->attr.sig_data = rnd64(f); break;	/* may change */
	case 4:	rand_size(f, b); break;
	}
}

static void ioctl_modify(struct fuzzer *f, struct fd_slot *s)
{
	struct attr_buf *b = malloc(sizeof(*b));
	char desc[DESC];
	long ret;

	if (!b)
		return;
	rand_modify(f, b, &s->attr);
	describe_attr(desc, sizeof(desc), &b->attr);
	note(f, "ioctl %d MODIFY %s", s->fd, desc);
	ret = ioctl(s->fd, PERF_EVENT_IOC_MODIFY_ATTRIBUTES, &b->attr);
	verdict(f, OP_IOCTL, ret ? -errno : 0, modify_allow, true);
	if (!ret)
		s->attr = b->attr;
	free(b);
}

/* read(): a buffer smaller than the read_format needs is ENOSPC. */
static void ioctl_read(struct fuzzer *f, struct fd_slot *s)
{
	uint64_t buf[64];
	size_t len = one_in(f, 2) ? sizeof(buf) : 8;
	ssize_t ret;

	note(f, "read %d %zu", s->fd, len);
	ret = read(s->fd, buf, len);
	verdict(f, OP_IOCTL, ret < 0 ? -errno : ret, enospc_allow, false);
}

/*
 * The ioctls, and read() with them. The argument of ENABLE, DISABLE and
 * RESET is only PERF_IOC_FLAG_GROUP; REFRESH takes a count, PERIOD a
 * pointer to the new period.
 */
static void op_ioctl(struct fuzzer *f)
{
	static const struct {
		const char *name;
		unsigned long req;
		const int *allow;
	} simple[] = {
		{ "ENABLE", PERF_EVENT_IOC_ENABLE, none_allow },
		{ "DISABLE", PERF_EVENT_IOC_DISABLE, none_allow },
		{ "RESET", PERF_EVENT_IOC_RESET, none_allow },
		{ "REFRESH", PERF_EVENT_IOC_REFRESH, einval_allow },
		{ "PERIOD", PERF_EVENT_IOC_PERIOD, einval_allow },
		{ "junk", _IO('$', 0x40), enotty_allow },
	};
	struct fd_slot *s = &f->fds[rnd(f, f->nfds)];
	unsigned int k = rnd(f, HWBP_ARRAY_SIZE(simple) + 3);
	uint64_t period;
	unsigned long arg;
	long ret;

	if (k >= HWBP_ARRAY_SIZE(simple)) {
		if (k == HWBP_ARRAY_SIZE(simple))
			ioctl_read(f, s);
		else
			ioctl_modify(f, s);
		return;
	}
	arg = one_in(f, 4) ? PERF_IOC_FLAG_GROUP : 0;
	if (simple[k].req == PERF_EVENT_IOC_REFRESH)
		arg = PICK(f, 0, 1, 2, 3, 100);
	if (simple[k].req == PERF_EVENT_IOC_PERIOD) {
		period = PICK(f, 0, 1, 2, 1000, 1ull << 63, ~0ull);
		arg = (uintptr_t)&period;
		note(f, "ioctl %d PERIOD %#llx", s->fd,
		     (unsigned long long)period);
	} else {
		note(f, "ioctl %d %s %#lx", s->fd, simple[k].name, arg);
	}
	ret = ioctl(s->fd, simple[k].req, arg);
	verdict(f, OP_IOCTL, ret ? -errno : 0, simple[k].allow, false);
}

/* Stores of @n words from @off in area: what armed breakpoints watch. */
static void write_area(unsigned int off, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		hwbp_store_long((volatile long *)(area + off), (long)i);
}

/* One load or store of @w bytes: armed R, W and RW watchpoints see it. */
static void touch(volatile uint8_t *p, unsigned int w, bool store)
{
	if (store) {
		switch (w) {
		case 1:	*p = 1; break;
		case 2:	*(volatile uint16_t *)p = 2; break;
		case 4:	*(volatile uint32_t *)p = 4; break;
		default: *(volatile uint64_t *)p = 8; break;
		}
	} else {
		switch (w) {
		case 1:	(void)*p; break;
		case 2:	(void)*(volatile uint16_t *)p; break;
		case 4:	(void)*(volatile uint32_t *)p; break;
		default: (void)*(volatile uint64_t *)p; break;
		}
	}
	hwbp_barrier();
}

static void op_access(struct fuzzer *f)
{
	unsigned int w = 1u << rnd(f, 4);
	unsigned int off = rnd(f, (AREA - 64) / w) * w;
	unsigned int how = rnd(f, 6);

	if (how < 5) {
		note(f, "%s%u area+%#x", how < 3 ? "store" : "load", w * 8, off);
		touch(area + off, w, how < 3);
	} else {
		note(f, "call xtarget, store exec_page");
		hwbp_store_long(exec_page, xtarget(off));
	}
	verdict(f, OP_ACCESS, 0, none_allow, false);
}

/*
 * Fork: start a child that waits on a pipe, so that opens can target its
 * pid (inherit, enable_on_exec, remove_on_exec, sigtrap on another task);
 * the next fork op lets it write and exit, or exec the writer, and reaps
 * it. A child that does not exit 0 is a failure: it inherited our SIGTRAP
 * handler, and remove_on_exec takes the sigtrap events away before the
 * exec'd image (default SIGTRAP action) could be hit.
 */
static void spawn_child(struct fuzzer *f)
{
	bool exec = one_in(f, 4);
	unsigned int n = 1 + rnd(f, 8);
	unsigned int off = rnd(f, (AREA - 64) / 8) * 8;
	int pfd[2];
	pid_t pid;
	char c;

	note(f, "fork%s n=%u area+%#x", exec ? "+exec" : "", n, off);
	if (pipe2(pfd, O_CLOEXEC)) {
		note_more(f, " (pipe: %s)", ename(errno));
		return;
	}
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(pfd[1]);
		if (read(pfd[0], &c, 1) != 1)
			_exit(5);
		write_area(off, n);
		if (exec)
			hwbp_exec_self_writer(n);
		_exit(0);
	}
	close(pfd[0]);
	if (pid < 0) {
		close(pfd[1]);
		note_more(f, " (fork: %s)", ename(errno));
		return;
	}
	f->child = pid;
	f->child_pipe = pfd[1];
	verdict(f, OP_FORK, pid, none_allow, false);
}

static void release_child(struct fuzzer *f)
{
	int status;

	note(f, "release+reap %d", f->child);
	if (write(f->child_pipe, "g", 1) != 1)
		kill(f->child, SIGKILL);
	close(f->child_pipe);
	status = hwbp_wait_exit(f->child);
	f->child = 0;
	verdict(f, OP_FORK, 0, none_allow, false);
	note_more(f, " status %d", status);
	if (status)
		fail(f, "child exit status %d (1000+: signal)", status);
}

static void op_fork(struct fuzzer *f)
{
	if (f->child > 0)
		release_child(f);
	else
		spawn_child(f);
}

struct writer_arg {
	unsigned int off, n;
};

static void *writer_main(void *p)
{
	struct writer_arg *w = p;

	write_area(w->off, w->n);
	return NULL;
}

/* A thread that inherits (inherit, inherit_thread) our events, briefly. */
static void op_thread(struct fuzzer *f)
{
	struct writer_arg w;
	pthread_t t;
	int err;

	w.off = rnd(f, (AREA - 64) / 8) * 8;
	w.n = 1 + rnd(f, 8);
	note(f, "thread n=%u area+%#x", w.n, w.off);
	err = pthread_create(&t, NULL, writer_main, &w);
	if (err) {
		note_more(f, " (pthread_create: %s)", ename(err));
		return;
	}
	pthread_join(t, NULL);
	verdict(f, OP_THREAD, 0, none_allow, false);
}

/* What a debugger might write into an address register. */
static uint64_t rand_dbg_addr(struct fuzzer *f)
{
	return rand_addr(f, HW_BREAKPOINT_W, 8);
}

#if defined(__x86_64__)
/* DR7 with random enables, R/W and LEN fields, and sometimes junk. */
static unsigned long rand_dr7(struct fuzzer *f)
{
	unsigned long dr7 = 0;
	int i;

	if (one_in(f, 8))
		return rnd64(f);
	for (i = 0; i < 4; i++) {
		dr7 |= (unsigned long)rnd(f, 4) << (2 * i);	 /* L, G */
		dr7 |= (unsigned long)rnd(f, 16) << (16 + 4 * i); /* RW, LEN */
	}
	return dr7;
}

static void ptrace_arch(struct fuzzer *f, pid_t pid)
{
	unsigned int i, k, n = 1 + rnd(f, 6);
	unsigned long off, val;
	long ret;

	for (k = 0; k < n; k++) {
		i = rnd(f, 8);
		off = offsetof(struct user, u_debugreg[0]) + i * sizeof(long);
		if (one_in(f, 16))
			off += 1 + rnd(f, 7);		/* misaligned: EIO */
		val = i == 7 ? rand_dr7(f) : i == 6 ? rnd64(f) :
		      rand_dbg_addr(f);
		note(f, "POKEUSER off %#lx (DR%u) %#lx", off, i, val);
		ret = ptrace(PTRACE_POKEUSER, pid, off, val);
		verdict(f, OP_PTRACE, ret ? -errno : 0, ptrace_allow, false);
	}
}
#elif defined(__aarch64__)
/* ctrl: E bit 0, PAC 2:1, LSC 4:3, BAS 12:5, mask 28:24; or junk. */
static uint32_t rand_ctrl(struct fuzzer *f)
{
	uint32_t ctrl;

	if (one_in(f, 6))
		return (uint32_t)rnd64(f);
	/* One draw per statement: C leaves the order within one open. */
	ctrl = rnd(f, 2);
	ctrl |= rnd(f, 4) << 1;
	ctrl |= rnd(f, 4) << 3;
	ctrl |= (uint32_t)PICK(f, 0x01, 0x03, 0x0f, 0xff, 0xf0, 0x05) << 5;
	if (one_in(f, 8))
		ctrl |= rnd(f, 32) << 24;
	return ctrl;
}

static void ptrace_arch(struct fuzzer *f, pid_t pid)
{
	struct user_hwdebug_state st;
	struct iovec iov = { .iov_base = &st };
	int note_type = one_in(f, 2) ? NT_ARM_HW_WATCH : NT_ARM_HW_BREAK;
	unsigned int i, nregs = 1 + rnd(f, 16);
	long ret;

	memset(&st, 0, sizeof(st));
	for (i = 0; i < 16; i++) {
		st.dbg_regs[i].addr = note_type == NT_ARM_HW_BREAK &&
				      one_in(f, 2) ? (uintptr_t)xtarget :
				      rand_dbg_addr(f);
		st.dbg_regs[i].ctrl = rand_ctrl(f);
	}
	iov.iov_len = offsetof(struct user_hwdebug_state, dbg_regs) +
		      nregs * sizeof(st.dbg_regs[0]);
	if (one_in(f, 12))
		iov.iov_len = PICK(f, 3, 13, 4);	/* % 4, header only */
	note(f, "SETREGSET %s %zu bytes, reg0 %#llx/%#x",
	     note_type == NT_ARM_HW_WATCH ? "WATCH" : "BREAK", iov.iov_len,
	     (unsigned long long)st.dbg_regs[0].addr, st.dbg_regs[0].ctrl);
	ret = ptrace(PTRACE_SETREGSET, pid, note_type, &iov);
	verdict(f, OP_PTRACE, ret ? -errno : 0, ptrace_allow, false);
}
#elif defined(__powerpc__)
static void ptrace_arch(struct fuzzer *f, pid_t pid)
{
	struct ppc_hw_breakpoint bp = { .version = 1 };
	unsigned int k, n;
	long ret, del;

	/* One draw per statement: C leaves the order in an initializer open. */
	if (one_in(f, 12))
		bp.version = (uint32_t)rnd64(f);
	bp.trigger_type = one_in(f, 8) ? rnd(f, 16) : 1 + rnd(f, 3);
	bp.addr_mode = one_in(f, 8) ? rnd(f, 8) :
		       PICK(f, PPC_BREAKPOINT_MODE_EXACT,
			    PPC_BREAKPOINT_MODE_RANGE_INCLUSIVE);
	bp.condition_mode = one_in(f, 12) ? rnd(f, 4) :
			    PPC_BREAKPOINT_CONDITION_NONE;
	bp.addr = rand_dbg_addr(f);
	n = 1 + rnd(f, 4);

	for (k = 0; k < n; k++) {
		bp.addr2 = bp.addr + PICK(f, 0, 1, 7, 8, 64, 512, 513,
					  (uint64_t)-8);
		note(f, "SETHWDEBUG v%u trig %#x mode %#x cond %#x %#llx-%#llx",
		     bp.version, bp.trigger_type, bp.addr_mode,
		     bp.condition_mode, (unsigned long long)bp.addr,
		     (unsigned long long)bp.addr2);
		ret = ptrace(PPC_PTRACE_SETHWDEBUG, pid, 0, &bp);
		verdict(f, OP_PTRACE, ret < 0 ? -errno : ret, ptrace_allow,
			false);
		if (one_in(f, 2)) {
			del = ret > 0 && !one_in(f, 4) ? ret : rnd(f, 6);
			note(f, "DELHWDEBUG %ld", del);
			ret = ptrace(PPC_PTRACE_DELHWDEBUG, pid, 0, del);
			verdict(f, OP_PTRACE, ret ? -errno : 0, ppc_del_allow,
				false);
		}
		bp.addr = rand_dbg_addr(f);
	}
}
#else
static void ptrace_arch(struct fuzzer *f, pid_t pid)
{
}
#endif

/*
 * A fresh tracee (it inherits our inherit events), the arch's debug
 * registers written at random, then killed: its ptrace breakpoints must
 * give their slots back when it exits.
 */
static void op_ptrace(struct fuzzer *f)
{
	pid_t pid = hwbp_stopped_tracee();

	if (pid < 0) {
		note(f, "tracee: %s", ename(-pid));
		note_more(f, " (skipped)");
		return;
	}
	ptrace_arch(f, pid);
	hwbp_reap(pid);
}

/* Take a CPU other than 0 offline, or bring it back. */
static void op_hotplug(struct fuzzer *f)
{
	int cpu = nr_cpus > 1 ? 1 + rnd(f, nr_cpus - 1) : 0;
	char path[64];
	bool online;
	int ret;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online",
		 cpu);
	if (!cpu || access(path, W_OK))
		return;
	pthread_mutex_lock(&hotplug_lock);
	online = hwbp_cpu_online(cpu);
	note(f, "cpu%d %s", cpu, online ? "offline" : "online");
	ret = hwbp_set_cpu_online(cpu, !online);
	pthread_mutex_unlock(&hotplug_lock);
	verdict(f, OP_HOTPLUG, ret, hotplug_allow, false);
}

/* Everything back online, for the slot check and whatever runs next. */
static void hotplug_restore(void)
{
	int cpu;

	for (cpu = 1; cpu < nr_cpus; cpu++) {
		if (!hwbp_cpu_online(cpu) && hwbp_set_cpu_online(cpu, true))
			ksft_print_msg("cpu%d does not come back online\n",
				       cpu);
	}
}

/* --- the fuzz threads ---------------------------------------------------- */

static double elapsed(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t_start.tv_sec) +
	       (now.tv_nsec - t_start.tv_nsec) / 1e9;
}

static enum op pick_op(struct fuzzer *f)
{
	unsigned int total = 0, r, i;

	for (i = 0; i < OP_NR; i++)
		if (i != OP_HOTPLUG || opt_hotplug)
			total += op_weight[i];
	r = rnd(f, total);
	for (i = 0; i < OP_NR; i++) {
		if (i == OP_HOTPLUG && !opt_hotplug)
			continue;
		if (r < op_weight[i])
			break;
		r -= op_weight[i];
	}
	/* Keep the fd table between empty and MAX_FDS. */
	if ((i == OP_IOCTL || i == OP_CLOSE) && !f->nfds)
		return OP_OPEN;
	if (i == OP_OPEN && f->nfds == MAX_FDS)
		return OP_CLOSE;
	return i;
}

static void (*const op_fn[OP_NR])(struct fuzzer *) = {
	[OP_OPEN] = op_open, [OP_IOCTL] = op_ioctl, [OP_CLOSE] = op_close,
	[OP_FORK] = op_fork, [OP_THREAD] = op_thread,
	[OP_PTRACE] = op_ptrace, [OP_HOTPLUG] = op_hotplug,
	[OP_ACCESS] = op_access,
};

static void *fuzz_main(void *arg)
{
	struct fuzzer *f = arg;

	f->tid = syscall(SYS_gettid);
	while (f->ops < f->budget && !__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		double t = elapsed();
		enum op op;

		if (t > opt_time) {
			__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
			break;
		}
		op = pick_op(f);
		op_fn[op](f);
		f->secs[op] += elapsed() - t;
		f->ops++;
		__atomic_fetch_add(&ops_done, 1, __ATOMIC_RELAXED);
	}
	/* Leave nothing behind for the slot check. */
	while (f->nfds)
		op_close(f);
	if (f->child > 0)
		op_fork(f);
	__atomic_fetch_add(&fuzzers_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Until every fuzzer is done: a line each opt_progress seconds. */
static void report_progress(void)
{
	int waited = 0;

	while (__atomic_load_n(&fuzzers_done, __ATOMIC_ACQUIRE) < opt_threads) {
		unsigned long done;

		sleep(1);
		if (++waited % opt_progress)
			continue;
		done = __atomic_load_n(&ops_done, __ATOMIC_RELAXED);
		ksft_print_msg("progress: %lu of %lu ops in %d s, %lu ops/s\n",
			       done, opt_ops, waited, done / waited);
	}
}

/* --- reporting ----------------------------------------------------------- */

static void print_stats(void)
{
	static uint32_t sum[OP_NR][NERR];
	double secs[OP_NR] = { 0 };
	char line[1024];
	int op, e, j, n;

	for (j = 0; j < opt_threads; j++)
		for (op = 0; op < OP_NR; op++) {
			secs[op] += fuzzers[j].secs[op];
			for (e = 0; e < NERR; e++)
				sum[op][e] += fuzzers[j].hist[op][e];
		}
	/* Thread-seconds per operation: where a long run's time goes. */
	for (op = 0; op < OP_NR; op++) {
		n = snprintf(line, sizeof(line), "%-8s %8.1f s", op_name[op],
			     secs[op]);
		for (e = 0; e < NERR && n < (int)sizeof(line) - 32; e++)
			if (sum[op][e])
				n += snprintf(line + n, sizeof(line) - n,
					      " %s:%u", e == NERR - 1 ?
					      "other" : ename(e), sum[op][e]);
		ksft_print_msg("%s\n", line);
	}
}

static void print_failure(struct fuzzer *f)
{
	unsigned long i = f->ring_n > RING ? f->ring_n - RING : 0;

	ksft_print_msg("thread %d (seed %llu, replay alone: -s %llu -j 1): %s\n",
		       f->idx, (unsigned long long)opt_seed,
		       (unsigned long long)f->seed,
		       f->failed ? f->why : "no failure of its own");
	ksft_print_msg("its last %lu operations:\n", f->ring_n - i);
	for (; i < f->ring_n; i++)
		ksft_print_msg("  %s\n", f->ring[i % RING]);
}

/* --- oracle (b): no slot leaked ----------------------------------------- */

/*
 * Open pinned W breakpoints for @pid/@cpu until one is refused or @max + 1
 * were taken; return how many were accepted and, in *@err, the refusal
 * (0 if there was none).
 */
static int fill_slots(pid_t pid, int cpu, int max, int *err)
{
	struct perf_event_attr attr;
	int fds[64], n, i;

	hwbp_attr_init(&attr, HW_BREAKPOINT_W, (uintptr_t)area, 8);
	attr.pinned = 1;
	*err = 0;
	for (n = 0; n <= max && n < (int)HWBP_ARRAY_SIZE(fds); n++) {
		fds[n] = hwbp_open(&attr, pid, cpu);
		if (fds[n] < 0) {
			*err = fds[n];
			break;
		}
	}
	for (i = 0; i < n; i++)
		close(fds[i]);
	return n;
}

/* One pass over the task and every online CPU; false and @why if off. */
static bool slots_exact(int slots, char *why, size_t len)
{
	int cpu, n, err;

	n = fill_slots(0, -1, slots, &err);
	if (n != slots || err != -ENOSPC) {
		snprintf(why, len, "task: %d accepted, then %s (want %d, ENOSPC)",
			 n, ename(-err), slots);
		return false;
	}
	for (cpu = 0; is_root && cpu < nr_cpus; cpu++) {
		if (!hwbp_cpu_online(cpu))
			continue;
		n = fill_slots(-1, cpu, slots, &err);
		if (n != slots || err != -ENOSPC) {
			snprintf(why, len, "cpu%d: %d accepted, then %s (want %d, ENOSPC)",
				 cpu, n, ename(-err), slots);
			return false;
		}
	}
	return true;
}

/*
 * Slots go back when the last reference to an event goes, which for an
 * exited child or a pending signal may be a moment after close() or the
 * reap: retry for a second before calling it a leak.
 */
static bool check_slots(int slots, char *why, size_t len)
{
	int try;

	for (try = 0; try < 20; try++) {
		if (slots_exact(slots, why, len))
			return true;
		usleep(50000);
	}
	return false;
}

/* --- oracle (c): the control watchpoint ----------------------------------- */

static struct {
	pthread_t thread;
	int fd;			/* or -errno */
	int ready, finish;
	unsigned int writes;
	int64_t count;
} ctl;

/* How far the run is, 0..1, by operations or by time. */
static double progress(void)
{
	double ops = (double)__atomic_load_n(&ops_done, __ATOMIC_RELAXED) /
		     (opt_ops ? opt_ops : 1);
	double t = elapsed() / opt_time;

	return ops > t ? ops : t;
}

/*
 * Watch our own variable (pid = our tid, no inherit) and store to it
 * CTL_WRITES times, spread over the run; read the count only when main
 * says the run is over, so that anything counted meanwhile shows.
 */
static void *control_main(void *arg)
{
	struct perf_event_attr attr;
	bool finish;

	ctl_tid = syscall(SYS_gettid);
	hwbp_attr_init(&attr, HW_BREAKPOINT_W, (uintptr_t)ctl_var, 8);
	ctl.fd = hwbp_open(&attr, ctl_tid, -1);
	__atomic_store_n(&ctl.ready, 1, __ATOMIC_RELEASE);
	while (ctl.writes < CTL_WRITES) {
		finish = __atomic_load_n(&ctl.finish, __ATOMIC_ACQUIRE);
		if (!finish && progress() * CTL_WRITES < ctl.writes + 1) {
			usleep(1000);
			continue;
		}
		hwbp_store_long(ctl_var, ctl.writes++);
	}
	while (!__atomic_load_n(&ctl.finish, __ATOMIC_ACQUIRE))
		usleep(1000);
	ctl.count = ctl.fd < 0 ? ctl.fd : hwbp_count(ctl.fd);
	if (ctl.fd >= 0)
		close(ctl.fd);
	return NULL;
}

static void start_control(void)
{
	if (pthread_create(&ctl.thread, NULL, control_main, NULL))
		ksft_exit_fail_msg("pthread_create failed\n");
	while (!__atomic_load_n(&ctl.ready, __ATOMIC_ACQUIRE))
		usleep(1000);
}

static void stop_control(void)
{
	__atomic_store_n(&ctl.finish, 1, __ATOMIC_RELEASE);
	pthread_join(ctl.thread, NULL);
}

/* --- main ---------------------------------------------------------------- */

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-s seed] [-n ops] [-j threads] [-t seconds] [-H] [-h permille] [-p seconds] [-v]\n",
		prog);
	exit(KSFT_FAIL);
}

static void parse_opts(int argc, char **argv)
{
	int c;

	opt_seed = (uint64_t)time(NULL);
	while ((c = getopt(argc, argv, "s:n:j:t:Hh:p:v")) != -1) {
		switch (c) {
		case 's': opt_seed = strtoull(optarg, NULL, 0); break;
		case 'n': opt_ops = strtoul(optarg, NULL, 0); break;
		case 'j': opt_threads = atoi(optarg); break;
		case 't': opt_time = atoi(optarg); break;
		case 'H': opt_hotplug = true; break;
		case 'h': op_weight[OP_HOTPLUG] = strtoul(optarg, NULL, 0); break;
		case 'p': opt_progress = atoi(optarg); break;
		case 'v': opt_verbose = true; break;
		default: usage(argv[0]);
		}
	}
	if (opt_threads < 1 || opt_threads > MAX_THREADS || opt_time < 1 ||
	    opt_progress < 0)
		usage(argv[0]);
}

static bool run_fuzzers(void)
{
	bool ok = true;
	int i;

	fuzzers = calloc(opt_threads, sizeof(*fuzzers));
	if (!fuzzers)
		ksft_exit_fail_msg("out of memory\n");
	for (i = 0; i < opt_threads; i++) {
		struct fuzzer *f = &fuzzers[i];

		f->idx = i;
		f->seed = opt_seed + i;
		f->rng = seed_state(f->seed);
		f->budget = opt_ops / opt_threads +
			    (i < (int)(opt_ops % opt_threads));
		if (pthread_create(&f->thread, NULL, fuzz_main, f))
			ksft_exit_fail_msg("pthread_create failed\n");
	}
	if (opt_progress)
		report_progress();
	for (i = 0; i < opt_threads; i++)
		pthread_join(fuzzers[i].thread, NULL);
	for (i = 0; i < opt_threads; i++) {
		if (fuzzers[i].failed) {
			print_failure(&fuzzers[i]);
			ok = false;
		}
	}
	return ok;
}

static void count_sigtrap(int sig)
{
	__atomic_fetch_add(&sigtraps, 1, __ATOMIC_RELAXED);
}

static void setup(void)
{
	struct sigaction sa = { .sa_handler = count_sigtrap };
	void *p;

	is_root = !geteuid();
	nr_cpus = hwbp_nr_cpus();
	if (opt_hotplug && !is_root) {
		ksft_print_msg("-H needs root: no hotplug\n");
		opt_hotplug = false;
	}
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	if (sigaction(SIGTRAP, &sa, NULL))
		ksft_exit_fail_perror("sigaction");
	dev_null = open("/dev/null", O_RDWR | O_CLOEXEC);
	exec_page = hwbp_map_exec_addr();
	p = mmap(NULL, getpagesize(), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (dev_null < 0 || !exec_page || p == MAP_FAILED)
		ksft_exit_fail_msg("setup failed: %s\n", strerror(errno));
	ctl_var = p;
}

int main(int argc, char **argv)
{
	bool ok_a, ok_b = true, ok_c, clean_before;
	char why[DESC];
	int slots, i;
	double t;

	/* The exec'd image of op_fork(): before anything else. */
	if (argc > 1 && !strcmp(argv[1], HWBP_EXEC_WRITER))
		return hwbp_exec_writer(argc, argv);
	parse_opts(argc, argv);
	ksft_print_header();
	ksft_set_plan(3);
	ksft_print_msg("seed %llu, %lu ops, %d threads, %d s limit%s\n",
		       (unsigned long long)opt_seed, opt_ops, opt_threads,
		       opt_time, opt_hotplug ? ", hotplug" : "");
	setup();
	slots = hwbp_data_slots();
	if (slots <= 0)
		ksft_exit_fail_msg("no data slots: %s\n", ename(-slots));
	/* A machine that is not clean before cannot tell us about leaks. */
	clean_before = check_slots(slots, why, sizeof(why));
	if (!clean_before)
		ksft_print_msg("before the run: %s\n", why);

	clock_gettime(CLOCK_MONOTONIC, &t_start);
	start_control();
	ok_a = run_fuzzers();
	t = elapsed();
	stop_control();
	if (opt_hotplug)
		hotplug_restore();

	ksft_print_msg("seed %llu: %lu ops in %.1f s, %.0f ops/s, %lu SIGTRAPs\n",
		       (unsigned long long)opt_seed, ops_done, t,
		       ops_done / (t > 0 ? t : 1), sigtraps);
	print_stats();
	ksft_test_result(ok_a, "errno allow-lists (seed %llu)\n",
			 (unsigned long long)opt_seed);

	if (!clean_before) {
		ksft_test_result_skip("no slot leaked: slots taken before the run\n");
	} else {
		ok_b = check_slots(slots, why, sizeof(why));
		if (!ok_b)
			ksft_print_msg("seed %llu: slot leak: %s\n",
				       (unsigned long long)opt_seed, why);
		ksft_test_result(ok_b, "no slot leaked (%d a task%s)\n", slots,
				 is_root ? " and a CPU" : ", CPUs need root");
	}

	if (ctl.fd < 0)
		ksft_print_msg("control open: %s\n", ename(-ctl.fd));
	else if (ctl.count != CTL_WRITES)
		ksft_print_msg("seed %llu: control count %lld, want %d\n",
			       (unsigned long long)opt_seed,
			       (long long)ctl.count, CTL_WRITES);
	ok_c = ctl.fd >= 0 && ctl.count == CTL_WRITES;
	ksft_test_result(ok_c, "control watchpoint counted %d writes\n",
			 CTL_WRITES);
	/* No one thread to blame for (b) or (c): show them all. */
	if (!ok_b || !ok_c) {
		for (i = 0; i < opt_threads; i++)
			if (!fuzzers[i].failed)
				print_failure(&fuzzers[i]);
	}
	ksft_finished();
}
