// SPDX-License-Identifier: GPL-2.0
/*
 * Breakpoints with attr.sigtrap: each hit is a synchronous SIGTRAP.
 *
 * perf_bp_event() samples attr.bp_addr; the overflow of a sigtrap event
 * (kernel/events/core.c __perf_event_overflow()) queues task work that
 * sends, before the hitting thread returns to user space, one SIGTRAP to
 * that very thread (perf_sigtrap() -> send_sig_perf()) with si_code
 * TRAP_PERF, si_addr = bp_addr, si_perf_data = attr.sig_data,
 * si_perf_type = PERF_TYPE_BREAKPOINT, and si_perf_flags
 * TRAP_PERF_FLAG_ASYNC only if SIGTRAP was blocked. sigtrap needs
 * remove_on_exec (perf_copy_attr()); such events are inherited by fork
 * and threads, but not by clone(CLONE_CLEAR_SIGHAND)
 * (inherit_task_group()), and are gone after exec, whose default SIGTRAP
 * disposition would kill the new image.
 *
 * One event at a time, with a fresh event for each scenario, so that no
 * event comes near perf's max_samples_per_tick throttling.
 */
#include <pthread.h>

#include "../kselftest_harness.h"
#include "hwbp_util.h"

#define SIG_DATA	0x0123456789abcdeful
#define NR_THREADS	4
#define HITS		5
/* Beyond this many SIGTRAPs a thread is looping on one access. */
#define RUNAWAY		(HITS + 8)
#define RUNAWAY_EXIT	99

static volatile long var __aligned(64);
static volatile long moved __aligned(64);

/* What the handler saw, per thread; volatile: a signal handler writes it. */
static __thread volatile int my_traps, my_bad;
static __thread struct {
	int code;
	void *addr;
	struct hwbp_si_perf perf;
} my_last;

/* What the handler expects. */
static volatile uintptr_t want_addr;
static volatile unsigned long want_data;
static volatile uint32_t want_flags;
static int trap_fd = -1;

static void on_trap(int sig, siginfo_t *si, void *uc)
{
	struct hwbp_si_perf perf = hwbp_si_perf(si);

	my_last.code = si->si_code;
	my_last.addr = si->si_addr;
	my_last.perf = perf;
	if (si->si_code != TRAP_PERF || perf.type != PERF_TYPE_BREAKPOINT ||
	    perf.data != want_data || (uintptr_t)si->si_addr != want_addr ||
	    perf.flags != want_flags)
		my_bad++;
	/*
	 * A hit that fires again and again on the same access would hang
	 * the thread: switch the event off (with its inherited copies) so
	 * that the test fails instead, or, in a child without the event's
	 * fd, leave with a code that says so.
	 */
	if (++my_traps > RUNAWAY) {
		if (trap_fd < 0)
			_exit(RUNAWAY_EXIT);
		ioctl(trap_fd, PERF_EVENT_IOC_DISABLE, 0);
	}
}

static void install(struct __test_metadata *_metadata)
{
	struct sigaction sa = {
		.sa_sigaction = on_trap,
		.sa_flags = SA_SIGINFO,
	};

	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGTRAP, &sa, NULL));
}

static int sigtrap_event(volatile long *addr, pid_t pid, bool inherit)
{
	struct perf_event_attr attr;

	hwbp_attr_init(&attr, HW_BREAKPOINT_W, (uintptr_t)addr, HWBP_LONG);
	attr.inherit = inherit;
	attr.sigtrap = 1;
	attr.remove_on_exec = 1;
	attr.sample_period = 1;
	attr.sig_data = SIG_DATA;
	want_addr = (uintptr_t)addr;
	want_data = SIG_DATA;
	want_flags = 0;
	return hwbp_open(&attr, pid, -1);
}

/* @n writes; each must have had its SIGTRAP handled when it returns. */
static int write_and_count(volatile long *addr, int n)
{
	int i, late = 0;

	for (i = 0; i < n; i++) {
		int before = my_traps;

		hwbp_store_long(addr, i);
		if (my_traps != before + 1)
			late++;
	}
	return late;
}

