// SPDX-License-Identifier: GPL-2.0
/*
 * Concurrency: breakpoints come and go while they are being hit.
 *
 * One "hitter" thread per online CPU, pinned there, writes and reads a few
 * shared variables in a loop. One "manager" thread per online CPU, pinned
 * there too, does a fixed number of random operations on watchpoints over
 * those variables: perf_event_open() on a hitter (task-bound) or, as root,
 * on a CPU (CPU-bound), PERF_EVENT_IOC_MODIFY_ATTRIBUTES to another
 * variable or type, enable, disable, reset, read and close. So slots are
 * reserved and released on all CPUs at once, and breakpoints are installed
 * into and removed from CPUs whose tasks are hitting them.
 *
 * Every call must succeed, except perf_event_open(), which may also find
 * the slots full (ENOSPC). No thread may get a SIGTRAP: none of these
 * events asks for one. Counts must never go backwards, nor exceed the
 * hits the watched thread can have made (see HITS_PER_ROUND).
 *
 * Those random events come and go, so how many hits each must have seen
 * is not known. A control event per hitter is: a write watchpoint on a
 * variable of that hitter alone, task-bound to it, opened before the
 * hitter starts and never changed while the churn installs and removes
 * the other events around it. The hitter stores to it once per round, so
 * it must count at least every round, whatever else happens on its CPU
 * (more is possible on x86 under QEMU, see HITS_PER_ROUND). Every few
 * operations a manager also watches private variables of its own through
 * one task-bound breakpoint and checks exact counts across modify,
 * disable, enable and reset; the managers keep CPU-bound events below the
 * slot count of every CPU, so that this breakpoint always fits.
 *
 * The work is bounded by an operation count, not by time, so that a slow
 * emulated guest does the same work, only slower: HWBP_STRESS_ITERS
 * operations per manager (default 400).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>

#include "../kselftest_harness.h"
#include "hwbp_util.h"

#define MAX_THREADS	16
#define NR_VARS		4
#define PER_MANAGER	3	/* open events per manager at most */
#define SELF_EVERY	25	/* a self check every this many operations */
#define SELF_N		7	/* accesses per self-check step */
#define DEFAULT_ITERS	400

/*
 * The most hits one event can count per hitter round. The watched variable
 * is stored once and loaded once per round. But x86 learns which
 * breakpoints hit from DR6, and under QEMU's TCG emulation a debug
 * exception reports there only the first debug register that matched,
 * plus stale B bits of registers that matched earlier accesses: with
 * several breakpoints armed on a CPU, an event can count any access that
 * trapped. arm64 and powerpc find the hit breakpoints from the data
 * address, in the kernel.
 */
#if defined(__x86_64__) || defined(__i386__)
/* Any access that can trap: the shared variables and the control. */
#define HITS_PER_ROUND	(2 * NR_VARS + 1)
#define CTL_PER_ROUND	HITS_PER_ROUND
#else
#define HITS_PER_ROUND	2
#define CTL_PER_ROUND	1
#endif

struct padded {
	volatile long v;
	char pad[64 - sizeof(long)];
};

static struct padded vars[NR_VARS] __aligned(64);

struct hitter {
	pid_t tid;
	int cpu;
	atomic_ullong rounds;	/* each: one store + one load per var, */
				/* and one store to ctl */
	pthread_t th;
	int ctl_fd;		/* the control event, or -1 */
	/* watched by the control event only, alone in its cache line */
	struct padded ctl __aligned(64);
} __aligned(64);


struct event {
	int fd;
	struct perf_event_attr attr;
	int hitter;		/* -1: CPU-bound on cpu */
	int cpu;
	int64_t last;		/* count at the last read */
	uint64_t since;		/* rounds() when counting (re)started */
};

struct manager {
	int idx, cpu;
	uint32_t seed;
	struct event ev[PER_MANAGER];
	int nr_ev;
	/* results */
	int errors;
	char first_error[160];
	unsigned long opens, enospc, modifies, toggles, reads, closes;
	unsigned long self_checks;
	pthread_t th;
	struct padded priv[2];	/* watched by the self checks only */
} __aligned(64);

