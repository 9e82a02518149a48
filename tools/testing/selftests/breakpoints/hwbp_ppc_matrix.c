// SPDX-License-Identifier: GPL-2.0
/*
 * powerpc (Book3S 64) data watchpoints with exact hit counts, against the
 * ABI of our backend (arch/powerpc/kernel/hw_breakpoint.c) and of the
 * ptrace interface on top of it (arch/powerpc/kernel/ptrace/ptrace-noadv.c,
 * upstream's):
 *
 * perf_event_open(PERF_TYPE_BREAKPOINT), task-bound, counting:
 *  - bp_type R, W or RW. X is refused, by the core, with EOPNOTSUPP: there
 *    are no instruction breakpoint slots on powerpc (as hwbp_errno checks).
 *  - bp_len 1..512 at any address. The DAWR watches whole doublewords, so
 *    the span covered is [ALIGN_DOWN(addr, 8), ALIGN(addr + len, 8)). It
 *    must be at most 512 bytes, and before ISA v3.1 (POWER10: AT_HWCAP2
 *    has PPC_FEATURE2_ARCH_3_1) it must not cross a 512-byte boundary.
 *    With a DABR only (GETHWDBGINFO without PPC_DEBUG_FEATURE_DATA_BP_DAWR)
 *    the span is one doubleword. Everything else is EINVAL, bp_len 0 and
 *    bp_len > 512 included.
 *  - Exact hits. The hardware also fires for accesses that only share a
 *    doubleword with the range; those are not counted. An access counts
 *    exactly once iff the bytes it touches overlap [addr, addr + len) and
 *    it is of the watched kind (a load for R, a store for W, either for
 *    RW). An access that starts below the range and ends inside it counts;
 *    one that ends just below it or starts just after it does not.
 *  - Slots: POWER10 has two DAWRs (the harness runs QEMU with
 *    cap-dawr1=on), POWER8 and POWER9 one, as the "cpu" line of
 *    /proc/cpuinfo names the CPU. That many pinned events fit on a task,
 *    one more is ENOSPC. Two DAWRs armed at once, on different ranges or
 *    on ranges sharing a doubleword, each count only their own accesses.
 *
 * ptrace, PPC_PTRACE_SETHWDEBUG on a stopped tracee:
 *  - trigger READ, WRITE or RW, CONDITION_NONE; MODE_EXACT watches the one
 *    byte at addr (addr2 is ignored); MODE_RANGE_INCLUSIVE watches
 *    [addr, addr2): despite the name, ppc_set_hwdebug() makes the length
 *    addr2 - addr, so addr2 itself is not watched (upstream's
 *    ptrace-hwbreak passes addr2 = addr + len). addr is not aligned down.
 *    The watchpoint becomes a perf breakpoint of that address and length,
 *    so the limits above apply: EINVAL for addr2 == addr, a span over 512
 *    bytes, or one crossing 512 bytes before POWER10. Other trigger types,
 *    conditions and modes are EINVAL. The return value is the handle,
 *    1..slots; one more is ENOSPC. DELHWDEBUG takes the handle: 0, then
 *    ENOENT once it is gone, EINVAL outside 1..slots.
 *  - Exact hits as above: a hit stops the tracee with SIGTRAP, si_code
 *    TRAP_HWBKPT, before the access (NIP is the load or store itself, and
 *    a store has not written yet), si_addr the DAR, which is in the bytes
 *    the access touches (the window checked is [ALIGN_DOWN(ea, 8),
 *    ea + size), allowing hardware that reports the doubleword). A false
 *    hit does not stop the tracee. The watchpoint is one-shot: the hit
 *    disables it (ptrace_triggered()), so PTRACE_CONT completes the access
 *    without a second stop, and later accesses do not stop either until
 *    the tracer deletes and sets it again.
 *
 * The accesses are single X-form instructions written in asm: lbzx/stbx,
 * lhzx/sthx, lwzx/stwx, ldx/stdx and, for 16 bytes, lxvd2x/stxvd2x (VSX,
 * baseline on ppc64le). For a watched range [a, a + len) each size is
 * placed just below (ends at a - 1), straddling the start (its last byte
 * is a), at the start, at the end (its last byte is a + len - 1),
 * straddling the end (its first byte is a + len - 1) and just above
 * (starts at a + len), as a load and as a store; the count (or the stop)
 * is checked after each access.
 *
 * The tests:
 *  - matrix.<start>.near: every length 1..512, each type, from 6 start
 *    offsets (+0, +1, +7 from a 512-byte boundary; -8, -3, -1 below one):
 *    accepted or refused as the limits say, and the exact count of every
 *    access that touches the first doubleword of the span or none of it;
 *  - matrix.<start>.far: the same watchpoints (those wider than a
 *    doubleword), the accesses that touch the span only beyond its first
 *    doubleword;
 *  - perf_einval: lengths 0, 513, 1024, 0x10008, ~0, spans over 512 bytes,
 *    execute;
 *  - two_dawrs: two events at once (ISA v3.1 with 2 slots): disjoint, in
 *    one doubleword ([x, x + 3) and [x + 5, x + 8)), and on the same bytes
 *    one R and one W;
 *  - slots: GETHWDBGINFO's count, pinned perf events and SETHWDEBUG
 *    handles up to the slots and ENOSPC after, DELHWDEBUG's errors;
 *  - dbginfo: what GETHWDBGINFO reports;
 *  - perf_user_only: exclude_kernel/exclude_hv events count too;
 *  - ptrace.<setting>.near and .far: EXACT W/R/RW at +0/+3/+7, RANGE
 *    lengths 1, 8, 5, 13, 8 across a 512-byte boundary, 512, 511; the
 *    near/far split as for the matrix; one setting per access;
 *  - ptrace_einval: the refused SETHWDEBUG requests;
 *  - ptrace_two_slots_one_shot: two ptrace watchpoints, each disabled by
 *    its own hit only.
 *
 * QEMU 10.0 (pseries, TCG) gets two DAWRX fields wrong (target/ppc,
 * ppc_update_daw() and ppc_cpu_debug_check_watchpoint()):
 *  - PR is read from bit 62 (SV): a watchpoint limited to user space
 *    never fires. The events that must fire therefore watch every
 *    privilege level (exclude_kernel = exclude_hv = 0; the harness runs
 *    the tests as root); nothing but the test's own user code touches the
 *    watched page, so the counts are the same. perf_user_only fails there.
 *  - MRD is extracted from bits 43:48 instead of 48:53, so the watched
 *    length is 8 bytes (16 when MRD >= 32) whatever the span: accesses
 *    beyond the first doubleword of a wider span never fire. The "far"
 *    tests (matrix.*.far, ptrace.*.far) fail there, for any backend;
 *    everything else passes with a correct backend. (On the upstream
 *    backend, the mismatch counts of a run with both parts together were
 *    exactly those this decoding predicts.)
 * Under QEMU, "-T far -T perf_user_only" runs the tests that must pass,
 * "-t far -t perf_user_only" the expected failures.
 *
 * Size: on POWER10 the matrix opens about 9,200 "near" events and 9,100
 * "far" ones, which check about 290,000 and 260,000 accesses (each
 * followed by a read() of the count); on POWER8 much fewer are accepted.
 * The ptrace tests do about 600 accesses, a SETHWDEBUG, a stop or two and
 * a DELHWDEBUG each. QEMU TCG on the 2-core build host did 37,000 checked
 * accesses a second (POWER10, 4 vCPUs, upstream backend, a kernel build
 * running beside it): about 15 s for the matrix, under 25 s in all.
 * Each matrix test logs its counts and time.
 */
