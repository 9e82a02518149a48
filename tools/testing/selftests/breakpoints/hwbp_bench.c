// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmarks of the hardware breakpoint layer, for harness/bench.sh.  Not
 * a test: it checks only that what it measured happened (every hit
 * counted), and prints one line per case:
 *
 *	BENCH <case> <cost> <unit> [<what was subtracted>]
 *
 * Costs are CLOCK_MONOTONIC nanoseconds.  The harness boots the guests
 * under QEMU's -icount shift=0, where one guest nanosecond is one guest
 * instruction, so every figure is an instruction count that repeats run
 * to run.  Each measured loop runs pinned to one CPU, so that the count
 * is that CPU's work and not another vCPU's idling.
 *
 * Cases (usage: hwbp_bench CASE [N]):
 *   hit-count    a perf write watchpoint, counting: cost per hit, from N
 *                stores to the watched variable minus N stores to its
 *                unwatched neighbour;
 *   hit-sample   the same with sample_period=1 into a ring buffer;
 *   hit-exec     an execute breakpoint on a called function (x86, arm64);
 *   hit-ptrace   a ptrace watchpoint seen by the tracer (hwbp-watch -q):
 *                SIGTRAP, wait, resume;
 *   hit-kernel   a wide (one event per CPU) read/write watchpoint on
 *                init_uts_ns, hit by uname(): cost per counted hit;
 *   ctxsw        two tasks on one CPU ping-ponging through pipes: cost per
 *                round trip unarmed, with 1 and with 4 task breakpoints
 *                in one task (fewer where the CPU has fewer), and with
 *                both tasks armed;
 *   create-close opening and closing a task breakpoint while N other
 *                tasks hold one each;
 *   ptrace-cycle setting and clearing a watchpoint through the arch's
 *                ptrace interface.
 */
#include <pthread.h>
#include <limits.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/utsname.h>

#include "hwbp_util.h"

#define BENCH_CPU	0