static struct hitter hitters[MAX_THREADS];
static struct manager managers[MAX_THREADS];
static int nr_threads, slots, cpus[MAX_THREADS];
static atomic_int cpu_bound_on[MAX_THREADS];	/* CPU-bound events per CPU */
static atomic_int hitters_ready;
static atomic_bool go;		/* the control events are open */
/* None of these events sends signals; record any SIGTRAP that comes. */
static atomic_int stray_traps;
static volatile int stray_code;
static void *volatile stray_addr;
static atomic_bool unpinned;	/* a thread could not be pinned */
static atomic_bool stop;
static bool root;

static uint32_t rnd(struct manager *m)
{
	/* xorshift32 */
	m->seed ^= m->seed << 13;
	m->seed ^= m->seed >> 17;
	m->seed ^= m->seed << 5;
	return m->seed;
}

static __printf(2, 3) void fail(struct manager *m, const char *fmt, ...)
{
	va_list ap;

	if (!m->errors++) {
		va_start(ap, fmt);
		vsnprintf(m->first_error, sizeof(m->first_error), fmt, ap);
		va_end(ap);
	}
}

static void on_stray_trap(int sig, siginfo_t *si, void *uc)
{
	if (!atomic_fetch_add(&stray_traps, 1)) {
		stray_code = si->si_code;
		stray_addr = si->si_addr;
	}
}

static void *hitter_main(void *arg)
{
	struct hitter *h = arg;
	int k;

	h->tid = gettid();
	if (hwbp_pin_self(h->cpu))
		atomic_store(&unpinned, true);
	atomic_fetch_add(&hitters_ready, 1);
	while (!atomic_load(&go))
		sched_yield();
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		for (k = 0; k < NR_VARS; k++) {
			hwbp_store_long(&vars[k].v, k);
			hwbp_load_long(&vars[k].v);
		}
		hwbp_store_long(&h->ctl.v, k);
		atomic_fetch_add_explicit(&h->rounds, 1, memory_order_relaxed);
	}
	return NULL;
}

/*
 * The rounds of the only thread that touches what an event watches: its
 * hitter, or the hitter pinned to its CPU.
 */
static uint64_t rounds(struct event *e)
{
	int i;

	if (e->hitter >= 0)
		return atomic_load(&hitters[e->hitter].rounds);
	for (i = 0; i < nr_threads; i++)
		if (cpus[i] == e->cpu)
			return atomic_load(&hitters[i].rounds);
	return 0;
}

static void random_bp(struct manager *m, struct perf_event_attr *attr)
{
	uint32_t type = rnd(m) & 1 ? HW_BREAKPOINT_W : HW_BREAKPOINT_RW;
	int var = rnd(m) % NR_VARS;

	hwbp_attr_init(attr, type, (uintptr_t)&vars[var].v, HWBP_LONG);
	attr->disabled = !(rnd(m) % 4);
}

static void op_open(struct manager *m)
{
	struct event *e = &m->ev[m->nr_ev];
	bool cpu_bound = root && !(rnd(m) % 4);
	int cpu_idx = rnd(m) % nr_threads;

	random_bp(m, &e->attr);
	e->hitter = -1;
	e->cpu = -1;
	if (cpu_bound) {
		/* Leave a slot free on every CPU for the self checks. */
		if (atomic_fetch_add(&cpu_bound_on[cpu_idx], 1) >= slots - 1) {
			atomic_fetch_sub(&cpu_bound_on[cpu_idx], 1);
			return;
		}
		e->cpu = cpus[cpu_idx];
	} else {
		e->hitter = rnd(m) % nr_threads;
	}

	e->since = rounds(e);
	e->fd = hwbp_open(&e->attr, cpu_bound ? -1 : hitters[e->hitter].tid,
			  e->cpu);
	e->last = 0;
	m->opens++;
	if (e->fd >= 0) {
		m->nr_ev++;
		return;
	}
	if (cpu_bound)
		atomic_fetch_sub(&cpu_bound_on[cpu_idx], 1);
	if (e->fd == -ENOSPC)
		m->enospc++;
	else
		fail(m, "open %s: %s", cpu_bound ? "cpu" : "task",
		     hwbp_errname(e->fd));
}

static void op_close(struct manager *m, int i)
{
	struct event *e = &m->ev[i];
	int j;

	if (close(e->fd))
		fail(m, "close: %s", strerror(errno));
	if (e->hitter < 0)
		for (j = 0; j < nr_threads; j++)
			if (cpus[j] == e->cpu)
				atomic_fetch_sub(&cpu_bound_on[j], 1);
	m->ev[i] = m->ev[--m->nr_ev];
	m->closes++;
}