#ifndef __powerpc64__
/* ARCH=powerpc also builds for 32-bit CPUs, whose debug facilities differ. */
#include "../kselftest.h"

int main(void)
{
	ksft_print_header();
	ksft_exit_skip("hwbp_ppc_matrix tests the 64-bit Book3S backend\n");
}
#else
#include <stddef.h>
#include <time.h>
#include <sys/auxv.h>
#include <sys/mman.h>

#include "../kselftest_harness.h"
#include "hwbp_util.h"

#ifndef PPC_FEATURE2_ARCH_2_07
#define PPC_FEATURE2_ARCH_2_07	0x80000000
#endif
#ifndef PPC_FEATURE2_ARCH_3_1
#define PPC_FEATURE2_ARCH_3_1	0x00040000
#endif
#ifndef TRAP_HWBKPT
#define TRAP_HWBKPT		4
#endif

#define DW		8ul		/* the DAWR's granule */
#define BLOCK		512ul		/* pre-ISA v3.1 DAWR ranges stay in one */
#define MAX_LEN		512ul

#define ALIGN_DN(x, a)	((x) & ~((a) - 1))
#define ALIGN_UP(x, a)	(((x) + (a) - 1) & ~((a) - 1))

/* How many mismatches a test prints before it only counts them. */
#define MAX_LOGGED	24

/* --- the machine --------------------------------------------------------- */

struct ppc_hw {
	char cpu[64];		/* the "cpu" line of /proc/cpuinfo */
	int gen;		/* 8, 9, 10, ...: POWERn; 0 if not known */
	bool arch31;		/* ISA v3.1: a range may cross 512 bytes */
	bool dawr;		/* DAWR, else DABR (one doubleword) */
	int slots;		/* the slots the CPU has, as the ABI says */
	struct ppc_debug_info info;
};

static void read_cpu_line(struct ppc_hw *hw)
{
	char line[256], *p;
	FILE *f = fopen("/proc/cpuinfo", "r");

	snprintf(hw->cpu, sizeof(hw->cpu), "?");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "cpu", 3) || (line[3] != ' ' && line[3] != '\t' &&
						 line[3] != ':'))
			continue;
		p = strchr(line, ':');
		if (!p)
			continue;
		for (p++; *p == ' ' || *p == '\t'; p++)
			;
		p[strcspn(p, "\n")] = 0;
		snprintf(hw->cpu, sizeof(hw->cpu), "%s", p);
		if (!strncmp(p, "POWER", 5))
			hw->gen = atoi(p + 5);
		break;
	}
	fclose(f);
}

/* 0, or a reason to skip. */
static const char *probe_hw(struct ppc_hw *hw)
{
	int ret;

	memset(hw, 0, sizeof(*hw));
	read_cpu_line(hw);
	hw->arch31 = !!(getauxval(AT_HWCAP2) & PPC_FEATURE2_ARCH_3_1);
	ret = hwbp_ppc_dbginfo(&hw->info);
	if (ret)
		return "PPC_PTRACE_GETHWDBGINFO failed";
	if (!hw->info.num_data_bps)
		return "no usable data watchpoint (e.g. POWER9 before DD2.3)";
	hw->dawr = !!(hw->info.features & PPC_DEBUG_FEATURE_DATA_BP_DAWR);
	if (hw->gen >= 10)
		hw->slots = 2;
	else if (hw->gen == 8 || hw->gen == 9)
		hw->slots = 1;
	else
		hw->slots = hw->info.num_data_bps;	/* not a known CPU */
	return NULL;
}

/* What perf_event_open() (or SETHWDEBUG) must say to [addr, addr + len). */
static int want_errno(const struct ppc_hw *hw, uint64_t addr, uint64_t len)
{
	uint64_t start, end;

	if (!len || len > MAX_LEN)
		return -EINVAL;
	start = ALIGN_DN(addr, DW);
	end = ALIGN_UP(addr + len, DW);
	if (end - start > (hw->dawr ? MAX_LEN : DW))
		return -EINVAL;
	if (!hw->arch31 && start / BLOCK != (end - 1) / BLOCK)
		return -EINVAL;
	return 0;
}

/* --- accesses ------------------------------------------------------------ */

static const unsigned int sizes[] = { 1, 2, 4, 8, 16 };

enum place {
	P_BELOW, P_STRADDLE_START, P_AT_START, P_AT_END, P_STRADDLE_END,
	P_ABOVE, NR_PLACES,
	P_SCAN = NR_PLACES,	/* not one of the six: a scan of offsets */
};

static const char *const place_name[] = {
	"just below", "straddling the start", "at the start", "at the end",
	"straddling the end", "just above", "scanned",
};

struct acc {
	uintptr_t ea;
	unsigned int size;
	bool store;
	enum place place;
};

#define NR_ACCS	(HWBP_ARRAY_SIZE(sizes) * NR_PLACES * 2)

static uintptr_t place_ea(enum place p, uintptr_t a, uint64_t len,
			  unsigned int size)
{
	switch (p) {
	case P_BELOW:		return a - size;
	case P_STRADDLE_START:	return a - size + 1;
	case P_AT_START:	return a;
	case P_AT_END:		return a + len - size;
	case P_STRADDLE_END:	return a + len - 1;
	default:		return a + len;
	}
}

/* The accesses around [a, a + len), in the order they are done. */
static unsigned int gen_accs(uintptr_t a, uint64_t len, struct acc *accs)
{
	unsigned int s, p, n = 0;
	int st;

	for (s = 0; s < HWBP_ARRAY_SIZE(sizes); s++)
		for (p = 0; p < NR_PLACES; p++)
			for (st = 0; st < 2; st++) {
				accs[n].size = sizes[s];
				accs[n].place = p;
				accs[n].store = st;
				accs[n].ea = place_ea(p, a, len, sizes[s]);
				n++;
			}
	return n;
}

/*
 * Exactly one load or store of @size bytes at @ea, an X-form instruction
 * (EA = (RB)). A store writes @val, repeated in both doublewords for 16.
 */
static __attribute__((noinline)) void ppc_access(uintptr_t ea,
						 unsigned int size, bool store,
						 uint64_t val)
{
	uint64_t v;

	switch (size * 2 + store) {
	case 2:
		asm volatile("lbzx %0,0,%1" : "=r"(v) : "r"(ea) : "memory");
		break;
	case 3:
		asm volatile("stbx %0,0,%1" : : "r"(val), "r"(ea) : "memory");
		break;
	case 4:
		asm volatile("lhzx %0,0,%1" : "=r"(v) : "r"(ea) : "memory");
		break;
	case 5:
		asm volatile("sthx %0,0,%1" : : "r"(val), "r"(ea) : "memory");
		break;
	case 8:
		asm volatile("lwzx %0,0,%1" : "=r"(v) : "r"(ea) : "memory");
		break;
	case 9:
		asm volatile("stwx %0,0,%1" : : "r"(val), "r"(ea) : "memory");
		break;
	case 16:
		asm volatile("ldx %0,0,%1" : "=r"(v) : "r"(ea) : "memory");
		break;
	case 17:
		asm volatile("stdx %0,0,%1" : : "r"(val), "r"(ea) : "memory");
		break;
	case 32:
		/* VSR 32 is VR 0. */
		asm volatile("lxvd2x 32,0,%0" : : "r"(ea) : "v0", "memory");
		break;
	case 33:
		asm volatile("mtvsrd 32,%0\n\t"
			     "xxpermdi 32,32,32,0\n\t"
			     "stxvd2x 32,0,%1"
			     : : "r"(val), "r"(ea) : "v0", "memory");
		break;
	}
}

