// SPDX-License-Identifier: GPL-2.0
/*
 * Breakpoints and CPU hotplug, with exact counts.
 *
 * A watchpoint on a user variable is armed, one kind per test: task-bound
 * (pid 0, cpu -1); task-bound on one CPU, one such event for each CPU
 * (pid 0, cpu N); CPU-bound, one for each CPU (pid -1, cpu N), which makes
 * a "wide" breakpoint. Then every CPU but CPU 0 is taken offline and
 * brought back, several rounds (HWBP_HOTPLUG_ROUNDS, default 5), and
 * between the steps the test pins itself to each online CPU in turn and
 * writes the variable a known number of times.
 *
 * Task-bound events live in the task's context: they follow the task onto
 * whatever CPU it runs on, a CPU that went away and came back included,
 * so they count every write (pid 0, cpu N: every write made on CPU N).
 *
 * CPU-bound events live in the CPU's context, and perf core (6.12) does
 * not keep them across an offline: perf_event_exit_cpu() ->
 * perf_event_exit_cpu_context() runs __perf_event_exit_context() on the
 * dying CPU, which __perf_remove_from_context()s every event of that
 * context (DETACH_GROUP: state OFF, list_del_event() drops
 * PERF_ATTACH_CONTEXT), and perf_event_init_cpu() only marks the context
 * online again when the CPU returns. So an event whose CPU went offline
 * keeps its count and its fd, counts nothing ever after, and
 * perf_event_open() on the CPU while it is offline fails with ENODEV
 * (cpuctx->online == 0). The breakpoint slot stays reserved until the fd
 * is closed (hw_breakpoint.c releases it only from event->destroy), and a
 * new event opened on the CPU once it is back counts again.
 */
#include "../kselftest_harness.h"
#include "hwbp_util.h"

#define MAX_CPUS	64
#define WRITES		10	/* per CPU per step */
#define DEFAULT_ROUNDS	5

static volatile long hp_var __aligned(64);

static int rounds(void)
{
	const char *env = getenv("HWBP_HOTPLUG_ROUNDS");

	return env && atoi(env) > 0 ? atoi(env) : DEFAULT_ROUNDS;
}

static int open_bp(pid_t pid, int cpu)
{
	struct perf_event_attr attr;

	hwbp_attr_init(&attr, HW_BREAKPOINT_W, (uintptr_t)&hp_var, HWBP_LONG);
	return hwbp_open(&attr, pid, cpu);
}

struct cpus {
	int nr_cpus;
	int hot[MAX_CPUS];	/* the CPUs taken offline and back */
	int nr_hot;
	int slots;
};

FIXTURE(hotplug) {
	struct cpus c;
};

FIXTURE_SETUP(hotplug)
{
	int cpu;

	if (geteuid())
		SKIP(return, "CPU hotplug and CPU-bound events need root");
	self->c.nr_cpus = hwbp_nr_cpus();
	if (self->c.nr_cpus < 2)
		SKIP(return, "needs at least 2 CPUs");
	ASSERT_GE(MAX_CPUS, self->c.nr_cpus);
	self->c.slots = hwbp_data_slots();
	ASSERT_LT(0, self->c.slots);

	self->c.nr_hot = 0;
	for (cpu = 1; cpu < self->c.nr_cpus; cpu++) {
		char path[64];

		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/cpu%d/online", cpu);
		if (access(path, W_OK))
			continue;
		/* Whatever an earlier run left behind: all online. */
		if (!hwbp_cpu_online(cpu))
			ASSERT_EQ(0, hwbp_set_cpu_online(cpu, true));
		self->c.hot[self->c.nr_hot++] = cpu;
	}
	if (!self->c.nr_hot)
		SKIP(return, "no CPU can be taken offline");
	for (cpu = 0; cpu < self->c.nr_cpus; cpu++)
		ASSERT_TRUE(hwbp_cpu_online(cpu)) TH_LOG("cpu %d", cpu);
}

