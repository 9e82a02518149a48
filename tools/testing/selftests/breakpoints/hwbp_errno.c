// SPDX-License-Identifier: GPL-2.0
/*
 * Every way of asking for a hardware breakpoint wrongly, and the exact
 * errno each one must get, on x86_64, arm64 and powerpc64.
 *
 * The expectations come from the 6.12 sources (on arm64 from our own
 * backend, whose ABI differs from upstream's); the comment on each row
 * names the check that decides it. The order of the checks matters, so
 * here it is for perf_event_open(PERF_TYPE_BREAKPOINT):
 *
 *   kernel/events/core.c perf_event_open():
 *     unknown flags -> EINVAL; perf_copy_attr() (size -> E2BIG, reserved
 *     bits and flag combinations -> EINVAL); perf_event_paranoid > 2 and
 *     no CAP_SYS_ADMIN -> EACCES (Debian's perf_paranoid_any(), which
 *     this tree has); exclude_kernel=0, or a kernel callchain, or
 *     PERF_SAMPLE_PHYS_ADDR, with perf_event_paranoid > 1 and no
 *     CAP_PERFMON -> EACCES (perf_allow_kernel()); pid lookup -> ESRCH;
 *   perf_event_alloc(): bad cpu -> EINVAL, sigtrap without a task ->
 *     EINVAL; then the PMU's event_init, i.e.
 *   kernel/events/hw_breakpoint.c hw_breakpoint_event_init():
 *     no slots for the type's class, or a branch stack -> EOPNOTSUPP;
 *     reserve_bp_slot(): type EMPTY/INVALID -> EINVAL, no slot -> ENOSPC;
 *     hw_breakpoint_arch_parse() -> the arch's errno;
 *     kernel address: exclude_kernel -> EINVAL, else !CAP_SYS_ADMIN -> EPERM;
 *   back in perf_event_open(): another task we may not ptrace -> EACCES
 *     (perf_check_permission()); a CPU event with paranoid > 0 and no
 *     CAP_PERFMON -> EACCES (perf_allow_cpu() in find_get_context()); an
 *     offline CPU -> ENODEV.
 *
 * So a slot is reserved before the arch looks at the request, and ENOSPC
 * wins over every arch parse error; the event is fully built, slot and
 * all, before the permission checks on other tasks and on CPUs, whose
 * failure must give the slot back.
 */
#include <limits.h>
#include <sys/mman.h>
#include <sys/user.h>

#include "../kselftest_harness.h"
#include "hwbp_util.h"

/* Data the rows point into; page aligned so that any row offset works. */
static volatile uint8_t area[8192] __aligned(4096);
static volatile long watched __aligned(64);
static volatile long other_var __aligned(64);

/* Special expectations, decided at run time. */
#define WANT_RANGE	1	/* x86: AMD range breakpoint */
#define WANT_SPAN	2	/* powerpc: does the span fit DAWR/DABR? */

struct row {
	const char *what;
	uint32_t type;
	unsigned int off;	/* from area, page aligned */
	uint64_t len;
	int want;		/* 0, -errno or WANT_* */
	uint64_t addr;		/* if set, used instead of area + off */
};

#if defined(__x86_64__)
/*
 * x86: arch/x86/kernel/hw_breakpoint.c arch_build_bp_info() and
 * hw_breakpoint_arch_parse(). One class of four slots for all types.
 */
static const struct row type_rows[] = {
	/* reserve_bp_slot() refuses EMPTY before the arch sees it */
	{ "EMPTY",	0,  0, 8, -EINVAL },
	/* ... and INVALID (R|W|X) */
	{ "INVALID",	7,  0, 8, -EINVAL },
	/* arch_build_bp_info(): no read-only breakpoints on x86 */
	{ "R",		1,  0, 8, -EINVAL },
	{ "W",		2,  0, 8, 0 },
	{ "RW",		3,  0, 8, 0 },
	/* X needs bp_len == sizeof(long) */
	{ "X",		4,  0, 8, 0 },
	/* the type switch takes exactly W, W|R and X */
	{ "R|X",	5,  0, 8, -EINVAL },
	{ "W|X",	6,  0, 8, -EINVAL },
	{ "8",		8,  0, 8, -EINVAL },
	{ "W|0x10",	0x12, 0, 8, -EINVAL },
	{ "1<<31",	0x80000000u, 0, 8, -EINVAL },
};

static const struct row len_rows[] = {
	/* not a power of two: is_power_of_2(0) is false */
	{ "W len 0",	2, 0, 0, -EINVAL },
	{ "W len 1",	2, 0, 1, 0 },
	{ "W len 2",	2, 0, 2, 0 },
	{ "W len 3",	2, 0, 3, -EINVAL },
	{ "W len 4",	2, 0, 4, 0 },
	{ "W len 5",	2, 0, 5, -EINVAL },
	{ "W len 6",	2, 0, 6, -EINVAL },
	{ "W len 7",	2, 0, 7, -EINVAL },
	{ "W len 8",	2, 0, 8, 0 },
	/* aligned powers of two above 8: EOPNOTSUPP without BPEXT */
	{ "W len 16",	2, 0, 16, WANT_RANGE },
	{ "RW len 64",	3, 0, 64, WANT_RANGE },
	{ "W len 4096",	2, 0, 4096, WANT_RANGE },
	{ "W len 24",	2, 0, 24, -EINVAL },
	{ "W len 0x10008", 2, 0, 0x10008, -EINVAL },
	/* X: only LEN_X, i.e. bp_len == sizeof(long) */
	{ "X len 1",	4, 0, 1, -EINVAL },
	{ "X len 4",	4, 0, 4, -EINVAL },
	{ "X len 16",	4, 0, 16, -EINVAL },
};

static const struct row align_rows[] = {
	/* data breakpoints must be naturally aligned */
	{ "W len 2 at +1",	2, 1, 2, -EINVAL },
	{ "W len 4 at +2",	2, 2, 4, -EINVAL },
	{ "W len 8 at +4",	2, 4, 8, -EINVAL },
	{ "RW len 8 at +1",	3, 1, 8, -EINVAL },
	{ "W len 8 at +8",	2, 8, 8, 0 },
	{ "W len 1 at +7",	2, 7, 1, 0 },
	/* a range breakpoint is checked for alignment before BPEXT */
	{ "W len 16 at +8",	2, 8, 16, -EINVAL },
	/* LEN_X has no alignment */
	{ "X len 8 at +1",	4, 1, 8, 0 },
	{ "X len 8 at +6",	4, 6, 8, 0 },
};

#elif defined(__aarch64__)
/*
 * arm64: our backend, arch/arm64/kernel/hw_breakpoint.c
 * hw_breakpoint_arch_parse() with parse_execute() and parse_watch().
 * Separate classes: BRPs for X, WRPs for data (R, W, RW).
 */
static const struct row type_rows[] = {
	/* reserve_bp_slot() refuses EMPTY (class INST, which has slots) */
	{ "EMPTY",	0,  0, 8, -EINVAL },
	{ "INVALID",	7,  0, 8, -EINVAL },
	{ "R",		1,  0, 8, 0 },
	{ "W",		2,  0, 8, 0 },
	{ "RW",		3,  0, 8, 0 },
	/* parse_execute(): one A64 instruction, bp_len exactly 4 */
	{ "X",		4,  0, 4, 0 },
	/* the type switch takes exactly X, R, W and RW */
	{ "R|X",	5,  0, 8, -EINVAL },
	{ "W|X",	6,  0, 8, -EINVAL },
	{ "8",		8,  0, 8, -EINVAL },
	{ "W|0x10",	0x12, 0, 8, -EINVAL },
	{ "1<<31",	0x80000000u, 0, 8, -EINVAL },
};

/* 2 GiB and 4 GiB aligned user addresses: the parser checks alignment only. */
#define ADDR_2G		0x80000000ull
#define ADDR_4G		0x100000000ull

static const struct row len_rows[] = {
	/* parse_watch(): 1..8 bytes inside the doubleword are a BAS mask */
	{ "W len 0",	2, 0, 0, -EINVAL },
	{ "W len 1",	2, 0, 1, 0 },
	{ "W len 2",	2, 0, 2, 0 },
	{ "W len 3",	2, 0, 3, 0 },
	{ "W len 4",	2, 0, 4, 0 },
	{ "W len 5",	2, 0, 5, 0 },
	{ "W len 6",	2, 0, 6, 0 },
	{ "W len 7",	2, 0, 7, 0 },
	{ "W len 8",	2, 0, 8, 0 },
	/*
	 * Longer: MASK, a power of two from 8 bytes to 2 GiB at an address
	 * aligned to it; anything else is EINVAL.
	 */
	{ "W len 16",	2, 0, 16, 0 },
	{ "RW len 64",	3, 0, 64, 0 },
	{ "R len 4096",	1, 0, 4096, 0 },
	{ "W len 4096",	2, 0, 4096, 0 },
	{ "W len 12",	2, 0, 12, -EINVAL },
	{ "W len 24",	2, 0, 24, -EINVAL },
	{ "W len 0x10008", 2, 0, 0x10008, -EINVAL },
	{ "W len 2G at 2G", 2, 0, 1ull << 31, 0, ADDR_2G },
	{ "RW len 2G at 2G", 3, 0, 1ull << 31, 0, ADDR_2G },
	/* MASK is 5 bits, 31 at most: 4 GiB is refused even when aligned */
	{ "W len 4G at 4G", 2, 0, 1ull << 32, -EINVAL, ADDR_4G },
	/* parse_execute(): bp_len must be exactly 4 (compat T32 also 2) */
	{ "X len 1",	4, 0, 1, -EINVAL },
	{ "X len 2",	4, 0, 2, -EINVAL },
	{ "X len 4",	4, 0, 4, 0 },
	{ "X len 8",	4, 0, 8, -EINVAL },
	{ "X len 16",	4, 0, 16, -EINVAL },
};