/* The X-form extended opcode of each access, to recognise it at NIP. */
static unsigned int access_xo(unsigned int size, bool store)
{
	switch (size * 2 + store) {
	case 2:		return 87;	/* lbzx */
	case 3:		return 215;	/* stbx */
	case 4:		return 279;	/* lhzx */
	case 5:		return 407;	/* sthx */
	case 8:		return 23;	/* lwzx */
	case 9:		return 151;	/* stwx */
	case 16:	return 21;	/* ldx */
	case 17:	return 149;	/* stdx */
	case 32:	return 844;	/* lxvd2x */
	default:	return 972;	/* stxvd2x */
	}
}

static bool overlaps(uintptr_t ea, unsigned int size, uintptr_t a,
		     uint64_t len)
{
	return ea < a + len && ea + size > a;
}

static bool must_hit(uint32_t type, uintptr_t a, uint64_t len,
		     const struct acc *x)
{
	uint32_t kind = x->store ? HW_BREAKPOINT_W : HW_BREAKPOINT_R;

	return (type & kind) && overlaps(x->ea, x->size, a, len);
}

/* The watched page, with a page on each side; all of it faulted in. */
struct buf {
	void *map;
	size_t map_len;
	uintptr_t base;		/* the middle page */
};

static int map_buf(struct buf *b)
{
	size_t page = getpagesize();

	b->map_len = 3 * page;
	b->map = mmap(NULL, b->map_len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (b->map == MAP_FAILED)
		return -errno;
	memset(b->map, 0, b->map_len);
	b->base = (uintptr_t)b->map + page;
	return 0;
}

static void unmap_buf(struct buf *b)
{
	if (b->map && b->map != MAP_FAILED)
		munmap(b->map, b->map_len);
	b->map = NULL;
}

/*
 * A SIGTRAP that no perf event asked for (the hardware fired and the
 * backend passed the exception on) is counted, not fatal, so that the
 * test can say where it came from.
 */
static volatile sig_atomic_t stray_traps;
static volatile uintptr_t stray_addr;

static void stray_trap(int sig, siginfo_t *si, void *uc)
{
	stray_traps++;
	stray_addr = (uintptr_t)si->si_addr;
}

static void catch_stray_traps(void)
{
	struct sigaction sa = {
		.sa_sigaction = stray_trap,
		.sa_flags = SA_SIGINFO,
	};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTRAP, &sa, NULL);
	stray_traps = 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* --- perf ---------------------------------------------------------------- */

/* A pinned, task-bound, counting watchpoint on the test itself. */
static int open_wp(uint32_t type, uintptr_t addr, uint64_t len,
		   bool user_only)
{
	struct perf_event_attr attr;

	hwbp_attr_init(&attr, type, addr, len);
	attr.pinned = 1;
	attr.exclude_kernel = user_only;
	attr.exclude_hv = user_only;
	return hwbp_open(&attr, 0, -1);
}

struct wp {
	int fd;
	uint32_t type;
	uintptr_t addr;
	uint64_t len;
	int64_t count;		/* as last read */
};

struct tally {
	long events, accs, hits, bad, logged;
};

/*
 * Do one access and check that each watchpoint counted it iff it must.
 * Offsets are printed from the page the test works in.
 */
static void check_access(struct __test_metadata *_metadata, struct wp *wps,
			 int n, uintptr_t base, const struct acc *x,
			 struct tally *t)
{
	int i;

	ppc_access(x->ea, x->size, x->store, 0x0101010101010101ull *
		   (uint8_t)(t->accs | 1));
	t->accs++;
	for (i = 0; i < n; i++) {
		struct wp *w = &wps[i];
		int64_t now = hwbp_count(w->fd);
		int64_t want = must_hit(w->type, w->addr, w->len, x);

		t->hits += want;
		if (now >= 0 && now - w->count == want) {
			w->count = now;
			continue;
		}
		t->bad++;
		if (t->logged++ < MAX_LOGGED)
			TH_LOG("%s bp at +%#lx len %llu: %u-byte %s at +%#lx (%s): counted %lld, want %lld",
			       hwbp_type_name(w->type), (unsigned long)(w->addr - base),
			       (unsigned long long)w->len, x->size,
			       x->store ? "store" : "load",
			       (unsigned long)(x->ea - base),
			       place_name[x->place],
			       now < 0 ? -1ll : (long long)(now - w->count),
			       (long long)want);
		if (now >= 0)
			w->count = now;
	}
	if (stray_traps) {
		t->bad++;
		if (t->logged++ < MAX_LOGGED)
			TH_LOG("%d stray SIGTRAP(s), si_addr +%#lx, after the %u-byte %s at +%#lx",
			       (int)stray_traps,
			       (unsigned long)(stray_addr - base), x->size,
			       x->store ? "store" : "load",
			       (unsigned long)(x->ea - base));
		stray_traps = 0;
	}
}

/*
 * Which accesses a test checks. A correct DAWR fires for any access to the
 * span; QEMU 10.0 reads DAWRX[MRD] from the wrong bits and fires for the
 * span's first doubleword only (its first two when MRD >= 32). "far"
 * accesses touch the span beyond its first doubleword and not that
 * doubleword: they are checked by tests of their own (matrix.*.far,
 * ptrace.*.far), which fail under QEMU 10.0 whatever the backend.
 */
enum part { NEAR, FAR };

static bool far_access(uintptr_t a, uint64_t len, const struct acc *x)
{
	uintptr_t s = ALIGN_DN(a, DW), e = ALIGN_UP(a + len, DW);

	return overlaps(x->ea, x->size, s, e - s) &&
	       !overlaps(x->ea, x->size, s, DW);
}

static bool wide(uintptr_t a, uint64_t len)
{
	return ALIGN_UP(a + len, DW) - ALIGN_DN(a, DW) > DW;
}

/*
 * One watchpoint of @type on [addr, addr + len): refused as the limits
 * say (checked in the NEAR part), or counting exactly the accesses of
 * @part around it.
 */
static void one_event(struct __test_metadata *_metadata,
		      const struct ppc_hw *hw, uintptr_t base, uint32_t type,
		      uintptr_t addr, uint64_t len, enum part part,
		      struct tally *t)
{
	struct acc accs[NR_ACCS];
	int want = want_errno(hw, addr, len);
	struct wp w = { .type = type, .addr = addr, .len = len };
	unsigned int i, n;

	if (part == FAR && (want || !wide(addr, len)))
		return;
	w.fd = open_wp(type, addr, len, false);
	if (want || w.fd < 0) {
		if (w.fd != want) {
			t->bad++;
			if (t->logged++ < MAX_LOGGED)
				TH_LOG("%s bp at +%#lx len %llu: got %s, want %s",
				       hwbp_type_name(type),
				       (unsigned long)(addr - base),
				       (unsigned long long)len,
				       hwbp_errname(w.fd < 0 ? w.fd : 0),
				       hwbp_errname(want));
		}
		if (w.fd >= 0)
			close(w.fd);
		return;
	}
	t->events++;
	n = gen_accs(addr, len, accs);
	w.count = hwbp_count(w.fd);
	if (w.count != 0) {
		t->bad++;
		TH_LOG("%s bp at +%#lx len %llu: count %lld before any access",
		       hwbp_type_name(type), (unsigned long)(addr - base),
		       (unsigned long long)len, (long long)w.count);
		w.count = w.count < 0 ? 0 : w.count;
	}
	for (i = 0; i < n; i++)
		if (far_access(addr, len, &accs[i]) == (part == FAR))
			check_access(_metadata, &w, 1, base, &accs[i], t);
	close(w.fd);
}

/*
 * The matrix: every length 1..512 and each type from one start offset.
 * The offsets are from the middle page; 1024 and 1536 are 512-byte
 * boundaries. "near" checks the limits and the accesses near the start
 * of the span, "far" the accesses beyond its first doubleword.
 */
static void run_matrix(struct __test_metadata *_metadata,
		       const struct ppc_hw *hw, uintptr_t base,
		       unsigned int start, enum part part)
{
	static const uint32_t types[] = {
		HW_BREAKPOINT_R, HW_BREAKPOINT_W, HW_BREAKPOINT_RW,
	};
	struct tally t = { 0 };
	double t0 = now_s();
	uint64_t len;
	unsigned int i;

	for (len = 1; len <= MAX_LEN; len++)
		for (i = 0; i < HWBP_ARRAY_SIZE(types); i++)
			one_event(_metadata, hw, base, types[i], base + start,
				  len, part, &t);
	TH_LOG("%s (%s, %s): start +%#x: %ld events, %ld accesses, %ld hits in %.1f s",
	       hw->cpu, hw->arch31 ? "ISA v3.1" : "before ISA v3.1",
	       hw->dawr ? "DAWR" : "DABR", start, t.events, t.accs, t.hits,
	       now_s() - t0);
	EXPECT_EQ(0, t.bad) TH_LOG("%ld mismatches", t.bad);
}

FIXTURE(matrix) {
	struct ppc_hw hw;
	struct buf buf;
};

FIXTURE_VARIANT(matrix) {
	unsigned int start;
};

/* On a 512-byte boundary: 512 bytes fill the block exactly. */
FIXTURE_VARIANT_ADD(matrix, dw_0) {
	.start = 1024,
};

FIXTURE_VARIANT_ADD(matrix, dw_1) {
	.start = 1025,
};

FIXTURE_VARIANT_ADD(matrix, dw_7) {
	.start = 1031,
};

/* Below a 512-byte boundary: longer ranges cross it (ISA v3.1 only). */
FIXTURE_VARIANT_ADD(matrix, block_m8) {
	.start = 1536 - 8,
};

FIXTURE_VARIANT_ADD(matrix, block_m3) {
	.start = 1536 - 3,
};

FIXTURE_VARIANT_ADD(matrix, block_m1) {
	.start = 1536 - 1,
};

FIXTURE_SETUP(matrix)
{
	const char *why = probe_hw(&self->hw);

	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, map_buf(&self->buf));
	catch_stray_traps();
}

