// SPDX-License-Identifier: GPL-2.0
/*
 * x86 debug-register breakpoints, the whole type x length x alignment
 * matrix, set up both through perf_event_open(PERF_TYPE_BREAKPOINT) on the
 * test itself and through ptrace(PTRACE_POKEUSER) on u_debugreg of a
 * stopped child, the way gdb does it.
 *
 * Every accepted breakpoint is checked for exact hits: each byte of the
 * 16-byte buffer around it is written once and read once, one byte at a
 * time, and exactly the accesses that overlap [addr, addr + len) must hit
 * (reads only for RW). Refused ones must be refused with the errno of the
 * ABI: the x86 parser (arch/x86/kernel/hw_breakpoint.c) takes W, RW and X
 * only, data lengths 1/2/4/8 at naturally aligned addresses, and X only
 * with bp_len == sizeof(long), at any address; everything else is EINVAL.
 */
#include <stddef.h>
#include <sys/user.h>
#include <asm/debugreg.h>

#include "../kselftest_harness.h"
#include "hwbp_util.h"

#define BUF_SIZE	16
/* DR7 R/W bits 10: I/O breakpoint (only with CR4.DE); not in debugreg.h */
#define DR_RW_IO	0x2

/* The watched buffer; nothing else lives in its 64 bytes. */
static volatile uint8_t buf[64] __aligned(64);

/* The target of execute breakpoints; called through a volatile pointer. */
static __attribute__((noinline, noclone)) void x_target(void)
{
	hwbp_barrier();
}

static void (*volatile x_target_ptr)(void) = x_target;

/* What arch/x86/kernel/hw_breakpoint.c accepts, for these lengths. */
static bool x86_accepts(uint32_t type, uint64_t len, unsigned int off)
{
	switch (type) {
	case HW_BREAKPOINT_W:
	case HW_BREAKPOINT_RW:
		return (len == 1 || len == 2 || len == 4 || len == 8) &&
		       !(off % len);
	case HW_BREAKPOINT_X:
		/* x86 execute breakpoints have no length: only LEN_X. */
		return len == sizeof(long);
	default:
		/* x86 has no read-only breakpoint. */
		return false;
	}
}

static bool overlaps(unsigned int byte, unsigned int off, uint64_t len)
{
	return byte >= off && byte < off + len;
}

static bool write_hits(uint32_t type, unsigned int b, unsigned int off,
		       uint64_t len)
{
	return (type & HW_BREAKPOINT_W) && overlaps(b, off, len);
}

static bool read_hits(uint32_t type, unsigned int b, unsigned int off,
		      uint64_t len)
{
	/* x86 RW traps on reads and writes; there is no R-only mode. */
	return type == HW_BREAKPOINT_RW && overlaps(b, off, len);
}

FIXTURE(perf) {
};

FIXTURE_VARIANT(perf) {
	uint32_t type;
	uint64_t len;
};

FIXTURE_SETUP(perf)
{
}

FIXTURE_TEARDOWN(perf)
{
}

FIXTURE_VARIANT_ADD(perf, R_len1) {
	.type = HW_BREAKPOINT_R, .len = 1,
};

FIXTURE_VARIANT_ADD(perf, R_len2) {
	.type = HW_BREAKPOINT_R, .len = 2,
};

FIXTURE_VARIANT_ADD(perf, R_len4) {
	.type = HW_BREAKPOINT_R, .len = 4,
};

FIXTURE_VARIANT_ADD(perf, R_len8) {
	.type = HW_BREAKPOINT_R, .len = 8,
};

FIXTURE_VARIANT_ADD(perf, W_len1) {
	.type = HW_BREAKPOINT_W, .len = 1,
};

FIXTURE_VARIANT_ADD(perf, W_len2) {
	.type = HW_BREAKPOINT_W, .len = 2,
};

FIXTURE_VARIANT_ADD(perf, W_len4) {
	.type = HW_BREAKPOINT_W, .len = 4,
};

FIXTURE_VARIANT_ADD(perf, W_len8) {
	.type = HW_BREAKPOINT_W, .len = 8,
};

FIXTURE_VARIANT_ADD(perf, RW_len1) {
	.type = HW_BREAKPOINT_RW, .len = 1,
};

FIXTURE_VARIANT_ADD(perf, RW_len2) {
	.type = HW_BREAKPOINT_RW, .len = 2,
};

