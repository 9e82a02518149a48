// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 breakpoints and watchpoints with exact hit counts, against the ABI
 * of our backend (arch/arm64/kernel/hw_breakpoint.c; the ptrace side is
 * patches/0021-arm64-ptrace-mask-watchpoints-and-slot-in-si_errno.patch):
 *
 *  - bas: a write watchpoint of every length 1..8 at every offset of one
 *    doubleword (a BAS byte mask); one-byte writes to each byte of the
 *    doubleword and its two neighbours count exactly for the watched bytes.
 *    Bytes that would run past the doubleword are EINVAL.
 *  - mask: aligned power-of-two ranges of 8 B, 4 KiB, 64 KiB, 2 MiB and
 *    2 GiB (MASK; 8 B is BAS 0xff): the first, middle and last byte
 *    count, the bytes just outside do not; misaligned is EINVAL.
 *  - execute: an execute breakpoint (bp_len 4) on a function counts its
 *    calls, and nothing else; other lengths and a misaligned address are
 *    EINVAL.
 *  - types: R, W and RW on a u64 count loads, stores or both.
 *  - ptrace: one NT_ARM_HW_WATCH pair set by a tracer, BAS and MASK 4 KiB:
 *    reading it back gives the doubleword-aligned address and the control
 *    word with PAC = EL0 (and MASK kept); a write in the range stops the
 *    tracee before the access with SIGTRAP/TRAP_HWBKPT, si_addr the fault
 *    address and si_errno the pair, -(2i+1); the tracer steps it as gdb
 *    does (disable, PTRACE_SINGLESTEP, enable), after which the next
 *    write in the range stops it again; writes just outside do not.
 *
 * perf events here count (sample_period 0), on the test itself, user only.
 * The backend steps over every hit whatever the event's handler, so every
 * access that touches a watched byte counts exactly once; the counts are
 * read after each access. The loops stay short: the harness runs this
 * under QEMU TCG with -icount.
 */
#include <stddef.h>
#include <sys/mman.h>

#include "../kselftest_harness.h"
#include "hwbp_util.h"

#ifndef __aarch64__
#error "hwbp_arm64_matrix tests the arm64 backend"
#endif

/*
 * The NT_ARM_HW_WATCH control word (our asm/hw_breakpoint.h):
 * E [0], PAC [2:1], LSC [4:3], BAS [12:5], MASK [28:24].
 */
#define CTRL_E		1u
#define CTRL_PAC(x)	((uint32_t)(x) << 1)
#define CTRL_LSC(x)	((uint32_t)(x) << 3)
#define CTRL_BAS(x)	((uint32_t)(x) << 5)
#define CTRL_MASK(x)	((uint32_t)(x) << 24)
#define PAC_EL0		2
#define LSC_STORE	2

#define SZ_4K		0x1000ull
#define SZ_64K		0x10000ull
#define SZ_2M		0x200000ull
#define SZ_2G		0x80000000ull

static int open_counter(uint32_t type, uintptr_t addr, uint64_t len)
{
	struct perf_event_attr attr;

	hwbp_attr_init(&attr, type, addr, len);
	attr.exclude_kernel = 1;
	attr.exclude_hv = 1;
	return hwbp_open(&attr, 0, -1);
}

/*
 * BAS. The doubleword under test is bas_buf[8..15]; bas_buf[7] and
 * bas_buf[16] are its neighbours, in the doublewords either side.
 */
#define DW	8

static volatile uint8_t bas_buf[32] __aligned(32);