FIXTURE_TEARDOWN(hotplug)
{
	int i;

	hwbp_unpin_self();
	for (i = 0; i < self->c.nr_hot; i++)
		if (!hwbp_cpu_online(self->c.hot[i]))
			hwbp_set_cpu_online(self->c.hot[i], true);
}

static void set_online(struct __test_metadata *_metadata, int cpu, bool on)
{
	int ret;

	hwbp_unpin_self();
	ret = hwbp_set_cpu_online(cpu, on);
	ASSERT_EQ(0, ret) {
		TH_LOG("cpu %d %s: %s", cpu, on ? "online" : "offline",
		       hwbp_errname(ret));
	}
	ASSERT_EQ(on, hwbp_cpu_online(cpu));
}

static void write_on(struct __test_metadata *_metadata, int cpu)
{
	int ret = hwbp_pin_self(cpu);

	ASSERT_EQ(0, ret) TH_LOG("pin to cpu %d: %s", cpu, hwbp_errname(ret));
	hwbp_store_n(&hp_var, WRITES);
}

enum kind { TASK, TASK_ON_CPU, CPU_BOUND };

static const char * const kind_name[] = { "task", "task on cpu", "cpu" };

struct counter {
	int fd;
	int cpu;		/* -1 for TASK */
	bool detached;		/* CPU_BOUND whose CPU went offline */
	int64_t want;
};

static int open_counter(enum kind kind, int cpu)
{
	switch (kind) {
	case TASK:		return open_bp(0, -1);
	case TASK_ON_CPU:	return open_bp(0, cpu);
	default:		return open_bp(-1, cpu);
	}
}

/* WRITES writes were made on @cpu: who should have counted them. */
static void account(enum kind kind, struct counter *c, int n, int cpu)
{
	int i;

	for (i = 0; i < n; i++) {
		if (kind == TASK || (c[i].cpu == cpu && !c[i].detached))
			c[i].want += WRITES;
	}
}

static void check(struct __test_metadata *_metadata, enum kind kind,
		  struct counter *c, int n, const char *when, int round,
		  int hot)
{
	int i;

	for (i = 0; i < n; i++) {
		int64_t got = hwbp_count(c[i].fd);

		EXPECT_EQ(c[i].want, got) {
			TH_LOG("%s %d: %lld, want %lld (%s, round %d, cpu %d)",
			       kind_name[kind], c[i].cpu, (long long)got,
			       (long long)c[i].want, when, round, hot);
		}
	}
}

/*
 * The slot of a detached CPU-bound event stays taken: beside it only
 * slots - 1 more fit on its CPU, until it is closed. The extra events are
 * opened disabled, so they are never installed.
 */
static void check_slot_held(struct __test_metadata *_metadata,
			    const struct cpus *cpus, struct counter *c)
{
	struct perf_event_attr attr;
	int extra[MAX_CPUS], j, fd;

	hwbp_attr_init(&attr, HW_BREAKPOINT_W, (uintptr_t)&hp_var, HWBP_LONG);
	attr.disabled = 1;
	for (j = 0; j < cpus->slots - 1; j++) {
		extra[j] = hwbp_open(&attr, -1, c->cpu);
		EXPECT_LE(0, extra[j]) {
			TH_LOG("extra %d on cpu %d: %s", j, c->cpu,
			       hwbp_errname(extra[j]));
		}
	}
	fd = hwbp_open(&attr, -1, c->cpu);
	EXPECT_EQ(-ENOSPC, fd) {
		TH_LOG("cpu %d with a detached event: %s", c->cpu,
		       hwbp_errname(fd));
	}
	if (fd >= 0)
		close(fd);
	while (j-- > 0)
		if (extra[j] >= 0)
			close(extra[j]);
}

/*
 * Open the events of @kind (one, or one per CPU), write on every CPU,
 * then take each hotpluggable CPU offline and back, @rounds times,
 * writing on every online CPU at each step, and check every count after
 * every step.
 */