static void fail(const char *what, int err)
{
	fprintf(stderr, "hwbp_bench: %s: %s\n", what, strerror(err));
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* CPU time of the calling thread: under icount, its own instructions. */
static uint64_t thread_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void report(const char *name, double cost, const char *unit)
{
	printf("BENCH %s %.1f %s\n", name, cost, unit);
	fflush(stdout);
}

/*
 * Let the machine go quiet before a measurement: under icount every vCPU's
 * instructions count, and the tasks a previous case (or this one's setup)
 * left to reap and free are still being torn down on other CPUs.
 */
static void settle(void)
{
	sleep(1);
}

static void pin(void)
{
	int err = hwbp_pin_self(BENCH_CPU);

	if (err)
		fail("sched_setaffinity to CPU 0", -err);
}

/* --- hits ---------------------------------------------------------------- */

/* The watched variable and its neighbour, one cache line apart. */
static volatile long hit_vars[16] __aligned(64);
#define WATCHED		(&hit_vars[0])
#define NEIGHBOUR	(&hit_vars[8])

static uint64_t time_stores(volatile long *p, unsigned int n)
{
	uint64_t t0 = now_ns();

	hwbp_store_n(p, n);
	return now_ns() - t0;
}

/* @n accesses to the watched place, or to its unwatched twin: the time. */
typedef uint64_t (*access_loop)(bool watched, unsigned int n);

/*
 * Cost per hit of @fd's breakpoint: @loop on the watched place, minus the
 * same loop on the unwatched twin.  Each runs after a warm-up run.
 */
static double hit_cost(int fd, access_loop loop, unsigned int n)
{
	uint64_t watched, base;
	int64_t count;

	loop(false, n);
	base = loop(false, n);
	hwbp_ioctl(fd, PERF_EVENT_IOC_RESET, 0);
	watched = loop(true, n);
	count = hwbp_count(fd);
	if (count != n) {
		fprintf(stderr, "hwbp_bench: %lld hits counted for %u accesses\n",
			(long long)count, n);
		exit(1);
	}
	return (double)((int64_t)(watched - base)) / n;
}

static uint64_t store_loop(bool watched, unsigned int n)
{
	return time_stores(watched ? WATCHED : NEIGHBOUR, n);
}

static int open_store_watch(struct perf_event_attr *attr)
{
	int fd = hwbp_open(attr, 0, -1);

	if (fd < 0)
		fail("perf_event_open (write watchpoint)", -fd);
	return fd;
}

static void bench_hit_count(unsigned int n)
{
	struct perf_event_attr attr;
	int fd;

	pin();
	hwbp_attr_init(&attr, HW_BREAKPOINT_W, (uintptr_t)WATCHED, 8);
	fd = open_store_watch(&attr);
	report("hit-count", hit_cost(fd, store_loop, n), "per-hit");
	close(fd);
}

static void bench_hit_sample(unsigned int n)
{
	struct perf_event_attr attr;
	size_t page = getpagesize(), pages = 1;
	void *ring;
	int fd;

	pin();
	/* Room for every record (header, ip, pid/tid): nothing is lost. */
	while (pages * page < (size_t)n * 24 * 2)
		pages *= 2;
	hwbp_attr_init(&attr, HW_BREAKPOINT_W, (uintptr_t)WATCHED, 8);
	attr.sample_period = 1;
	attr.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID;
	fd = open_store_watch(&attr);
	ring = mmap(NULL, (pages + 1) * page, PROT_READ | PROT_WRITE,
		    MAP_SHARED, fd, 0);
	if (ring == MAP_FAILED)
		fail("mmap of the ring buffer", errno);
	report("hit-sample", hit_cost(fd, store_loop, n), "per-hit");
	munmap(ring, (pages + 1) * page);
	close(fd);
}

/* The ABI's length for an execute breakpoint: x86 wants sizeof(long). */
#if defined(__x86_64__)
#define EXEC_BP_LEN	sizeof(long)
#else
#define EXEC_BP_LEN	4
#endif

/* Two functions the compiler may neither inline, merge nor drop. */
static volatile long calls_a, calls_b;

__attribute__((noipa)) __aligned(16) static void exec_target(void)
{
	calls_a++;
}

__attribute__((noipa)) __aligned(16) static void exec_other(void)
{
	calls_b++;
}

static uint64_t time_calls(void (*fn)(void), unsigned int n)
{
	uint64_t t0 = now_ns();
	unsigned int i;

	for (i = 0; i < n; i++)
		fn();
	return now_ns() - t0;
}

static uint64_t call_loop(bool watched, unsigned int n)
{
	return time_calls(watched ? exec_target : exec_other, n);
}

static void bench_hit_exec(unsigned int n)
{
	struct perf_event_attr attr;
	int fd;

	if (hwbp_inst_slots() <= 0) {
		printf("BENCH hit-exec n/a no-instruction-breakpoints\n");
		return;
	}
	pin();
	hwbp_attr_init(&attr, HW_BREAKPOINT_X, (uintptr_t)exec_target,
		       EXEC_BP_LEN);
	fd = hwbp_open(&attr, 0, -1);
	if (fd < 0)
		fail("perf_event_open (execute breakpoint)", -fd);
	report("hit-exec", hit_cost(fd, call_loop, n), "per-hit");
	close(fd);
}

/*
 * Run hwbp-watch -q on this program as the stores' writer, watching
 * @addr: the writer maps HWBP_EXEC_ADDR and stores to it @n times.
 * Returns the time from start to the tracer's exit; *@hits is what the
 * tracer saw.
 */
static uint64_t time_traced_writer(unsigned long addr, unsigned int n,
				   unsigned long *hits)
{
	char self[PATH_MAX], cmd[PATH_MAX + 128], line[128];
	uint64_t t0 = now_ns();
	ssize_t len;
	FILE *out;

	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len < 0)
		fail("/proc/self/exe", errno);
	self[len] = 0;
	snprintf(cmd, sizeof(cmd), "hwbp-watch -q 0x%lx %s %s %u", addr, self,
		 HWBP_EXEC_WRITER, n);
	out = popen(cmd, "r");
	if (!out)
		fail("popen hwbp-watch", errno);
	*hits = ~0ul;
	while (fgets(line, sizeof(line), out))
		sscanf(line, "hwbp-watch: %lu hits", hits);
	if (pclose(out)) {
		fprintf(stderr, "hwbp_bench: %s failed\n", cmd);
		exit(1);
	}
	return now_ns() - t0;
}