FIXTURE_TEARDOWN(matrix)
{
	unmap_buf(&self->buf);
}

TEST_F_TIMEOUT(matrix, near, 300)
{
	run_matrix(_metadata, &self->hw, self->buf.base, variant->start, NEAR);
}

TEST_F_TIMEOUT(matrix, far, 300)
{
	run_matrix(_metadata, &self->hw, self->buf.base, variant->start, FAR);
}

/* Limits that the matrix does not reach. */
TEST(perf_einval)
{
	static const uint64_t bad_lens[] = {
		0, MAX_LEN + 1, 1024, 0x10008, ~0ull,
	};
	struct ppc_hw hw;
	const char *why = probe_hw(&hw);
	struct buf b;
	uintptr_t blk;
	unsigned int i;
	int got;

	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, map_buf(&b));
	blk = b.base + 1024;

	for (i = 0; i < HWBP_ARRAY_SIZE(bad_lens); i++) {
		got = open_wp(HW_BREAKPOINT_W, blk, bad_lens[i], false);
		EXPECT_EQ(-EINVAL, got) {
			TH_LOG("W len %#llx: %s, want EINVAL",
			       (unsigned long long)bad_lens[i],
			       hwbp_errname(got < 0 ? got : 0));
		}
		if (got >= 0)
			close(got);
	}

	/* The span, not the length, must fit in 512 bytes. */
	got = open_wp(HW_BREAKPOINT_RW, blk + 1, MAX_LEN, false);
	EXPECT_EQ(-EINVAL, got) TH_LOG("RW len 512 at +1: %s",
				       hwbp_errname(got < 0 ? got : 0));
	if (got >= 0)
		close(got);
	got = open_wp(HW_BREAKPOINT_RW, blk + 7, MAX_LEN - 6, false);
	EXPECT_EQ(-EINVAL, got) TH_LOG("RW len 506 at +7: %s",
				       hwbp_errname(got < 0 ? got : 0));
	if (got >= 0)
		close(got);
	got = open_wp(HW_BREAKPOINT_RW, blk + 7, MAX_LEN - 7, false);
	EXPECT_EQ(want_errno(&hw, blk + 7, MAX_LEN - 7), got < 0 ? got : 0) {
		TH_LOG("RW len 505 at +7: %s", hwbp_errname(got < 0 ? got : 0));
	}
	if (got >= 0)
		close(got);

	/*
	 * No execute: the core finds no instruction slots and says
	 * EOPNOTSUPP before the backend sees the event (hwbp_errno checks
	 * the other types).
	 */
	got = open_wp(HW_BREAKPOINT_X, (uintptr_t)ppc_access, 4, false);
	EXPECT_EQ(-EOPNOTSUPP, got) TH_LOG("X: %s, want EOPNOTSUPP",
					   hwbp_errname(got < 0 ? got : 0));
	if (got >= 0)
		close(got);
	unmap_buf(&b);
}

/* Two DAWRs at once. */
static void two_events(struct __test_metadata *_metadata,
		       const struct ppc_hw *hw, uintptr_t base, struct wp *wps,
		       const struct acc *accs, unsigned int n, struct tally *t)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		int want = want_errno(hw, wps[i].addr, wps[i].len);

		wps[i].fd = open_wp(wps[i].type, wps[i].addr, wps[i].len,
				    false);
		ASSERT_EQ(0, want);
		ASSERT_LE(0, wps[i].fd) {
			TH_LOG("%s bp at +%#lx len %llu: %s",
			       hwbp_type_name(wps[i].type),
			       (unsigned long)(wps[i].addr - base),
			       (unsigned long long)wps[i].len,
			       hwbp_errname(wps[i].fd));
		}
		wps[i].count = 0;
	}
	for (i = 0; i < n; i++)
		check_access(_metadata, wps, 2, base, &accs[i], t);
	close(wps[0].fd);
	close(wps[1].fd);
}