TEST(bas)
{
	unsigned int off, len, b;

	for (off = 0; off < 8; off++) {
		for (len = 1; len <= 8; len++) {
			uintptr_t addr = (uintptr_t)&bas_buf[DW + off];
			int64_t before, after;
			int fd;

			fd = open_counter(HW_BREAKPOINT_W, addr, len);
			if (off + len > 8) {
				/*
				 * Not inside the doubleword, and not an aligned
				 * power of two of 8 or more (MASK) either.
				 */
				EXPECT_EQ(-EINVAL, fd) {
					TH_LOG("W len %u at +%u: got %s, want EINVAL",
					       len, off,
					       hwbp_errname(fd < 0 ? fd : 0));
				}
				if (fd >= 0)
					close(fd);
				continue;
			}
			ASSERT_LE(0, fd) {
				TH_LOG("W len %u at +%u refused: %s", len, off,
				       hwbp_errname(fd));
			}

			before = hwbp_count(fd);
			ASSERT_EQ(0, before);
			for (b = DW - 1; b <= DW + 8; b++) {
				bool hit = b >= DW + off && b < DW + off + len;

				hwbp_store8(&bas_buf[b], b);
				after = hwbp_count(fd);
				EXPECT_EQ(hit, after - before) {
					TH_LOG("W len %u at +%u: write of byte %d counted %lld",
					       len, off, (int)b - DW,
					       (long long)(after - before));
				}
				before = after;
				/* A write watchpoint never counts a load. */
				hwbp_load8(&bas_buf[b]);
				after = hwbp_count(fd);
				EXPECT_EQ(0, after - before) {
					TH_LOG("W len %u at +%u: read of byte %d counted",
					       len, off, (int)b - DW);
				}
				before = after;
			}
			close(fd);
		}
	}
}

/*
 * MASK. A private, unreserved mapping holds the aligned range and a page
 * on each side; only the pages written are ever touched, so even the
 * 2 GiB case costs five pages.
 */
#define MASK_ROUNDS	8

FIXTURE(mask) {
	void *map;
	size_t map_len;
};

FIXTURE_VARIANT(mask) {
	uint64_t size;
};

/* An aligned 8-byte watchpoint is BAS 0xff, the boundary case. */
FIXTURE_VARIANT_ADD(mask, len_8) {
	.size = 8,
};

FIXTURE_VARIANT_ADD(mask, len_4K) {
	.size = SZ_4K,
};

FIXTURE_VARIANT_ADD(mask, len_64K) {
	.size = SZ_64K,
};

FIXTURE_VARIANT_ADD(mask, len_2M) {
	.size = SZ_2M,
};

/* The largest MASK, 31. */
FIXTURE_VARIANT_ADD(mask, len_2G) {
	.size = SZ_2G,
};

FIXTURE_SETUP(mask)
{
	self->map = MAP_FAILED;
	self->map_len = 0;
}

FIXTURE_TEARDOWN(mask)
{
	if (self->map != MAP_FAILED)
		munmap(self->map, self->map_len);
}

