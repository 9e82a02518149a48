// SPDX-License-Identifier: GPL-2.0
/*
 * Soak tests: exact watchpoint counts across many CPU hotplug cycles and
 * many suspends, with several kinds of breakpoint armed and hit at once.
 *
 * hotplug_soak: HWBP_SOAK_HOTPLUG_CYCLES cycles (default 24). Each takes
 * one CPU offline and back (round robin over the CPUs that have an
 * "online" file, CPU 0 never), while these are armed:
 *
 *   task:  a write watchpoint on A for the main thread (pid 0, cpu -1),
 *          and one on B for a writer thread (pid = its tid, cpu -1). The
 *          writer stores to B in a loop from the start to the end of the
 *          soak and is not pinned, so it is being hit while the scheduler
 *          moves it off each CPU that goes away.
 *   cpu:   a write watchpoint on C for every online CPU (pid -1, cpu N).
 *          perf core 6.12 drops a CPU-bound event for good when its CPU
 *          goes offline (see hwbp_hotplug.c): it keeps its count, its fd
 *          and its slot, and never counts again. So once the CPU is back
 *          its count is checked, added to a running total and the event
 *          replaced by a new one. perf_event_open() on the CPU while it
 *          is offline must fail: ENODEV, or ENOSPC when the accounting
 *          (which answers first) has no slot left on that CPU.
 *   ksym:  'panic_timeout:-w-' in the ftrace ksym tracer, a wide kernel
 *          breakpoint (every CPU, also those that come back), hit by
 *          writes of /proc/sys/kernel/panic (its own value, one store to
 *          panic_timeout each): from a child pinned to a CPU that stays
 *          online (rotating over them), during the whole offline/online
 *          step, which reports how many writes it made; and from the
 *          main thread in each write round (below), on every CPU, the
 *          one that just came back included, whose watch had to be made
 *          again. trace_stat/ksym_profile must show exactly as many hits
 *          as writes. Kernels without ksym_trace_filter (upstream) skip
 *          this part.
 *
 * Around each offline and online step the main thread pins itself to
 * every online CPU in turn and stores WRITES times to A and WRITES times
 * to C there (a write round), so every count is known exactly: A counts
 * all of the main thread's stores to A; each CPU-bound event the stores
 * to C made on its CPU while it was open; B the stores the writer counted
 * itself (read after the writer was joined). Counts are checked after
 * every step, and all of them at the end; then every fd is closed and no
 * slot may be left taken (below).
 *
 * suspend_soak: HWBP_SOAK_SUSPEND_CYCLES (default 2) suspends, each woken
 * by an alarm timer, into HWBP_SOAK_SUSPEND_STATE ("mem" by default; the
 * word written to /sys/power/state), with a task-bound watchpoint on A
 * and a CPU-bound one on C for every CPU. A suspend to RAM (unless
 * mem_sleep is s2idle) takes every CPU but the boot CPU offline and back,
 * which ends their CPU-bound events as hotplug does: those are checked
 * and replaced after each suspend. The boot CPU's event stays, and must
 * count after the resume, although firmware reset the debug registers.
 * After each resume the main thread stores WRITES times to A and to C on
 * every CPU and all counts must be exact. Skipped where the machine
 * cannot wake itself: no RTC that serves alarm timers (QEMU pseries), no
 * such state in /sys/power/state, not root, or HWBP_SOAK_SUSPEND_SKIP set
 * (its value is the reason: the harness sets it where a resume is known to
 * kill the machine).
 *
 * No leak, at the end of both: every online CPU takes exactly
 * hwbp_data_slots() CPU-bound breakpoints again and refuses one more with
 * ENOSPC, and so does the task with task-bound ones. A slot that a
 * dropped event, a replaced one, a migrated task or a wide breakpoint
 * re-made on a returning CPU failed to give back shows up here.
 *
 * What each check catches:
 *   A, B wrong: a task's breakpoint lost, or counted twice, when the task
 *     migrates off a dying CPU or onto one that came back (a register
 *     table or DR7 shadow not reset, a step-over state left behind);
 *   C wrong before its replacement: a dropped event that still counts,
 *     or one that lost hits before its CPU went; a live CPU's event
 *     disturbed by another CPU's hotplug or by the resume;
 *   C reopen fails (ENOSPC): the dropped event's slot not given back on
 *     close, or the CPU's accounting not cleared for its return;
 *   offline open not ENODEV/ENOSPC: accounting that forgets, or counts
 *     twice, what an offline CPU holds;
 *   ksym hits wrong: the wide breakpoint not re-armed (or armed twice) on
 *     a CPU that came back, or its hits lost while another CPU goes;
 *   the boot CPU's C or A short after a suspend: registers not reloaded
 *     on resume (upstream x86 has no such reload);
 *   no-leak check: any slot still reserved once everything is closed.
 *
 * Slot budget. Each kind needs one slot on every CPU: a task-bound event
 * on a CPU the task may run on, beside every CPU-bound event there; the
 * two task-bound events (A, B) belong to different threads, and a CPU
 * only ever runs one of them, so together they need one slot; the wide
 * ksym breakpoint one more on every CPU. Kinds are armed in order
 * (hotplug: task, cpu, ksym; suspend: cpu, task) as long as slots remain,
 * and the others are skipped with a message, never failed:
 *   x86 (DR0-DR3), arm64 under QEMU (4 watchpoints): all three, one slot
 *     spare, so opening on an offline CPU gives ENODEV;
 *   POWER10 (2 DAWRs): task and cpu, no ksym; offline open gives ENOSPC;
 *   POWER8 (1 DAWR): task only (suspend: cpu only, but pseries cannot
 *     wake from a suspend anyway).
 * HWBP_SOAK_KINDS (e.g. "task,ksym") arms only the kinds it names.
 *
 * QEMU's TCG x86 reports in DR6 the first register whose watchpoint
 * matched, plus the B bit of any register whose watchpoint matched an
 * earlier access and was not checked since (QEMU keeps a "hit" flag per
 * watchpoint; the check of a write stops at the first match, and only
 * watchpoints it walks past lose their flag). Our #DB handler counts
 * every owned bit, so with several breakpoints armed one stale flag adds
 * a hit to another event. Two things keep every count exact here: no
 * access matches two watchpoints (each variable has its own cache line),
 * and every watched store is followed by a store to an unwatched
 * variable in the same page, which QEMU checks against every watchpoint
 * without a match, clearing every flag. A flag that a preemption between
 * the two stores leaves behind dies with the context switch: the switch
 * moves a task-bound event, DR7's control bits change and QEMU re-makes
 * every watchpoint. A kernel #DB (ksym) clears DR7 on entry and restores
 * it on exit, which does the same, and user-only events ignore the stale
 * bits a kernel-mode trap may carry.
 *
 * The soak stops itself, failing, after HWBP_SOAK_MAX_SECONDS (default
 * SOAK_TIMEOUT - 300): the harness kills a test that times out, and then
 * no teardown would bring the CPUs back online.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* lib.mk defines it; a bare gcc does not */
