// SPDX-License-Identifier: GPL-2.0
/*
 * A task that only perf watches must never get a SIGTRAP.
 *
 * When a watchpoint fires, the debug trap handler learns from the CPU
 * which debug registers matched (on x86 the B0-B3 bits of DR6) and
 * counts the events that own them. A trap bit that no event claims and
 * that the handler leaves behind makes the architecture code treat the
 * trap as the task's own (a debugger's breakpoint, a single step) and
 * send it SIGTRAP, whose default action kills it. Such bits are not rare:
 * the x86 SDM lets the CPU set Bn for a register that DR7 does not enable
 * if its address and type match, the address registers keep their last
 * value after a breakpoint is removed, and QEMU's TCG x86 leaves bits of
 * registers that matched earlier accesses.
 *
 * Each case runs a child that has no SIGTRAP handler (default action,
 * not blocked) and that arms and disarms perf watchpoints on itself
 * (pid 0, cpu -1, write, lengths 4 and 8) over and over, writing the
 * watched variables and others in between. The parent checks that the
 * child exited normally, and the counts the child read back:
 *
 *   - at least the writes to the event's own variable while it was
 *     enabled: every such write matches its register and no other one
 *     (the variables do not overlap), so even QEMU, which reports only
 *     the first matching register, reports it;
 *   - at most every write to any watched variable while it was enabled:
 *     each trap counts an event once at most, and under QEMU a stale bit
 *     can add an event to another event's trap.
 *
 * Cases:
 *   churn: HWBP_UNOWNED_ROUNDS rounds (default 2000) of closing one or
 *     more of the armed watchpoints (up to one per slot of the
 *     architecture) while the others stay, opening one (often on the
 *     variable just unwatched, so it may move to another register), and
 *     writing all variables between these steps;
 *   same_var_other_slot: a variable watched through register 1, then
 *     through register 0 while register 1 still holds its address;
 *   write_after_close: a watchpoint armed, hit (exact count, the only one
 *     armed), closed, then many writes to the variable it watched;
 *   stale_exec_register: an execute breakpoint moves from register 1 to
 *     register 0 while register 1 keeps its address.  A register whose
 *     DR7 field is cleared reads as an execute breakpoint, so the CPU may
 *     (and QEMU's TCG does) set its B1 on every hit of register 0.
 */
#include <stdarg.h>

#include "../kselftest_harness.h"
#include "hwbp_util.h"

#define MAX_ARMED	4
#define NR_VARS		(MAX_ARMED + 1)	/* one always unwatched */
#define DEFAULT_ROUNDS	2000
#define CLOSE_ALL_EVERY	97		/* rounds; so slot 0 comes free */
#define SAME_VAR_REPS	300
#define AFTER_REPS	200
#define AFTER_HITS	10
#define AFTER_WRITES	20000
#define EXEC_REPS	100
#define EXEC_HITS	20

/* perf's length of an execute breakpoint: one instruction. */
#if defined(__aarch64__)
#define EXEC_LEN	4
#else
#define EXEC_LEN	sizeof(long)
#endif

/* Apart from each other: no access to one can match another's register. */
static struct {
	volatile long v;
	char pad[64 - sizeof(long)];
} vars[NR_VARS] __aligned(64);

/* What the child tells the parent, in shared memory. */
struct report {
	int round;		/* where it was, should it die */
	const char *step;
	unsigned long opened, checked, traps;
	int errors;
	char first_error[200];
};

struct watch {
	int fd;
	int var;
	uint64_t len;
	uint64_t own;		/* writes to its variable while enabled */
	uint64_t any;		/* writes to any watched variable since */
};

struct child {
	struct report *rep;
	int max_armed;
	uint32_t seed;
	struct watch w[MAX_ARMED];
	int nr;
};

static __printf(2, 3) void child_error(struct child *c, const char *fmt, ...)
{
	struct report *rep = c->rep;
	va_list ap;

	if (!rep->errors++) {
		va_start(ap, fmt);
		vsnprintf(rep->first_error, sizeof(rep->first_error), fmt, ap);
		va_end(ap);
	}
}

