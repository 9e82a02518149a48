// SPDX-License-Identifier: GPL-2.0
/*
 * Watchpoints keep counting across a suspend to RAM.
 *
 * On x86 an S3 resume goes through the firmware, which resets the boot
 * CPU's debug registers (DR7 comes back with nothing enabled). The other
 * CPUs are taken offline before the suspend and brought back after it,
 * which reinstalls their events; the boot CPU is never offline, so its
 * registers must be reloaded by the resume path itself. An event that
 * stays installed on the boot CPU across the suspend (a CPU-bound one
 * always does) would otherwise stop counting without a word.
 *
 * The test pins itself to CPU 0, the boot CPU, opens one write
 * watchpoint (8 bytes, user only) on a variable, writes it WRITES times,
 * suspends the machine to RAM with an alarm timer to wake it, writes it
 * WRITES times more and wants exactly 2 * WRITES: the only breakpoint
 * armed on the CPU, so exact even under QEMU. One case for a CPU-bound
 * event (pid -1, cpu 0), one for a task-bound one (pid 0, cpu -1).
 *
 * The whole program is skipped, with the reason, where it cannot suspend
 * and wake up by itself: not root, no "mem" in /sys/power/state, or no RTC
 * that serves alarm timers (QEMU's pseries has none: a suspended guest
 * would sleep forever).
 */
#include <sys/timerfd.h>

#include "../kselftest_harness.h"
#include "hwbp_util.h"

#define WRITES		1000
#define WAKE_AFTER	5	/* seconds; alarmtimer refuses a suspend */
				/* with an alarm less than 2 s away */
#define TRIES		3
#define SUSPEND_STATS	"/sys/power/suspend_stats/success"

static volatile long sus_var __aligned(64);

/* Whether @word is one of the words of the file at @path. */
/* Why this machine cannot suspend and wake up by itself, or NULL. */
static const char *cannot_suspend(void)
{
	if (geteuid())
		return "suspend to RAM needs root";
	return hwbp_cannot_sleep("mem");
}

/*
 * Write "mem" to /sys/power/state with an alarm set to wake the machine;
 * the write returns after the resume. A suspend that a wakeup event
 * aborted (the write fails, the success count stays) is tried again.
 */
static void suspend_to_ram(struct __test_metadata *_metadata)
{
	struct itimerspec wake = { .it_value = { .tv_sec = WAKE_AFTER } };
	int before = 0, after = 0, tfd, fd, try, err = 0;
	ssize_t n;

	ASSERT_EQ(0, hwbp_read_int(SUSPEND_STATS, &before));
	tfd = timerfd_create(CLOCK_BOOTTIME_ALARM, TFD_CLOEXEC);
	ASSERT_LE(0, tfd) TH_LOG("timerfd_create: %s", strerror(errno));

	for (try = 0; try < TRIES; try++) {
		ASSERT_EQ(0, timerfd_settime(tfd, 0, &wake, NULL));
		fd = open("/sys/power/state", O_WRONLY | O_CLOEXEC);
		ASSERT_LE(0, fd) TH_LOG("/sys/power/state: %s",
					strerror(errno));
		n = write(fd, "mem", 3);
		err = n < 0 ? errno : 0;
		close(fd);
		ASSERT_EQ(0, hwbp_read_int(SUSPEND_STATS, &after));
		if (after > before)
			break;
		ksft_print_msg("suspend %d did not happen: %s\n", try + 1,
			       err ? strerror(err) : "no error");
	}
	close(tfd);
	ASSERT_LT(before, after) {
		TH_LOG("the machine never suspended (%d tries, last: %s)",
		       TRIES, err ? strerror(err) : "no error");
	}
	ksft_print_msg("suspended and resumed (suspend_stats/success %d -> %d)\n",
		       before, after);
}

/*
 * WRITES writes, a suspend to RAM, WRITES writes; all of them on CPU 0,
 * watched by one event of the given binding.
 */
static void count_across_suspend(struct __test_metadata *_metadata,
				 pid_t pid, int cpu)
{
	struct perf_event_attr attr;
	int64_t count;
	int fd, ret;

	ret = hwbp_pin_self(0);
	ASSERT_EQ(0, ret) TH_LOG("pin to CPU 0: %s", hwbp_errname(ret));

	hwbp_attr_init(&attr, HW_BREAKPOINT_W, (uintptr_t)&sus_var, 8);
	fd = hwbp_open(&attr, pid, cpu);
	ASSERT_LE(0, fd) TH_LOG("perf_event_open: %s", hwbp_errname(fd));

	hwbp_store_n(&sus_var, WRITES);
	count = hwbp_count(fd);
	ASSERT_EQ(WRITES, count) TH_LOG("before the suspend");

	suspend_to_ram(_metadata);

	/* CPU 0 never went offline, so the pinning holds. */
	ASSERT_EQ(0, sched_getcpu());
	hwbp_store_n(&sus_var, WRITES);
	count = hwbp_count(fd);
	EXPECT_EQ(2 * WRITES, count) {
		TH_LOG("%lld writes counted after the resume, want %d",
		       (long long)(count - WRITES), WRITES);
	}
	close(fd);
}

FIXTURE(suspend) {
};

FIXTURE_SETUP(suspend)
{
}

FIXTURE_TEARDOWN(suspend)
{
	hwbp_unpin_self();
}

/* Installed on CPU 0 before the suspend and never rescheduled. */
TEST_F_TIMEOUT(suspend, cpu_bound, 180)
{
	count_across_suspend(_metadata, -1, 0);
}

/* Follows the task, which ran the suspend on CPU 0. */
TEST_F_TIMEOUT(suspend, task_bound, 180)
{
	count_across_suspend(_metadata, 0, -1);
}

int main(int argc, char **argv)
{
	const char *why = cannot_suspend();

	if (why) {
		ksft_print_header();
		ksft_exit_skip("%s\n", why);
	}
	return test_harness_run(argc, argv);
}
