// SPDX-License-Identifier: GPL-2.0
/*
 * Breakpoints across fork, clone(CLONE_THREAD) and exec.
 *
 * attr.inherit copies an event into every child created after it
 * (kernel/events/core.c inherit_task_group()), or with inherit_thread only
 * into threads; the children's counts are summed into the parent event's
 * read() while they live and folded into it when they exit. On exec,
 * remove_on_exec events leave the task (perf_event_remove_on_exec()), the
 * others stay and keep watching the same address in the new image.
 * (sigtrap events, which add signals to all this, are in hwbp_sigtrap.)
 *
 * The exec'd image is this program again (/proc/self/exe) in writer mode:
 * it maps the same fixed address and writes it a given number of times.
 *
 * Each scenario runs once per kind of event, with that event the only
 * breakpoint of the task: QEMU's TCG x86 emulation reports in DR6 only the
 * first debug register that matches an access, plus stale B bits of
 * registers that matched earlier accesses, so two breakpoints armed at
 * once on one CPU cannot be counted exactly there. Real x86, arm64 and
 * powerpc (whose kernels match the data address against every slot) have
 * no such limit, but the tests must hold under the emulator too.
 */
#include <pthread.h>

#include "../kselftest_harness.h"
#include "hwbp_util.h"

static volatile long var __aligned(64);

static int open_var(volatile long *addr, pid_t pid, bool inherit,
		    bool inherit_thread, bool remove_on_exec)
{
	struct perf_event_attr attr;

	hwbp_attr_init(&attr, HW_BREAKPOINT_W, (uintptr_t)addr, HWBP_LONG);
	attr.inherit = inherit;
	attr.inherit_thread = inherit_thread;
	attr.remove_on_exec = remove_on_exec;
	return hwbp_open(&attr, pid, -1);
}

/*
 * fork: parent writes 10, child 20 (then the count is read while the
 * child lives), grandchild 5, parent 3 more.
 */
static void fork_tree(struct __test_metadata *_metadata, bool inherit,
		      int64_t want_live, int64_t want_end)
{
	int fd, c2p[2], p2c[2];
	char c = 0;
	pid_t child;

	fd = open_var(&var, 0, inherit, false, false);
	ASSERT_LE(0, fd) TH_LOG("open: %s", hwbp_errname(fd));
	ASSERT_EQ(0, pipe(c2p));
	ASSERT_EQ(0, pipe(p2c));

	hwbp_store_n(&var, 10);
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		pid_t grandchild;

		hwbp_store_n(&var, 20);
		if (write(c2p[1], &c, 1) != 1 || read(p2c[0], &c, 1) != 1)
			_exit(2);
		grandchild = fork();
		if (grandchild == 0) {
			hwbp_store_n(&var, 5);
			_exit(0);
		}
		_exit(hwbp_wait_exit(grandchild) ? 3 : 0);
	}

	ASSERT_EQ(1, read(c2p[0], &c, 1));
	EXPECT_EQ(want_live, hwbp_count(fd)) TH_LOG("with the child alive");
	ASSERT_EQ(1, write(p2c[1], &c, 1));
	ASSERT_EQ(0, hwbp_wait_exit(child));

	hwbp_store_n(&var, 3);
	EXPECT_EQ(want_end, hwbp_count(fd));
	close(fd);
	close(c2p[0]);
	close(c2p[1]);
	close(p2c[0]);
	close(p2c[1]);
}

/*
 * The inherited event counts parent, child and grandchild, the child's
 * share visible in read() already while the child is alive.
 */
TEST(fork_inherit)
{
	fork_tree(_metadata, true, 10 + 20, 10 + 20 + 5 + 3);
}

/* Without inherit only the parent's own writes count. */
TEST(fork_no_inherit)
{
	fork_tree(_metadata, false, 10, 10 + 3);
}

struct writer {
	volatile long *addr;
	int n;
	/* if set: wait at both after writing, so the thread stays alive */
	pthread_barrier_t *wrote, *go;
};

static void *thread_writer(void *arg)
{
	struct writer *w = arg;

	hwbp_store_n(w->addr, w->n);
	if (w->wrote) {
		pthread_barrier_wait(w->wrote);
		pthread_barrier_wait(w->go);
	}
	return NULL;
}