static const struct row align_rows[] = {
	/*
	 * BAS watchpoints: the value register takes the address aligned
	 * down to 8 and BAS the bytes, so any offset is fine as long as the
	 * bytes stay inside the doubleword.
	 */
	{ "W len 2 at +1",	2, 1, 2, 0 },
	{ "W len 4 at +2",	2, 2, 4, 0 },
	{ "W len 1 at +7",	2, 7, 1, 0 },
	{ "W len 2 at +6",	2, 6, 2, 0 },
	{ "W len 8 at +8",	2, 8, 8, 0 },
	/*
	 * Past the doubleword, and not an aligned power of two of 8 or more
	 * either: EINVAL.
	 */
	{ "W len 8 at +4",	2, 4, 8, -EINVAL },
	{ "RW len 8 at +1",	3, 1, 8, -EINVAL },
	{ "W len 4 at +6",	2, 6, 4, -EINVAL },
	{ "W len 3 at +6",	2, 6, 3, -EINVAL },
	{ "W len 2 at +7",	2, 7, 2, -EINVAL },
	/* MASK: the address must be aligned to the length */
	{ "W len 16 at +16",	2, 16, 16, 0 },
	{ "W len 16 at +8",	2, 8, 16, -EINVAL },
	{ "RW len 64 at +32",	3, 32, 64, -EINVAL },
	{ "W len 4096 at +4096", 2, 4096, 4096, 0 },
	{ "W len 4096 at +2048", 2, 2048, 4096, -EINVAL },
	{ "W len 2G at 2G+4096", 2, 0, 1ull << 31, -EINVAL,
	  ADDR_2G + 4096 },
	/* execute: A64 instructions are 4-aligned */
	{ "X len 4 at +4",	4, 4, 4, 0 },
	{ "X len 4 at +2",	4, 2, 4, -EINVAL },
	{ "X len 4 at +1",	4, 1, 4, -EINVAL },
};

#elif defined(__powerpc64__)
/*
 * powerpc: our arch/powerpc/kernel/hw_breakpoint.c hw_breakpoint_arch_parse()
 * and hwbp_parse_range(). No instruction breakpoints at all
 * (hw_breakpoint_slots(TYPE_INST) is 0), so any type without R or W is
 * refused by the core with EOPNOTSUPP before anything else. A type with R
 * or W and any other bit is EINVAL, as on x86 and arm64: the hardware
 * cannot watch for it. (Upstream ignores the other bits.)
 */
static const struct row type_rows[] = {
	/* class INST has no slots */
	{ "EMPTY",	0,  0, 8, -EOPNOTSUPP },
	/* class DATA; reserve_bp_slot() refuses INVALID */
	{ "INVALID",	7,  0, 8, -EINVAL },
	{ "R",		1,  0, 8, 0 },
	{ "W",		2,  0, 8, 0 },
	{ "RW",		3,  0, 8, 0 },
	{ "X",		4,  0, 8, -EOPNOTSUPP },
	/* R or W with a bit the hardware cannot watch for */
	{ "R|X",	5,  0, 8, -EINVAL },
	{ "W|X",	6,  0, 8, -EINVAL },
	{ "8",		8,  0, 8, -EOPNOTSUPP },
	{ "W|0x10",	0x12, 0, 8, -EINVAL },
	{ "1<<31",	0x80000000u, 0, 8, -EOPNOTSUPP },
};

static const struct row len_rows[] = {
	/* !attr->bp_len */
	{ "W len 0",	2, 0, 0, -EINVAL },
	{ "W len 1",	2, 0, 1, 0 },
	{ "W len 2",	2, 0, 2, 0 },
	{ "W len 3",	2, 0, 3, 0 },
	{ "W len 4",	2, 0, 4, 0 },
	{ "W len 5",	2, 0, 5, 0 },
	{ "W len 6",	2, 0, 6, 0 },
	{ "W len 7",	2, 0, 7, 0 },
	{ "W len 8",	2, 0, 8, 0 },
	/* up to 512 bytes with a DAWR, 8 with a DABR */
	{ "W len 16",	2, 0, 16, WANT_SPAN },
	{ "RW len 64",	3, 0, 64, WANT_SPAN },
	{ "W len 512",	2, 0, 512, WANT_SPAN },
	{ "W len 513",	2, 0, 513, -EINVAL },
	{ "W len 4096",	2, 0, 4096, -EINVAL },
};

static const struct row align_rows[] = {
	/* the hardware span is the 8-byte aligned cover of the range */
	{ "W len 2 at +1",	2, 1, 2, 0 },
	{ "W len 1 at +7",	2, 7, 1, 0 },
	{ "W len 8 at +4",	2, 4, 8, WANT_SPAN },
	{ "RW len 8 at +1",	3, 1, 8, WANT_SPAN },
	{ "W len 512 at +8",	2, 8, 512, WANT_SPAN },
	{ "W len 512 at +1",	2, 1, 512, -EINVAL },
	/* crosses a 512-byte boundary: P10 (ISA 3.1) only */
	{ "W len 16 at +504",	2, 504, 16, WANT_SPAN },
};
#else
#error "hwbp_errno knows x86_64, arm64 and powerpc64"
#endif

#if defined(__x86_64__)
static bool cpuinfo_has_flag(const char *flag)
{
	char line[4096], word[64];
	bool found = false;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return false;
	snprintf(word, sizeof(word), " %s", flag);
	while (!found && fgets(line, sizeof(line), f)) {
		char *p;

		if (strncmp(line, "flags", 5))
			continue;
		for (p = strstr(line, word); p; p = strstr(p + 1, word)) {
			char end = p[strlen(word)];

			if (end == ' ' || end == '\n' || end == '\0') {
				found = true;
				break;
			}
		}
	}
	fclose(f);
	return found;
}
#endif

static int want_of(struct __test_metadata *_metadata, const struct row *r)
{
	if (r->want <= 0)
		return r->want;
#if defined(__x86_64__)
	/*
	 * An aligned power-of-two length above 8 is an AMD range breakpoint:
	 * without X86_FEATURE_BPEXT ("bpext" in /proc/cpuinfo) EOPNOTSUPP.
	 */
	return cpuinfo_has_flag("bpext") ? 0 : -EOPNOTSUPP;
#elif defined(__powerpc64__)
	{
		/* hw_breakpoint_validate_len(), with the ptrace features */
		struct ppc_debug_info info;
		uint64_t addr = (uintptr_t)area + r->off;
		uint64_t start = addr & ~7ull;
		uint64_t end = (addr + r->len + 7) & ~7ull;
		uint64_t max = 8;

		if (hwbp_ppc_dbginfo(&info)) {
			TH_LOG("PPC_PTRACE_GETHWDBGINFO failed");
			return INT_MIN;
		}
		if (info.features & PPC_DEBUG_FEATURE_DATA_BP_DAWR) {
			max = 512;
			if (!(info.features & PPC_DEBUG_FEATURE_DATA_BP_ARCH_31) &&
			    (start & ~511ull) != ((end - 1) & ~511ull))
				return -EINVAL;
		}
		return end - start > max ? -EINVAL : 0;
	}
#else
	return INT_MIN;
#endif
}

static void check_rows(struct __test_metadata *_metadata,
		       const struct row *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		struct perf_event_attr attr;
		int want = want_of(_metadata, r);
		int got;

		hwbp_attr_init(&attr, r->type,
			       r->addr ? r->addr : (uintptr_t)area + r->off,
			       r->len);
		attr.exclude_kernel = 1;
		attr.exclude_hv = 1;
		got = hwbp_try(&attr, 0, -1);
		EXPECT_EQ(want, got) {
			TH_LOG("%s: got %s, want %s", r->what,
			       hwbp_errname(got), hwbp_errname(want));
		}
	}
}

TEST(bp_type)
{
	check_rows(_metadata, type_rows, HWBP_ARRAY_SIZE(type_rows));
}

TEST(bp_len)
{
	check_rows(_metadata, len_rows, HWBP_ARRAY_SIZE(len_rows));
}

TEST(alignment)
{
	check_rows(_metadata, align_rows, HWBP_ARRAY_SIZE(align_rows));
}

/*
 * bp_len is a __u64. A length that is not representable by the hardware
 * must be refused, whatever its low bits are; ~0 also makes bp_addr +
 * bp_len - 1 wrap (x86's first check).
 *
 * Upstream powerpc accepts all of these: hw_breakpoint_arch_parse()
 * stores bp_len into the u16 arch_hw_breakpoint::len, and
 * hw_breakpoint_validate_len() computes the span into a u16 too, so
 * 0x10008 becomes an 8-byte watchpoint and 0x10000 or ~0 one of length 0.
 */
TEST(len_beyond_16_bits)
{
	static const uint64_t lens[] = {
		0x10000, 0x10008, 0x100000008ull, ~0ull,
	};
	struct perf_event_attr attr;
	size_t i;
	int got;

	for (i = 0; i < HWBP_ARRAY_SIZE(lens); i++) {
		/* +8: not aligned to any of these lengths */
		hwbp_attr_init(&attr, HW_BREAKPOINT_W, (uintptr_t)area + 8,
			       lens[i]);
		attr.exclude_kernel = 1;
		got = hwbp_try(&attr, 0, -1);
		EXPECT_EQ(-EINVAL, got) {
			TH_LOG("W len %#llx: got %s",
			       (unsigned long long)lens[i],
			       hwbp_errname(got));
		}
	}
}