static void bench_hit_ptrace(unsigned int n)
{
	unsigned long hits;
	uint64_t base, hit;

	pin();
	/* Baseline: the same run with the watchpoint on an untouched line. */
	time_traced_writer(HWBP_EXEC_ADDR + 64, n, &hits);
	base = time_traced_writer(HWBP_EXEC_ADDR + 64, n, &hits);
	if (hits) {
		fprintf(stderr, "hwbp_bench: %lu hits on an untouched line\n", hits);
		exit(1);
	}
	hit = time_traced_writer(HWBP_EXEC_ADDR, n, &hits);
	if (hits != n) {
		fprintf(stderr, "hwbp_bench: the tracer saw %lu of %u stores\n",
			hits, n);
		exit(1);
	}
	report("hit-ptrace", (double)((int64_t)(hit - base)) / n, "per-hit");
}

/* The address of a kernel symbol, from /proc/kallsyms (root only). */
static unsigned long kernel_symbol(const char *name)
{
	char line[256], sym[128];
	unsigned long addr, found = 0;
	FILE *f = fopen("/proc/kallsyms", "r");
	char type;

	if (!f)
		fail("/proc/kallsyms", errno);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx %c %127s", &addr, &type, sym) == 3 &&
		    !strcmp(sym, name)) {
			found = addr;
			break;
		}
	}
	fclose(f);
	if (!found) {
		fprintf(stderr, "hwbp_bench: no %s in /proc/kallsyms\n", name);
		exit(1);
	}
	return found;
}

static uint64_t time_unames(unsigned int n)
{
	struct utsname u;
	uint64_t t0 = now_ns();
	unsigned int i;

	for (i = 0; i < n; i++)
		uname(&u);
	return now_ns() - t0;
}

static void bench_hit_kernel(unsigned int n)
{
	int ncpus = hwbp_nr_cpus(), fds[CPU_SETSIZE], cpu, nfds = 0;
	struct perf_event_attr attr;
	uint64_t base, hit;
	int64_t hits = 0;

	pin();
	hwbp_attr_init(&attr, HW_BREAKPOINT_RW, kernel_symbol("init_uts_ns"), 8);
	attr.exclude_kernel = 0;
	attr.exclude_hv = 0;
	time_unames(n);
	base = time_unames(n);
	for (cpu = 0; cpu < ncpus && cpu < CPU_SETSIZE; cpu++) {
		if (!hwbp_cpu_online(cpu))
			continue;
		fds[nfds] = hwbp_open(&attr, -1, cpu);
		if (fds[nfds] < 0)
			fail("perf_event_open (wide kernel watchpoint)", -fds[nfds]);
		nfds++;
	}
	hit = time_unames(n);
	while (nfds--) {
		hits += hwbp_count(fds[nfds]);
		close(fds[nfds]);
	}
	if (hits < n) {
		fprintf(stderr, "hwbp_bench: %lld hits for %u uname() calls\n",
			(long long)hits, n);
		exit(1);
	}
	printf("BENCH hit-kernel-hits-per-call %.2f hits\n", (double)hits / n);
	report("hit-kernel", (double)((int64_t)(hit - base)) / hits, "per-hit");
}

/* --- context switch ------------------------------------------------------ */

static volatile long ctx_vars[4][8] __aligned(64);

