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
 * need" to "largest CPU-0 need" would allow only slots - 4.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../kselftest_harness.h"

#define MAX_BPS 64

static volatile long watched[8];

static int open_bp(pid_t pid, int cpu, int i)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_BREAKPOINT;
	attr.size = sizeof(attr);
	attr.bp_type = HW_BREAKPOINT_W;
	attr.bp_addr = (unsigned long)&watched[i % 8];
	attr.bp_len = HW_BREAKPOINT_LEN_1;
	attr.exclude_kernel = 1;
	attr.exclude_hv = 1;
	return syscall(__NR_perf_event_open, &attr, pid, cpu, -1, 0);
}

/* Open breakpoints until the kernel says ENOSPC; returns how many fit. */
static int fill(pid_t pid, int cpu, int *fds, int *err)
{
	int n;

	for (n = 0; n < MAX_BPS; n++) {
		fds[n] = open_bp(pid, cpu, n);
		if (fds[n] < 0) {
			*err = errno;
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
	int slots;
};

FIXTURE_SETUP(exact)
{
	int fds[MAX_BPS], err;

	if (geteuid())
		SKIP(return, "CPU-bound breakpoints need root");
	if (sysconf(_SC_NPROCESSORS_ONLN) < 1)
		SKIP(return, "no CPU online");

	/* The slot count, as the kernel itself reports it for one task. */
	self->slots = fill(0, -1, fds, &err);
	close_all(fds, self->slots);
	ASSERT_EQ(ENOSPC, err);
	if (self->slots < 4)
		SKIP(return, "%d data slots: the case needs 4", self->slots);

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
	int a_fds[2], b_fds[2], cpu_fds[MAX_BPS], err, n;

	a_fds[0] = open_bp(self->a, -1, 0);
	a_fds[1] = open_bp(self->a, -1, 1);
	b_fds[0] = open_bp(self->b, 0, 2);
	b_fds[1] = open_bp(self->b, 0, 3);
	ASSERT_LE(0, a_fds[0]);
	ASSERT_LE(0, a_fds[1]);
	ASSERT_LE(0, b_fds[0]);
	ASSERT_LE(0, b_fds[1]);

	n = fill(-1, 0, cpu_fds, &err);
	close_all(cpu_fds, n);
	EXPECT_EQ(ENOSPC, err);
	EXPECT_EQ(self->slots - 2, n) {
		TH_LOG("CPU 0 has %d slots, tasks need at most 2 there, but only %d CPU-bound breakpoints fit",
		       self->slots, n);
	}

	close_all(a_fds, 2);
	close_all(b_fds, 2);

	/* With both tasks gone from the books, all slots are free again. */
	n = fill(-1, 0, cpu_fds, &err);
	close_all(cpu_fds, n);
	EXPECT_EQ(self->slots, n);
}

TEST_HARNESS_MAIN