TEST(one_thread)
{
	int late;

	install(_metadata);
	trap_fd = sigtrap_event(&var, 0, false);
	ASSERT_LE(0, trap_fd) TH_LOG("sigtrap: %s", hwbp_errname(trap_fd));

	late = write_and_count(&var, HITS);
	EXPECT_EQ(0, late) TH_LOG("writes without their own SIGTRAP");
	EXPECT_EQ(HITS, my_traps);
	EXPECT_EQ(0, my_bad) {
		TH_LOG("last: code %d addr %p data %#lx type %u flags %#x",
		       my_last.code, my_last.addr, my_last.perf.data,
		       my_last.perf.type, my_last.perf.flags);
	}
	/* a read is no hit for a W breakpoint */
	hwbp_load_long(&var);
	EXPECT_EQ(HITS, my_traps);
	/* with sample_period 1 the count is the number of hits */
	EXPECT_EQ(HITS, hwbp_count(trap_fd));
	close(trap_fd);
	trap_fd = -1;
}

/* A hit while SIGTRAP is blocked arrives on unblocking, marked async. */
TEST(blocked)
{
	sigset_t set, old;

	install(_metadata);
	trap_fd = sigtrap_event(&var, 0, false);
	ASSERT_LE(0, trap_fd) TH_LOG("sigtrap: %s", hwbp_errname(trap_fd));
	want_flags = TRAP_PERF_FLAG_ASYNC;

	sigemptyset(&set);
	sigaddset(&set, SIGTRAP);
	ASSERT_EQ(0, sigprocmask(SIG_BLOCK, &set, &old));
	hwbp_store_long(&var, 1);
	EXPECT_EQ(0, my_traps);
	ASSERT_EQ(0, sigprocmask(SIG_SETMASK, &old, NULL));
	EXPECT_EQ(1, my_traps);
	EXPECT_EQ(0, my_bad) {
		TH_LOG("code %d addr %p data %#lx type %u flags %#x",
		       my_last.code, my_last.addr, my_last.perf.data,
		       my_last.perf.type, my_last.perf.flags);
	}
	close(trap_fd);
	trap_fd = -1;
}

/*
 * PERF_EVENT_IOC_MODIFY_ATTRIBUTES moves the breakpoint and, with it,
 * replaces sig_data (perf_event_modify_copy_attr()).
 */
TEST(modify)
{
	struct perf_event_attr attr;

	install(_metadata);
	trap_fd = sigtrap_event(&var, 0, false);
	ASSERT_LE(0, trap_fd) TH_LOG("sigtrap: %s", hwbp_errname(trap_fd));
	EXPECT_EQ(0, write_and_count(&var, 2));

	hwbp_attr_init(&attr, HW_BREAKPOINT_W, (uintptr_t)&moved, HWBP_LONG);
	attr.sigtrap = 1;
	attr.remove_on_exec = 1;
	attr.sample_period = 1;
	attr.sig_data = SIG_DATA ^ 0xff;
	ASSERT_EQ(0, hwbp_modify(trap_fd, &attr));
	want_addr = (uintptr_t)&moved;
	want_data = SIG_DATA ^ 0xff;

	hwbp_store_long(&var, 1);
	EXPECT_EQ(2, my_traps) TH_LOG("the old address still traps");
	EXPECT_EQ(0, write_and_count(&moved, 2));
	EXPECT_EQ(4, my_traps);
	EXPECT_EQ(0, my_bad) {
		TH_LOG("last: addr %p data %#lx", my_last.addr,
		       my_last.perf.data);
	}
	close(trap_fd);
	trap_fd = -1;
}

struct trap_thread {
	int traps, bad, late;
};

static void *trap_writer(void *arg)
{
	struct trap_thread *t = arg;

	t->late = write_and_count(&var, HITS);
	t->traps = my_traps;
	t->bad = my_bad;
	return NULL;
}

/* Threads inherit the event; each gets exactly the SIGTRAPs of its hits. */
TEST(threads)
{
	struct trap_thread t[NR_THREADS] = { 0 };
	pthread_t th[NR_THREADS];
	int i;

	install(_metadata);
	trap_fd = sigtrap_event(&var, 0, true);
	ASSERT_LE(0, trap_fd) TH_LOG("sigtrap: %s", hwbp_errname(trap_fd));

	for (i = 0; i < NR_THREADS; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, trap_writer, &t[i]));
	for (i = 0; i < NR_THREADS; i++)
		ASSERT_EQ(0, pthread_join(th[i], NULL));

	for (i = 0; i < NR_THREADS; i++) {
		EXPECT_EQ(HITS, t[i].traps) TH_LOG("thread %d", i);
		EXPECT_EQ(0, t[i].bad) TH_LOG("thread %d: bad siginfo", i);
		EXPECT_EQ(0, t[i].late) TH_LOG("thread %d: late SIGTRAPs", i);
	}
	/* The main thread wrote nothing and got nothing. */
	EXPECT_EQ(0, my_traps);
	EXPECT_EQ(NR_THREADS * HITS, hwbp_count(trap_fd));
	close(trap_fd);
	trap_fd = -1;
}