/* Arm @n task breakpoints on the caller, on variables nobody touches. */
static void arm_self(int n, int *fds)
{
	struct perf_event_attr attr;
	int i;

	for (i = 0; i < n; i++) {
		hwbp_attr_init(&attr, HW_BREAKPOINT_W, (uintptr_t)ctx_vars[i], 8);
		fds[i] = open_store_watch(&attr);
	}
}

/*
 * Round trips between us and a child, both on BENCH_CPU: one byte each
 * way.  The child arms @child_bps breakpoints on itself, we arm @our_bps.
 */
static double ctxsw_round_trip(int our_bps, int child_bps, unsigned int n)
{
	int to_child[2], to_parent[2], fds[4], i;
	uint64_t t0, t;
	unsigned int r;
	char c = 0;
	pid_t pid;

	if (pipe(to_child) || pipe(to_parent))
		fail("pipe", errno);
	pid = fork();
	if (pid < 0)
		fail("fork", errno);
	if (!pid) {
		arm_self(child_bps, fds);
		/* One extra trip: the parent's warm-up. */
		for (r = 0; r <= n; r++) {
			if (read(to_child[0], &c, 1) != 1 ||
			    write(to_parent[1], &c, 1) != 1)
				_exit(1);
		}
		_exit(0);
	}
	arm_self(our_bps, fds);
	if (write(to_child[1], &c, 1) != 1 || read(to_parent[0], &c, 1) != 1)
		fail("pipe round trip", errno);
	t0 = now_ns();
	for (r = 0; r < n; r++) {
		if (write(to_child[1], &c, 1) != 1 ||
		    read(to_parent[0], &c, 1) != 1)
			fail("pipe round trip", errno);
	}
	t = now_ns() - t0;
	if (hwbp_wait_exit(pid))
		fail("ping-pong child", EIO);
	for (i = 0; i < our_bps; i++)
		close(fds[i]);
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
	return (double)t / n;
}

static void bench_ctxsw(unsigned int n)
{
	int most = hwbp_data_slots();
	double base;
	char name[32];

	if (most > 4)
		most = 4;
	if (most < 1)
		fail("no data breakpoint slots", ENODEV);
	/* Both tasks, and so their children, stay on BENCH_CPU. */
	pin();
	base = ctxsw_round_trip(0, 0, n);
	report("ctxsw-unarmed", base, "per-round-trip");
	report("ctxsw-armed1-overhead", ctxsw_round_trip(1, 0, n) - base,
	       "per-round-trip");
	snprintf(name, sizeof(name), "ctxsw-armed%d-overhead", most);
	report(name, ctxsw_round_trip(most, 0, n) - base, "per-round-trip");
	snprintf(name, sizeof(name), "ctxsw-both%d-overhead", most);
	report(name, ctxsw_round_trip(most, most, n) - base, "per-round-trip");
}

/* --- registration -------------------------------------------------------- */

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int armed, failed, quit;
} holders = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

/* A task that holds one breakpoint on itself until told to quit. */
static void *holder_main(void *arg)
{
	struct perf_event_attr attr;
	int fd;

	hwbp_attr_init(&attr, HW_BREAKPOINT_W, (uintptr_t)ctx_vars[0], 8);
	fd = hwbp_open(&attr, 0, -1);
	pthread_mutex_lock(&holders.lock);
	if (fd < 0)
		holders.failed = -fd;
	holders.armed++;
	pthread_cond_broadcast(&holders.cond);
	while (!holders.quit)
		pthread_cond_wait(&holders.cond, &holders.lock);
	pthread_mutex_unlock(&holders.lock);
	if (fd >= 0)
		close(fd);
	return arg;
}

#define CREATE_CLOSE_CYCLES	500