TEST(two_dawrs)
{
	struct acc accs[4 * NR_ACCS];
	struct ppc_hw hw;
	const char *why = probe_hw(&hw);
	struct tally t = { 0 };
	struct buf b;
	struct wp wps[2];
	uintptr_t base, x;
	unsigned int n, s, st;
	int off;

	if (why)
		SKIP(return, "%s", why);
	if (hw.slots < 2)
		SKIP(return, "%s has %d DAWR", hw.cpu, hw.slots);
	ASSERT_EQ(0, map_buf(&b));
	base = b.base;
	catch_stray_traps();

	/*
	 * Disjoint, in two doublewords. (One doubleword each: wider ranges
	 * are the matrix's business, and QEMU 10.0 would miss their far
	 * ends, see far_access().)
	 */
	wps[0] = (struct wp){ .type = HW_BREAKPOINT_W, .addr = base + 1027,
			      .len = 4 };
	wps[1] = (struct wp){ .type = HW_BREAKPOINT_RW, .addr = base + 1533,
			      .len = 3 };
	n = gen_accs(wps[0].addr, wps[0].len, accs);
	n += gen_accs(wps[1].addr, wps[1].len, accs + n);
	two_events(_metadata, &hw, base, wps, accs, n, &t);

	/*
	 * In one doubleword, [x, x + 3) and [x + 5, x + 8): both registers
	 * fire for any access to it, each counts only its own bytes.
	 */
	x = base + 1280;
	n = 0;
	for (s = 0; s < 4; s++)
		for (off = -8; off <= 8; off++)
			for (st = 0; st < 2; st++)
				accs[n++] = (struct acc){
					.ea = x + off, .size = sizes[s],
					.store = st, .place = P_SCAN,
				};
	wps[0] = (struct wp){ .type = HW_BREAKPOINT_RW, .addr = x, .len = 3 };
	wps[1] = (struct wp){ .type = HW_BREAKPOINT_RW, .addr = x + 5,
			      .len = 3 };
	two_events(_metadata, &hw, base, wps, accs, n, &t);

	/* The same bytes, one for loads and one for stores. */
	wps[0] = (struct wp){ .type = HW_BREAKPOINT_R, .addr = x + 2,
			      .len = 5 };
	wps[1] = (struct wp){ .type = HW_BREAKPOINT_W, .addr = x + 2,
			      .len = 5 };
	two_events(_metadata, &hw, base, wps, accs, n, &t);

	EXPECT_EQ(0, t.bad) TH_LOG("%ld mismatches", t.bad);
	unmap_buf(&b);
}

/* Slots: as many as the CPU has DAWRs, for perf and for ptrace. */
static long sethwdebug(pid_t pid, uint32_t trigger, uint32_t mode,
		       uint64_t addr, uint64_t addr2)
{
	struct ppc_hw_breakpoint bp = {
		.version = 1,
		.trigger_type = trigger,
		.addr_mode = mode,
		.condition_mode = PPC_BREAKPOINT_CONDITION_NONE,
		.addr = addr,
		.addr2 = addr2,
	};
	long ret = ptrace(PPC_PTRACE_SETHWDEBUG, pid, 0, &bp);

	return ret < 0 ? -errno : ret;
}

static long delhwdebug(pid_t pid, long handle)
{
	return ptrace(PPC_PTRACE_DELHWDEBUG, pid, 0, handle) < 0 ? -errno : 0;
}

TEST(slots)
{
	struct ppc_hw hw;
	const char *why = probe_hw(&hw);
	int fds[4], i, got;
	long handles[4], h;
	bool seen[4] = { false };
	struct buf b;
	pid_t pid;

	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, map_buf(&b));
	EXPECT_EQ(hw.slots, (int)hw.info.num_data_bps) {
		TH_LOG("%s: GETHWDBGINFO says %u data breakpoints, want %d",
		       hw.cpu, hw.info.num_data_bps, hw.slots);
	}
	ASSERT_GE(2, hw.slots);

	/* perf: pinned events on the task, each on its own doubleword. */
	for (i = 0; i < hw.slots; i++) {
		fds[i] = open_wp(HW_BREAKPOINT_W, b.base + 1024 + 64 * i, 8,
				 false);
		ASSERT_LE(0, fds[i]) {
			TH_LOG("%s: event %d of %d: %s", hw.cpu, i + 1,
			       hw.slots, hwbp_errname(fds[i]));
		}
	}
	got = open_wp(HW_BREAKPOINT_R, b.base + 2048, 1, false);
	EXPECT_EQ(-ENOSPC, got) {
		TH_LOG("%s: event %d: %s, want ENOSPC", hw.cpu, hw.slots + 1,
		       hwbp_errname(got < 0 ? got : 0));
	}
	if (got >= 0)
		close(got);
	close(fds[0]);
	got = open_wp(HW_BREAKPOINT_R, b.base + 2048, 1, false);
	EXPECT_LE(0, got) TH_LOG("after a close: %s", hwbp_errname(got));
	if (got >= 0)
		close(got);
	for (i = 1; i < hw.slots; i++)
		close(fds[i]);

	/* ptrace: handles 1..slots, then ENOSPC. */
	pid = hwbp_stopped_tracee();
	ASSERT_LT(0, pid);
	for (i = 0; i < hw.slots; i++) {
		h = sethwdebug(pid, PPC_BREAKPOINT_TRIGGER_WRITE,
			       PPC_BREAKPOINT_MODE_EXACT, b.base + 1024 + 64 * i,
			       0);
		handles[i] = h;
		EXPECT_TRUE(h >= 1 && h <= hw.slots && !seen[h]) {
			TH_LOG("SETHWDEBUG %d: %ld", i + 1, h);
		}
		if (h >= 1 && h <= hw.slots)
			seen[h] = true;
	}
	h = sethwdebug(pid, PPC_BREAKPOINT_TRIGGER_READ,
		       PPC_BREAKPOINT_MODE_EXACT, b.base + 2048, 0);
	EXPECT_EQ(-ENOSPC, h) TH_LOG("SETHWDEBUG %d: %ld", hw.slots + 1, h);
	EXPECT_EQ(-EINVAL, delhwdebug(pid, 0));
	EXPECT_EQ(-EINVAL, delhwdebug(pid, hw.slots + 1));
	for (i = 0; i < hw.slots; i++) {
		EXPECT_EQ(0, delhwdebug(pid, handles[i]));
		EXPECT_EQ(-ENOENT, delhwdebug(pid, handles[i]));
	}
	/* Every slot is free again. */
	for (i = 0; i < hw.slots; i++)
		EXPECT_LT(0, sethwdebug(pid, PPC_BREAKPOINT_TRIGGER_RW,
					PPC_BREAKPOINT_MODE_RANGE_INCLUSIVE,
					b.base + 1024, b.base + 1032));
	hwbp_reap(pid);
	unmap_buf(&b);
}

/* What GETHWDBGINFO reports. */
TEST(dbginfo)
{
	struct ppc_hw hw;
	const char *why = probe_hw(&hw);
	unsigned long hwcap2 = getauxval(AT_HWCAP2);
	uint64_t f;

	if (why)
		SKIP(return, "%s", why);
	f = hw.info.features;
	EXPECT_EQ(1, hw.info.version);
	EXPECT_EQ(0, hw.info.num_instruction_bps);
	EXPECT_EQ(0, hw.info.num_condition_regs);
	EXPECT_EQ(0, hw.info.sizeof_condition);
	EXPECT_EQ(DW, hw.info.data_bp_alignment);
	EXPECT_TRUE(f & PPC_DEBUG_FEATURE_DATA_BP_RANGE) {
		TH_LOG("features %#llx: no DATA_BP_RANGE", (unsigned long long)f);
	}
	EXPECT_EQ(hw.arch31, !!(f & PPC_DEBUG_FEATURE_DATA_BP_ARCH_31)) {
		TH_LOG("features %#llx, AT_HWCAP2 %#lx", (unsigned long long)f,
		       hwcap2);
	}
	/* POWER8 and POWER10 always have a DAWR; POWER9 DD2.3 and later. */
	if ((hwcap2 & PPC_FEATURE2_ARCH_2_07) && hw.gen != 9)
		EXPECT_TRUE(hw.dawr) {
			TH_LOG("%s: features %#llx without DATA_BP_DAWR",
			       hw.cpu, (unsigned long long)f);
		}
}