static uint32_t next_rnd(struct child *c)
{
	/* xorshift32 */
	c->seed ^= c->seed << 13;
	c->seed ^= c->seed >> 17;
	c->seed ^= c->seed << 5;
	return c->seed;
}

static int open_watch(int var, uint64_t len)
{
	struct perf_event_attr attr;

	hwbp_attr_init(&attr, HW_BREAKPOINT_W, (uintptr_t)&vars[var].v, len);
	return hwbp_open(&attr, 0, -1);
}

static bool watched(struct child *c, int var)
{
	int i;

	for (i = 0; i < c->nr; i++)
		if (c->w[i].var == var)
			return true;
	return false;
}

static bool arm(struct child *c, int var, uint64_t len)
{
	struct watch *w = &c->w[c->nr];

	c->rep->step = "open";
	*w = (struct watch){ .var = var, .len = len };
	w->fd = open_watch(var, len);
	if (w->fd < 0) {
		child_error(c, "round %d: open on var %d len %llu with %d armed: %s",
			    c->rep->round, var, (unsigned long long)len,
			    c->nr, hwbp_errname(w->fd));
		return false;
	}
	c->nr++;
	c->rep->opened++;
	return true;
}

/* Read the count of armed watch @i, check it, close it. */
static void disarm(struct child *c, int i)
{
	struct watch *w = &c->w[i];
	int64_t count;

	c->rep->step = "read";
	count = hwbp_count(w->fd);
	if (count < 0 || (uint64_t)count < w->own ||
	    (uint64_t)count > w->any) {
		child_error(c, "round %d: var %d len %llu counted %lld, want %llu to %llu",
			    c->rep->round, w->var,
			    (unsigned long long)w->len, (long long)count,
			    (unsigned long long)w->own,
			    (unsigned long long)w->any);
	}
	c->rep->step = "close";
	close(w->fd);
	c->rep->checked++;
	*w = c->w[--c->nr];
}

/* @n writes to variable @var, accounted to every armed watch. */
static void write_var(struct child *c, int var, unsigned int n)
{
	bool trapping = watched(c, var);
	int i;

	c->rep->step = "write";
	hwbp_store_n(&vars[var].v, n);
	if (!trapping)
		return;
	c->rep->traps += n;
	for (i = 0; i < c->nr; i++) {
		c->w[i].any += n;
		if (c->w[i].var == var)
			c->w[i].own += n;
	}
}

static void write_all(struct child *c)
{
	int var;

	for (var = 0; var < NR_VARS; var++)
		write_var(c, var, next_rnd(c) % 4);
}

static int rounds(void)
{
	const char *env = getenv("HWBP_UNOWNED_ROUNDS");

	return env && atoi(env) > 0 ? atoi(env) : DEFAULT_ROUNDS;
}

static void churn(struct child *c)
{
	int last_closed = -1, r, var;

	for (r = 0; r < rounds(); r++) {
		c->rep->round = r;
		if (!(r % CLOSE_ALL_EVERY)) {
			while (c->nr)
				disarm(c, c->nr - 1);
		}
		/* Close one, or more: the others keep their registers. */
		while (c->nr == c->max_armed ||
		       (c->nr && !(next_rnd(c) % 3))) {
			int i = next_rnd(c) % c->nr;

			last_closed = c->w[i].var;
			disarm(c, i);
		}
		write_all(c);

		/*
		 * The variable just unwatched, half of the time: its address
		 * is still in the register it had, and the new watchpoint
		 * may get another one.
		 */
		if (last_closed >= 0 && !watched(c, last_closed) &&
		    next_rnd(c) % 2) {
			var = last_closed;
		} else {
			do
				var = next_rnd(c) % NR_VARS;
			while (watched(c, var));
		}
		if (!arm(c, var, next_rnd(c) % 2 ? 8 : 4))
			return;
		write_all(c);
	}
	while (c->nr)
		disarm(c, c->nr - 1);
}

/*
 * A pad takes register 0, the variable gets register 1 and is hit; both
 * go; the variable is watched again and gets register 0, while register
 * 1 still holds its address (registers are lowest-free-first on every
 * backend here; if one is not, the case only loses its point).
 */