static void bench_create_close(unsigned int tasks)
{
	struct rlimit fds = { tasks + 256, tasks + 256 };
	struct perf_event_attr attr;
	pthread_t *threads = calloc(tasks, sizeof(*threads));
	pthread_attr_t small;
	char name[48];
	uint64_t t0, t, own0, own;
	unsigned int i;
	int fd;

	if (!threads || setrlimit(RLIMIT_NOFILE, &fds))
		fail("room for the holders", errno);
	pthread_attr_init(&small);
	pthread_attr_setstacksize(&small, PTHREAD_STACK_MIN);
	for (i = 0; i < tasks; i++) {
		if (pthread_create(&threads[i], &small, holder_main, NULL))
			fail("pthread_create", EAGAIN);
	}
	pthread_mutex_lock(&holders.lock);
	while (holders.armed < (int)tasks)
		pthread_cond_wait(&holders.cond, &holders.lock);
	pthread_mutex_unlock(&holders.lock);
	if (holders.failed)
		fail("a holder's breakpoint", holders.failed);

	pin();
	settle();
	hwbp_attr_init(&attr, HW_BREAKPOINT_W, (uintptr_t)ctx_vars[1], 8);
	t0 = now_ns();
	own0 = thread_ns();
	for (i = 0; i < CREATE_CLOSE_CYCLES; i++) {
		fd = open_store_watch(&attr);
		close(fd);
	}
	own = thread_ns() - own0;
	t = now_ns() - t0;
	snprintf(name, sizeof(name), "create-close-%u-tasks", tasks);
	report(name, (double)t / CREATE_CLOSE_CYCLES, "per-cycle");
	/*
	 * Not a figure of the table: the share of the cost that ran in this
	 * thread, against work done meanwhile on other CPUs or time idle.
	 */
	printf("BENCH-DETAIL %s-own-thread %.1f per-cycle\n", name,
	       (double)own / CREATE_CLOSE_CYCLES);

	pthread_mutex_lock(&holders.lock);
	holders.quit = 1;
	pthread_cond_broadcast(&holders.cond);
	pthread_mutex_unlock(&holders.lock);
	for (i = 0; i < tasks; i++)
		pthread_join(threads[i], NULL);
	free(threads);
}

/*
 * One set-and-clear of a write watchpoint on a stopped tracee, through
 * the arch's own debugger interface.
 */
#if defined(__x86_64__)
/* DR7: L0, R/W0 = 01 (writes), LEN0 = 10 (8 bytes) */
#define DR7_WATCH0	((1UL << 0) | (1UL << 16) | (2UL << 18))

static int ptrace_set_clear(pid_t pid)
{
	int err = hwbp_poke_dr(pid, 0, (uintptr_t)WATCHED);

	if (!err)
		err = hwbp_poke_dr(pid, 7, DR7_WATCH0);
	if (!err)
		err = hwbp_poke_dr(pid, 7, 0);
	return err;
}
#elif defined(__aarch64__)
static int set_watch_regset(pid_t pid, unsigned int ctrl)
{
	struct user_hwdebug_state st;
	struct iovec iov = {
		.iov_base = &st,
		.iov_len = offsetof(struct user_hwdebug_state, dbg_regs[1]),
	};

	memset(&st, 0, sizeof(st));
	st.dbg_regs[0].addr = (uintptr_t)WATCHED;
	st.dbg_regs[0].ctrl = ctrl;
	return ptrace(PTRACE_SETREGSET, pid, NT_ARM_HW_WATCH, &iov) ? -errno : 0;
}

static int ptrace_set_clear(pid_t pid)
{
	/* WCR: E, PAC = EL0, LSC = store, BAS = all eight bytes */
	unsigned int ctrl = (1U << 0) | (2U << 1) | (2U << 3) | (0xffU << 5);
	int err = set_watch_regset(pid, ctrl);

	return err ? err : set_watch_regset(pid, ctrl & ~1U);
}
#elif defined(__powerpc__)
static int ptrace_set_clear(pid_t pid)
{
	struct ppc_hw_breakpoint bp = {
		.version = 1,
		.trigger_type = PPC_BREAKPOINT_TRIGGER_WRITE,
		.addr_mode = PPC_BREAKPOINT_MODE_EXACT,
		.condition_mode = PPC_BREAKPOINT_CONDITION_NONE,
		.addr = (uintptr_t)WATCHED,
	};
	long handle = ptrace(PPC_PTRACE_SETHWDEBUG, pid, 0, &bp);

	if (handle <= 0)
		return handle ? -errno : -EINVAL;
	return ptrace(PPC_PTRACE_DELHWDEBUG, pid, 0, handle) ? -errno : 0;
}
#endif

