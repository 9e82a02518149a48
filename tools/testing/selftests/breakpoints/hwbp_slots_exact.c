// SPDX-License-Identifier: GPL-2.0
/*
 * Slot accounting must hand out every debug register the hardware can
 * really hold.  Two tasks never run on one CPU at the same time, so a CPU
 * has to keep room only for the neediest task there, not for the sum of
 * two different tasks' needs.
 *
 * Task A holds two breakpoints that follow it to any CPU, task B two bound
 * to CPU 0.  Either needs two registers on CPU 0, so slots - 2 CPU-bound
 * breakpoints still fit there.  An accounting that added "largest any-CPU
 * need" to "largest CPU-0 need" would allow only slots - 4.  With fewer
 * than two slots (a POWER CPU with one DAWR) each task holds one.
 *
 * The slot count is the architecture's (hwbp_data_slots(): 4 on x86, what
 * ptrace reports for the hardware on arm64 and powerpc), not what the
 * accounting under test lets one open: an accounting that hands out fewer
 * slots than the hardware has fails here instead of shrinking the test.
 */
#include "../kselftest_harness.h"
#include "hwbp_util.h"

#define MAX_BPS 64

static volatile long watched[8];

/* Never hit: the accounting is all this test looks at. */
static int open_bp(pid_t pid, int cpu, int i)
{
	struct perf_event_attr attr;

	hwbp_attr_init(&attr, HW_BREAKPOINT_W, (uintptr_t)&watched[i % 8],
		       HW_BREAKPOINT_LEN_1);
	attr.exclude_kernel = 1;
	attr.exclude_hv = 1;
	return hwbp_open(&attr, pid, cpu);
}

/* Open breakpoints until the kernel says ENOSPC; returns how many fit. */
static int fill(pid_t pid, int cpu, int *fds, int *err)
{
	int n;

	for (n = 0; n < MAX_BPS; n++) {
		fds[n] = open_bp(pid, cpu, n);
		if (fds[n] < 0) {
			*err = -fds[n];
			return n;
		}
	}
	*err = 0;
	return n;
}

static void close_all(int *fds, int n)
{
	while (n--)
		close(fds[n]);
}

static pid_t idle_child(void)
{
	pid_t pid = fork();

	if (!pid) {
		for (;;)
			pause();
	}
	return pid;
}

FIXTURE(exact) {
	pid_t a, b;
	int slots;	/* the architecture's data slots */
	int need;	/* breakpoints each task holds */
};

FIXTURE_SETUP(exact)
{
	int fds[MAX_BPS], err, n;

	self->a = 0;
	self->b = 0;
	if (geteuid())
		SKIP(return, "CPU-bound breakpoints need root");
	if (sysconf(_SC_NPROCESSORS_ONLN) < 1)
		SKIP(return, "no CPU online");

	self->slots = hwbp_data_slots();
	ASSERT_LT(0, self->slots) {
		TH_LOG("no data slot count for this architecture: %s",
		       hwbp_errname(self->slots));
	}
	ASSERT_GE(MAX_BPS, self->slots);
	self->need = self->slots < 2 ? 1 : 2;

	/* One task gets every slot the hardware has, and not one more. */
	n = fill(0, -1, fds, &err);
	close_all(fds, n);
	ASSERT_EQ(self->slots, n) {
		TH_LOG("the hardware has %d data slots, a task got %d (%s)",
		       self->slots, n, hwbp_errname(err));
	}
	ASSERT_EQ(ENOSPC, err) TH_LOG("after %d: %s", n, hwbp_errname(err));

	self->a = idle_child();
	self->b = idle_child();
	ASSERT_GT(self->a, 0);
	ASSERT_GT(self->b, 0);
}

FIXTURE_TEARDOWN(exact)
{
	if (self->a > 0)
		kill(self->a, SIGKILL);
	if (self->b > 0)
		kill(self->b, SIGKILL);
	while (wait(NULL) > 0)
		;
}

TEST_F(exact, neediest_task_only)
{
	int a_fds[2], b_fds[2], cpu_fds[MAX_BPS], err, n, i;

	for (i = 0; i < self->need; i++) {
		a_fds[i] = open_bp(self->a, -1, i);
		ASSERT_LE(0, a_fds[i]) {
			TH_LOG("task A, any CPU, #%d: %s", i,
			       hwbp_errname(a_fds[i]));
		}
	}
	for (i = 0; i < self->need; i++) {
		b_fds[i] = open_bp(self->b, 0, 2 + i);
		ASSERT_LE(0, b_fds[i]) {
			TH_LOG("task B, CPU 0, #%d (task A holds %d): %s", i,
			       self->need, hwbp_errname(b_fds[i]));
		}
	}

	n = fill(-1, 0, cpu_fds, &err);
	close_all(cpu_fds, n);
	EXPECT_EQ(ENOSPC, err) TH_LOG("after %d: %s", n, hwbp_errname(err));
	EXPECT_EQ(self->slots - self->need, n) {
		TH_LOG("CPU 0 has %d slots, tasks need at most %d there, but %d CPU-bound breakpoints fit",
		       self->slots, self->need, n);
	}

	close_all(a_fds, self->need);
	close_all(b_fds, self->need);

	/* With both tasks gone from the books, all slots are free again. */
	n = fill(-1, 0, cpu_fds, &err);
	close_all(cpu_fds, n);
	EXPECT_EQ(ENOSPC, err) TH_LOG("after %d: %s", n, hwbp_errname(err));
	EXPECT_EQ(self->slots, n);
}

TEST_HARNESS_MAIN