static void same_var_other_slot(struct child *c)
{
	int r;

	for (r = 0; r < SAME_VAR_REPS; r++) {
		c->rep->round = r;
		if (!arm(c, 1, 8) || !arm(c, 0, 8 >> (r & 1)))
			return;
		write_var(c, 0, 3);
		write_var(c, 1, 1);
		disarm(c, 1);
		disarm(c, 0);
		write_var(c, 0, 2);

		if (!arm(c, 0, 8 >> !(r & 1)))
			return;
		write_var(c, 0, 3);
		write_var(c, 2, 1);
		disarm(c, 0);
		write_var(c, 0, 5);
	}
}

/*
 * Armed alone, hit an exact number of times, closed; then the variable is
 * written many times with nothing armed. On odd rounds a pad is opened
 * just before and closed just after it, so that it takes register 1.
 */
static void write_after_close(struct child *c)
{
	int r, i;

	for (r = 0; r < AFTER_REPS; r++) {
		bool pad = (r & 1) && c->max_armed > 1;

		c->rep->round = r;
		if (pad && !arm(c, 2, 8))
			return;
		if (!arm(c, 0, 8 >> (r & 1)))
			return;
		if (pad)
			disarm(c, 0);	/* the watch moves to w[0] */
		write_var(c, 0, AFTER_HITS);
		c->rep->step = "read";
		if (hwbp_count(c->w[0].fd) != AFTER_HITS) {
			child_error(c, "round %d: counted %lld of %d writes, alone",
				    r, (long long)hwbp_count(c->w[0].fd),
				    AFTER_HITS);
		}
		disarm(c, 0);

		c->rep->step = "write after close";
		for (i = 0; i < AFTER_WRITES; i++) {
			hwbp_store_long(&vars[0].v, i);
			hwbp_store_long(&vars[2].v, i);
		}
	}
}

/* Functions only stale_exec_register() runs, each its own instruction. */
static __attribute__((noinline)) void exec_pad(void)
{
	asm volatile("" ::: "memory");
}

static __attribute__((noinline)) void exec_target(void)
{
	asm volatile("" ::: "memory");
}

static int open_exec(void (*fn)(void))
{
	struct perf_event_attr attr;

	hwbp_attr_init(&attr, HW_BREAKPOINT_X, (uintptr_t)fn, EXEC_LEN);
	return hwbp_open(&attr, 0, -1);
}

static bool open_exec_checked(struct child *c, void (*fn)(void), int *fd)
{
	c->rep->step = "open";
	*fd = open_exec(fn);
	if (*fd < 0) {
		child_error(c, "round %d: execute breakpoint: %s",
			    c->rep->round, hwbp_errname(*fd));
		return false;
	}
	c->rep->opened++;
	return true;
}

static void close_exec_checked(struct child *c, int fd, int64_t want)
{
	int64_t count;

	c->rep->step = "read";
	count = hwbp_count(fd);
	if (count != want)
		child_error(c, "round %d: execute breakpoint counted %lld, want %lld",
			    c->rep->round, (long long)count, (long long)want);
	c->rep->step = "close";
	close(fd);
	c->rep->checked++;
}

/*
 * A pad takes register 0 and the target register 1, which is hit; both
 * go, so register 1 keeps the target's address with its DR7 field
 * cleared; the target is armed again, in register 0, and hit: each hit
 * may also set B1, which no event owns.
 */
static void stale_exec_register(struct child *c)
{
	int pad, target, i, r;

	for (r = 0; r < EXEC_REPS; r++) {
		c->rep->round = r;
		if (!open_exec_checked(c, exec_pad, &pad))
			return;
		if (!open_exec_checked(c, exec_target, &target))
			return;
		c->rep->step = "execute";
		exec_target();
		close_exec_checked(c, pad, 0);
		close_exec_checked(c, target, 1);

		if (!open_exec_checked(c, exec_target, &target))
			return;
		c->rep->step = "execute again";
		for (i = 0; i < EXEC_HITS; i++)
			exec_target();
		c->rep->traps += EXEC_HITS + 1;
		close_exec_checked(c, target, EXEC_HITS);
	}
}