#endif
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <sys/timerfd.h>

#include "../kselftest_harness.h"
#include "hwbp_util.h"

#define MAX_CPUS		256
#define WRITES			10	/* per variable, CPU and write round */
#define SOAK_TIMEOUT		3600	/* seconds, per test (stress fits) */
#define SOAK_MARGIN		300	/* for the final checks and teardown */
#define DEFAULT_HP_CYCLES	24
#define DEFAULT_SUSPEND_CYCLES	2

#define KSYM_MIN_WRITES		3	/* the child's writes per cycle, at least */
#define KSYM_PACE_MS		2	/* between the child's writes after those */
#define KSYM_ROUND_WRITES	2	/* main thread's, per CPU and write round */
#define PANIC_SYSCTL		"/proc/sys/kernel/panic"

#define WAKE_AFTER		5	/* s; alarmtimer refuses a suspend */
					/* with an alarm less than 2 s away */
#define SUSPEND_TRIES		3
#define SUSPEND_STATS		"/sys/power/suspend_stats/success"
#define BOOT_CPU		0	/* the CPU a suspend keeps online */

/*
 * The watched variables, each in its own cache line so that no access
 * matches two watchpoints, and all in one page with the two scrub
 * variables (see the QEMU note at the top): 5 lines of 64 bytes from a
 * 512-byte boundary never cross a page.
 */
struct soak_vars {
	long a __aligned(64);		/* task-bound, main thread */
	long b __aligned(64);		/* task-bound, writer thread */
	long c __aligned(64);		/* CPU-bound, every CPU */
	long main_scrub __aligned(64);	/* never watched */
	long writer_scrub __aligned(64);	/* never watched */
};

static volatile struct soak_vars vars __aligned(512);

enum kind { K_TASK, K_CPU, K_KSYM, NR_KINDS };

static const char * const kind_word[NR_KINDS] = { "task", "cpu", "ksym" };
static const char * const kind_name[NR_KINDS] = {
	"task-bound watchpoints (A, B)",
	"CPU-bound watchpoints (C)",
	"ksym wide breakpoint (panic_timeout)",
};

struct cpu_event {
	int fd;			/* -1: none */
	int64_t want;		/* stores to C on its CPU since it opened */
};

/* The thread that stores to B, and counts its stores itself. */
struct writer {
	pthread_t th;
	bool started;
	pid_t tid;
	atomic_int ready;
	atomic_int go;
	atomic_int stop;
	int64_t writes;		/* valid once joined */
};

/* The child that writes the panic sysctl during a hotplug step. */
struct sysctl_writer {
	pid_t pid;		/* 0: none running */
	int stop_fd;		/* closing it tells the child to stop */
	int res_fd;		/* the child sends its write count here */
};

struct soak {
	int nr_cpus;
	int hot[MAX_CPUS];	/* CPUs that can go offline */
	int nr_hot;
	int slots;		/* hwbp_data_slots() */
	bool armed[NR_KINDS];
	int nr_armed;		/* kinds armed = slots used on every CPU */

	int a_fd, b_fd;
	int64_t a_want;
	struct cpu_event cev[MAX_CPUS];
	int64_t c_written;	/* stores to C made while their CPU's */
				/* event was open */
	int64_t c_closed;	/* final counts of the replaced events */

	struct writer writer;
	struct sysctl_writer sc;

	const char *tracefs;
	bool ksym_on;		/* our filter entry and tracer are set */
	char panic_val[24];	/* the sysctl's value, as written back */
	int64_t ksym_want;
};

/* --- small helpers ------------------------------------------------------- */

