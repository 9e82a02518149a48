// SPDX-License-Identifier: GPL-2.0
/*
 * Demo workload for the harness's main job: one function writes a global
 * variable a known number of times, so that a write watchpoint on it counts
 * exactly that many hits and perf report names the writer.
 *
 * usage: hwbp-demo [count]     prints the address of the watched variable
 *        hwbp-demo -a          prints only that address, for scripting
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

volatile long watched_counter;

__attribute__((noinline)) void bump_watched_counter(long n)
{
	for (long i = 0; i < n; i++)
		watched_counter = i;
}

int main(int argc, char **argv)
{
	long n = 1000;

	if (argc > 1 && !strcmp(argv[1], "-a")) {
		printf("%p\n", (void *)&watched_counter);
		return 0;
	}
	if (argc > 1)
		n = strtol(argv[1], NULL, 0);
	bump_watched_counter(n);
	printf("hwbp-demo: wrote watched_counter at %p %ld times\n",
	       (void *)&watched_counter, n);
	return 0;
}