FIXTURE_VARIANT_ADD(perf, RW_len4) {
	.type = HW_BREAKPOINT_RW, .len = 4,
};

FIXTURE_VARIANT_ADD(perf, RW_len8) {
	.type = HW_BREAKPOINT_RW, .len = 8,
};

FIXTURE_VARIANT_ADD(perf, X_len1) {
	.type = HW_BREAKPOINT_X, .len = 1,
};

FIXTURE_VARIANT_ADD(perf, X_len2) {
	.type = HW_BREAKPOINT_X, .len = 2,
};

FIXTURE_VARIANT_ADD(perf, X_len4) {
	.type = HW_BREAKPOINT_X, .len = 4,
};

FIXTURE_VARIANT_ADD(perf, X_len8) {
	.type = HW_BREAKPOINT_X, .len = 8,
};

/*
 * Counting events on the test itself: after every single access the count
 * must have grown by exactly one if the access overlaps the range, else by
 * nothing. Execute breakpoints placed on data never count data accesses.
 */
TEST_F(perf, counts)
{
	unsigned int off, b;

	for (off = 0; off < 8; off++) {
		struct perf_event_attr attr;
		bool ok = x86_accepts(variant->type, variant->len, off);
		int64_t before, after;
		int fd;

		hwbp_attr_init(&attr, variant->type, (uintptr_t)&buf[off],
			       variant->len);
		attr.exclude_kernel = 1;
		fd = hwbp_open(&attr, 0, -1);
		if (!ok) {
			EXPECT_EQ(-EINVAL, fd) {
				TH_LOG("%s len %llu at +%u: got %s, want EINVAL",
				       hwbp_type_name(variant->type),
				       (unsigned long long)variant->len, off,
				       hwbp_errname(fd >= 0 ? 0 : fd));
			}
			if (fd >= 0)
				close(fd);
			continue;
		}
		ASSERT_LE(0, fd) {
			TH_LOG("%s len %llu at +%u refused: %s",
			       hwbp_type_name(variant->type),
			       (unsigned long long)variant->len, off,
			       hwbp_errname(fd));
		}

		for (b = 0; b < BUF_SIZE; b++) {
			before = hwbp_count(fd);
			hwbp_store8(&buf[b], b);
			after = hwbp_count(fd);
			ASSERT_LE(0, before);
			EXPECT_EQ(write_hits(variant->type, b, off,
					     variant->len), after - before) {
				TH_LOG("%s len %llu at +%u: write of byte %u",
				       hwbp_type_name(variant->type),
				       (unsigned long long)variant->len, off,
				       b);
			}

			before = after;
			hwbp_load8(&buf[b]);
			after = hwbp_count(fd);
			EXPECT_EQ(read_hits(variant->type, b, off,
					    variant->len), after - before) {
				TH_LOG("%s len %llu at +%u: read of byte %u",
				       hwbp_type_name(variant->type),
				       (unsigned long long)variant->len, off,
				       b);
			}
		}
		close(fd);
	}
}

/* Execute breakpoints count calls, and not data reads of the code. */
TEST(perf_execute)
{
	struct perf_event_attr attr;
	int fd, i;

	hwbp_attr_init(&attr, HW_BREAKPOINT_X, (uintptr_t)x_target,
		       sizeof(long));
	attr.exclude_kernel = 1;
	fd = hwbp_open(&attr, 0, -1);
	ASSERT_LE(0, fd) TH_LOG("X breakpoint refused: %s", hwbp_errname(fd));

	for (i = 0; i < 10; i++)
		x_target_ptr();
	EXPECT_EQ(10, hwbp_count(fd));

	hwbp_load8((volatile void *)(uintptr_t)x_target);
	EXPECT_EQ(10, hwbp_count(fd)) TH_LOG("a data read hit an X bp");
	close(fd);
}

/*
 * sigtrap=1 breakpoints, over the same matrix: each hit sends one
 * synchronous SIGTRAP to the task that hit, with si_code TRAP_PERF,
 * si_addr = attr.bp_addr (perf_bp_event() samples bp_addr),
 * si_perf_data = attr.sig_data, si_perf_type = PERF_TYPE_BREAKPOINT and
 * no si_perf_flags (send_sig_perf()). hwbp_sigtrap covers the rest of
 * sigtrap (threads, fork, exec, blocked SIGTRAP) on every architecture.
 */