static void op_read(struct manager *m, struct event *e)
{
	int64_t count = hwbp_count(e->fd);
	uint64_t now = rounds(e);

	m->reads++;
	if (count < 0) {
		fail(m, "read: %s", strerror(errno));
		return;
	}
	if (count < e->last)
		fail(m, "count went back from %lld to %lld",
		     (long long)e->last, (long long)count);
	/* Plus a round in flight at either end. */
	if (!atomic_load(&unpinned) &&
	    (uint64_t)count > HITS_PER_ROUND * (now - e->since + 2))
		fail(m, "%s %d %s: count %lld after %llu rounds",
		     e->hitter >= 0 ? "hitter" : "cpu",
		     e->hitter >= 0 ? e->hitter : e->cpu,
		     e->attr.bp_type == HW_BREAKPOINT_W ? "W" : "RW",
		     (long long)count, (unsigned long long)(now - e->since));
	e->last = count;
}

static void op_modify(struct manager *m, struct event *e)
{
	struct perf_event_attr attr = e->attr;
	struct perf_event_attr fresh;
	int ret;

	random_bp(m, &fresh);
	attr.bp_addr = fresh.bp_addr;
	attr.bp_type = fresh.bp_type;
	attr.disabled = fresh.disabled;
	ret = hwbp_modify(e->fd, &attr);
	m->modifies++;
	if (ret)
		fail(m, "modify: %s", hwbp_errname(ret));
	else
		e->attr = attr;
}

static void op_toggle(struct manager *m, struct event *e)
{
	static const unsigned long req[] = {
		PERF_EVENT_IOC_ENABLE, PERF_EVENT_IOC_DISABLE,
		PERF_EVENT_IOC_RESET,
	};
	int which = rnd(m) % 3;
	/* before the reset: hits after it were made after this */
	uint64_t before = rounds(e);
	int ret = hwbp_ioctl(e->fd, req[which], 0);

	m->toggles++;
	if (ret) {
		fail(m, "ioctl %d: %s", which, hwbp_errname(ret));
		return;
	}
	if (req[which] == PERF_EVENT_IOC_RESET) {
		e->last = 0;
		e->since = before;
	}
}

static bool self_count(struct manager *m, int fd, int want,
		       const char *step)
{
	int64_t count = hwbp_count(fd);

	if (count == want)
		return true;
	fail(m, "self check, %s: count %lld, want %d", step, (long long)count,
	     want);
	return false;
}

static bool self_ok(struct manager *m, int ret, const char *step)
{
	if (!ret)
		return true;
	fail(m, "self check, %s: %s", step, hwbp_errname(ret));
	return false;
}

/* Exact counts on this thread's own breakpoint. */
static void self_check(struct manager *m)
{
	volatile long *a = &m->priv[0].v, *b = &m->priv[1].v;
	struct perf_event_attr attr;
	int fd, i;

	hwbp_attr_init(&attr, HW_BREAKPOINT_W, (uintptr_t)a, HWBP_LONG);
	fd = hwbp_open(&attr, gettid(), -1);
	if (fd < 0) {
		fail(m, "self check, open: %s", hwbp_errname(fd));
		return;
	}
	hwbp_store_n(a, SELF_N);
	if (!self_count(m, fd, SELF_N, "open"))
		goto out;

	attr.bp_addr = (uintptr_t)b;
	if (!self_ok(m, hwbp_modify(fd, &attr), "modify"))
		goto out;
	hwbp_store_n(a, SELF_N);
	hwbp_store_n(b, SELF_N);
	if (!self_count(m, fd, 2 * SELF_N, "modified"))
		goto out;

	if (!self_ok(m, hwbp_ioctl(fd, PERF_EVENT_IOC_DISABLE, 0), "disable"))
		goto out;
	hwbp_store_n(b, SELF_N);
	if (!self_count(m, fd, 2 * SELF_N, "disabled"))
		goto out;
	if (!self_ok(m, hwbp_ioctl(fd, PERF_EVENT_IOC_ENABLE, 0), "enable"))
		goto out;
	hwbp_store_n(b, SELF_N);
	if (!self_count(m, fd, 3 * SELF_N, "enabled"))
		goto out;

	attr.bp_type = HW_BREAKPOINT_RW;
	if (!self_ok(m, hwbp_modify(fd, &attr), "modify type"))
		goto out;
	for (i = 0; i < SELF_N; i++)
		hwbp_load_long(b);
	if (!self_count(m, fd, 4 * SELF_N, "RW"))
		goto out;

	if (!self_ok(m, hwbp_ioctl(fd, PERF_EVENT_IOC_RESET, 0), "reset"))
		goto out;
	hwbp_store_long(b, 1);
	if (!self_count(m, fd, 1, "reset"))
		goto out;
	m->self_checks++;
out:
	close(fd);
}

