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
 *     bits and flag combinations -> EINVAL); exclude_kernel=0 with
 *     perf_event_paranoid > 1 and no CAP_PERFMON -> EACCES
 *     (perf_allow_kernel()); pid lookup -> ESRCH;
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

static pid_t start_victim(uid_t uid)
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
	self->victim_other = start_victim(OTHER_UID);
	ASSERT_LT(0, self->victim_other);
	self->victim_same = start_victim(NOBODY);
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

static int kcase_as_nobody(void *arg)
{
	int ret = hwbp_become_user(NOBODY);

	return ret ? INT_MIN : open_kcase(arg);
}

TEST_F(unpriv, kernel_address)
{
	static const struct kcase cases[] = {
		/* perf_allow_kernel(): exclude_kernel=0 needs paranoid <= 1 */
		{ "paranoid 2, task", 2, KADDR, 0, -1, -EACCES },
		{ "paranoid 2, cpu 0", 2, KADDR, 0, 0, -EACCES },
		/* hw_breakpoint_parse(): exclude_kernel refuses kernel space */
		{ "paranoid 2, task, exclude_kernel", 2, KADDR, 1, -1,
		  TASK_KADDR(-EINVAL) },
		/* the control: a user watchpoint on itself is fine */
		{ "paranoid 2, task, user address", 2, 0, 1, -1, 0 },
		/* hw_breakpoint_parse(): kernel space needs CAP_SYS_ADMIN */
		{ "paranoid 1, task", 1, KADDR, 0, -1, TASK_KADDR(-EPERM) },
		/* event_init runs before perf_allow_cpu() */
		{ "paranoid 1, cpu 0", 1, KADDR, 0, 0, -EPERM },
		/* perf_allow_cpu(): CPU events need paranoid <= 0 */
		{ "paranoid 1, cpu 0, user address", 1, 0, 1, 0, -EACCES },
		{ "paranoid 0, cpu 0", 0, KADDR, 0, 0, -EPERM },
		{ "paranoid 0, cpu 0, user address", 0, 0, 0, 0, 0 },
		{ "paranoid -1, task", -1, KADDR, 0, -1, TASK_KADDR(-EPERM) },
	};
	size_t i;

	for (i = 0; i < HWBP_ARRAY_SIZE(cases); i++) {
		int got = INT_MIN;

		ASSERT_EQ(0, hwbp_write_int(HWBP_PARANOID, cases[i].paranoid));
		ASSERT_EQ(0, hwbp_in_child(kcase_as_nobody,
					   (void *)&cases[i], &got));
		EXPECT_EQ(cases[i].want, got) {
			TH_LOG("%s: got %s, want %s", cases[i].what,
			       hwbp_errname(got),
			       hwbp_errname(cases[i].want));
		}
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