/* An address every architecture here considers kernel space. */
#if defined(__x86_64__)
#define KADDR	0xffffffff81000000ull	/* >= TASK_SIZE_MAX */
#elif defined(__aarch64__)
#define KADDR	0xffff800080000000ull	/* >= TASK_SIZE */
#else
#define KADDR	0xc000000000000000ull	/* is_kernel_addr() */
#endif

/*
 * A task-bound breakpoint on a kernel address is left to the generic
 * checks on every architecture here: exclude_kernel gives EINVAL, no
 * CAP_SYS_ADMIN EPERM. (Upstream arm64 refused it in its parser with
 * EINVAL, "Disallow per-task kernel breakpoints"; our backend's
 * hw_breakpoint_arch_parse() accepts it and picks EL1 from the address,
 * as x86 does.)
 */
#define TASK_KADDR_ERR		0
#define TASK_KADDR(generic)	(TASK_KADDR_ERR ? TASK_KADDR_ERR : (generic))

struct kcase {
	const char *what;
	int paranoid;		/* perf_event_paranoid to run it under */
	uint64_t addr;		/* 0: a user variable */
	int exclude_kernel;
	int cpu;		/* -1: on the task itself, else CPU-bound */
	int want;
};

static int open_kcase(const struct kcase *k)
{
	struct perf_event_attr attr;

	hwbp_attr_init(&attr, HW_BREAKPOINT_W,
		       k->addr ? k->addr : (uintptr_t)&watched, 8);
	attr.exclude_kernel = k->exclude_kernel;
	attr.exclude_hv = 1;
	attr.disabled = 1;
	return hwbp_try(&attr, k->cpu < 0 ? 0 : -1, k->cpu);
}

/* As root: the kernel-space checks that do not depend on privilege. */
TEST(kernel_address_root)
{
	static const struct kcase cases[] = {
		/* hw_breakpoint_parse(): kernel range with exclude_kernel */
		{ "task, exclude_kernel", 2, KADDR, 1, -1, TASK_KADDR(-EINVAL) },
		{ "task", 2, KADDR, 0, -1, TASK_KADDR(0) },
		{ "cpu 0, exclude_kernel", 2, KADDR, 1, 0, -EINVAL },
		{ "cpu 0", 2, KADDR, 0, 0, 0 },
	};
	size_t i;

	if (geteuid())
		SKIP(return, "needs root");
	for (i = 0; i < HWBP_ARRAY_SIZE(cases); i++) {
		int got = open_kcase(&cases[i]);

		EXPECT_EQ(cases[i].want, got) {
			TH_LOG("%s: got %s, want %s", cases[i].what,
			       hwbp_errname(got),
			       hwbp_errname(cases[i].want));
		}
	}
}

#define NOBODY		65534
#define OTHER_UID	65533

FIXTURE(unpriv) {
	int saved_paranoid;
	pid_t victim_other;	/* a process of OTHER_UID */
	pid_t victim_same;	/* a process of NOBODY */
};