static void hotplug_rounds(struct __test_metadata *_metadata,
			   const struct cpus *cpus, enum kind kind)
{
	struct counter c[MAX_CPUS];
	int n = kind == TASK ? 1 : cpus->nr_cpus;
	int r, i, cpu, fd;

	for (i = 0; i < n; i++) {
		c[i] = (struct counter){ .cpu = kind == TASK ? -1 : i };
		c[i].fd = open_counter(kind, c[i].cpu);
		ASSERT_LE(0, c[i].fd) {
			TH_LOG("%s %d: %s", kind_name[kind], c[i].cpu,
			       hwbp_errname(c[i].fd));
		}
	}

	for (cpu = 0; cpu < cpus->nr_cpus; cpu++) {
		write_on(_metadata, cpu);
		account(kind, c, n, cpu);
	}
	check(_metadata, kind, c, n, "before hotplug", 0, -1);

	for (r = 0; r < rounds(); r++) {
		for (i = 0; i < cpus->nr_hot; i++) {
			int hot = cpus->hot[i];

			set_online(_metadata, hot, false);
			if (kind == CPU_BOUND) {
				/*
				 * cpuctx->online == 0 gives ENODEV, but the
				 * slot accounting answers first: the detached
				 * event still holds one of the CPU's slots, so
				 * with a single slot (POWER8) it is ENOSPC.
				 */
				int want = cpus->slots > 1 ? -ENODEV : -ENOSPC;

				c[hot].detached = true;
				fd = open_bp(-1, hot);
				EXPECT_EQ(want, fd) {
					TH_LOG("open on offline cpu %d: %s",
					       hot, hwbp_errname(fd));
				}
				if (fd >= 0)
					close(fd);
			}
			for (cpu = 0; cpu < cpus->nr_cpus; cpu++) {
				if (!hwbp_cpu_online(cpu))
					continue;
				write_on(_metadata, cpu);
				account(kind, c, n, cpu);
			}
			check(_metadata, kind, c, n, "offline", r, hot);

			set_online(_metadata, hot, true);
			write_on(_metadata, hot);
			account(kind, c, n, hot);
			check(_metadata, kind, c, n, "back online", r, hot);

			if (kind != CPU_BOUND)
				continue;
			check_slot_held(_metadata, cpus, &c[hot]);
			/* Closing it frees the slot for a replacement. */
			close(c[hot].fd);
			c[hot] = (struct counter){ .cpu = hot };
			c[hot].fd = open_counter(kind, hot);
			ASSERT_LE(0, c[hot].fd) {
				TH_LOG("reopen on cpu %d: %s", hot,
				       hwbp_errname(c[hot].fd));
			}
			write_on(_metadata, hot);
			account(kind, c, n, hot);
			check(_metadata, kind, c, n, "reopened", r, hot);
		}
	}
	hwbp_unpin_self();
	for (i = 0; i < n; i++)
		close(c[i].fd);
}

/*
 * One kind of event at a time: QEMU's TCG x86 emulation reports only the
 * first matching debug register in DR6 (and stale bits of registers that
 * matched before), so two breakpoints armed on one CPU at once cannot be
 * counted exactly under it. Each kind below arms at most one per CPU.
 */

/* Task-bound, any CPU: every write counts. */
TEST_F_TIMEOUT(hotplug, task_bound, 600)
{
	hotplug_rounds(_metadata, &self->c, TASK);
}

/* Task-bound on CPU N, one event per CPU: the writes made on N count. */
TEST_F_TIMEOUT(hotplug, task_on_cpu, 600)
{
	hotplug_rounds(_metadata, &self->c, TASK_ON_CPU);
}

/*
 * CPU-bound, one per CPU (a "wide" breakpoint): the writes made on the CPU
 * count until it goes offline, none after; a replacement counts again.
 */
TEST_F_TIMEOUT(hotplug, cpu_bound, 600)
{
	hotplug_rounds(_metadata, &self->c, CPU_BOUND);
}

TEST_HARNESS_MAIN