/* A non-negative integer from the environment, else @def. */
static int env_int(const char *name, int def)
{
	const char *v = getenv(name);
	char *end;
	long n;

	if (!v || !*v)
		return def;
	n = strtol(v, &end, 10);
	if (*end || n < 0 || n > INT_MAX)
		return def;
	return (int)n;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Whole seconds since @t0. */
static int elapsed_s(double t0)
{
	return (int)(now_s() - t0);
}

static int max_seconds(void)
{
	return env_int("HWBP_SOAK_MAX_SECONDS", SOAK_TIMEOUT - SOAK_MARGIN);
}

/* Whether HWBP_SOAK_KINDS (default: all) names @k. */
static bool kind_wanted(enum kind k)
{
	const char *list = getenv("HWBP_SOAK_KINDS");
	char buf[64], *tok, *save;

	if (!list)
		return true;
	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ", ", &save); tok;
	     tok = strtok_r(NULL, ", ", &save))
		if (!strcmp(tok, kind_word[k]))
			return true;
	return false;
}

/* A write watchpoint on one of our variables (8 bytes). */
static int open_watch(volatile long *var, pid_t pid, int cpu)
{
	struct perf_event_attr attr;

	hwbp_attr_init(&attr, HW_BREAKPOINT_W, (uintptr_t)var, HWBP_LONG);
	return hwbp_open(&attr, pid, cpu);
}

/*
 * @n stores to @var, each followed by a store to @scrub, the unwatched
 * variable that clears QEMU's stale hit flags (see the top).
 */
static void store_scrubbed(volatile long *var, volatile long *scrub,
			   unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		hwbp_store_long(var, (long)i);
		hwbp_store_long(scrub, (long)i);
	}
}

/*
 * One write of the panic sysctl (its own value, @val): one store to
 * panic_timeout. 0, or -errno.
 */
static int write_panic(const char *val)
{
	int fd = open(PANIC_SYSCTL, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return n;
	return (size_t)n == strlen(val) ? 0 : -EIO;
}

/* --- CPUs ----------------------------------------------------------------- */

static void set_online(struct __test_metadata *_metadata, int cpu, bool on)
{
	int ret;

	/* Our own pinning must never be what keeps a CPU from going. */
	hwbp_unpin_self();
	ret = hwbp_set_cpu_online(cpu, on);
	ASSERT_EQ(0, ret) {
		TH_LOG("cpu %d %s: %s", cpu, on ? "online" : "offline",
		       hwbp_errname(ret));
	}
	ASSERT_EQ(on, hwbp_cpu_online(cpu));
}

/*
 * One write round: the main thread, pinned to each online CPU in turn,
 * stores WRITES times to A and to C there; pinned, so that the stores
 * to C are known per CPU. Only the main thread ever stores to A and C.
 * With the ksym part it also writes the sysctl there, so the wide
 * breakpoint is hit on every CPU, a CPU that just came back included.
 */
static void write_round(struct __test_metadata *_metadata, struct soak *s)
{
	int cpu, ret, i;

	for (cpu = 0; cpu < s->nr_cpus; cpu++) {
		if (!hwbp_cpu_online(cpu))
			continue;
		ret = hwbp_pin_self(cpu);
		ASSERT_EQ(0, ret) {
			TH_LOG("pin to cpu %d: %s", cpu, hwbp_errname(ret));
		}
		if (s->armed[K_TASK]) {
			store_scrubbed(&vars.a, &vars.main_scrub, WRITES);
			s->a_want += WRITES;
		}
		if (s->armed[K_CPU] && s->cev[cpu].fd >= 0) {
			store_scrubbed(&vars.c, &vars.main_scrub, WRITES);
			s->cev[cpu].want += WRITES;
			s->c_written += WRITES;
		}
		for (i = 0; s->armed[K_KSYM] && i < KSYM_ROUND_WRITES; i++) {
			ret = write_panic(s->panic_val);
			ASSERT_EQ(0, ret) {
				TH_LOG("sysctl write on cpu %d: %s", cpu,
				       hwbp_errname(ret));
			}
			s->ksym_want++;
		}
	}
	hwbp_unpin_self();
}

/* --- CPU-bound events ----------------------------------------------------- */

static void open_cpu_events(struct __test_metadata *_metadata, struct soak *s)
{
	int cpu;

	for (cpu = 0; cpu < s->nr_cpus; cpu++) {
		s->cev[cpu] = (struct cpu_event){ .fd = -1 };
		if (!hwbp_cpu_online(cpu))
			continue;
		s->cev[cpu].fd = open_watch(&vars.c, -1, cpu);
		ASSERT_LE(0, s->cev[cpu].fd) {
			TH_LOG("CPU-bound on cpu %d: %s", cpu,
			       hwbp_errname(s->cev[cpu].fd));
		}
	}
}

/*
 * @cpu went offline (or may have, in a suspend) and is back: its event
 * must have counted exactly the stores made on it while it was open. Add
 * that to the total, close it, which must free its slot, and open a new
 * one, which must find the slot free.
 */
static void replace_cpu_event(struct __test_metadata *_metadata,
			      struct soak *s, int cpu, int cycle)
{
	struct cpu_event *e = &s->cev[cpu];
	int64_t got = hwbp_count(e->fd);

	ASSERT_EQ(e->want, got) {
		TH_LOG("cycle %d: cpu %d's event before its replacement: %lld, want %lld",
		       cycle, cpu, (long long)got, (long long)e->want);
	}
	s->c_closed += got;
	close(e->fd);
	e->want = 0;
	e->fd = open_watch(&vars.c, -1, cpu);
	ASSERT_LE(0, e->fd) {
		TH_LOG("cycle %d: new CPU-bound event on cpu %d: %s (slot not given back?)",
		       cycle, cpu, hwbp_errname(e->fd));
	}
}

/*
 * While @cpu is offline, a new CPU-bound event there must be refused.
 * Every armed kind still holds a slot there (a dropped CPU-bound event
 * until it is closed, the wide breakpoint until the CPU is back, the
 * tasks' need everywhere), and the accounting answers before perf sees
 * the CPU is offline: ENOSPC if those fill the CPU, else ENODEV.
 */
static void probe_offline(struct __test_metadata *_metadata,
			  const struct soak *s, int cpu, int cycle)
{
	int want = s->nr_armed < s->slots ? -ENODEV : -ENOSPC;
	int fd = open_watch(&vars.c, -1, cpu);

	if (fd >= 0)
		close(fd);
	ASSERT_EQ(want, fd) {
		TH_LOG("cycle %d: open on offline cpu %d: %s, want %s (%d of %d slots held)",
		       cycle, cpu, hwbp_errname(fd), hwbp_errname(want),
		       s->nr_armed, s->slots);
	}
}

/* Total of the C counts: replaced events and the ones still open. */
static int64_t c_total(const struct soak *s)
{
	int64_t sum = s->c_closed;
	int cpu;

	for (cpu = 0; cpu < s->nr_cpus; cpu++)
		if (s->cev[cpu].fd >= 0)
			sum += hwbp_count(s->cev[cpu].fd);
	return sum;
}

/* A and every open CPU-bound event, after a step of the soak. */
static void check_counts(struct __test_metadata *_metadata,
			 const struct soak *s, const char *when, int cycle)
{
	int64_t got;
	int cpu;

	if (s->armed[K_TASK]) {
		got = hwbp_count(s->a_fd);
		ASSERT_EQ(s->a_want, got) {
			TH_LOG("cycle %d, %s: A (task-bound) %lld, want %lld",
			       cycle, when, (long long)got,
			       (long long)s->a_want);
		}
	}
	if (!s->armed[K_CPU])
		return;
	for (cpu = 0; cpu < s->nr_cpus; cpu++) {
		if (s->cev[cpu].fd < 0)
			continue;
		got = hwbp_count(s->cev[cpu].fd);
		ASSERT_EQ(s->cev[cpu].want, got) {
			TH_LOG("cycle %d, %s: C on cpu %d %lld, want %lld",
			       cycle, when, cpu, (long long)got,
			       (long long)s->cev[cpu].want);
		}
	}
}

/* --- the writer thread ---------------------------------------------------- */

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	int64_t n = 0;

	w->tid = gettid();
	atomic_store(&w->ready, 1);
	/* Only stores made after B's event exists are counted. */
	while (!atomic_load(&w->go) && !atomic_load(&w->stop))
		sched_yield();
	while (!atomic_load_explicit(&w->stop, memory_order_relaxed)) {
		hwbp_store_long(&vars.b, (long)n);
		n++;
		hwbp_store_long(&vars.writer_scrub, (long)n);
	}
	w->writes = n;
	return NULL;
}