static volatile sig_atomic_t nr_traps;
static volatile int trap_code, trap_signo;
static volatile uintptr_t trap_addr;
static volatile unsigned long trap_data;
static volatile uint32_t trap_type, trap_flags;

static void sigtrap_handler(int sig, siginfo_t *si, void *uc)
{
	struct hwbp_si_perf perf = hwbp_si_perf(si);

	trap_signo = si->si_signo;
	trap_code = si->si_code;
	trap_addr = (uintptr_t)si->si_addr;
	trap_data = perf.data;
	trap_type = perf.type;
	trap_flags = perf.flags;
	nr_traps++;
}

static void reset_traps(void)
{
	nr_traps = 0;
	trap_code = trap_signo = 0;
	trap_addr = 0;
	trap_data = 0;
	trap_type = trap_flags = 0;
}

static int sigtrap_event(uint32_t type, uintptr_t addr, uint64_t len,
			 uint64_t sig_data)
{
	struct perf_event_attr attr;

	hwbp_attr_init(&attr, type, addr, len);
	attr.exclude_kernel = 1;
	attr.sample_period = 1;
	attr.sigtrap = 1;
	attr.remove_on_exec = 1;	/* required by sigtrap */
	attr.sig_data = sig_data;
	return hwbp_open(&attr, 0, -1);
}

FIXTURE(sigtrap) {
	struct sigaction old;
};

FIXTURE_VARIANT(sigtrap) {
	uint32_t type;
	uint64_t len;
};

FIXTURE_SETUP(sigtrap)
{
	struct sigaction sa = {
		.sa_sigaction = sigtrap_handler,
		.sa_flags = SA_SIGINFO,
	};

	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGTRAP, &sa, &self->old));
}

FIXTURE_TEARDOWN(sigtrap)
{
	sigaction(SIGTRAP, &self->old, NULL);
}

FIXTURE_VARIANT_ADD(sigtrap, W_len1) {
	.type = HW_BREAKPOINT_W, .len = 1,
};

FIXTURE_VARIANT_ADD(sigtrap, W_len2) {
	.type = HW_BREAKPOINT_W, .len = 2,
};

FIXTURE_VARIANT_ADD(sigtrap, W_len4) {
	.type = HW_BREAKPOINT_W, .len = 4,
};

FIXTURE_VARIANT_ADD(sigtrap, W_len8) {
	.type = HW_BREAKPOINT_W, .len = 8,
};

FIXTURE_VARIANT_ADD(sigtrap, RW_len1) {
	.type = HW_BREAKPOINT_RW, .len = 1,
};

FIXTURE_VARIANT_ADD(sigtrap, RW_len2) {
	.type = HW_BREAKPOINT_RW, .len = 2,
};

FIXTURE_VARIANT_ADD(sigtrap, RW_len4) {
	.type = HW_BREAKPOINT_RW, .len = 4,
};

FIXTURE_VARIANT_ADD(sigtrap, RW_len8) {
	.type = HW_BREAKPOINT_RW, .len = 8,
};

/*
 * A fresh event per address keeps every event far below perf's
 * max_samples_per_tick, so no hit can be throttled away.
 */
TEST_F(sigtrap, delivery)
{
	unsigned int off, b;

	for (off = 0; off < 8; off += variant->len) {
		uintptr_t addr = (uintptr_t)&buf[off];
		uint64_t sig_data = 0x5eed0000ull | off << 8 | variant->len;
		int hits = 0;
		int fd;

		fd = sigtrap_event(variant->type, addr, variant->len,
				   sig_data);
		ASSERT_LE(0, fd) TH_LOG("sigtrap event: %s", hwbp_errname(fd));

		for (b = 0; b < 2 * BUF_SIZE; b++) {
			unsigned int byte = b / 2;
			bool is_write = !(b & 1);
			bool hit;

			reset_traps();
			if (is_write) {
				hwbp_store8(&buf[byte], byte);
				hit = write_hits(variant->type, byte, off,
						 variant->len);
			} else {
				hwbp_load8(&buf[byte]);
				hit = read_hits(variant->type, byte, off,
						variant->len);
			}
			hits += hit;
			EXPECT_EQ(hit, nr_traps) {
				TH_LOG("%s len %llu at +%u: %s of byte %u",
				       hwbp_type_name(variant->type),
				       (unsigned long long)variant->len, off,
				       is_write ? "write" : "read", byte);
			}
			if (!nr_traps)
				continue;
			EXPECT_EQ(SIGTRAP, trap_signo);
			EXPECT_EQ(TRAP_PERF, trap_code);
			EXPECT_EQ(addr, trap_addr);
			EXPECT_EQ(sig_data, trap_data);
			EXPECT_EQ(PERF_TYPE_BREAKPOINT, trap_type);
			EXPECT_EQ(0, trap_flags);
		}
		/* With sample_period 1 the count is the number of hits. */
		EXPECT_EQ(hits, hwbp_count(fd));
		close(fd);
	}
}