#define PTRACE_CYCLES	1000

static void bench_ptrace_cycle(unsigned int cycles)
{
	pid_t pid;
	uint64_t t0, t;
	unsigned int i;
	int err;

	pin();
	pid = hwbp_stopped_tracee();
	if (pid < 0)
		fail("stopped tracee", -pid);
	err = ptrace_set_clear(pid);
	t0 = now_ns();
	for (i = 0; i < cycles && !err; i++)
		err = ptrace_set_clear(pid);
	t = now_ns() - t0;
	hwbp_reap(pid);
	if (err)
		fail("ptrace set and clear", -err);
	report("ptrace-cycle", (double)t / cycles, "per-cycle");
}

/* --- enable and disable ------------------------------------------------- */

/*
 * PERF_EVENT_IOC_DISABLE then ENABLE of a watchpoint on the calling task,
 * per cycle: perf core's local path and the layer's del and add, with no
 * cross-CPU call (perf bench breakpoint enable measures those too).  The
 * watchpoint must still count a store afterwards.
 */
static int disable_enable(int fd)
{
	int err = hwbp_ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);

	return err ? err : hwbp_ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
}

static void bench_enable_self(unsigned int cycles)
{
	struct perf_event_attr attr;
	uint64_t t0, t;
	unsigned int i;
	int fd, err;

	pin();
	hwbp_attr_init(&attr, HW_BREAKPOINT_W, (uintptr_t)WATCHED, 8);
	fd = open_store_watch(&attr);
	err = disable_enable(fd);
	t0 = now_ns();
	for (i = 0; i < cycles && !err; i++)
		err = disable_enable(fd);
	t = now_ns() - t0;
	if (err)
		fail("PERF_EVENT_IOC_DISABLE/ENABLE", -err);
	hwbp_ioctl(fd, PERF_EVENT_IOC_RESET, 0);
	hwbp_store_n(WATCHED, 1);
	if (hwbp_count(fd) != 1) {
		fprintf(stderr, "hwbp_bench: enabled watchpoint missed its store\n");
		exit(1);
	}
	close(fd);
	report("enable-self", (double)t / cycles, "per-cycle");
}

static const struct {
	const char *name;
	void (*run)(unsigned int n);
	unsigned int default_n;
} cases[] = {
	{ "hit-count", bench_hit_count, 100000 },
	{ "hit-sample", bench_hit_sample, 100000 },
	{ "hit-exec", bench_hit_exec, 100000 },
	{ "hit-ptrace", bench_hit_ptrace, 100000 },
	{ "hit-kernel", bench_hit_kernel, 100000 },
	{ "ctxsw", bench_ctxsw, 20000 },
	{ "create-close", bench_create_close, 10 },
	{ "ptrace-cycle", bench_ptrace_cycle, PTRACE_CYCLES },
	{ "enable-self", bench_enable_self, 10000 },
};

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";
	unsigned int i;

	if (!strcmp(what, HWBP_EXEC_WRITER))
		return hwbp_exec_writer(argc, argv);
	for (i = 0; i < HWBP_ARRAY_SIZE(cases); i++) {
		if (strcmp(what, cases[i].name))
			continue;
		settle();
		cases[i].run(argc > 2 ? strtoul(argv[2], NULL, 0) :
			     cases[i].default_n);
		return 0;
	}
	fprintf(stderr, "usage: %s CASE [N], CASE one of:", argv[0]);
	for (i = 0; i < HWBP_ARRAY_SIZE(cases); i++)
		fprintf(stderr, " %s", cases[i].name);
	fprintf(stderr, "\n");
	return 2;
}