/*
 * User-only events (exclude_kernel, exclude_hv). Under QEMU 10.0 they
 * never fire (DAWRX[PR] decoded from the wrong bit): an expected failure
 * there, which must show as one.
 */
#define USER_REPS	8

TEST(perf_user_only)
{
	struct ppc_hw hw;
	const char *why = probe_hw(&hw);
	struct buf b;
	uintptr_t x;
	int64_t got;
	int fd, i;

	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, map_buf(&b));
	catch_stray_traps();
	x = b.base + 2048;
	fd = open_wp(HW_BREAKPOINT_W, x, 8, true);
	ASSERT_LE(0, fd) TH_LOG("user-only W len 8: %s", hwbp_errname(fd));
	for (i = 0; i < USER_REPS; i++) {
		ppc_access(x, 8, true, i);
		ppc_access(x, 8, false, 0);		/* a load: no */
		ppc_access(x - 8, 8, true, i);		/* below: no */
		ppc_access(x + 8, 8, true, i);		/* above: no */
	}
	got = hwbp_count(fd);
	EXPECT_EQ(USER_REPS, got) {
		TH_LOG("user-only W bp: %d stores counted %lld (QEMU 10.0 never fires user-only DAWRs)",
		       USER_REPS, (long long)got);
	}
	EXPECT_EQ(0, stray_traps);
	close(fd);
	unmap_buf(&b);
}

/* --- ptrace -------------------------------------------------------------- */

/* The byte a tracee's store number @i writes. */
static uint8_t pt_pattern(unsigned int i)
{
	return 0x11 + i % 0xe0;
}

/* The tracee: each access of the script, each followed by a SIGSTOP. */
static void pt_tracee(const struct acc *accs, unsigned int n)
{
	unsigned int i;

	if (ptrace(PTRACE_TRACEME, 0, 0, 0))
		_exit(1);
	raise(SIGSTOP);
	for (i = 0; i < n; i++) {
		ppc_access(accs[i].ea, accs[i].size, accs[i].store,
			   0x0101010101010101ull * pt_pattern(i));
		raise(SIGSTOP);
	}
	_exit(0);
}

static pid_t pt_start(const struct acc *accs, unsigned int n)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0)
		pt_tracee(accs, n);
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status) ||
	    WSTOPSIG(status) != SIGSTOP) {
		hwbp_reap(pid);
		return -ECHILD;
	}
	return pid;
}

/* @len bytes of the tracee's memory; 0 or -errno. */
static int pt_peek(pid_t pid, uintptr_t addr, uint8_t *out, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i++) {
		uintptr_t w = ALIGN_DN(addr + i, sizeof(long));
		union {
			long word;
			uint8_t bytes[sizeof(long)];
		} u;

		errno = 0;
		u.word = ptrace(PTRACE_PEEKDATA, pid, w, 0);
		if (errno)
			return -errno;
		out[i] = u.bytes[addr + i - w];
	}
	return 0;
}

static bool all_bytes(const uint8_t *p, unsigned int len, uint8_t v)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		if (p[i] != v)
			return false;
	return true;
}

/*
 * Let the tracee do access @i. Returns 1 if it stopped on a watchpoint
 * first, 0 if not, -1 if the tracee is lost. Checks the stop: SIGTRAP,
 * TRAP_HWBKPT, si_addr in the access, NIP at the access, a store not yet
 * done; then that PTRACE_CONT completes it without a second stop.
 */
static int pt_run_one(struct __test_metadata *_metadata, pid_t pid,
		      uintptr_t base, const struct acc *x, unsigned int i,
		      const char *what, struct tally *t)
{
	const char *kind = x->store ? "store" : "load";
	unsigned long off = x->ea - base;
	int status = 0, extra = 0, hit = 0;
	uint8_t bytes[16];
	unsigned long nip;
	uintptr_t addr;
	siginfo_t si;
	long insn;

	if (ptrace(PTRACE_CONT, pid, 0, 0) || waitpid(pid, &status, 0) != pid ||
	    !WIFSTOPPED(status)) {
		TH_LOG("%s: tracee lost at the %u-byte %s at +%#lx (status %#x)",
		       what, x->size, kind, off, status);
		return -1;
	}
	if (WSTOPSIG(status) != SIGSTOP && WSTOPSIG(status) != SIGTRAP) {
		TH_LOG("%s: %u-byte %s at +%#lx: stopped by signal %d",
		       what, x->size, kind, off, WSTOPSIG(status));
		return -1;
	}
	if (WSTOPSIG(status) == SIGSTOP)
		goto done;
	hit = 1;

	memset(&si, 0, sizeof(si));
	if (ptrace(PTRACE_GETSIGINFO, pid, 0, &si))
		return -1;
	addr = (uintptr_t)si.si_addr;
	if (si.si_code != TRAP_HWBKPT ||
	    addr < ALIGN_DN(x->ea, DW) || addr >= x->ea + x->size) {
		t->bad++;
		if (t->logged++ < MAX_LOGGED)
			TH_LOG("%s: %u-byte %s at +%#lx: si_code %d si_addr +%#lx, want %d and in [+%#lx, +%#lx)",
			       what, x->size, kind, off, si.si_code,
			       (unsigned long)(addr - base), TRAP_HWBKPT,
			       (unsigned long)(ALIGN_DN(x->ea, DW) - base),
			       off + x->size);
	}

	/* Stopped at the access itself: NIP is the load or store. */
	errno = 0;
	nip = ptrace(PTRACE_PEEKUSER, pid, PT_NIP * sizeof(long), 0);
	insn = errno ? -1 : ptrace(PTRACE_PEEKTEXT, pid, nip, 0);
	if (errno || ((uint32_t)insn >> 26) != 31 ||
	    (((uint32_t)insn >> 1) & 0x3ff) != access_xo(x->size, x->store)) {
		t->bad++;
		if (t->logged++ < MAX_LOGGED)
			TH_LOG("%s: %u-byte %s at +%#lx: stopped at %#lx, instruction %#x, not at the access",
			       what, x->size, kind, off, nip, (uint32_t)insn);
	}
	/*
	 * ... and before it: a store has not written yet. (Not checked for
	 * 16 bytes: QEMU does stxvd2x as two 8-byte stores, and may have
	 * done the first when the second one fires.)
	 */
	if (x->store && x->size <= 8 &&
	    (pt_peek(pid, x->ea, bytes, x->size) ||
	     all_bytes(bytes, x->size, pt_pattern(i)))) {
		t->bad++;
		if (t->logged++ < MAX_LOGGED)
			TH_LOG("%s: %u-byte store at +%#lx was done before the stop",
			       what, x->size, off);
	}

	/* One-shot: the access completes without another stop. */
	for (;;) {
		if (ptrace(PTRACE_CONT, pid, 0, 0) ||
		    waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status))
			return -1;
		if (WSTOPSIG(status) == SIGSTOP)
			break;
		if (WSTOPSIG(status) != SIGTRAP || ++extra > 3)
			return -1;
	}
	if (extra) {
		t->bad++;
		if (t->logged++ < MAX_LOGGED)
			TH_LOG("%s: %u-byte %s at +%#lx stopped %d more time(s): not one-shot",
			       what, x->size, kind, off, extra);
	}
done:
	/* Either way the store is done now. */
	if (x->store && (pt_peek(pid, x->ea, bytes, x->size) ||
			 !all_bytes(bytes, x->size, pt_pattern(i)))) {
		t->bad++;
		if (t->logged++ < MAX_LOGGED)
			TH_LOG("%s: %u-byte store at +%#lx not done after the continue",
			       what, x->size, off);
	}
	return hit;
}