/*
 * ptrace: the tracer programs u_debugreg like gdb: DR7 = 0 first (which
 * turns every existing slot into a disabled execute breakpoint, valid at
 * any address), then the address into DRn, then DR7 with the slot's
 * enable bit and control nibble. ptrace_write_dr7() (arch/x86/kernel/
 * ptrace.c) then registers or modifies a perf breakpoint, and a refused
 * setting makes the POKEUSER fail with the parser's EINVAL and rolls DR7
 * back: PEEKUSER of DR7 still shows the last accepted value.
 *
 * The child runs rounds: it stops itself with SIGSTOP, then writes and
 * reads each of the 16 buffer bytes and calls x_target(), noting in
 * child_mark which access comes next, so that the tracer can tell which
 * access trapped.
 */
#define MARK_NONE	0
#define MARK_WRITE(b)	(0x100 | (b))
#define MARK_READ(b)	(0x200 | (b))
#define MARK_EXEC	0x300

static volatile long child_mark;

static void tracee(void)
{
	unsigned int b;

	if (ptrace(PTRACE_TRACEME, 0, 0, 0))
		_exit(1);
	for (;;) {
		raise(SIGSTOP);
		for (b = 0; b < BUF_SIZE; b++) {
			child_mark = MARK_WRITE(b);
			hwbp_store8(&buf[b], b);
			child_mark = MARK_READ(b);
			hwbp_load8(&buf[b]);
		}
		child_mark = MARK_EXEC;
		x_target_ptr();
		child_mark = MARK_NONE;
	}
}

static int poke_dr(pid_t pid, int n, unsigned long val)
{
	return ptrace(PTRACE_POKEUSER, pid,
		      offsetof(struct user, u_debugreg[n]), val) ? -errno : 0;
}

static unsigned long peek_dr(pid_t pid, int n)
{
	errno = 0;
	return ptrace(PTRACE_PEEKUSER, pid,
		      offsetof(struct user, u_debugreg[n]), 0);
}

static unsigned long dr7_slot(int slot, unsigned int rw, unsigned int len)
{
	return (DR_LOCAL_ENABLE << (slot * DR_ENABLE_SIZE)) |
	       ((unsigned long)(rw | len) <<
		(DR_CONTROL_SHIFT + slot * DR_CONTROL_SIZE));
}

struct round_result {
	uint32_t writes;	/* bit b: the write of byte b trapped */
	uint32_t reads;
	int execs;
	int bad;		/* traps that were not as the ABI says */
};

/*
 * Let the child run one round and collect its traps. Each SIGTRAP must
 * carry si_code TRAP_HWBKPT, and DR6 as PEEKUSER shows it must have
 * exactly the B bit of @slot and no BS; every access may trap once.
 */
static void run_round(struct __test_metadata *_metadata, pid_t pid, int slot,
		      struct round_result *res)
{
	int status;

	memset(res, 0, sizeof(*res));
	ASSERT_EQ(0, ptrace(PTRACE_CONT, pid, 0, 0));
	for (;;) {
		siginfo_t si;
		unsigned long dr6;
		long mark;

		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFSTOPPED(status)) {
			TH_LOG("child ended: status %#x", status);
		}
		if (WSTOPSIG(status) == SIGSTOP)
			return;
		ASSERT_EQ(SIGTRAP, WSTOPSIG(status));

		ASSERT_EQ(0, ptrace(PTRACE_GETSIGINFO, pid, 0, &si));
		dr6 = peek_dr(pid, 6);
		ASSERT_EQ(0, errno);
		errno = 0;
		mark = ptrace(PTRACE_PEEKDATA, pid, &child_mark, 0);
		ASSERT_EQ(0, errno);