static int iterations(void)
{
	const char *env = getenv("HWBP_STRESS_ITERS");

	return env && atoi(env) > 0 ? atoi(env) : DEFAULT_ITERS;
}

static void *manager_main(void *arg)
{
	struct manager *m = arg;
	int n = iterations(), i;

	if (hwbp_pin_self(m->cpu))
		atomic_store(&unpinned, true);
	for (i = 0; i < n; i++) {
		uint32_t op = rnd(m) % 8;
		struct event *e = m->nr_ev ? &m->ev[rnd(m) % m->nr_ev] : NULL;

		if (!(i % SELF_EVERY)) {
			self_check(m);
			continue;
		}
		if (!e || (op < 2 && m->nr_ev < PER_MANAGER)) {
			op_open(m);
			continue;
		}
		switch (op) {
		case 0: case 1: case 2:
			op_modify(m, e);
			break;
		case 3: case 4:
			op_toggle(m, e);
			break;
		case 5: case 6:
			op_read(m, e);
			break;
		default:
			op_read(m, e);
			op_close(m, e - m->ev);
			break;
		}
	}
	while (m->nr_ev)
		op_close(m, m->nr_ev - 1);
	return NULL;
}

/*
 * The control events, one per hitter, before any hitter runs a round.
 * Each takes one of its hitter's slots for the whole run; with a single
 * slot that would leave no room for any other event on the hitters, so
 * then only hitter 0 gets one.
 */
static void open_controls(struct __test_metadata *_metadata)
{
	struct perf_event_attr attr;
	int i, nr = slots > 1 ? nr_threads : 1;

	for (i = 0; i < nr_threads; i++)
		hitters[i].ctl_fd = -1;
	for (i = 0; i < nr; i++) {
		struct hitter *h = &hitters[i];

		hwbp_attr_init(&attr, HW_BREAKPOINT_W, (uintptr_t)&h->ctl.v,
			       HWBP_LONG);
		h->ctl_fd = hwbp_open(&attr, h->tid, -1);
		ASSERT_LE(0, h->ctl_fd) {
			TH_LOG("control on hitter %d: %s", i,
			       hwbp_errname(h->ctl_fd));
		}
	}
}

/*
 * After the hitters stopped: every round stored to the hitter's control
 * variable once, and its control event was enabled all along.
 */
static void check_controls(struct __test_metadata *_metadata)
{
	int i;

	for (i = 0; i < nr_threads; i++) {
		struct hitter *h = &hitters[i];
		uint64_t r = atomic_load(&h->rounds);
		int64_t count;

		if (h->ctl_fd < 0)
			continue;
		count = hwbp_count(h->ctl_fd);
		close(h->ctl_fd);
		h->ctl_fd = -1;
		ksft_print_msg("hitter %d: control counted %lld\n", i,
			       (long long)count);
		EXPECT_LE(0, count);
		EXPECT_LE(r, (uint64_t)count) {
			TH_LOG("hitter %d (cpu %d): control counted %lld of %llu stores",
			       i, h->cpu, (long long)count,
			       (unsigned long long)r);
		}
		EXPECT_GE(CTL_PER_ROUND * r, (uint64_t)count) {
			TH_LOG("hitter %d (cpu %d): control counted %lld, at most %llu can trap",
			       i, h->cpu, (long long)count,
			       (unsigned long long)(CTL_PER_ROUND * r));
		}
	}
}