FIXTURE(ptrace) {
	struct ppc_hw hw;
	struct buf buf;
	pid_t pid;
};

FIXTURE_VARIANT(ptrace) {
	uint32_t trigger;
	bool exact;
	unsigned int start;	/* from the middle page */
	unsigned int len;	/* addr2 - addr; 1 for EXACT */
};

FIXTURE_VARIANT_ADD(ptrace, exact_W_0) {
	.trigger = PPC_BREAKPOINT_TRIGGER_WRITE, .exact = true,
	.start = 1024, .len = 1,
};

FIXTURE_VARIANT_ADD(ptrace, exact_R_3) {
	.trigger = PPC_BREAKPOINT_TRIGGER_READ, .exact = true,
	.start = 1027, .len = 1,
};

FIXTURE_VARIANT_ADD(ptrace, exact_RW_7) {
	.trigger = PPC_BREAKPOINT_TRIGGER_RW, .exact = true,
	.start = 1031, .len = 1,
};

FIXTURE_VARIANT_ADD(ptrace, range_R_7_1) {
	.trigger = PPC_BREAKPOINT_TRIGGER_READ, .exact = false,
	.start = 1031, .len = 1,
};

FIXTURE_VARIANT_ADD(ptrace, range_W_0_8) {
	.trigger = PPC_BREAKPOINT_TRIGGER_WRITE, .exact = false,
	.start = 1024, .len = 8,
};

FIXTURE_VARIANT_ADD(ptrace, range_R_1_5) {
	.trigger = PPC_BREAKPOINT_TRIGGER_READ, .exact = false,
	.start = 1025, .len = 5,
};

FIXTURE_VARIANT_ADD(ptrace, range_RW_5_13) {
	.trigger = PPC_BREAKPOINT_TRIGGER_RW, .exact = false,
	.start = 1029, .len = 13,
};

/* Across a 512-byte boundary: ISA v3.1 only, EINVAL before. */
FIXTURE_VARIANT_ADD(ptrace, range_W_cross512) {
	.trigger = PPC_BREAKPOINT_TRIGGER_WRITE, .exact = false,
	.start = 1536 - 4, .len = 8,
};

FIXTURE_VARIANT_ADD(ptrace, range_RW_0_512) {
	.trigger = PPC_BREAKPOINT_TRIGGER_RW, .exact = false,
	.start = 1024, .len = 512,
};

FIXTURE_VARIANT_ADD(ptrace, range_W_1_511) {
	.trigger = PPC_BREAKPOINT_TRIGGER_WRITE, .exact = false,
	.start = 1025, .len = 511,
};

FIXTURE_SETUP(ptrace)
{
	const char *why = probe_hw(&self->hw);

	self->pid = 0;
	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, map_buf(&self->buf));
}

FIXTURE_TEARDOWN(ptrace)
{
	if (self->pid > 0)
		hwbp_reap(self->pid);
	unmap_buf(&self->buf);
}

static uint32_t trigger_type(uint32_t trigger)
{
	return (trigger & PPC_BREAKPOINT_TRIGGER_READ ? HW_BREAKPOINT_R : 0) |
	       (trigger & PPC_BREAKPOINT_TRIGGER_WRITE ? HW_BREAKPOINT_W : 0);
}

/*
 * One SETHWDEBUG setting, and the accesses of @part around it, one per
 * setting: set, let the tracee do the access, delete.
 */
static void run_ptrace(struct __test_metadata *_metadata,
		       FIXTURE_DATA(ptrace) *self,
		       const FIXTURE_VARIANT(ptrace) *variant, enum part part)
{
	uintptr_t base = self->buf.base, addr = base + variant->start;
	uint32_t mode = variant->exact ? PPC_BREAKPOINT_MODE_EXACT :
			PPC_BREAKPOINT_MODE_RANGE_INCLUSIVE;
	/* EXACT watches one byte, whatever addr2 says; gdb passes 0. */
	uint64_t addr2 = variant->exact ? 0 : addr + variant->len;
	uint32_t type = trigger_type(variant->trigger);
	int want = want_errno(&self->hw, addr, variant->len);
	struct acc all[NR_ACCS], accs[NR_ACCS];
	struct tally t = { 0 };
	char what[96];
	unsigned int i, n, nr_all;
	long h;
	int hit;

	if (part == FAR && (want || !wide(addr, variant->len)))
		SKIP(return, "one doubleword, or refused: nothing far");
	nr_all = gen_accs(addr, variant->len, all);
	for (i = n = 0; i < nr_all; i++)
		if (far_access(addr, variant->len, &all[i]) == (part == FAR))
			accs[n++] = all[i];
	self->pid = pt_start(accs, n);
	ASSERT_LT(0, self->pid);
	snprintf(what, sizeof(what), "%s %s [+%#lx, +%#lx)",
		 variant->exact ? "EXACT" : "RANGE_INCLUSIVE", hwbp_type_name(type),
		 (unsigned long)(addr - base),
		 (unsigned long)(addr + variant->len - base));

	h = sethwdebug(self->pid, variant->trigger, mode, addr, addr2);
	if (want) {
		EXPECT_EQ(want, h) TH_LOG("%s: SETHWDEBUG %ld", what, h);
		return;
	}
	ASSERT_TRUE(h >= 1 && h <= self->hw.slots) {
		TH_LOG("%s: SETHWDEBUG %ld", what, h);
	}
	for (i = 0; i < n; i++) {
		bool want_hit = must_hit(type, addr, variant->len, &accs[i]);

		if (i) {
			h = sethwdebug(self->pid, variant->trigger, mode, addr,
				       addr2);
			ASSERT_LT(0, h) TH_LOG("%s: SETHWDEBUG %ld", what, h);
		}
		hit = pt_run_one(_metadata, self->pid, base, &accs[i], i, what,
				 &t);
		ASSERT_LE(0, hit);
		t.hits += want_hit;
		if (hit != want_hit) {
			t.bad++;
			if (t.logged++ < MAX_LOGGED)
				TH_LOG("%s: %u-byte %s at +%#lx (%s): %s, want %s",
				       what, accs[i].size,
				       accs[i].store ? "store" : "load",
				       (unsigned long)(accs[i].ea - base),
				       place_name[accs[i].place],
				       hit ? "stopped" : "no stop",
				       want_hit ? "a stop" : "none");
		}
		EXPECT_EQ(0, delhwdebug(self->pid, h));
	}
	EXPECT_EQ(0, t.bad) TH_LOG("%s: %ld mismatches", what, t.bad);
}

TEST_F_TIMEOUT(ptrace, near, 120)
{
	run_ptrace(_metadata, self, variant, NEAR);
}

TEST_F_TIMEOUT(ptrace, far, 120)
{
	run_ptrace(_metadata, self, variant, FAR);
}