static void start_writer(struct __test_metadata *_metadata, struct soak *s)
{
	struct writer *w = &s->writer;
	int ret;

	/* A new thread inherits our affinity: it must be all CPUs. */
	hwbp_unpin_self();
	ret = pthread_create(&w->th, NULL, writer_main, w);
	ASSERT_EQ(0, ret) TH_LOG("pthread_create: %s", strerror(ret));
	w->started = true;
	while (!atomic_load(&w->ready))
		sched_yield();
	s->b_fd = open_watch(&vars.b, w->tid, -1);
	ASSERT_LE(0, s->b_fd) {
		TH_LOG("task-bound on the writer (tid %d): %s", w->tid,
		       hwbp_errname(s->b_fd));
	}
	atomic_store(&w->go, 1);
}

/* Idempotent: the teardown calls it whatever happened. */
static void stop_writer(struct soak *s)
{
	if (!s->writer.started)
		return;
	atomic_store(&s->writer.stop, 1);
	pthread_join(s->writer.th, NULL);
	s->writer.started = false;
}

/* --- the ksym tracer ------------------------------------------------------ */

static int tfs_path(char *buf, size_t size, const char *dir,
		    const char *file)
{
	return snprintf(buf, size, "%s/%s", dir, file) < (int)size ? 0 :
	       -ENAMETOOLONG;
}

/* Replace the file's content (O_TRUNC) with @text; 0 or -errno. */
static int tfs_write(const char *dir, const char *file, const char *text)
{
	char path[128];
	ssize_t n;
	int fd, ret = 0;

	if (tfs_path(path, sizeof(path), dir, file))
		return -ENAMETOOLONG;
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != strlen(text))
		ret = -EIO;
	close(fd);
	return ret;
}