TEST_F(mask, edges)
{
	static const char *const what[] = {
		"first byte", "last byte", "middle byte", "byte just below",
		"byte just above",
	};
	static const int want[] = { 1, 1, 1, 0, 0 };
	uint64_t page = getpagesize(), size = variant->size;
	uint64_t align = size > page ? size : page;
	volatile uint8_t *probe[5];
	int64_t before, after, total = 0;
	uintptr_t start;
	int fd, i, r;

	/*
	 * 2 * align + 2 pages always holds an align-aligned start with a
	 * page below it and size + a page above it.
	 */
	self->map_len = 2 * align + 2 * page;
	self->map = mmap(NULL, self->map_len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (self->map == MAP_FAILED && errno == ENOMEM)
		SKIP(return, "cannot map %zu bytes (overcommit policy?)",
		     self->map_len);
	ASSERT_NE(MAP_FAILED, self->map);
	start = ((uintptr_t)self->map + page + align - 1) & ~(align - 1);

	probe[0] = (volatile uint8_t *)start;
	probe[1] = (volatile uint8_t *)(start + size - 1);
	probe[2] = (volatile uint8_t *)(start + size / 2);
	probe[3] = (volatile uint8_t *)(start - 1);
	probe[4] = (volatile uint8_t *)(start + size);
	/* Fault the pages in first: the counts are all this test checks. */
	for (i = 0; i < 5; i++)
		hwbp_store8(probe[i], 0);

	fd = open_counter(HW_BREAKPOINT_W, start, size);
	ASSERT_LE(0, fd) {
		TH_LOG("W len %#llx at %#lx refused: %s",
		       (unsigned long long)size, (unsigned long)start,
		       hwbp_errname(fd));
	}
	before = hwbp_count(fd);
	ASSERT_EQ(0, before);
	for (r = 0; r < MASK_ROUNDS; r++) {
		for (i = 0; i < 5; i++) {
			hwbp_store8(probe[i], r);
			after = hwbp_count(fd);
			total += want[i];
			EXPECT_EQ(want[i], after - before) {
				TH_LOG("W len %#llx: write of the %s counted %lld",
				       (unsigned long long)size, what[i],
				       (long long)(after - before));
			}
			before = after;
		}
	}
	EXPECT_EQ(total, hwbp_count(fd));

	/* Not aligned to its length: not a MASK range. */
	i = open_counter(HW_BREAKPOINT_W, start + (size > 8 ? 8 : 1),
			 size);
	EXPECT_EQ(-EINVAL, i) {
		TH_LOG("W len %#llx misaligned: got %s, want EINVAL",
		       (unsigned long long)size, hwbp_errname(i < 0 ? i : 0));
	}
	if (i >= 0)
		close(i);
	close(fd);
}

/* Execute breakpoints. */
#define EXEC_CALLS	100

static volatile int x_calls;

static __attribute__((noinline, noclone)) void x_target(void)
{
	x_calls++;
	hwbp_barrier();
}

static void (*volatile x_target_ptr)(void) = x_target;

TEST(execute)
{
	uintptr_t fn = (uintptr_t)x_target;
	int fd, i, got, bad = -1;
	int64_t count;

	fd = open_counter(HW_BREAKPOINT_X, fn, 4);
	ASSERT_LE(0, fd) TH_LOG("X len 4 refused: %s", hwbp_errname(fd));

	x_calls = 0;
	for (i = 0; i < EXEC_CALLS; i++) {
		x_target_ptr();
		count = hwbp_count(fd);
		if (count != i + 1 && bad < 0)
			bad = i;
	}
	EXPECT_EQ(-1, bad) TH_LOG("count wrong first after call %d", bad + 1);
	EXPECT_EQ(EXEC_CALLS, x_calls);
	EXPECT_EQ(EXEC_CALLS, hwbp_count(fd));

	/* Reading the instruction is not executing it. */
	hwbp_load8((volatile void *)fn);
	EXPECT_EQ(EXEC_CALLS, hwbp_count(fd)) TH_LOG("a data read counted");
	close(fd);

	/* One A64 instruction: bp_len exactly 4, the address 4-aligned. */
	got = open_counter(HW_BREAKPOINT_X, fn, 8);
	EXPECT_EQ(-EINVAL, got) TH_LOG("X len 8: %s", hwbp_errname(got));
	got = open_counter(HW_BREAKPOINT_X, fn, 1);
	EXPECT_EQ(-EINVAL, got) TH_LOG("X len 1: %s", hwbp_errname(got));
	got = open_counter(HW_BREAKPOINT_X, fn, 2);
	EXPECT_EQ(-EINVAL, got) TH_LOG("X len 2: %s", hwbp_errname(got));
	got = open_counter(HW_BREAKPOINT_X, fn + 2, 4);
	EXPECT_EQ(-EINVAL, got) TH_LOG("X len 4 at +2: %s", hwbp_errname(got));
	if (got >= 0)
		close(got);
}

/* Access types on one u64. */
#define TYPE_REPS	50

static volatile long u64_var __aligned(64);

FIXTURE(types) {
};

FIXTURE_VARIANT(types) {
	uint32_t type;
	const char *name;
};

FIXTURE_SETUP(types)
{
}

FIXTURE_TEARDOWN(types)
{
}

FIXTURE_VARIANT_ADD(types, R) {
	.type = HW_BREAKPOINT_R, .name = "R",
};

FIXTURE_VARIANT_ADD(types, W) {
	.type = HW_BREAKPOINT_W, .name = "W",
};

FIXTURE_VARIANT_ADD(types, RW) {
	.type = HW_BREAKPOINT_RW, .name = "RW",
};

TEST_F(types, u64)
{
	int want_r = !!(variant->type & HW_BREAKPOINT_R);
	int want_w = !!(variant->type & HW_BREAKPOINT_W);
	int64_t before, after;
	int fd, i;

	fd = open_counter(variant->type, (uintptr_t)&u64_var, 8);
	ASSERT_LE(0, fd) {
		TH_LOG("%s len 8 refused: %s", variant->name,
		       hwbp_errname(fd));
	}
	before = hwbp_count(fd);
	ASSERT_EQ(0, before);
	for (i = 0; i < TYPE_REPS; i++) {
		hwbp_load_long(&u64_var);
		after = hwbp_count(fd);
		EXPECT_EQ(want_r, after - before) {
			TH_LOG("%s: load %d counted %lld", variant->name, i,
			       (long long)(after - before));
		}
		before = after;
		hwbp_store_long(&u64_var, i);
		after = hwbp_count(fd);
		EXPECT_EQ(want_w, after - before) {
			TH_LOG("%s: store %d counted %lld", variant->name, i,
			       (long long)(after - before));
		}
		before = after;
	}
	EXPECT_EQ(TYPE_REPS * (want_r + want_w), hwbp_count(fd));
	close(fd);
}

/*
 * ptrace: NT_ARM_HW_WATCH. The tracee stops itself, then writes the first
 * and the last byte of the range, the byte just below and the byte just
 * above it, noting in child_mark which write comes next, and exits.
 */
#define MARK_DONE	5
#define PT_VAL(i)	(0xa0 + (i))
/* Stops a correct run needs: 2 traps and their 2 steps. */
#define PT_MAX_STOPS	16

static volatile long child_mark;
static volatile uint8_t pt_buf[64] __aligned(64);

static void pt_probes(uintptr_t start, uint64_t len, uintptr_t probe[4])
{
	probe[0] = start;
	probe[1] = start + len - 1;
	probe[2] = start - 1;
	probe[3] = start + len;
}

static void tracee(uintptr_t start, uint64_t len)
{
	uintptr_t probe[4];
	int i;

	pt_probes(start, len, probe);
	if (ptrace(PTRACE_TRACEME, 0, 0, 0))
		_exit(1);
	raise(SIGSTOP);
	for (i = 0; i < 4; i++) {
		child_mark = i + 1;
		hwbp_store8((volatile void *)probe[i], PT_VAL(i));
	}
	child_mark = MARK_DONE;
	_exit(0);
}

/* Write pair @pair (and, as zeros, the disabled pairs below it). */
static int set_watch(pid_t pid, int pair, uint64_t addr, uint32_t ctrl)
{
	struct user_hwdebug_state st;
	struct iovec iov = {
		.iov_base = &st,
		.iov_len = offsetof(struct user_hwdebug_state, dbg_regs) +
			   (pair + 1) * sizeof(st.dbg_regs[0]),
	};

	memset(&st, 0, sizeof(st));
	st.dbg_regs[pair].addr = addr;
	st.dbg_regs[pair].ctrl = ctrl;
	return ptrace(PTRACE_SETREGSET, pid, NT_ARM_HW_WATCH, &iov) ? -errno : 0;
}

static int get_watch(pid_t pid, struct user_hwdebug_state *st)
{
	struct iovec iov = { .iov_base = st, .iov_len = sizeof(*st) };

	memset(st, 0, sizeof(*st));
	return ptrace(PTRACE_GETREGSET, pid, NT_ARM_HW_WATCH, &iov) ? -errno : 0;
}

/* One byte of the tracee's memory, or -1. */
static int peek_byte(pid_t pid, uintptr_t addr)
{
	long word;

	errno = 0;
	word = ptrace(PTRACE_PEEKDATA, pid, addr & ~7ul, 0);
	if (errno)
		return -1;
	return (int)((unsigned long)word >> (8 * (addr & 7)) & 0xff);
}

FIXTURE(ptrace) {
	void *map;
	size_t map_len;
	pid_t child;
	uintptr_t start;	/* the watched bytes */
	uint64_t len;
	uint64_t reg_addr;	/* what the tracer writes */
	uint32_t ctrl;
	uint32_t want_ctrl;	/* what it reads back */
};

FIXTURE_VARIANT(ptrace) {
	bool mask;
	int pair;
};

/*
 * Bytes 3 and 4 of a doubleword, BAS 0x18, PAC left 0 as
 * breakpoint_test_arm64 writes it: reads back as EL0.
 */
FIXTURE_VARIANT_ADD(ptrace, bas_pair0) {
	.mask = false, .pair = 0,
};

/* 4 KiB, MASK 12 with BAS 0xff, PAC EL0 as gdb writes it. */
FIXTURE_VARIANT_ADD(ptrace, mask4K_pair0) {
	.mask = true, .pair = 0,
};

/* The same in pair 1: si_errno -3. */
FIXTURE_VARIANT_ADD(ptrace, mask4K_pair1) {
	.mask = true, .pair = 1,
};

FIXTURE_SETUP(ptrace)
{
	uint64_t page = getpagesize();
	uint64_t chunk = page > SZ_4K ? page : SZ_4K;

	self->map = MAP_FAILED;
	self->child = 0;
	if (variant->mask) {
		/* The middle 4 KiB-aligned chunk of three. */
		self->map_len = 3 * chunk;
		self->map = mmap(NULL, self->map_len, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(MAP_FAILED, self->map);
		self->start = (uintptr_t)self->map + chunk;
		self->len = SZ_4K;
		self->reg_addr = self->start;
		self->ctrl = CTRL_E | CTRL_PAC(PAC_EL0) | CTRL_LSC(LSC_STORE) |
			     CTRL_BAS(0xff) | CTRL_MASK(12);
		self->want_ctrl = self->ctrl;
	} else {
		self->reg_addr = (uintptr_t)&pt_buf[16];
		self->start = self->reg_addr + 3;
		self->len = 2;
		self->ctrl = CTRL_E | CTRL_LSC(LSC_STORE) | CTRL_BAS(0x18);
		self->want_ctrl = self->ctrl | CTRL_PAC(PAC_EL0);
	}
}

FIXTURE_TEARDOWN(ptrace)
{
	if (self->child > 0)
		hwbp_reap(self->child);
	if (self->map != MAP_FAILED)
		munmap(self->map, self->map_len);
}

/*
 * A watchpoint stop: check its siginfo and that the write has not
 * happened yet, then step the write as gdb does and arm the pair again.
 * Returns the probe that trapped, or -1.
 */
static int handle_trap(struct __test_metadata *_metadata,
		       FIXTURE_DATA(ptrace) *self, int pair)
{
	uintptr_t probe[4];
	siginfo_t si;
	int status, byte;
	long mark;
	uintptr_t addr;
	pid_t pid = self->child;

	pt_probes(self->start, self->len, probe);
	memset(&si, 0, sizeof(si));
	EXPECT_EQ(0, ptrace(PTRACE_GETSIGINFO, pid, 0, &si));
	errno = 0;
	mark = ptrace(PTRACE_PEEKDATA, pid, &child_mark, 0);
	EXPECT_EQ(0, errno);
	addr = (uintptr_t)si.si_addr;

	EXPECT_EQ(SIGTRAP, si.si_signo);
	EXPECT_EQ(TRAP_HWBKPT, si.si_code) {
		TH_LOG("mark %ld: si_code %d", mark, si.si_code);
	}
	/* The pair that fired, numbered as compat's GETHBPREGS: -(2i+1). */
	EXPECT_EQ(-(2 * pair + 1), si.si_errno) {
		TH_LOG("mark %ld: si_errno %d", mark, si.si_errno);
	}
	/* Only the four probe writes can trap. */
	EXPECT_TRUE(mark >= 1 && mark <= 4) {
		TH_LOG("watchpoint stop at mark %ld, si_addr %#lx", mark,
		       (unsigned long)addr);
	}
	if (mark < 1 || mark > 4)
		return -1;
	/*
	 * si_addr is the fault address. The ABI allows it below the
	 * watched bytes, for an access that starts below them: the window
	 * checked is [start - 16, end). The Arm ARM (D2.9.8) puts the FAR
	 * between the lowest byte accessed and the highest watched byte
	 * accessed, so for these one-byte stores it is never above the
	 * byte written either.
	 */
	EXPECT_TRUE(addr >= self->start - 16 && addr <= probe[mark - 1]) {
		TH_LOG("mark %ld: si_addr %#lx, range [%#lx, %#lx), wrote %#lx",
		       mark, (unsigned long)addr, (unsigned long)self->start,
		       (unsigned long)(self->start + self->len),
		       (unsigned long)probe[mark - 1]);
	}
	/* The tracee stops before the access. */
	byte = peek_byte(pid, probe[mark - 1]);
	EXPECT_NE(PT_VAL(mark - 1), byte) {
		TH_LOG("mark %ld: the write was done before the stop", mark);
	}

	/* gdb's step over a watchpoint: disable, step, enable. */
	ASSERT_EQ(0, set_watch(pid, pair, self->reg_addr, self->ctrl & ~CTRL_E));
	ASSERT_EQ(0, ptrace(PTRACE_SINGLESTEP, pid, 0, 0));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSTOPPED(status) && WSTOPSIG(status) == SIGTRAP) {
		TH_LOG("mark %ld: after the step, status %#x", mark, status);
	}
	memset(&si, 0, sizeof(si));
	EXPECT_EQ(0, ptrace(PTRACE_GETSIGINFO, pid, 0, &si));
	EXPECT_EQ(TRAP_TRACE, si.si_code) {
		TH_LOG("mark %ld: step stop with si_code %d", mark,
		       si.si_code);
	}
	byte = peek_byte(pid, probe[mark - 1]);
	EXPECT_EQ(PT_VAL(mark - 1), byte) {
		TH_LOG("mark %ld: the step did not do the write", mark);
	}
	ASSERT_EQ(0, set_watch(pid, pair, self->reg_addr, self->ctrl));
	return mark - 1;
}

TEST_F(ptrace, watch)
{
	struct user_hwdebug_state st;
	int pair = variant->pair, status, slots, stops = 0, got, i;
	int traps[4] = { 0 };

	self->child = fork();
	ASSERT_LE(0, self->child);
	if (self->child == 0)
		tracee(self->start, self->len);
	ASSERT_EQ(self->child, waitpid(self->child, &status, 0));
	ASSERT_TRUE(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP);
	ASSERT_EQ(0, ptrace(PTRACE_SETOPTIONS, self->child, 0,
			    (void *)(long)PTRACE_O_EXITKILL));

	ASSERT_EQ(0, get_watch(self->child, &st));
	slots = st.dbg_info & 0xff;
	if (slots <= pair)
		SKIP(return, "%d watchpoint pairs", slots);

	got = set_watch(self->child, pair, self->reg_addr, self->ctrl);
	ASSERT_EQ(0, got) {
		TH_LOG("SETREGSET addr %#llx ctrl %#x: %s",
		       (unsigned long long)self->reg_addr, self->ctrl,
		       hwbp_errname(got));
	}
	/* The value register (doubleword aligned for BAS), E, PAC EL0, MASK. */
	ASSERT_EQ(0, get_watch(self->child, &st));
	EXPECT_EQ(self->reg_addr, st.dbg_regs[pair].addr);
	EXPECT_EQ(self->want_ctrl, st.dbg_regs[pair].ctrl) {
		TH_LOG("ctrl read back %#x, want %#x", st.dbg_regs[pair].ctrl,
		       self->want_ctrl);
	}

	ASSERT_EQ(0, ptrace(PTRACE_CONT, self->child, 0, 0));
	for (;;) {
		ASSERT_EQ(self->child, waitpid(self->child, &status, 0));
		if (WIFEXITED(status)) {
			self->child = 0;	/* reaped */
			EXPECT_EQ(0, WEXITSTATUS(status));
			break;
		}
		ASSERT_TRUE(WIFSTOPPED(status)) TH_LOG("status %#x", status);
		ASSERT_EQ(SIGTRAP, WSTOPSIG(status));
		stops++;
		ASSERT_GT(PT_MAX_STOPS, stops) TH_LOG("runaway stops");
		i = handle_trap(_metadata, self, pair);
		if (i >= 0)
			traps[i]++;
		ASSERT_EQ(0, ptrace(PTRACE_CONT, self->child, 0, 0));
	}
	EXPECT_EQ(1, traps[0]) TH_LOG("write of the first byte");
	EXPECT_EQ(1, traps[1]) TH_LOG("write of the last byte");
	EXPECT_EQ(0, traps[2]) TH_LOG("write of the byte below");
	EXPECT_EQ(0, traps[3]) TH_LOG("write of the byte above");
}

TEST_HARNESS_MAIN