/*
 * Run @fn in a child with SIGTRAP at its default action and check how it
 * ended and what it reported; the report is copied to @out.
 */
static void run_child(struct __test_metadata *_metadata,
		      void (*fn)(struct child *), int max_armed,
		      struct report *out)
{
	struct report *rep;
	int status;
	pid_t pid;

	rep = mmap(NULL, sizeof(*rep), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, rep);
	memset(rep, 0, sizeof(*rep));
	rep->step = "start";

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct child c = {
			.rep = rep,
			.max_armed = max_armed,
			.seed = 0x2545f491,
		};
		sigset_t set;

		sigemptyset(&set);
		sigaddset(&set, SIGTRAP);
		if (signal(SIGTRAP, SIG_DFL) == SIG_ERR ||
		    sigprocmask(SIG_UNBLOCK, &set, NULL))
			_exit(2);
		fn(&c);
		rep->step = "done";
		_exit(0);
	}

	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	*out = *rep;
	munmap(rep, sizeof(*rep));
	EXPECT_FALSE(WIFSIGNALED(status)) {
		TH_LOG("child killed by signal %d (%s) in round %d, step '%s'",
		       WTERMSIG(status), strsignal(WTERMSIG(status)),
		       out->round, out->step);
	}
	/* A signal was reported above. */
	EXPECT_EQ(0, WIFEXITED(status) ? WEXITSTATUS(status) : 0);
	EXPECT_EQ(0, out->errors) {
		TH_LOG("%d bad counts, first: %s", out->errors,
		       out->first_error);
	}
	/* The rounds did run, and every watchpoint opened was checked. */
	EXPECT_LT(0, out->checked);
	EXPECT_EQ(out->opened, out->checked);
	EXPECT_LT(0, out->traps);
	ksft_print_msg("%lu watchpoints armed and checked, %lu watched writes\n",
		       out->checked, out->traps);
}

FIXTURE(unowned) {
	int slots;
};

FIXTURE_SETUP(unowned)
{
	int fd;

	self->slots = hwbp_data_slots();
	ASSERT_LT(0, self->slots) {
		TH_LOG("no data slot count for this architecture: %s",
		       hwbp_errname(self->slots));
	}
	if (self->slots > MAX_ARMED)
		self->slots = MAX_ARMED;

	/* On powerpc the watchpoints watch the kernel too: privileged. */
	fd = open_watch(0, 8);
	if (fd == -EACCES || fd == -EPERM)
		SKIP(return, "perf_event_open: %s (run as root)",
		     hwbp_errname(fd));
	ASSERT_LE(0, fd) TH_LOG("perf_event_open: %s", hwbp_errname(fd));
	close(fd);
}

FIXTURE_TEARDOWN(unowned)
{
}

TEST_F_TIMEOUT(unowned, churn, 600)
{
	struct report rep;

	run_child(_metadata, churn, self->slots, &rep);
	EXPECT_EQ((unsigned long)rounds(), rep.opened);
}

TEST_F_TIMEOUT(unowned, same_var_other_slot, 300)
{
	struct report rep;

	if (self->slots < 2)
		SKIP(return, "one data slot: no other register to move to");
	run_child(_metadata, same_var_other_slot, self->slots, &rep);
	EXPECT_EQ(3 * SAME_VAR_REPS, rep.opened);
}

TEST_F_TIMEOUT(unowned, write_after_close, 300)
{
	struct report rep;

	run_child(_metadata, write_after_close, self->slots, &rep);
	EXPECT_EQ(AFTER_REPS + (self->slots > 1 ? AFTER_REPS / 2 : 0),
		  rep.opened);
}

TEST_F_TIMEOUT(unowned, stale_exec_register, 300)
{
	struct report rep;

	if (hwbp_inst_slots() < 2)
		SKIP(return, "fewer than two execute slots");
	run_child(_metadata, stale_exec_register, self->slots, &rep);
	EXPECT_EQ(3 * EXEC_REPS, rep.opened);
}

TEST_HARNESS_MAIN