/* SETHWDEBUG requests that are refused. */
TEST(ptrace_einval)
{
	struct ppc_hw hw;
	const char *why = probe_hw(&hw);
	struct ppc_hw_breakpoint bp;
	uintptr_t blk;
	struct buf b;
	pid_t pid;
	long h;

	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, map_buf(&b));
	blk = b.base + 1024;
	pid = hwbp_stopped_tracee();
	ASSERT_LT(0, pid);

	/* RANGE: addr2 - addr is the length: 0, 513, negative. */
	h = sethwdebug(pid, PPC_BREAKPOINT_TRIGGER_WRITE,
		       PPC_BREAKPOINT_MODE_RANGE_INCLUSIVE, blk, blk);
	EXPECT_EQ(-EINVAL, h) TH_LOG("RANGE addr2 == addr: %ld", h);
	h = sethwdebug(pid, PPC_BREAKPOINT_TRIGGER_WRITE,
		       PPC_BREAKPOINT_MODE_RANGE_INCLUSIVE, blk, blk + 513);
	EXPECT_EQ(-EINVAL, h) TH_LOG("RANGE of 513: %ld", h);
	h = sethwdebug(pid, PPC_BREAKPOINT_TRIGGER_WRITE,
		       PPC_BREAKPOINT_MODE_RANGE_INCLUSIVE, blk + 8, blk);
	EXPECT_EQ(-EINVAL, h) TH_LOG("RANGE addr2 < addr: %ld", h);
	/* A span of 520 bytes. */
	h = sethwdebug(pid, PPC_BREAKPOINT_TRIGGER_WRITE,
		       PPC_BREAKPOINT_MODE_RANGE_INCLUSIVE, blk + 1,
		       blk + 1 + 512);
	EXPECT_EQ(-EINVAL, h) TH_LOG("RANGE 512 at +1: %ld", h);
	/* Exactly 512 fits. */
	h = sethwdebug(pid, PPC_BREAKPOINT_TRIGGER_WRITE,
		       PPC_BREAKPOINT_MODE_RANGE_INCLUSIVE, blk, blk + 512);
	EXPECT_EQ(want_errno(&hw, blk, 512), h < 0 ? h : 0) {
		TH_LOG("RANGE 512 at +0: %ld", h);
	}
	if (h > 0)
		EXPECT_EQ(0, delhwdebug(pid, h));

	/* Only READ and/or WRITE, CONDITION_NONE, EXACT or RANGE_INCLUSIVE. */
	h = sethwdebug(pid, PPC_BREAKPOINT_TRIGGER_EXECUTE,
		       PPC_BREAKPOINT_MODE_EXACT, blk, 0);
	EXPECT_EQ(-EINVAL, h) TH_LOG("EXECUTE: %ld", h);
	h = sethwdebug(pid, PPC_BREAKPOINT_TRIGGER_EXECUTE |
		       PPC_BREAKPOINT_TRIGGER_WRITE,
		       PPC_BREAKPOINT_MODE_EXACT, blk, 0);
	EXPECT_EQ(-EINVAL, h) TH_LOG("EXECUTE|WRITE: %ld", h);
	h = sethwdebug(pid, 0, PPC_BREAKPOINT_MODE_EXACT, blk, 0);
	EXPECT_EQ(-EINVAL, h) TH_LOG("no trigger: %ld", h);
	h = sethwdebug(pid, PPC_BREAKPOINT_TRIGGER_WRITE,
		       PPC_BREAKPOINT_MODE_RANGE_EXCLUSIVE, blk, blk + 8);
	EXPECT_EQ(-EINVAL, h) TH_LOG("RANGE_EXCLUSIVE: %ld", h);
	h = sethwdebug(pid, PPC_BREAKPOINT_TRIGGER_WRITE,
		       PPC_BREAKPOINT_MODE_MASK, blk, ~7ull);
	EXPECT_EQ(-EINVAL, h) TH_LOG("MASK: %ld", h);
	memset(&bp, 0, sizeof(bp));
	bp.version = 1;
	bp.trigger_type = PPC_BREAKPOINT_TRIGGER_WRITE;
	bp.addr_mode = PPC_BREAKPOINT_MODE_EXACT;
	bp.condition_mode = PPC_BREAKPOINT_CONDITION_AND |
			    PPC_BREAKPOINT_CONDITION_BE(0);
	bp.addr = blk;
	h = ptrace(PPC_PTRACE_SETHWDEBUG, pid, 0, &bp);
	EXPECT_EQ(-EINVAL, h < 0 ? -errno : h) TH_LOG("condition AND: %ld", h);

	/* Nothing above was kept: every slot is still free. */
	for (h = 0; h < hw.slots; h++)
		EXPECT_LT(0, sethwdebug(pid, PPC_BREAKPOINT_TRIGGER_WRITE,
					PPC_BREAKPOINT_MODE_EXACT, blk + h, 0));
	hwbp_reap(pid);
	unmap_buf(&b);
}

/*
 * Two ptrace watchpoints (POWER10): each hit disables only its own, and
 * each stop reports the address of the access that hit.
 */
TEST(ptrace_two_slots_one_shot)
{
	struct ppc_hw hw;
	const char *why = probe_hw(&hw);
	struct tally t = { 0 };
	struct acc accs[6];
	uintptr_t base, xa, xb;
	struct buf b;
	long ha, hb;
	pid_t pid;
	unsigned int i;
	static const int want[] = { 1, 1, 0, 0, 0, 0 };

	if (why)
		SKIP(return, "%s", why);
	if (hw.slots < 2)
		SKIP(return, "%s has %d DAWR", hw.cpu, hw.slots);
	ASSERT_EQ(0, map_buf(&b));
	base = b.base;
	xa = base + 1024 + 3;
	xb = base + 1024 + 256;

	/*
	 * B, then A: a stop each; then B, A again: disabled by their hits;
	 * then the byte below A and above B: never watched.
	 */
	accs[0] = (struct acc){ .ea = xb, .size = 4, .store = true };
	accs[1] = (struct acc){ .ea = xa, .size = 2, .store = true };
	accs[2] = (struct acc){ .ea = xb + 1, .size = 1, .store = true };
	accs[3] = (struct acc){ .ea = xa, .size = 8, .store = true };
	accs[4] = (struct acc){ .ea = xa - 1, .size = 1, .store = true };
	accs[5] = (struct acc){ .ea = xb + 4, .size = 1, .store = true };
	for (i = 0; i < 6; i++)
		accs[i].place = P_SCAN;

	pid = pt_start(accs, 6);
	ASSERT_LT(0, pid);
	ha = sethwdebug(pid, PPC_BREAKPOINT_TRIGGER_WRITE,
			PPC_BREAKPOINT_MODE_RANGE_INCLUSIVE, xa, xa + 4);
	hb = sethwdebug(pid, PPC_BREAKPOINT_TRIGGER_WRITE,
			PPC_BREAKPOINT_MODE_RANGE_INCLUSIVE, xb, xb + 4);
	ASSERT_LT(0, ha) TH_LOG("SETHWDEBUG A: %ld", ha);
	ASSERT_LT(0, hb) TH_LOG("SETHWDEBUG B: %ld", hb);
	EXPECT_NE(ha, hb);
	for (i = 0; i < 6; i++) {
		int hit = pt_run_one(_metadata, pid, base, &accs[i], i,
				     "two slots", &t);

		ASSERT_LE(0, hit);
		EXPECT_EQ(want[i], hit) {
			TH_LOG("access %u: %u-byte store at +%#lx: %s", i,
			       accs[i].size,
			       (unsigned long)(accs[i].ea - base),
			       hit ? "stopped" : "no stop");
		}
	}
	EXPECT_EQ(0, t.bad);
	/* Disabled by the hit, but still set: deleting them works once. */
	EXPECT_EQ(0, delhwdebug(pid, ha));
	EXPECT_EQ(0, delhwdebug(pid, hb));
	EXPECT_EQ(-ENOENT, delhwdebug(pid, ha));
	hwbp_reap(pid);
	unmap_buf(&b);
}

TEST_HARNESS_MAIN

#endif /* __powerpc64__ */