/*
 * fork keeps the signal handlers: the child inherits the event and gets
 * its own SIGTRAPs. clone3(CLONE_CLEAR_SIGHAND) resets them: no
 * inheritance, so the child, whose SIGTRAP would now be fatal, writes
 * unharmed and uncounted.
 */
#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND	0x100000000ULL	/* include/uapi/linux/sched.h */
#endif

struct hwbp_clone_args {	/* struct clone_args, CLONE_ARGS_SIZE_VER0 */
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t stack, stack_size, tls;
};

TEST(fork_and_clone)
{
	struct hwbp_clone_args args = {
		.flags = CLONE_CLEAR_SIGHAND,
		.exit_signal = SIGCHLD,
	};
	pid_t child;
	int ret;

	install(_metadata);
	trap_fd = sigtrap_event(&var, 0, true);
	ASSERT_LE(0, trap_fd) TH_LOG("sigtrap: %s", hwbp_errname(trap_fd));

	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		int late = write_and_count(&var, 3);

		_exit(my_bad || late ? 100 : my_traps);
	}
	ret = hwbp_wait_exit(child);
	EXPECT_EQ(3, ret) TH_LOG("child: %d SIGTRAPs (100: bad or late)", ret);
	EXPECT_EQ(3, hwbp_count(trap_fd));

	child = syscall(__NR_clone3, &args, sizeof(args));
	ASSERT_LE(0, child) TH_LOG("clone3: %s", strerror(errno));
	if (child == 0) {
		hwbp_store_n(&var, 3);
		_exit(0);
	}
	ret = hwbp_wait_exit(child);
	EXPECT_EQ(0, ret) TH_LOG("clone3 child: %d (1005: killed by SIGTRAP)",
				 ret);
	EXPECT_EQ(3, hwbp_count(trap_fd));
	close(trap_fd);
	trap_fd = -1;
}

/*
 * exec: a child with a sigtrap event, opened on it by the parent, gets a
 * SIGTRAP for each of its 4 writes, then execs a writer that writes 6
 * times and must not be killed by SIGTRAP: the event left at the exec.
 */
TEST(exec_removes)
{
	int fd, c2p[2], p2c[2], ret;
	char c = 0;
	pid_t child;

	ASSERT_EQ(0, pipe(c2p));
	ASSERT_EQ(0, pipe(p2c));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		volatile long *p = hwbp_map_exec_addr();
		struct sigaction sa = {
			.sa_sigaction = on_trap,
			.sa_flags = SA_SIGINFO,
		};

		want_addr = HWBP_EXEC_ADDR;
		want_data = SIG_DATA;
		want_flags = 0;
		if (!p || sigaction(SIGTRAP, &sa, NULL))
			_exit(5);
		if (write(c2p[1], &c, 1) != 1 || read(p2c[0], &c, 1) != 1)
			_exit(6);
		if (write_and_count(p, 4) || my_traps != 4 || my_bad)
			_exit(7);
		hwbp_exec_self_writer(6);
	}

	ASSERT_EQ(1, read(c2p[0], &c, 1));
	fd = sigtrap_event((volatile long *)HWBP_EXEC_ADDR, child, false);
	ASSERT_LE(0, fd) TH_LOG("open on the child: %s", hwbp_errname(fd));
	ASSERT_EQ(1, write(p2c[1], &c, 1));

	ret = hwbp_wait_exit(child);
	EXPECT_EQ(0, ret) {
		TH_LOG("child: %s", ret == 7 ? "wrong SIGTRAPs before exec" :
		       ret == 1000 + SIGTRAP ? "SIGTRAP after exec" :
		       ret == RUNAWAY_EXIT ? "one write trapped forever" :
		       "?");
	}
	EXPECT_EQ(4, hwbp_count(fd));
	close(fd);
	close(c2p[0]);
	close(c2p[1]);
	close(p2c[0]);
	close(p2c[1]);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], HWBP_EXEC_WRITER))
		return hwbp_exec_writer(argc, argv);
	return test_harness_run(argc, argv);
}