static int tfs_read(const char *dir, const char *file, char *buf,
		    size_t size)
{
	char path[128];
	ssize_t n, len = 0;
	int fd;

	if (tfs_path(path, sizeof(path), dir, file))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((size_t)len < size - 1 &&
	       (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	return 0;
}

/* Why the ksym part cannot run here, or NULL; sets s->tracefs. */
static const char *ksym_unavailable(struct soak *s)
{
	static const char * const dirs[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	char buf[256], path[128];
	unsigned int i;

	for (i = 0; i < HWBP_ARRAY_SIZE(dirs); i++) {
		tfs_path(path, sizeof(path), dirs[i], "ksym_trace_filter");
		if (!access(path, W_OK)) {
			s->tracefs = dirs[i];
			break;
		}
	}
	if (!s->tracefs)
		return "no ksym_trace_filter in tracefs (no ksym tracer in this kernel)";
	tfs_path(path, sizeof(path), s->tracefs, "trace_stat/ksym_profile");
	if (access(path, R_OK))
		return "no trace_stat/ksym_profile";
	/* Someone else's watches or tracer are theirs: leave them be. */
	if (tfs_read(s->tracefs, "current_tracer", buf, sizeof(buf)) ||
	    strcmp(buf, "nop\n"))
		return "current_tracer is not nop: tracefs is in use";
	if (tfs_read(s->tracefs, "ksym_trace_filter", buf, sizeof(buf)) ||
	    buf[0])
		return "ksym_trace_filter is not empty: tracefs is in use";
	return NULL;
}

/* Hits of our entry in trace_stat/ksym_profile, or -1. */
static int64_t ksym_hits(const struct soak *s)
{
	char buf[4096], ops[16], sym[128], *line, *save;
	long long hits;

	if (tfs_read(s->tracefs, "trace_stat/ksym_profile", buf, sizeof(buf)))
		return -1;
	/* "  -w-          panic_timeout                            42" */
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%15s %127s %lld", ops, sym, &hits) == 3 &&
		    !strcmp(ops, "-w-") && !strcmp(sym, "panic_timeout"))
			return hits;
	}
	return -1;
}

static void ksym_on(struct __test_metadata *_metadata, struct soak *s)
{
	int64_t hits;
	int val, ret;

	ret = hwbp_read_int(PANIC_SYSCTL, &val);
	ASSERT_EQ(0, ret) TH_LOG(PANIC_SYSCTL ": %s", hwbp_errname(ret));
	snprintf(s->panic_val, sizeof(s->panic_val), "%d\n", val);

	s->ksym_on = true;	/* whatever fails below, undo it all */
	ret = tfs_write(s->tracefs, "ksym_trace_filter", "panic_timeout:-w-\n");
	ASSERT_EQ(0, ret) {
		TH_LOG("'panic_timeout:-w-' > ksym_trace_filter: %s",
		       hwbp_errname(ret));
	}
	ret = tfs_write(s->tracefs, "current_tracer", "ksym_tracer\n");
	ASSERT_EQ(0, ret) TH_LOG("current_tracer: %s", hwbp_errname(ret));
	hits = ksym_hits(s);
	ASSERT_EQ(0, hits) {
		TH_LOG("new entry: %lld hits in ksym_profile (-1: no row)",
		       (long long)hits);
	}
}

/* Back to what ksym_unavailable() found: nop, no entries. */
static void ksym_off(struct soak *s)
{
	if (!s->ksym_on)
		return;
	tfs_write(s->tracefs, "current_tracer", "nop\n");
	tfs_write(s->tracefs, "ksym_trace_filter", "\n");
	s->ksym_on = false;
}

/* --- the sysctl writer child ---------------------------------------------- */

/*
 * Close every fd above stderr but @x and @y. A copy of a perf fd kept
 * here would keep its event, and its slot, past our close() of it.
 */
static void close_fds_except(int x, int y)
{
	int lo = x < y ? x : y, hi = x < y ? y : x;

	if (lo > 3)
		close_range(3, lo - 1, 0);
	if (hi > lo + 1)
		close_range(lo + 1, hi - 1, 0);
	close_range(hi + 1, ~0u, 0);
}

/*
 * The child: pinned to @cpu, write the sysctl at least KSYM_MIN_WRITES
 * times, then every KSYM_PACE_MS until @stop_fd reports EOF; send the
 * number of writes on @res_fd. Exit codes 10-13 say what failed.
 */
static void sysctl_child(int cpu, const char *val, int stop_fd, int res_fd,
			 pid_t parent)
{
	struct pollfd pfd = { .fd = stop_fd, .events = POLLIN };
	int64_t n = 0;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(10);
	close_fds_except(stop_fd, res_fd);
	if (hwbp_pin_self(cpu))
		_exit(11);
	while (n < KSYM_MIN_WRITES || !poll(&pfd, 1, KSYM_PACE_MS)) {
		if (write_panic(val))
			_exit(12);
		n++;
	}
	if (write(res_fd, &n, sizeof(n)) != sizeof(n))
		_exit(13);
	_exit(0);
}

static void start_sysctl_writer(struct __test_metadata *_metadata,
				struct soak *s, int cpu)
{
	int stop[2], res[2];
	pid_t parent = getpid(), pid;

	ASSERT_EQ(0, pipe2(stop, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(res, O_CLOEXEC));
	pid = fork();
	ASSERT_LE(0, pid) TH_LOG("fork: %s", strerror(errno));
	if (pid == 0) {
		close(stop[1]);
		close(res[0]);
		sysctl_child(cpu, s->panic_val, stop[0], res[1], parent);
	}
	close(stop[0]);
	close(res[1]);
	s->sc = (struct sysctl_writer){
		.pid = pid, .stop_fd = stop[1], .res_fd = res[0],
	};
}

/* Stop the child; the number of sysctl writes it made. */
static int64_t stop_sysctl_writer(struct __test_metadata *_metadata,
				  struct soak *s)
{
	int64_t n = -1;
	int rc;

	close(s->sc.stop_fd);
	if (read(s->sc.res_fd, &n, sizeof(n)) != sizeof(n))
		n = -1;
	close(s->sc.res_fd);
	rc = hwbp_wait_exit(s->sc.pid);
	s->sc.pid = 0;
	ASSERT_EQ(0, rc) {
		TH_LOG("sysctl writer: exit %d (%s)", rc,
		       rc == 11 ? "could not pin" :
		       rc == 12 ? "a write failed" :
		       rc >= 1000 ? "killed by a signal" : "see sysctl_child()");
	}
	ASSERT_LE(KSYM_MIN_WRITES, n);
	return n;
}

static void kill_sysctl_writer(struct soak *s)
{
	if (s->sc.pid <= 0)
		return;
	close(s->sc.stop_fd);
	close(s->sc.res_fd);
	hwbp_reap(s->sc.pid);
	s->sc.pid = 0;
}

/* The child's CPU for @cycle: an online CPU other than @hot, rotating. */
static int sysctl_cpu(const struct soak *s, int hot, int cycle)
{
	int cpus[MAX_CPUS], n = 0, cpu;

	for (cpu = 0; cpu < s->nr_cpus; cpu++)
		if (cpu != hot && hwbp_cpu_online(cpu))
			cpus[n++] = cpu;
	return n ? cpus[cycle % n] : 0;
}

/* --- budget, arming, final checks ----------------------------------------- */

/*
 * Arm kinds in the order given while slots remain (one per kind on
 * every CPU; see the top). What cannot be armed is said, not failed.
 */
static void choose_kinds(struct soak *s, const enum kind *order, int n)
{
	const char *why;
	int i;

	for (i = 0; i < n; i++) {
		enum kind k = order[i];

		if (!kind_wanted(k)) {
			ksft_print_msg("not armed: %s (not in HWBP_SOAK_KINDS)\n",
				       kind_name[k]);
			continue;
		}
		why = k == K_KSYM ? ksym_unavailable(s) : NULL;
		if (why) {
			ksft_print_msg("ksym part skipped: %s\n", why);
			continue;
		}
		if (s->nr_armed == s->slots) {
			ksft_print_msg("not armed: %s: %d data slot(s), all taken before it\n",
				       kind_name[k], s->slots);
			continue;
		}
		s->armed[k] = true;
		s->nr_armed++;
		ksft_print_msg("armed: %s\n", kind_name[k]);
	}
}

/*
 * Open @n breakpoints for (@pid, @cpu), disabled (the accounting
 * reserves at open; nothing is ever installed or hit); the number that
 * fit, with the error of the first refused one in *err.
 */
static int fill_slots(pid_t pid, int cpu, int n, int *err)
{
	struct perf_event_attr attr;
	int fds[64], i;

	hwbp_attr_init(&attr, HW_BREAKPOINT_W, (uintptr_t)&vars.main_scrub,
		       HWBP_LONG);
	attr.disabled = 1;
	*err = 0;
	for (i = 0; i < n && i < (int)HWBP_ARRAY_SIZE(fds); i++) {
		fds[i] = hwbp_open(&attr, pid, cpu);
		if (fds[i] < 0) {
			*err = fds[i];
			break;
		}
	}
	n = i;
	while (i-- > 0)
		close(fds[i]);
	return n;
}

/* With everything closed, every slot must be free again. */
static void check_no_leak(struct __test_metadata *_metadata,
			  const struct soak *s)
{
	int cpu, n, err;

	for (cpu = 0; cpu < s->nr_cpus; cpu++) {
		if (!hwbp_cpu_online(cpu))
			continue;
		n = fill_slots(-1, cpu, s->slots + 1, &err);
		EXPECT_EQ(s->slots, n) {
			TH_LOG("cpu %d takes %d CPU-bound breakpoints, has %d slots (%s)",
			       cpu, n, s->slots, hwbp_errname(err));
		}
		EXPECT_EQ(-ENOSPC, err) {
			TH_LOG("cpu %d, breakpoint %d: %s", cpu, n + 1,
			       hwbp_errname(err));
		}
	}
	n = fill_slots(0, -1, s->slots + 1, &err);
	EXPECT_EQ(s->slots, n) {
		TH_LOG("the task takes %d breakpoints, has %d slots (%s)", n,
		       s->slots, hwbp_errname(err));
	}
	EXPECT_EQ(-ENOSPC, err) TH_LOG("task, breakpoint %d: %s", n + 1,
				       hwbp_errname(err));
}

/* Final A and C totals; closes every fd of the soak. */
static void check_and_close(struct __test_metadata *_metadata,
			    struct soak *s)
{
	int64_t got;
	int cpu;

	if (s->a_fd >= 0) {
		got = hwbp_count(s->a_fd);
		EXPECT_EQ(s->a_want, got) {
			TH_LOG("A (task-bound, main thread): %lld, want %lld",
			       (long long)got, (long long)s->a_want);
		}
		close(s->a_fd);
		s->a_fd = -1;
	}
	if (!s->armed[K_CPU])
		return;
	got = c_total(s);
	EXPECT_EQ(s->c_written, got) {
		TH_LOG("C (CPU-bound, replaced + open events): %lld, want %lld",
		       (long long)got, (long long)s->c_written);
	}
	for (cpu = 0; cpu < s->nr_cpus; cpu++) {
		if (s->cev[cpu].fd >= 0)
			close(s->cev[cpu].fd);
		s->cev[cpu].fd = -1;
	}
}

/* --- the fixture ---------------------------------------------------------- */

FIXTURE(soak) {
	struct soak s;
};

FIXTURE_SETUP(soak)
{
	struct soak *s = &self->s;
	char path[64];
	int cpu;

	memset(s, 0, sizeof(*s));
	s->a_fd = -1;
	s->b_fd = -1;
	for (cpu = 0; cpu < MAX_CPUS; cpu++)
		s->cev[cpu].fd = -1;

	if (geteuid())
		SKIP(return, "CPU hotplug, suspend and CPU-bound events need root");
	s->nr_cpus = hwbp_nr_cpus();
	ASSERT_GE(MAX_CPUS, s->nr_cpus);
	s->slots = hwbp_data_slots();
	ASSERT_LT(0, s->slots) {
		TH_LOG("data slots: %s", hwbp_errname(s->slots));
	}
	for (cpu = 1; cpu < s->nr_cpus; cpu++) {
		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/cpu%d/online", cpu);
		if (access(path, W_OK))
			continue;
		/* Whatever an earlier run left behind: all online. */
		if (!hwbp_cpu_online(cpu))
			ASSERT_EQ(0, hwbp_set_cpu_online(cpu, true));
		s->hot[s->nr_hot++] = cpu;
	}
	for (cpu = 0; cpu < s->nr_cpus; cpu++)
		ASSERT_TRUE(hwbp_cpu_online(cpu)) TH_LOG("cpu %d", cpu);
}

/* Whatever happened: no thread, no child, no tracer, every CPU online. */
FIXTURE_TEARDOWN(soak)
{
	struct soak *s = &self->s;
	int i;

	stop_writer(s);
	kill_sysctl_writer(s);
	ksym_off(s);
	hwbp_unpin_self();
	for (i = 0; i < s->nr_hot; i++)
		if (!hwbp_cpu_online(s->hot[i]))
			hwbp_set_cpu_online(s->hot[i], true);
}

/* --- hotplug_soak --------------------------------------------------------- */

static void arm_hotplug(struct __test_metadata *_metadata, struct soak *s)
{
	if (s->armed[K_KSYM])
		ksym_on(_metadata, s);
	if (s->armed[K_CPU])
		open_cpu_events(_metadata, s);
	if (s->armed[K_TASK]) {
		s->a_fd = open_watch(&vars.a, 0, -1);
		ASSERT_LE(0, s->a_fd) {
			TH_LOG("task-bound on the main thread: %s",
			       hwbp_errname(s->a_fd));
		}
		start_writer(_metadata, s);
	}
}

/*
 * One cycle: @hot goes offline and comes back while the writer and the
 * sysctl child hit their watchpoints; a write round on every online CPU
 * after each step, and every count checked.
 */
static void hotplug_cycle(struct __test_metadata *_metadata, struct soak *s,
			  int cycle)
{
	int hot = s->hot[cycle % s->nr_hot];
	int64_t hits;

	if (s->armed[K_KSYM])
		start_sysctl_writer(_metadata, s, sysctl_cpu(s, hot, cycle));

	set_online(_metadata, hot, false);
	probe_offline(_metadata, s, hot, cycle);
	write_round(_metadata, s);
	check_counts(_metadata, s, "cpu offline", cycle);

	set_online(_metadata, hot, true);
	if (s->armed[K_KSYM]) {
		s->ksym_want += stop_sysctl_writer(_metadata, s);
		hits = ksym_hits(s);
		ASSERT_EQ(s->ksym_want, hits) {
			TH_LOG("cycle %d (cpu %d): panic_timeout hits %lld, sysctl writes %lld",
			       cycle, hot, (long long)hits,
			       (long long)s->ksym_want);
		}
	}
	if (s->armed[K_CPU])
		replace_cpu_event(_metadata, s, hot, cycle);
	write_round(_metadata, s);
	check_counts(_metadata, s, "cpu back online", cycle);
}

/* B, read once the writer is gone, and the ksym total. */
static void check_hotplug_end(struct __test_metadata *_metadata,
			      struct soak *s)
{
	int64_t got;

	if (s->armed[K_TASK]) {
		stop_writer(s);
		got = hwbp_count(s->b_fd);
		EXPECT_LT(0, s->writer.writes);
		EXPECT_EQ(s->writer.writes, got) {
			TH_LOG("B (task-bound, migrating writer): %lld, want %lld",
			       (long long)got, (long long)s->writer.writes);
		}
		close(s->b_fd);
		s->b_fd = -1;
		ksft_print_msg("writer: %lld stores to B\n",
			       (long long)s->writer.writes);
	}
	if (s->armed[K_KSYM]) {
		got = ksym_hits(s);
		EXPECT_EQ(s->ksym_want, got) {
			TH_LOG("panic_timeout: %lld hits, %lld sysctl writes",
			       (long long)got, (long long)s->ksym_want);
		}
		ksym_off(s);
	}
	check_and_close(_metadata, s);
}

TEST_F_TIMEOUT(soak, hotplug_soak, SOAK_TIMEOUT)
{
	static const enum kind order[] = { K_TASK, K_CPU, K_KSYM };
	struct soak *s = &self->s;
	int cycles = env_int("HWBP_SOAK_HOTPLUG_CYCLES", DEFAULT_HP_CYCLES);
	int budget = max_seconds();
	double t0;
	int cycle;

	if (!s->nr_hot)
		SKIP(return, "no CPU can be taken offline");
	choose_kinds(s, order, HWBP_ARRAY_SIZE(order));
	if (!s->nr_armed)
		SKIP(return, "no kind of breakpoint armed");
	arm_hotplug(_metadata, s);

	t0 = now_s();
	write_round(_metadata, s);
	check_counts(_metadata, s, "before the first cycle", -1);
	for (cycle = 0; cycle < cycles; cycle++) {
		ASSERT_GT(budget, elapsed_s(t0)) {
			TH_LOG("%d of %d cycles in %d s: stopping before the harness timeout",
			       cycle, cycles, elapsed_s(t0));
		}
		hotplug_cycle(_metadata, s, cycle);
	}
	ksft_print_msg("hotplug_soak: %d cycles over %d CPUs in %.1f s\n",
		       cycles, s->nr_hot, now_s() - t0);

	check_hotplug_end(_metadata, s);
	check_no_leak(_metadata, s);
}

/* --- suspend_soak --------------------------------------------------------- */

/*
 * Suspend-to-idle leaves every CPU online; any other sleep state takes
 * all CPUs but the boot CPU offline (kernel/power/suspend.c).
 */
static bool sleep_keeps_cpus(const char *state)
{
	char buf[128], *lb, *rb;
	int fd, n;

	if (!strcmp(state, "freeze"))
		return true;
	if (strcmp(state, "mem"))
		return false;
	fd = open("/sys/power/mem_sleep", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	/* The state "mem" means is the one in brackets. */
	lb = strchr(buf, '[');
	rb = lb ? strchr(lb, ']') : NULL;
	return rb && rb - lb - 1 == 6 && !strncmp(lb + 1, "s2idle", 6);
}

/*
 * Write @state to /sys/power/state with an alarm to wake the machine;
 * the write returns after the resume. A suspend a wakeup event aborted
 * (the success count did not move) is tried again.
 */
static void suspend_once(struct __test_metadata *_metadata, const char *state,
			 int cycle)
{
	struct itimerspec wake = { .it_value = { .tv_sec = WAKE_AFTER } };
	int before = 0, after = 0, tfd, fd, try, err = 0;
	ssize_t n;

	ASSERT_EQ(0, hwbp_read_int(SUSPEND_STATS, &before));
	tfd = timerfd_create(CLOCK_BOOTTIME_ALARM, TFD_CLOEXEC);
	ASSERT_LE(0, tfd) TH_LOG("timerfd_create: %s", strerror(errno));
	for (try = 0; try < SUSPEND_TRIES && after <= before; try++) {
		ASSERT_EQ(0, timerfd_settime(tfd, 0, &wake, NULL));
		fd = open("/sys/power/state", O_WRONLY | O_CLOEXEC);
		ASSERT_LE(0, fd) TH_LOG("/sys/power/state: %s",
					strerror(errno));
		n = write(fd, state, strlen(state));
		err = n < 0 ? errno : 0;
		close(fd);
		ASSERT_EQ(0, hwbp_read_int(SUSPEND_STATS, &after));
		if (after <= before)
			ksft_print_msg("cycle %d: suspend %d did not happen: %s\n",
				       cycle, try + 1,
				       err ? strerror(err) : "no error");
	}
	close(tfd);
	ASSERT_LT(before, after) {
		TH_LOG("cycle %d: never suspended (%d tries, last: %s)",
		       cycle, SUSPEND_TRIES, err ? strerror(err) : "no error");
	}
}

TEST_F_TIMEOUT(soak, suspend_soak, SOAK_TIMEOUT)
{
	/* CPU-bound first: only the resume path reloads the boot CPU's. */
	static const enum kind order[] = { K_CPU, K_TASK };
	struct soak *s = &self->s;
	const char *state = getenv("HWBP_SOAK_SUSPEND_STATE");
	int cycles = env_int("HWBP_SOAK_SUSPEND_CYCLES",
			     DEFAULT_SUSPEND_CYCLES);
	int budget = max_seconds();
	double t0;
	const char *why;
	bool keeps;
	int cycle, cpu;

	/* Set by the harness where a resume is known to kill the machine. */
	why = getenv("HWBP_SOAK_SUSPEND_SKIP");
	if (why && *why)
		SKIP(return, "%s", why);
	if (!state || !*state)
		state = "mem";
	why = hwbp_cannot_sleep(state);
	if (why)
		SKIP(return, "%s", why);
	keeps = sleep_keeps_cpus(state);
	choose_kinds(s, order, HWBP_ARRAY_SIZE(order));
	if (!s->nr_armed)
		SKIP(return, "no kind of breakpoint armed");
	if (s->armed[K_CPU])
		open_cpu_events(_metadata, s);
	if (s->armed[K_TASK]) {
		s->a_fd = open_watch(&vars.a, 0, -1);
		ASSERT_LE(0, s->a_fd) TH_LOG("task-bound: %s",
					     hwbp_errname(s->a_fd));
	}

	t0 = now_s();
	write_round(_metadata, s);
	check_counts(_metadata, s, "before the first suspend", -1);
	for (cycle = 0; cycle < cycles; cycle++) {
		ASSERT_GT(budget, elapsed_s(t0)) {
			TH_LOG("%d of %d suspends in %d s: stopping before the harness timeout",
			       cycle, cycles, elapsed_s(t0));
		}
		suspend_once(_metadata, state, cycle);
		/* A failed try may also have taken them down and back. */
		for (cpu = 0; cpu < s->nr_cpus && s->armed[K_CPU] && !keeps;
		     cpu++)
			if (cpu != BOOT_CPU && s->cev[cpu].fd >= 0)
				replace_cpu_event(_metadata, s, cpu, cycle);
		write_round(_metadata, s);
		check_counts(_metadata, s, "after the resume", cycle);
	}
	ksft_print_msg("suspend_soak: %d suspends to \"%s\" (%s) in %.1f s\n",
		       cycles, state,
		       keeps ? "CPUs stay online" : "secondary CPUs go offline",
		       now_s() - t0);

	check_and_close(_metadata, s);
	check_no_leak(_metadata, s);
}

TEST_HARNESS_MAIN