/* Nothing may stay reserved: every slot of this task and of each CPU. */
static void check_all_free(struct __test_metadata *_metadata)
{
	struct perf_event_attr attr;
	int fds[64], n, i, fd;

	hwbp_attr_init(&attr, HW_BREAKPOINT_W, (uintptr_t)&vars[0].v,
		       HWBP_LONG);
	attr.disabled = 1;
	for (i = -1; i < (root ? nr_threads : 0); i++) {
		int cpu = i < 0 ? -1 : cpus[i];

		for (n = 0; n < slots; n++) {
			fds[n] = hwbp_open(&attr, cpu < 0 ? 0 : -1, cpu);
			if (fds[n] < 0)
				break;
		}
		EXPECT_EQ(slots, n) {
			TH_LOG("%s %d: only %d of %d slots free (%s)",
			       cpu < 0 ? "task" : "cpu", cpu, n, slots,
			       hwbp_errname(fds[n]));
		}
		fd = hwbp_open(&attr, cpu < 0 ? 0 : -1, cpu);
		EXPECT_EQ(-ENOSPC, fd);
		if (fd >= 0)
			close(fd);
		while (n-- > 0)
			close(fds[n]);
	}
}

FIXTURE(stress) {
};

FIXTURE_SETUP(stress)
{
}

FIXTURE_TEARDOWN(stress)
{
}

/* The work is bounded by HWBP_STRESS_ITERS; the time only by the guest. */
TEST_F_TIMEOUT(stress, churn, 600)
{
	int cpu, i;
	unsigned long total_opens = 0, total_enospc = 0, self_checks = 0;

	struct sigaction sa = {
		.sa_sigaction = on_stray_trap,
		.sa_flags = SA_SIGINFO,
	};

	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGTRAP, &sa, NULL));
	root = !geteuid();
	slots = hwbp_data_slots();
	ASSERT_LT(0, slots);
	nr_threads = 0;
	for (cpu = 0; cpu < hwbp_nr_cpus() && nr_threads < MAX_THREADS; cpu++)
		if (hwbp_cpu_online(cpu))
			cpus[nr_threads++] = cpu;
	ASSERT_LT(0, nr_threads);

	for (i = 0; i < nr_threads; i++) {
		hitters[i].cpu = cpus[i];
		ASSERT_EQ(0, pthread_create(&hitters[i].th, NULL, hitter_main,
					    &hitters[i]));
	}
	while (atomic_load(&hitters_ready) < nr_threads)
		sched_yield();
	open_controls(_metadata);
	atomic_store(&go, true);

	for (i = 0; i < nr_threads; i++) {
		managers[i].idx = i;
		managers[i].cpu = cpus[i];
		managers[i].seed = 0x9e3779b9u * (i + 1);
		ASSERT_EQ(0, pthread_create(&managers[i].th, NULL,
					    manager_main, &managers[i]));
	}
	for (i = 0; i < nr_threads; i++)
		ASSERT_EQ(0, pthread_join(managers[i].th, NULL));
	atomic_store(&stop, true);
	for (i = 0; i < nr_threads; i++)
		ASSERT_EQ(0, pthread_join(hitters[i].th, NULL));

	for (i = 0; i < nr_threads; i++) {
		struct manager *m = &managers[i];

		EXPECT_EQ(0, m->errors) {
			TH_LOG("manager %d: %d errors, first: %s", i,
			       m->errors, m->first_error);
		}
		total_opens += m->opens;
		total_enospc += m->enospc;
		self_checks += m->self_checks;
		ksft_print_msg("manager %d (cpu %d): %lu opens (%lu ENOSPC), %lu modifies, %lu ioctls, %lu reads, %lu closes, %lu self checks\n",
			       i, m->cpu, m->opens, m->enospc, m->modifies,
			       m->toggles, m->reads, m->closes,
			       m->self_checks);
	}
	for (i = 0; i < nr_threads; i++) {
		ksft_print_msg("hitter %d (cpu %d): %llu rounds\n", i,
			       hitters[i].cpu,
			       (unsigned long long)hitters[i].rounds);
	}
	check_controls(_metadata);
	if (atomic_load(&unpinned))
		ksft_print_msg("a thread could not be pinned: counts not bounded\n");
	EXPECT_EQ(0, atomic_load(&stray_traps)) {
		TH_LOG("SIGTRAP: si_code %d, si_addr %p (vars at %p)",
		       stray_code, stray_addr, (void *)vars);
	}
	/* The churn did happen. */
	EXPECT_LT(total_enospc, total_opens);
	EXPECT_LT(0, self_checks);
	check_all_free(_metadata);
}

TEST_HARNESS_MAIN