/* A process of @uid that waits to be killed; dumpable or not. */
static pid_t start_victim(uid_t uid, bool dumpable)
{
	int pfd[2];
	char c = 0;
	pid_t pid;

	if (pipe(pfd))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		if (hwbp_become_user(uid))
			_exit(1);
		if (!dumpable && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
			_exit(1);
		if (write(pfd[1], &c, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(pfd[1]);
	if (pid > 0 && read(pfd[0], &c, 1) != 1) {
		hwbp_reap(pid);
		pid = -1;
	}
	close(pfd[0]);
	return pid;
}

FIXTURE_SETUP(unpriv)
{
	if (geteuid())
		SKIP(return, "needs root to drop to other users");
	ASSERT_EQ(0, hwbp_read_int(HWBP_PARANOID, &self->saved_paranoid));
	self->victim_other = start_victim(OTHER_UID, true);
	ASSERT_LT(0, self->victim_other);
	self->victim_same = start_victim(NOBODY, true);
	ASSERT_LT(0, self->victim_same);
}

FIXTURE_TEARDOWN(unpriv)
{
	if (geteuid())
		return;
	hwbp_write_int(HWBP_PARANOID, self->saved_paranoid);
	if (self->victim_other > 0)
		hwbp_reap(self->victim_other);
	if (self->victim_same > 0)
		hwbp_reap(self->victim_same);
}

/*
 * An unprivileged user and a kernel address: every perf_event_paranoid
 * value, exclude_kernel 0 and 1, bound to the task and to CPU 0. It is
 * never a success; the first check that refuses decides the errno:
 *
 *  - paranoid 3: EACCES for anything a user without CAP_SYS_ADMIN opens
 *    (Debian's perf_paranoid_any(), which this tree carries), right after
 *    perf_copy_attr();
 *  - exclude_kernel=0 with paranoid 2: EACCES (perf_allow_kernel());
 *  - otherwise the breakpoint layer's check in event_init, which comes
 *    before the CPU check of find_get_context(): exclude_kernel gives
 *    EINVAL, no CAP_SYS_ADMIN EPERM.
 *
 * The modify rows open a breakpoint on a user variable, which is allowed,
 * and move it to the kernel address with PERF_EVENT_IOC_MODIFY_ATTRIBUTES.
 * perf core checks no permission there, so only the layer's check stands
 * in the way; the refused move must leave the breakpoint counting its old
 * address. The user-address rows are the controls.
 */
FIXTURE(unpriv_kaddr) {
	int saved_paranoid;
};

FIXTURE_VARIANT(unpriv_kaddr) {
	int paranoid;
	bool cpu;		/* CPU 0 and no task, else the calling task */
	int exclude_kernel;
	bool user_addr;		/* a control: the user variable */
	bool modify;		/* open on the user variable, then move */
	int want;
};

FIXTURE_SETUP(unpriv_kaddr)
{
	if (geteuid())
		SKIP(return, "needs root to drop to another user");
	ASSERT_EQ(0, hwbp_read_int(HWBP_PARANOID, &self->saved_paranoid));
}

FIXTURE_TEARDOWN(unpriv_kaddr)
{
	if (!geteuid())
		hwbp_write_int(HWBP_PARANOID, self->saved_paranoid);
}

/* paranoid -1 ("pm1"): only the layer's own check */
FIXTURE_VARIANT_ADD(unpriv_kaddr, pm1_task) {
	.paranoid = -1, .want = TASK_KADDR(-EPERM),
};

FIXTURE_VARIANT_ADD(unpriv_kaddr, pm1_task_excl) {
	.paranoid = -1, .exclude_kernel = 1, .want = TASK_KADDR(-EINVAL),
};

FIXTURE_VARIANT_ADD(unpriv_kaddr, pm1_cpu) {
	.paranoid = -1, .cpu = true, .want = -EPERM,
};

FIXTURE_VARIANT_ADD(unpriv_kaddr, pm1_cpu_excl) {
	.paranoid = -1, .cpu = true, .exclude_kernel = 1, .want = -EINVAL,
};

/* paranoid 0: the same; CPU events are allowed from here down */
FIXTURE_VARIANT_ADD(unpriv_kaddr, p0_task) {
	.paranoid = 0, .want = TASK_KADDR(-EPERM),
};

FIXTURE_VARIANT_ADD(unpriv_kaddr, p0_task_excl) {
	.paranoid = 0, .exclude_kernel = 1, .want = TASK_KADDR(-EINVAL),
};

FIXTURE_VARIANT_ADD(unpriv_kaddr, p0_cpu) {
	.paranoid = 0, .cpu = true, .want = -EPERM,
};

FIXTURE_VARIANT_ADD(unpriv_kaddr, p0_cpu_excl) {
	.paranoid = 0, .cpu = true, .exclude_kernel = 1, .want = -EINVAL,
};

/* paranoid 1: event_init runs before perf_allow_cpu() refuses CPU events */
FIXTURE_VARIANT_ADD(unpriv_kaddr, p1_task) {
	.paranoid = 1, .want = TASK_KADDR(-EPERM),
};

FIXTURE_VARIANT_ADD(unpriv_kaddr, p1_task_excl) {
	.paranoid = 1, .exclude_kernel = 1, .want = TASK_KADDR(-EINVAL),
};

FIXTURE_VARIANT_ADD(unpriv_kaddr, p1_cpu) {
	.paranoid = 1, .cpu = true, .want = -EPERM,
};

FIXTURE_VARIANT_ADD(unpriv_kaddr, p1_cpu_excl) {
	.paranoid = 1, .cpu = true, .exclude_kernel = 1, .want = -EINVAL,
};

/* paranoid 2: perf_allow_kernel() refuses exclude_kernel=0 first */
FIXTURE_VARIANT_ADD(unpriv_kaddr, p2_task) {
	.paranoid = 2, .want = -EACCES,
};

FIXTURE_VARIANT_ADD(unpriv_kaddr, p2_task_excl) {
	.paranoid = 2, .exclude_kernel = 1, .want = TASK_KADDR(-EINVAL),
};

FIXTURE_VARIANT_ADD(unpriv_kaddr, p2_cpu) {
	.paranoid = 2, .cpu = true, .want = -EACCES,
};

FIXTURE_VARIANT_ADD(unpriv_kaddr, p2_cpu_excl) {
	.paranoid = 2, .cpu = true, .exclude_kernel = 1, .want = -EINVAL,
};

/* paranoid 3: perf_paranoid_any() refuses everything */
FIXTURE_VARIANT_ADD(unpriv_kaddr, p3_task) {
	.paranoid = 3, .want = -EACCES,
};

FIXTURE_VARIANT_ADD(unpriv_kaddr, p3_task_excl) {
	.paranoid = 3, .exclude_kernel = 1, .want = -EACCES,
};

FIXTURE_VARIANT_ADD(unpriv_kaddr, p3_cpu) {
	.paranoid = 3, .cpu = true, .want = -EACCES,
};

FIXTURE_VARIANT_ADD(unpriv_kaddr, p3_cpu_excl) {
	.paranoid = 3, .cpu = true, .exclude_kernel = 1, .want = -EACCES,
};

/* Moving a user breakpoint to the kernel. */
FIXTURE_VARIANT_ADD(unpriv_kaddr, pm1_task_modify) {
	.paranoid = -1, .modify = true, .want = -EPERM,
};

FIXTURE_VARIANT_ADD(unpriv_kaddr, pm1_cpu_modify_excl) {
	.paranoid = -1, .cpu = true, .exclude_kernel = 1, .modify = true,
	.want = -EINVAL,
};

FIXTURE_VARIANT_ADD(unpriv_kaddr, p0_cpu_modify) {
	.paranoid = 0, .cpu = true, .modify = true, .want = -EPERM,
};

FIXTURE_VARIANT_ADD(unpriv_kaddr, p1_task_modify) {
	.paranoid = 1, .modify = true, .want = -EPERM,
};

FIXTURE_VARIANT_ADD(unpriv_kaddr, p1_task_modify_excl) {
	.paranoid = 1, .exclude_kernel = 1, .modify = true, .want = -EINVAL,
};

FIXTURE_VARIANT_ADD(unpriv_kaddr, p2_task_modify_excl) {
	.paranoid = 2, .exclude_kernel = 1, .modify = true, .want = -EINVAL,
};

/* The controls: user addresses. */
FIXTURE_VARIANT_ADD(unpriv_kaddr, p2_task_user_excl) {
	.paranoid = 2, .exclude_kernel = 1, .user_addr = true, .want = 0,
};

FIXTURE_VARIANT_ADD(unpriv_kaddr, p1_cpu_user_excl) {
	.paranoid = 1, .cpu = true, .exclude_kernel = 1, .user_addr = true,
	.want = -EACCES,
};

FIXTURE_VARIANT_ADD(unpriv_kaddr, p0_cpu_user) {
	.paranoid = 0, .cpu = true, .user_addr = true, .want = 0,
};

FIXTURE_VARIANT_ADD(unpriv_kaddr, p3_task_user_excl) {
	.paranoid = 3, .exclude_kernel = 1, .user_addr = true, .want = -EACCES,
};

/* What a modify row's child saw, when it is not an errno. */
#define KADDR_OPEN_FAILED	1	/* the user breakpoint was refused */
#define KADDR_MOVED		2	/* it no longer counts its old address */

static int kaddr_as_nobody(void *arg)
{
	const FIXTURE_VARIANT(unpriv_kaddr) *v = arg;
	struct perf_event_attr attr, mod;
	int fd, ret;

	if (hwbp_become_user(NOBODY))
		return INT_MIN;
	hwbp_attr_init(&attr, HW_BREAKPOINT_W,
		       v->user_addr || v->modify ? (uintptr_t)&watched : KADDR,
		       8);
	attr.exclude_kernel = v->exclude_kernel;
	attr.exclude_hv = 1;
	fd = hwbp_open(&attr, v->cpu ? -1 : 0, v->cpu ? 0 : -1);
	if (!v->modify) {
		if (fd >= 0)
			close(fd);
		return fd < 0 ? fd : 0;
	}
	if (fd < 0)
		return KADDR_OPEN_FAILED;

	mod = attr;
	mod.bp_addr = KADDR;
	ret = hwbp_modify(fd, &mod);
	/*
	 * Only a task-bound breakpoint is sure to see this task's store;
	 * powerpc under QEMU never fires an exclude_kernel one (hwbp_util.h).
	 */
	if (ret && !v->cpu && (HWBP_EXCLUDE_KERNEL || !v->exclude_kernel)) {
		hwbp_store_long(&watched, 1);
		if (hwbp_count(fd) != 1)
			ret = KADDR_MOVED;
	}
	close(fd);
	return ret;
}

TEST_F(unpriv_kaddr, attempt)
{
	int got = INT_MIN;

	/* A kernel address is never granted: the table itself is checked. */
	if (!variant->user_addr)
		ASSERT_GT(0, variant->want);

	ASSERT_EQ(0, hwbp_write_int(HWBP_PARANOID, variant->paranoid));
	ASSERT_EQ(0, hwbp_in_child(kaddr_as_nobody, (void *)variant, &got));
	EXPECT_EQ(variant->want, got) {
		if (got == KADDR_OPEN_FAILED)
			TH_LOG("the user breakpoint to move was refused");
		else if (got == KADDR_MOVED)
			TH_LOG("the refused move changed the breakpoint");
		else
			TH_LOG("got %s, want %s", hwbp_errname(got),
			       hwbp_errname(variant->want));
	}
}

struct other_task {
	pid_t pid;
	bool sigtrap;
};

static int perf_on_task_as_nobody(void *arg)
{
	const struct other_task *t = arg;
	struct perf_event_attr attr;

	if (hwbp_become_user(NOBODY))
		return INT_MIN;
	/* The address only has to be a user one; the target's is fine. */
	hwbp_attr_init(&attr, HW_BREAKPOINT_W, (uintptr_t)&watched, 8);
	attr.exclude_kernel = 1;
	attr.exclude_hv = 1;
	if (t->sigtrap) {
		attr.sigtrap = 1;
		attr.remove_on_exec = 1;
		attr.sample_period = 1;
	}
	return hwbp_try(&attr, t->pid, -1);
}

static int ptrace_attach_as_nobody(void *arg)
{
	pid_t pid = *(pid_t *)arg;

	if (hwbp_become_user(NOBODY))
		return INT_MIN;
	/* The tracer's exit detaches again. */
	return ptrace(PTRACE_ATTACH, pid, 0, 0) ? -errno : 0;
}

/*
 * Another user's process: perf_check_permission() needs ptrace read access
 * (attach access with sigtrap) or CAP_PERFMON, else EACCES; ptrace attach
 * itself is EPERM. The same user's (dumpable) process is fine. The event
 * and its slot are built before that check, so failed attempts must not
 * leave slots reserved on the victim.
 */
TEST_F(unpriv, other_task)
{
	struct other_task other = { .pid = self->victim_other };
	struct other_task same = { .pid = self->victim_same };
	struct other_task none = { .pid = INT_MAX };
	struct perf_event_attr attr;
	int got = INT_MIN, i, slots, fds[64], n;

	ASSERT_EQ(0, hwbp_write_int(HWBP_PARANOID, 2));
	slots = hwbp_data_slots();
	ASSERT_LT(0, slots);

	for (i = 0; i <= slots; i++) {
		ASSERT_EQ(0, hwbp_in_child(perf_on_task_as_nobody, &other,
					   &got));
		EXPECT_EQ(-EACCES, got) TH_LOG("got %s", hwbp_errname(got));
	}
	other.sigtrap = true;
	ASSERT_EQ(0, hwbp_in_child(perf_on_task_as_nobody, &other, &got));
	EXPECT_EQ(-EACCES, got) TH_LOG("sigtrap: got %s", hwbp_errname(got));
	ASSERT_EQ(0, hwbp_in_child(ptrace_attach_as_nobody,
				   &self->victim_other, &got));
	EXPECT_EQ(-EPERM, got) TH_LOG("ptrace: got %s", hwbp_errname(got));

	/* find_lively_task_by_vpid() */
	ASSERT_EQ(0, hwbp_in_child(perf_on_task_as_nobody, &none, &got));
	EXPECT_EQ(-ESRCH, got) TH_LOG("no such pid: got %s", hwbp_errname(got));

	/* The controls. */
	ASSERT_EQ(0, hwbp_in_child(perf_on_task_as_nobody, &same, &got));
	EXPECT_EQ(0, got) TH_LOG("same user: got %s", hwbp_errname(got));
	same.sigtrap = true;
	ASSERT_EQ(0, hwbp_in_child(perf_on_task_as_nobody, &same, &got));
	EXPECT_EQ(0, got) TH_LOG("same user sigtrap: %s", hwbp_errname(got));
	ASSERT_EQ(0, hwbp_in_child(ptrace_attach_as_nobody,
				   &self->victim_same, &got));
	EXPECT_EQ(0, got) TH_LOG("ptrace same user: %s", hwbp_errname(got));

	/* Nothing leaked: the victim still has all its slots. */
	hwbp_attr_init(&attr, HW_BREAKPOINT_W, (uintptr_t)&watched, 8);
	attr.disabled = 1;
	for (n = 0; n < slots; n++) {
		fds[n] = hwbp_open(&attr, self->victim_other, -1);
		EXPECT_LE(0, fds[n]) {
			TH_LOG("slot %d of %d on the victim: %s", n, slots,
			       hwbp_errname(fds[n]));
			break;
		}
	}
	if (n == slots) {
		got = hwbp_try(&attr, self->victim_other, -1);
		EXPECT_EQ(-ENOSPC, got) TH_LOG("got %s", hwbp_errname(got));
	}
	while (n-- > 0)
		close(fds[n]);
}

/*
 * Breakpoints on other processes, by every way there is: a process of
 * another user, and one of the same user that made itself non-dumpable
 * (prctl(PR_SET_DUMPABLE, 0)). other_task covers the other user's process
 * through perf task-bound, with sigtrap, and PTRACE_ATTACH; these rows
 * add the rest:
 *
 *  - perf_event_open() with the pid, task-bound or also bound to CPU 0
 *    (a task event: no CPU permission check), with or without sigtrap:
 *    perf_check_permission() is ptrace_may_access(PTRACE_MODE_READ_
 *    REALCREDS, ATTACH with sigtrap), which __ptrace_may_access() refuses
 *    on a uid mismatch and, for the same uid, on a non-dumpable mm:
 *    EACCES. Checked at every paranoid value: paranoid 3 refuses first,
 *    with EACCES as well.
 *  - PTRACE_ATTACH and PTRACE_SEIZE: ptrace_attach() returns what
 *    __ptrace_may_access() says: EPERM.
 *  - the architecture's debug-register write (x86 POKEUSER of DR0, arm64
 *    SETREGSET NT_ARM_HW_WATCH, powerpc PPC_PTRACE_SETHWDEBUG) on a
 *    process we do not trace: ptrace_check_attach() refuses it before the
 *    architecture sees it: ESRCH.
 *
 * The control: the same event, bound to the task and CPU 0, on a dumpable
 * process of the same user, allowed at every paranoid value below 3.
 */
enum victim { VICTIM_OTHER_USER, VICTIM_NODUMP, VICTIM_SAME };

enum via {
	VIA_PERF,		/* perf_event_open(pid, -1) */
	VIA_PERF_CPU,		/* perf_event_open(pid, 0) */
	VIA_PERF_SIGTRAP,	/* perf_event_open(pid, -1), sigtrap */
	VIA_ATTACH,
	VIA_SEIZE,
	VIA_DEBUGREG,		/* the arch's ptrace debug-register write */
};

FIXTURE(unpriv_target) {
	int saved_paranoid;
	pid_t victim;
};

FIXTURE_VARIANT(unpriv_target) {
	enum victim victim;
	enum via via;
	int want;		/* below paranoid 3 for the perf rows */
};

FIXTURE_SETUP(unpriv_target)
{
	static const uid_t uid[] = {
		[VICTIM_OTHER_USER] = OTHER_UID,
		[VICTIM_NODUMP] = NOBODY,
		[VICTIM_SAME] = NOBODY,
	};

	self->victim = -1;
	if (geteuid())
		SKIP(return, "needs root to drop to other users");
	ASSERT_EQ(0, hwbp_read_int(HWBP_PARANOID, &self->saved_paranoid));
	self->victim = start_victim(uid[variant->victim],
				    variant->victim != VICTIM_NODUMP);
	ASSERT_LT(0, self->victim);
}

FIXTURE_TEARDOWN(unpriv_target)
{
	if (geteuid())
		return;
	hwbp_write_int(HWBP_PARANOID, self->saved_paranoid);
	if (self->victim > 0)
		hwbp_reap(self->victim);
}

FIXTURE_VARIANT_ADD(unpriv_target, nodump_perf) {
	.victim = VICTIM_NODUMP, .via = VIA_PERF, .want = -EACCES,
};

FIXTURE_VARIANT_ADD(unpriv_target, nodump_perf_cpu0) {
	.victim = VICTIM_NODUMP, .via = VIA_PERF_CPU, .want = -EACCES,
};

FIXTURE_VARIANT_ADD(unpriv_target, nodump_perf_sigtrap) {
	.victim = VICTIM_NODUMP, .via = VIA_PERF_SIGTRAP, .want = -EACCES,
};

FIXTURE_VARIANT_ADD(unpriv_target, nodump_attach) {
	.victim = VICTIM_NODUMP, .via = VIA_ATTACH, .want = -EPERM,
};

FIXTURE_VARIANT_ADD(unpriv_target, nodump_seize) {
	.victim = VICTIM_NODUMP, .via = VIA_SEIZE, .want = -EPERM,
};

FIXTURE_VARIANT_ADD(unpriv_target, nodump_debugreg) {
	.victim = VICTIM_NODUMP, .via = VIA_DEBUGREG, .want = -ESRCH,
};

FIXTURE_VARIANT_ADD(unpriv_target, other_user_perf_cpu0) {
	.victim = VICTIM_OTHER_USER, .via = VIA_PERF_CPU, .want = -EACCES,
};

FIXTURE_VARIANT_ADD(unpriv_target, other_user_seize) {
	.victim = VICTIM_OTHER_USER, .via = VIA_SEIZE, .want = -EPERM,
};

FIXTURE_VARIANT_ADD(unpriv_target, other_user_debugreg) {
	.victim = VICTIM_OTHER_USER, .via = VIA_DEBUGREG, .want = -ESRCH,
};

FIXTURE_VARIANT_ADD(unpriv_target, same_user_perf_cpu0) {
	.victim = VICTIM_SAME, .via = VIA_PERF_CPU, .want = 0,
};

/* Write a debug register of @pid the way the architecture's debuggers do. */
static int write_debugreg(pid_t pid)
{
#if defined(__x86_64__)
	return ptrace(PTRACE_POKEUSER, pid, offsetof(struct user, u_debugreg[0]),
		      (uintptr_t)&watched) ? -errno : 0;
#elif defined(__aarch64__)
	struct user_hwdebug_state state;
	struct iovec iov = { .iov_base = &state, .iov_len = sizeof(state) };

	memset(&state, 0, sizeof(state));
	state.dbg_regs[0].addr = (uintptr_t)&watched;
	/* E, EL0 only, store, BAS 0xff */
	state.dbg_regs[0].ctrl = 1 | 2 << 1 | 2 << 3 | 0xff << 5;
	return ptrace(PTRACE_SETREGSET, pid, NT_ARM_HW_WATCH, &iov) ? -errno : 0;
#elif defined(__powerpc__)
	struct ppc_hw_breakpoint bp = {
		.version = 1,
		.trigger_type = PPC_BREAKPOINT_TRIGGER_WRITE,
		.addr_mode = PPC_BREAKPOINT_MODE_EXACT,
		.condition_mode = PPC_BREAKPOINT_CONDITION_NONE,
		.addr = (uintptr_t)&watched,
	};

	return ptrace(PPC_PTRACE_SETHWDEBUG, pid, 0, &bp) < 0 ? -errno : 0;
#endif
}

struct target_try {
	pid_t pid;
	enum via via;
};

static int target_as_nobody(void *arg)
{
	const struct target_try *t = arg;
	struct perf_event_attr attr;

	if (hwbp_become_user(NOBODY))
		return INT_MIN;
	switch (t->via) {
	case VIA_ATTACH:
		/* The tracer's exit detaches again. */
		return ptrace(PTRACE_ATTACH, t->pid, 0, 0) ? -errno : 0;
	case VIA_SEIZE:
		return ptrace(PTRACE_SEIZE, t->pid, 0, 0) ? -errno : 0;
	case VIA_DEBUGREG:
		return write_debugreg(t->pid);
	default:
		break;
	}
	hwbp_attr_init(&attr, HW_BREAKPOINT_W, (uintptr_t)&watched, 8);
	attr.exclude_kernel = 1;
	attr.exclude_hv = 1;
	if (t->via == VIA_PERF_SIGTRAP) {
		attr.sigtrap = 1;
		attr.remove_on_exec = 1;
		attr.sample_period = 1;
	}
	return hwbp_try(&attr, t->pid, t->via == VIA_PERF_CPU ? 0 : -1);
}

TEST_F(unpriv_target, breakpoint)
{
	static const int paranoid[] = { -1, 0, 1, 2, 3 };
	struct target_try t = { .pid = self->victim, .via = variant->via };
	bool perf = variant->via <= VIA_PERF_SIGTRAP;
	size_t i;

	for (i = 0; i < HWBP_ARRAY_SIZE(paranoid); i++) {
		int want = perf && paranoid[i] == 3 ? -EACCES : variant->want;
		int got = INT_MIN;

		/* ptrace does not look at perf_event_paranoid: once is enough */
		if (!perf && paranoid[i] != 2)
			continue;
		ASSERT_EQ(0, hwbp_write_int(HWBP_PARANOID, paranoid[i]));
		ASSERT_EQ(0, hwbp_in_child(target_as_nobody, &t, &got));
		EXPECT_EQ(want, got) {
			TH_LOG("paranoid %d: got %s, want %s", paranoid[i],
			       hwbp_errname(got), hwbp_errname(want));
		}
	}
}

/*
 * No kernel address reaches an unprivileged user through a breakpoint's
 * records. A sampling breakpoint on a user variable, exclude_kernel, with
 * PERF_SAMPLE_IP | ADDR | CALLCHAIN into a ring buffer: every sample must
 * be for a user-mode store: IP a user address in this program's text,
 * ADDR the variable, and the callchain the PERF_CONTEXT_USER marker, then
 * that IP, then what the user unwinder read from the user stack (return
 * addresses, or any user data where there is no frame pointer: not
 * checked as addresses). A kernel part would come first, after
 * PERF_CONTEXT_KERNEL. The kernel storing into the variable (read() from
 * a pipe: copy_to_user()) hits the breakpoint in kernel mode, where
 * perf_exclude_event() must drop it: no sample, no count. A sigtrap
 * breakpoint likewise signals user stores only, with si_addr = the
 * variable (perf_bp_event() samples bp_addr) and si_perf_data =
 * attr.sig_data, here the variable's address too.
 *
 * A kernel callchain needs perf_allow_kernel(): at paranoid 2 the sampling
 * breakpoint must set exclude_callchain_kernel, else EACCES; so must
 * PERF_SAMPLE_PHYS_ADDR. At paranoid -1 the kernel part is allowed, and
 * must still be empty: the samples are taken in user mode.
 *
 * powerpc under QEMU fires no exclude_kernel watchpoint (hwbp_util.h), so
 * there the breakpoints include the kernel, which paranoid 2 refuses to
 * unprivileged users, and the kernel's own store is not made.
 */
FIXTURE(unpriv_leak) {
	int saved_paranoid;
};

FIXTURE_VARIANT(unpriv_leak) {
	int paranoid;
	int exclude_callchain_kernel;
};

FIXTURE_SETUP(unpriv_leak)
{
	if (geteuid())
		SKIP(return, "needs root to drop to another user");
	ASSERT_EQ(0, hwbp_read_int(HWBP_PARANOID, &self->saved_paranoid));
	ASSERT_EQ(0, hwbp_write_int(HWBP_PARANOID, variant->paranoid));
}

FIXTURE_TEARDOWN(unpriv_leak)
{
	if (!geteuid())
		hwbp_write_int(HWBP_PARANOID, self->saved_paranoid);
}

FIXTURE_VARIANT_ADD(unpriv_leak, paranoid_2) {
	.paranoid = 2, .exclude_callchain_kernel = 1,
};

FIXTURE_VARIANT_ADD(unpriv_leak, paranoid_m1) {
	.paranoid = -1, .exclude_callchain_kernel = 0,
};

/* Below the architecture's user/kernel split. */
static bool is_user_addr(uint64_t addr)
{
#if defined(__x86_64__)
	return addr <= 0x00007fffffffffffull;
#elif defined(__aarch64__)
	return !(addr & (1ull << 55));		/* TTBR0 */
#else
	return addr <= 0x000fffffffffffffull;
#endif
}

/* This program's code, from the linker's default script. */
extern const char __executable_start[], etext[];

static bool in_our_text(uint64_t addr)
{
	return addr >= (uintptr_t)__executable_start &&
	       addr < (uintptr_t)etext;
}

/* Have the kernel store into the watched variable: copy_to_user(). */
static int kernel_stores_watched(void)
{
	long val = 42;
	int pfd[2], ret = 0;

	if (pipe(pfd))
		return -errno;
	if (write(pfd[1], &val, sizeof(val)) != sizeof(val) ||
	    read(pfd[0], (void *)&watched, sizeof(val)) != sizeof(val))
		ret = -EIO;
	close(pfd[0]);
	close(pfd[1]);
	return ret;
}

/*
 * Run @fn as the unprivileged user in a child that reports through
 * EXPECT_*() (the test's metadata is shared); ASSERT_*() is not for it.
 */
static void as_nobody(struct __test_metadata *_metadata,
		      void (*fn)(struct __test_metadata *, const void *),
		      const void *arg)
{
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		int ret = hwbp_become_user(NOBODY);

		EXPECT_EQ(0, ret) TH_LOG("becoming nobody: %s", hwbp_errname(ret));
		if (!ret)
			fn(_metadata, arg);
		_exit(0);
	}
	EXPECT_EQ(0, hwbp_wait_exit(pid));
}

/* Copy @len bytes at @off of the ring buffer's data area, which wraps. */
static void ring_copy(void *dst, const char *data, uint64_t size,
		      uint64_t off, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		((char *)dst)[i] = data[(off + i) % size];
}

#define LEAK_USER_STORES	3
#define LEAK_DATA_PAGES		4
#define LEAK_MAX_STACK		32

static void leak_samples(struct __test_metadata *_metadata, const void *arg)
{
	const FIXTURE_VARIANT(unpriv_leak) *variant = arg;
	size_t page = getpagesize(), len = (1 + LEAK_DATA_PAGES) * page;
	struct perf_event_mmap_page *meta;
	int fd, i, samples = 0, other = 0;
	uint64_t head, tail, size;
	struct perf_event_attr attr;
	const char *data;
	void *ring;

	hwbp_attr_init(&attr, HW_BREAKPOINT_W, (uintptr_t)&watched,
		       sizeof(long));
	attr.exclude_hv = 1;
	attr.sample_period = 1;
	attr.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_ADDR |
			   PERF_SAMPLE_CALLCHAIN;
	attr.sample_max_stack = LEAK_MAX_STACK;
	attr.exclude_callchain_kernel = variant->exclude_callchain_kernel;
	fd = hwbp_open(&attr, 0, -1);
	EXPECT_LE(0, fd) TH_LOG("sampling breakpoint: %s", hwbp_errname(fd));
	if (fd < 0)
		return;
	ring = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	EXPECT_NE(MAP_FAILED, ring) TH_LOG("ring buffer: %s", strerror(errno));
	if (ring == MAP_FAILED) {
		close(fd);
		return;
	}

	for (i = 0; i < LEAK_USER_STORES; i++)
		hwbp_store_long(&watched, i);
	if (HWBP_EXCLUDE_KERNEL)
		EXPECT_EQ(0, kernel_stores_watched());
	EXPECT_EQ(LEAK_USER_STORES, hwbp_count(fd));

	meta = ring;
	head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
	tail = meta->data_tail;
	size = meta->data_size;
	data = (const char *)ring + meta->data_offset;
	while (tail < head) {
		struct perf_event_header hdr;
		uint64_t ip, addr, nr, entry;
		uint64_t off = tail + sizeof(hdr);
		uint64_t ctx = 0, n;
		int nr_user = 0;

		ring_copy(&hdr, data, size, tail, sizeof(hdr));
		if (!hdr.size)
			break;
		tail += hdr.size;
		if (hdr.type != PERF_RECORD_SAMPLE) {
			other++;
			continue;
		}
		samples++;
		ring_copy(&ip, data, size, off, 8);
		ring_copy(&addr, data, size, off + 8, 8);
		ring_copy(&nr, data, size, off + 16, 8);
		EXPECT_TRUE(is_user_addr(ip) && in_our_text(ip))
			TH_LOG("sample %d: ip %#llx", samples,
			       (unsigned long long)ip);
		EXPECT_EQ((uintptr_t)&watched, addr);
		EXPECT_GE(LEAK_MAX_STACK + 2, nr);
		for (n = 0; n < nr && n < LEAK_MAX_STACK + 2; n++) {
			ring_copy(&entry, data, size, off + 24 + 8 * n, 8);
			if (entry >= (uint64_t)PERF_CONTEXT_MAX) {
				/* Context markers: the user's only. */
				EXPECT_EQ((uint64_t)PERF_CONTEXT_USER, entry);
				ctx = entry;
				continue;
			}
			/* Nothing before the user's marker ... */
			EXPECT_EQ((uint64_t)PERF_CONTEXT_USER, ctx) {
				TH_LOG("sample %d: callchain[%llu] = %#llx",
				       samples, (unsigned long long)n,
				       (unsigned long long)entry);
			}
			/* ... which the sampled ip follows. */
			if (!nr_user++)
				EXPECT_EQ(ip, entry);
		}
		EXPECT_LE(1, nr_user);
	}
	__atomic_store_n(&meta->data_tail, tail, __ATOMIC_RELEASE);
	EXPECT_EQ(LEAK_USER_STORES, samples);
	EXPECT_EQ(0, other) TH_LOG("records other than samples (lost?)");
	munmap(ring, len);
	close(fd);
}

static int try_as_nobody(void *attr)
{
	return hwbp_become_user(NOBODY) ? INT_MIN : hwbp_try(attr, 0, -1);
}

TEST_F(unpriv_leak, samples)
{
	struct perf_event_attr attr;
	int got;

	if (variant->paranoid > 1) {
		/* A kernel callchain, or physical addresses: kernel data. */
		hwbp_attr_init(&attr, HW_BREAKPOINT_W, (uintptr_t)&watched,
			       sizeof(long));
		attr.exclude_kernel = 1;
		attr.exclude_hv = 1;
		attr.sample_period = 1;
		attr.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_CALLCHAIN;
		ASSERT_EQ(0, hwbp_in_child(try_as_nobody, &attr, &got));
		EXPECT_EQ(-EACCES, got) TH_LOG("kernel callchain: %s",
					       hwbp_errname(got));
		attr.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_PHYS_ADDR;
		ASSERT_EQ(0, hwbp_in_child(try_as_nobody, &attr, &got));
		EXPECT_EQ(-EACCES, got) TH_LOG("physical addresses: %s",
					       hwbp_errname(got));
		if (!HWBP_EXCLUDE_KERNEL)
			SKIP(return, "powerpc under QEMU needs exclude_kernel=0, which paranoid 2 refuses");
	}
	as_nobody(_metadata, leak_samples, variant);
}

static volatile sig_atomic_t nr_sigtraps;
static volatile int sigtrap_code;
static volatile uintptr_t sigtrap_addr;
static volatile unsigned long sigtrap_data;
static volatile uint32_t sigtrap_type, sigtrap_flags;

static void leak_sigtrap_handler(int sig, siginfo_t *si, void *uc)
{
	struct hwbp_si_perf perf = hwbp_si_perf(si);

	sigtrap_code = si->si_code;
	sigtrap_addr = (uintptr_t)si->si_addr;
	sigtrap_data = perf.data;
	sigtrap_type = perf.type;
	sigtrap_flags = perf.flags;
	nr_sigtraps++;
}

static void leak_siginfo(struct __test_metadata *_metadata, const void *arg)
{
	struct sigaction sa = {
		.sa_sigaction = leak_sigtrap_handler,
		.sa_flags = SA_SIGINFO,
	};
	struct perf_event_attr attr;
	int fd, i;

	sigemptyset(&sa.sa_mask);
	EXPECT_EQ(0, sigaction(SIGTRAP, &sa, NULL));
	hwbp_attr_init(&attr, HW_BREAKPOINT_W, (uintptr_t)&watched,
		       sizeof(long));
	attr.exclude_hv = 1;
	attr.sample_period = 1;
	attr.sigtrap = 1;
	attr.remove_on_exec = 1;
	attr.sig_data = (uintptr_t)&watched;
	fd = hwbp_open(&attr, 0, -1);
	EXPECT_LE(0, fd) TH_LOG("sigtrap breakpoint: %s", hwbp_errname(fd));
	if (fd < 0)
		return;

	for (i = 0; i < LEAK_USER_STORES; i++) {
		nr_sigtraps = 0;
		hwbp_store_long(&watched, i);
		EXPECT_EQ(1, nr_sigtraps);
		EXPECT_EQ(TRAP_PERF, sigtrap_code);
		EXPECT_EQ((uintptr_t)&watched, sigtrap_addr);
		EXPECT_EQ((uintptr_t)&watched, sigtrap_data);
		EXPECT_EQ(PERF_TYPE_BREAKPOINT, sigtrap_type);
		EXPECT_EQ(0, sigtrap_flags);
	}
	if (HWBP_EXCLUDE_KERNEL) {
		nr_sigtraps = 0;
		EXPECT_EQ(0, kernel_stores_watched());
		EXPECT_EQ(0, nr_sigtraps) {
			TH_LOG("SIGTRAP for the kernel's store: si_addr %#lx",
			       (unsigned long)sigtrap_addr);
		}
	}
	EXPECT_EQ(LEAK_USER_STORES, hwbp_count(fd));
	close(fd);
}

TEST_F(unpriv_leak, siginfo)
{
	if (!HWBP_EXCLUDE_KERNEL && variant->paranoid > 1)
		SKIP(return, "powerpc under QEMU needs exclude_kernel=0, which paranoid 2 refuses");
	as_nobody(_metadata, leak_siginfo, variant);
}

/*
 * Slots. A task-bound breakpoint (cpu -1) needs a slot on every CPU; a
 * CPU-bound one on its CPU, where it also competes with the busiest task
 * (contract §4, hw_breakpoint.c max_bp_pinned_slots()). Disabled events
 * hold their slot too: it is reserved at creation, released at close.
 */
#define MAX_SLOTS	32

/*
 * The length perf gives an execute breakpoint: sizeof(long) on x86
 * (LEN_X), one A64 instruction on arm64 (our parse_execute() takes
 * exactly 4). powerpc has no execute breakpoints at all.
 */
#if defined(__aarch64__)
#define X_LEN		4
#else
#define X_LEN		sizeof(long)
#endif

static int fill_task_slots(int *fds, uint32_t type, uint64_t addr, pid_t pid)
{
	struct perf_event_attr attr;
	int n, fd = 0;

	for (n = 0; n < MAX_SLOTS; n++) {
		hwbp_attr_init(&attr, type, addr, 8);
		attr.disabled = n & 1;
		fd = hwbp_open(&attr, pid, -1);
		if (fd < 0)
			break;
		fds[n] = fd;
	}
	return fd == -ENOSPC ? n : (fd < 0 ? fd : -E2BIG);
}

static void close_all(int *fds, int n)
{
	while (n-- > 0)
		close(fds[n]);
}

TEST(task_slots)
{
	struct perf_event_attr attr;
	int fds[MAX_SLOTS], slots, n, got, fd, want;
	pid_t child;

	slots = hwbp_data_slots();
	ASSERT_LT(0, slots) TH_LOG("slot count: %s", hwbp_errname(slots));

	n = fill_task_slots(fds, HW_BREAKPOINT_W, (uintptr_t)&watched, 0);
	ASSERT_EQ(slots, n) {
		TH_LOG("%s after %d breakpoints; the arch has %d slots",
		       n < 0 ? hwbp_errname(n) : "ENOSPC", n, slots);
		if (n > 0)
			close_all(fds, n);
	}

	/* ENOSPC comes before any arch parse error ... */
	hwbp_attr_init(&attr, HW_BREAKPOINT_W, (uintptr_t)&watched, 0);
	got = hwbp_try(&attr, 0, -1);
	EXPECT_EQ(-ENOSPC, got) TH_LOG("len 0 when full: %s", hwbp_errname(got));
	/* ... but not before the type check of reserve_bp_slot() */
	hwbp_attr_init(&attr, HW_BREAKPOINT_INVALID, (uintptr_t)&watched, 8);
	got = hwbp_try(&attr, 0, -1);
	EXPECT_EQ(-EINVAL, got) TH_LOG("INVALID when full: %s", hwbp_errname(got));

	/* The task is full on every CPU. */
	hwbp_attr_init(&attr, HW_BREAKPOINT_W, (uintptr_t)&other_var, 8);
	got = hwbp_try(&attr, 0, 0);
	EXPECT_EQ(-ENOSPC, got) TH_LOG("task on cpu 0: %s", hwbp_errname(got));
	if (!geteuid()) {
		/* A CPU-bound breakpoint must fit beside any task's. */
		got = hwbp_try(&attr, -1, 0);
		EXPECT_EQ(-ENOSPC, got) TH_LOG("cpu 0: %s", hwbp_errname(got));
	}

	/* Execute breakpoints: the same pool on x86, their own elsewhere. */
	hwbp_attr_init(&attr, HW_BREAKPOINT_X, (uintptr_t)&close_all, X_LEN);
	got = hwbp_try(&attr, 0, -1);
	want = HWBP_SHARED_SLOTS ? -ENOSPC :
	       hwbp_inst_slots() > 0 ? 0 : -EOPNOTSUPP;
	EXPECT_EQ(want, got) TH_LOG("X when data is full: %s",
				    hwbp_errname(got));

	/* Slots are per task: a child has all of its own. */
	child = hwbp_stopped_tracee();
	ASSERT_LT(0, child);
	hwbp_attr_init(&attr, HW_BREAKPOINT_W, (uintptr_t)&watched, 8);
	got = hwbp_try(&attr, child, -1);
	EXPECT_EQ(0, got) TH_LOG("on a child: %s", hwbp_errname(got));
	hwbp_reap(child);

	/* Closing one frees exactly one. */
	close(fds[--n]);
	fd = hwbp_open(&attr, 0, -1);
	EXPECT_LE(0, fd) TH_LOG("after a close: %s", hwbp_errname(fd));
	if (fd >= 0)
		fds[n++] = fd;
	got = hwbp_try(&attr, 0, -1);
	EXPECT_EQ(-ENOSPC, got) TH_LOG("full again: %s", hwbp_errname(got));

	/* Every release really happened. */
	close_all(fds, n);
	n = fill_task_slots(fds, HW_BREAKPOINT_RW, (uintptr_t)&other_var, 0);
	EXPECT_EQ(slots, n);
	if (n > 0)
		close_all(fds, n);
}

TEST(cpu_slots)
{
	struct perf_event_attr attr;
	int fds[MAX_SLOTS], slots, n = 0, got, fd, cpu1 = -1, cpu;

	if (geteuid())
		SKIP(return, "CPU-bound breakpoints need root");
	slots = hwbp_data_slots();
	ASSERT_LT(0, slots);
	ASSERT_TRUE(hwbp_cpu_online(0));
	for (cpu = 1; cpu < hwbp_nr_cpus() && cpu1 < 0; cpu++)
		if (hwbp_cpu_online(cpu))
			cpu1 = cpu;

	hwbp_attr_init(&attr, HW_BREAKPOINT_W, (uintptr_t)&watched, 8);
	for (n = 0; n < MAX_SLOTS; n++) {
		attr.disabled = n & 1;
		fd = hwbp_open(&attr, -1, 0);
		if (fd < 0)
			break;
		fds[n] = fd;
	}
	ASSERT_EQ(slots, n) {
		TH_LOG("%s after %d on cpu 0", hwbp_errname(fd), n);
		close_all(fds, n);
	}
	EXPECT_EQ(-ENOSPC, fd);

	/* A task-bound breakpoint needs cpu 0 as well ... */
	got = hwbp_try(&attr, 0, -1);
	EXPECT_EQ(-ENOSPC, got) TH_LOG("task: %s", hwbp_errname(got));
	got = hwbp_try(&attr, 0, 0);
	EXPECT_EQ(-ENOSPC, got) TH_LOG("task on cpu 0: %s", hwbp_errname(got));
	if (cpu1 >= 0) {
		/* ... and not another CPU. */
		got = hwbp_try(&attr, 0, cpu1);
		EXPECT_EQ(0, got) TH_LOG("task on cpu %d: %s", cpu1,
					 hwbp_errname(got));
		got = hwbp_try(&attr, -1, cpu1);
		EXPECT_EQ(0, got) TH_LOG("cpu %d: %s", cpu1, hwbp_errname(got));
	}
	close(fds[--n]);
	got = hwbp_try(&attr, 0, -1);
	EXPECT_EQ(0, got) TH_LOG("task after a close: %s", hwbp_errname(got));
	close_all(fds, n);
}

/*
 * perf_copy_attr(): attr.size below PERF_ATTR_SIZE_VER0 or above a page,
 * or larger than the kernel's struct with non-zero bytes beyond it, is
 * E2BIG, and the kernel writes its own size back. A short size is an older
 * ABI: VER0 ends before bp_len, which then reads as 0 (EINVAL).
 */
TEST(attr_size)
{
	struct {
		struct perf_event_attr attr;
		uint64_t tail[2];
	} big;
	struct perf_event_attr attr;
	int got;

	hwbp_attr_init(&attr, HW_BREAKPOINT_W, (uintptr_t)&watched, 8);
	attr.size = 1;
	EXPECT_EQ(-E2BIG, hwbp_try(&attr, 0, -1));
	EXPECT_EQ(sizeof(attr), attr.size);

	attr.size = PERF_ATTR_SIZE_VER0 - 1;
	EXPECT_EQ(-E2BIG, hwbp_try(&attr, 0, -1));

	attr.size = getpagesize() + 8;
	EXPECT_EQ(-E2BIG, hwbp_try(&attr, 0, -1));

	memset(&big, 0, sizeof(big));
	hwbp_attr_init(&big.attr, HW_BREAKPOINT_W, (uintptr_t)&watched, 8);
	big.attr.size = sizeof(big);
	big.tail[1] = 1;
	EXPECT_EQ(-E2BIG, hwbp_try(&big.attr, 0, -1));
	EXPECT_EQ(sizeof(attr), big.attr.size);
	big.attr.size = sizeof(big);
	big.tail[1] = 0;
	got = hwbp_try(&big.attr, 0, -1);
	EXPECT_EQ(0, got) TH_LOG("zero tail: %s", hwbp_errname(got));

	hwbp_attr_init(&attr, HW_BREAKPOINT_W, (uintptr_t)&watched, 8);
	attr.size = 0;		/* means PERF_ATTR_SIZE_VER0 */
	EXPECT_EQ(-EINVAL, hwbp_try(&attr, 0, -1));
	attr.size = PERF_ATTR_SIZE_VER0;
	EXPECT_EQ(-EINVAL, hwbp_try(&attr, 0, -1));
	attr.size = PERF_ATTR_SIZE_VER1;	/* adds bp_len */
	got = hwbp_try(&attr, 0, -1);
	EXPECT_EQ(0, got) TH_LOG("VER1: %s", hwbp_errname(got));
}

/* The rest of perf_copy_attr(), perf_event_open() and perf_event_alloc(). */
static void user_attr(struct perf_event_attr *attr)
{
	hwbp_attr_init(attr, HW_BREAKPOINT_W, (uintptr_t)&watched, 8);
	attr->exclude_kernel = 1;
	attr->exclude_hv = 1;
}

TEST(attr_flags)
{
	struct perf_event_attr attr;
	int got;

#define EXPECT_OPEN(want, pid, cpu, flags, what) do {			\
	got = syscall(__NR_perf_event_open, &attr, pid, cpu, -1, flags); \
	got = got < 0 ? -errno : (close(got), 0);			\
	EXPECT_EQ(want, got) TH_LOG("%s: got %s", what, hwbp_errname(got)); \
	user_attr(&attr);						\
} while (0)

	user_attr(&attr);
	EXPECT_OPEN(0, 0, -1, 0, "plain");
	EXPECT_OPEN(-EINVAL, 0, -1, 1ul << 31, "unknown open flag");
	attr.__reserved_1 = 1;
	EXPECT_OPEN(-EINVAL, 0, -1, 0, "__reserved_1");
	attr.__reserved_2 = 1;
	EXPECT_OPEN(-EINVAL, 0, -1, 0, "__reserved_2");
	attr.__reserved_3 = 1;
	EXPECT_OPEN(-EINVAL, 0, -1, 0, "__reserved_3");
	attr.sigtrap = 1;
	EXPECT_OPEN(-EINVAL, 0, -1, 0, "sigtrap without remove_on_exec");
	attr.inherit_thread = 1;
	EXPECT_OPEN(-EINVAL, 0, -1, 0, "inherit_thread without inherit");
	attr.remove_on_exec = 1;
	attr.enable_on_exec = 1;
	EXPECT_OPEN(-EINVAL, 0, -1, 0, "remove_on_exec with enable_on_exec");
	attr.sample_period = 1ull << 63;
	EXPECT_OPEN(-EINVAL, 0, -1, 0, "sample_period bit 63");
	/* perf_event_alloc(): a CPU number is either -1 with a task, or real */
	EXPECT_OPEN(-EINVAL, -1, -1, 0, "no task, no cpu");
	EXPECT_OPEN(-EINVAL, 0, 1 << 20, 0, "task, cpu 1<<20");
	if (!geteuid()) {
		EXPECT_OPEN(-EINVAL, -1, 1 << 20, 0, "cpu 1<<20");
		/* sigtrap needs a task to signal */
		attr.sigtrap = 1;
		attr.remove_on_exec = 1;
		EXPECT_OPEN(-EINVAL, -1, 0, 0, "sigtrap on a CPU");
	}
	/* hw_breakpoint_event_init(): breakpoints have no branch stack */
	attr.sample_period = 1;
	attr.sample_type = PERF_SAMPLE_BRANCH_STACK;
	attr.branch_sample_type = PERF_SAMPLE_BRANCH_ANY |
				  PERF_SAMPLE_BRANCH_USER;
	EXPECT_OPEN(-EOPNOTSUPP, 0, -1, 0, "branch stack");
#undef EXPECT_OPEN
}

/*
 * PERF_EVENT_IOC_MODIFY_ATTRIBUTES: only bp_addr, bp_type, bp_len and
 * disabled may change (modify_user_hw_breakpoint_check() with check);
 * a refused change leaves the breakpoint exactly as it was.
 */
TEST(modify)
{
	struct perf_event_attr attr, mod;
	int64_t count = 0;
	int fd, got, sw;

	hwbp_attr_init(&attr, HW_BREAKPOINT_W, (uintptr_t)&watched, 8);
	fd = hwbp_open(&attr, 0, -1);
	ASSERT_LE(0, fd) TH_LOG("open: %s", hwbp_errname(fd));

#define STILL_COUNTS() do {						\
	hwbp_store_long(&other_var, 1);					\
	hwbp_store_long(&watched, 1);					\
	EXPECT_EQ(++count, hwbp_count(fd));				\
} while (0)

	STILL_COUNTS();

	mod = attr;
	mod.bp_len = 0;
	got = hwbp_modify(fd, &mod);
	EXPECT_EQ(-EINVAL, got) TH_LOG("len 0: %s", hwbp_errname(got));
	STILL_COUNTS();

	/* INVALID: the arch (or reserve_bp_slot() on a type change) says no */
	mod = attr;
	mod.bp_type = HW_BREAKPOINT_INVALID;
	got = hwbp_modify(fd, &mod);
	EXPECT_EQ(-EINVAL, got) TH_LOG("INVALID: %s", hwbp_errname(got));
	STILL_COUNTS();

	mod = attr;
	mod.bp_addr = KADDR;
	mod.exclude_kernel = 1;
	mod.exclude_hv = 1;
	got = hwbp_modify(fd, &mod);
	EXPECT_EQ(-EINVAL, got) TH_LOG("kernel address: %s", hwbp_errname(got));
	STILL_COUNTS();

	/* anything but the four breakpoint fields is refused */
	mod = attr;
	mod.sample_period = 3;
	got = hwbp_modify(fd, &mod);
	EXPECT_EQ(-EINVAL, got) TH_LOG("sample_period: %s", hwbp_errname(got));
	STILL_COUNTS();
	mod = attr;
	mod.inherit = 1;
	got = hwbp_modify(fd, &mod);
	EXPECT_EQ(-EINVAL, got) TH_LOG("inherit: %s", hwbp_errname(got));
	STILL_COUNTS();

	/* perf_event_modify_attr(): the type cannot change */
	mod = attr;
	mod.type = PERF_TYPE_SOFTWARE;
	got = hwbp_modify(fd, &mod);
	EXPECT_EQ(-EINVAL, got) TH_LOG("type: %s", hwbp_errname(got));
	STILL_COUNTS();

	/* A valid move: the old address no longer counts, the new one does. */
	mod = attr;
	mod.bp_addr = (uintptr_t)&other_var;
	ASSERT_EQ(0, hwbp_modify(fd, &mod));
	hwbp_store_long(&watched, 2);
	hwbp_store_long(&other_var, 2);
	EXPECT_EQ(++count, hwbp_count(fd));

	/* attr.disabled is applied too */
	mod.disabled = 1;
	ASSERT_EQ(0, hwbp_modify(fd, &mod));
	hwbp_store_long(&other_var, 3);
	EXPECT_EQ(count, hwbp_count(fd));
	mod.disabled = 0;
	ASSERT_EQ(0, hwbp_modify(fd, &mod));
	hwbp_store_long(&other_var, 4);
	EXPECT_EQ(++count, hwbp_count(fd));
	close(fd);

	/* Only breakpoints can be modified at all. */
	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_SOFTWARE;
	attr.size = sizeof(attr);
	attr.config = PERF_COUNT_SW_DUMMY;
	attr.exclude_kernel = 1;
	attr.exclude_hv = 1;
	sw = hwbp_open(&attr, 0, -1);
	ASSERT_LE(0, sw);
	got = hwbp_modify(sw, &attr);
	EXPECT_EQ(-EOPNOTSUPP, got) TH_LOG("software event: %s",
					   hwbp_errname(got));
	close(sw);
#undef STILL_COUNTS
}