		if (si.si_signo != SIGTRAP || si.si_code != TRAP_HWBKPT ||
		    (dr6 & DR_TRAP_BITS) != 1ul << slot || (dr6 & DR_STEP)) {
			TH_LOG("trap at mark %#lx: signo %d code %d dr6 %#lx",
			       mark, si.si_signo, si.si_code, dr6);
			res->bad++;
		}
		if ((mark & 0xf00) == 0x100 && !(res->writes & 1u << (mark & 31)))
			res->writes |= 1u << (mark & 31);
		else if ((mark & 0xf00) == 0x200 &&
			 !(res->reads & 1u << (mark & 31)))
			res->reads |= 1u << (mark & 31);
		else if (mark == MARK_EXEC && !res->execs)
			res->execs++;
		else {
			TH_LOG("unexpected or repeated trap at mark %#lx",
			       mark);
			res->bad++;
		}
		/* What gdb does after reading DR6. */
		ASSERT_EQ(0, poke_dr(pid, 6, 0));
		ASSERT_EQ(0, ptrace(PTRACE_CONT, pid, 0, 0));
	}
}

FIXTURE(ptrace) {
	pid_t child;
};

FIXTURE_VARIANT(ptrace) {
	uint32_t type;		/* generic type, for the expectations */
	unsigned int rw;	/* DR7 R/W bits */
	unsigned int len_bits;	/* DR7 LEN bits */
	uint64_t len;		/* length in bytes they stand for */
};

FIXTURE_SETUP(ptrace)
{
	int status;

	self->child = fork();
	ASSERT_LE(0, self->child);
	if (self->child == 0)
		tracee();
	ASSERT_EQ(self->child, waitpid(self->child, &status, 0));
	ASSERT_TRUE(WIFSTOPPED(status));
	ASSERT_EQ(SIGSTOP, WSTOPSIG(status));
}

FIXTURE_TEARDOWN(ptrace)
{
	if (self->child > 0)
		hwbp_reap(self->child);
}

FIXTURE_VARIANT_ADD(ptrace, W_len1) {
	.type = HW_BREAKPOINT_W, .rw = DR_RW_WRITE,
	.len_bits = DR_LEN_1, .len = 1,
};

FIXTURE_VARIANT_ADD(ptrace, W_len2) {
	.type = HW_BREAKPOINT_W, .rw = DR_RW_WRITE,
	.len_bits = DR_LEN_2, .len = 2,
};

FIXTURE_VARIANT_ADD(ptrace, W_len4) {
	.type = HW_BREAKPOINT_W, .rw = DR_RW_WRITE,
	.len_bits = DR_LEN_4, .len = 4,
};

FIXTURE_VARIANT_ADD(ptrace, W_len8) {
	.type = HW_BREAKPOINT_W, .rw = DR_RW_WRITE,
	.len_bits = DR_LEN_8, .len = 8,
};

FIXTURE_VARIANT_ADD(ptrace, RW_len1) {
	.type = HW_BREAKPOINT_RW, .rw = DR_RW_READ,
	.len_bits = DR_LEN_1, .len = 1,
};

FIXTURE_VARIANT_ADD(ptrace, RW_len2) {
	.type = HW_BREAKPOINT_RW, .rw = DR_RW_READ,
	.len_bits = DR_LEN_2, .len = 2,
};

FIXTURE_VARIANT_ADD(ptrace, RW_len4) {
	.type = HW_BREAKPOINT_RW, .rw = DR_RW_READ,
	.len_bits = DR_LEN_4, .len = 4,
};

FIXTURE_VARIANT_ADD(ptrace, RW_len8) {
	.type = HW_BREAKPOINT_RW, .rw = DR_RW_READ,
	.len_bits = DR_LEN_8, .len = 8,
};

/* Execute: only LEN bits 00 are valid (arch_bp_generic_fields()). */
FIXTURE_VARIANT_ADD(ptrace, X_len1) {
	.type = HW_BREAKPOINT_X, .rw = DR_RW_EXECUTE,
	.len_bits = DR_LEN_1, .len = 1,
};