/* main writes 10, a thread 7, read while it lives and after the join */
static void threads(struct __test_metadata *_metadata, bool inherit,
		    int64_t want)
{
	pthread_barrier_t wrote, go;
	struct writer w = { .addr = &var, .n = 7 };
	pthread_t th;
	int fd;

	fd = open_var(&var, 0, inherit, false, false);
	ASSERT_LE(0, fd) TH_LOG("open: %s", hwbp_errname(fd));
	ASSERT_EQ(0, pthread_barrier_init(&wrote, NULL, 2));
	ASSERT_EQ(0, pthread_barrier_init(&go, NULL, 2));
	w.wrote = &wrote;
	w.go = &go;

	hwbp_store_n(&var, 10);
	ASSERT_EQ(0, pthread_create(&th, NULL, thread_writer, &w));
	pthread_barrier_wait(&wrote);
	EXPECT_EQ(want, hwbp_count(fd)) TH_LOG("with the thread alive");
	pthread_barrier_wait(&go);
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(want, hwbp_count(fd)) TH_LOG("after the join");
	close(fd);
}

/* Threads inherit like processes; the count of a live thread shows. */
TEST(thread_inherit)
{
	threads(_metadata, true, 10 + 7);
}

TEST(thread_no_inherit)
{
	threads(_metadata, false, 10);
}

/* inherit_thread: threads inherit, forked children do not. */
TEST(inherit_thread)
{
	struct writer w = { .addr = &var, .n = 7 };
	pthread_t th;
	pid_t child;
	int fd;

	fd = open_var(&var, 0, true, true, false);
	ASSERT_LE(0, fd) TH_LOG("inherit_thread: %s", hwbp_errname(fd));

	hwbp_store_n(&var, 10);
	ASSERT_EQ(0, pthread_create(&th, NULL, thread_writer, &w));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(17, hwbp_count(fd));

	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		hwbp_store_n(&var, 20);
		_exit(0);
	}
	ASSERT_EQ(0, hwbp_wait_exit(child));
	EXPECT_EQ(17, hwbp_count(fd)) TH_LOG("a forked child was counted");
	close(fd);
}

/*
 * exec of a task that carries an event its parent opened on it. The task
 * writes 4 times, then execs a writer that writes 6 times. A plain event
 * counts all 10, a remove_on_exec one the first 4 only.
 */
static void exec_events(struct __test_metadata *_metadata,
			bool remove_on_exec, int64_t want)
{
	int fd, c2p[2], p2c[2];
	char c = 0;
	pid_t child;

	ASSERT_EQ(0, pipe(c2p));
	ASSERT_EQ(0, pipe(p2c));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		volatile long *p = hwbp_map_exec_addr();

		if (!p)
			_exit(5);
		if (write(c2p[1], &c, 1) != 1 || read(p2c[0], &c, 1) != 1)
			_exit(6);
		hwbp_store_n(p, 4);
		hwbp_exec_self_writer(6);
	}

	ASSERT_EQ(1, read(c2p[0], &c, 1));
	fd = open_var((volatile long *)HWBP_EXEC_ADDR, child, false, false,
		      remove_on_exec);
	ASSERT_LE(0, fd) TH_LOG("open on the child: %s", hwbp_errname(fd));
	ASSERT_EQ(1, write(p2c[1], &c, 1));

	EXPECT_EQ(0, hwbp_wait_exit(child));
	EXPECT_EQ(want, hwbp_count(fd));
	close(fd);
	close(c2p[0]);
	close(c2p[1]);
	close(p2c[0]);
	close(p2c[1]);
}

TEST(exec_keeps)
{
	exec_events(_metadata, false, 4 + 6);
}

TEST(exec_removes)
{
	exec_events(_metadata, true, 4);
}

/*
 * The same with an inherited event: the parent writes 3, a forked child
 * 5 and then execs a writer (6), the parent 2 more. The child's copy of a
 * remove_on_exec event goes at the exec, with its count kept; the
 * parent's stays.
 */
static void exec_inherited(struct __test_metadata *_metadata,
			   bool remove_on_exec, int64_t want)
{
	volatile long *p = hwbp_map_exec_addr();
	pid_t child;
	int fd;

	ASSERT_NE(NULL, p) TH_LOG("cannot map %#lx", HWBP_EXEC_ADDR);
	fd = open_var(p, 0, true, false, remove_on_exec);
	ASSERT_LE(0, fd) TH_LOG("open: %s", hwbp_errname(fd));

	hwbp_store_n(p, 3);
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		hwbp_store_n(p, 5);
		hwbp_exec_self_writer(6);
	}
	ASSERT_EQ(0, hwbp_wait_exit(child));
	hwbp_store_n(p, 2);

	EXPECT_EQ(want, hwbp_count(fd));
	close(fd);
	munmap((void *)p, getpagesize());
}

TEST(exec_inherited_keeps)
{
	exec_inherited(_metadata, false, 3 + 5 + 6 + 2);
}

TEST(exec_inherited_removes)
{
	exec_inherited(_metadata, true, 3 + 5 + 2);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], HWBP_EXEC_WRITER))
		return hwbp_exec_writer(argc, argv);
	return test_harness_run(argc, argv);
}