#if defined(__x86_64__)
/*
 * ptrace's window on the debug registers (arch/x86/kernel/ptrace.c):
 * DR4/DR5 do not exist (EIO), POKEUSER offsets must be word aligned (EIO),
 * and the breakpoint behind DR0-3 is a user one (exclude_kernel: EINVAL).
 */
static int poke_user(pid_t pid, unsigned long off, unsigned long val)
{
	return ptrace(PTRACE_POKEUSER, pid, off, val) ? -errno : 0;
}

TEST(x86_ptrace)
{
	unsigned long dr = offsetof(struct user, u_debugreg);
	pid_t child = hwbp_stopped_tracee();
	int got;

	ASSERT_LT(0, child);
	EXPECT_EQ(-EIO, poke_user(child, dr + 4 * sizeof(long), 0));
	EXPECT_EQ(-EIO, poke_user(child, dr + 5 * sizeof(long), 0));
	EXPECT_EQ(-EIO, poke_user(child, dr + 1, 0));
	got = poke_user(child, dr, KADDR);
	EXPECT_EQ(-EINVAL, got) TH_LOG("DR0 = kernel: %s", hwbp_errname(got));
	got = poke_user(child, dr, (uintptr_t)&watched);
	EXPECT_EQ(0, got) TH_LOG("DR0 = user: %s", hwbp_errname(got));
	hwbp_reap(child);
}
#endif

TEST_HARNESS_MAIN