FIXTURE_VARIANT_ADD(ptrace, X_len2) {
	.type = HW_BREAKPOINT_X, .rw = DR_RW_EXECUTE,
	.len_bits = DR_LEN_2, .len = 2,
};

FIXTURE_VARIANT_ADD(ptrace, X_len4) {
	.type = HW_BREAKPOINT_X, .rw = DR_RW_EXECUTE,
	.len_bits = DR_LEN_4, .len = 4,
};

FIXTURE_VARIANT_ADD(ptrace, X_len8) {
	.type = HW_BREAKPOINT_X, .rw = DR_RW_EXECUTE,
	.len_bits = DR_LEN_8, .len = 8,
};

/* R/W bits 10 are I/O breakpoints, which ptrace refuses. */
FIXTURE_VARIANT_ADD(ptrace, IO_len1) {
	.type = 0, .rw = DR_RW_IO,
	.len_bits = DR_LEN_1, .len = 1,
};

static bool ptrace_accepts(uint32_t type, unsigned int len_bits,
			   uint64_t len, unsigned int off)
{
	if (type == HW_BREAKPOINT_X)
		return len_bits == DR_LEN_1;
	if (!type)
		return false;
	return !(off % len);
}

TEST_F(ptrace, matrix)
{
	pid_t pid = self->child;
	struct round_result res;
	unsigned int off, b;

	for (off = 0; off < 8; off++) {
		int slot = off % 4;	/* use all four registers */
		unsigned long dr7 = dr7_slot(slot, variant->rw,
					     variant->len_bits);
		bool ok = ptrace_accepts(variant->type, variant->len_bits,
					 variant->len, off);
		uint32_t want_w = 0, want_r = 0;
		int ret;

		ASSERT_EQ(0, poke_dr(pid, 7, 0));
		ASSERT_EQ(0, poke_dr(pid, slot, (uintptr_t)&buf[off]));
		ret = poke_dr(pid, 7, dr7);
		EXPECT_EQ(ok ? 0 : -EINVAL, ret) {
			TH_LOG("DR7 %#lx for DR%d = buf+%u: %s", dr7, slot,
			       off, hwbp_errname(ret));
		}
		/* DR7 shows the last value ptrace accepted. */
		EXPECT_EQ(ret ? 0 : dr7, peek_dr(pid, 7));
		EXPECT_EQ((uintptr_t)&buf[off], peek_dr(pid, slot));

		if (!ret && variant->type != HW_BREAKPOINT_X) {
			for (b = 0; b < BUF_SIZE; b++) {
				if (write_hits(variant->type, b, off,
					       variant->len))
					want_w |= 1u << b;
				if (read_hits(variant->type, b, off,
					      variant->len))
					want_r |= 1u << b;
			}
		}
		run_round(_metadata, pid, slot, &res);
		EXPECT_EQ(0, res.bad);
		EXPECT_EQ(want_w, res.writes) {
			TH_LOG("DR%d = buf+%u DR7 %#lx: write traps %#x, want %#x",
			       slot, off, dr7, res.writes, want_w);
		}
		EXPECT_EQ(want_r, res.reads) {
			TH_LOG("DR%d = buf+%u DR7 %#lx: read traps %#x, want %#x",
			       slot, off, dr7, res.reads, want_r);
		}
		EXPECT_EQ(0, res.execs);
	}

	/* An accepted execute breakpoint on the function traps its call. */
	if (variant->type == HW_BREAKPOINT_X && variant->len_bits == DR_LEN_1) {
		unsigned long dr7 = dr7_slot(3, DR_RW_EXECUTE, DR_LEN_1);

		ASSERT_EQ(0, poke_dr(pid, 7, 0));
		ASSERT_EQ(0, poke_dr(pid, 3, (uintptr_t)x_target));
		ASSERT_EQ(0, poke_dr(pid, 7, dr7));
		run_round(_metadata, pid, 3, &res);
		EXPECT_EQ(0, res.bad);
		EXPECT_EQ(1, res.execs);
		EXPECT_EQ(0, res.writes);
		EXPECT_EQ(0, res.reads);
	}

	/* Disabled in DR7: no more traps. */
	ASSERT_EQ(0, poke_dr(pid, 7, 0));
	run_round(_metadata, pid, 0, &res);
	EXPECT_EQ(0, res.writes | res.reads | res.execs | res.bad);
}

TEST_HARNESS_MAIN
