/*
 * stats.h: daemon-wide event counters, a leaf module.
 *
 * Modules anywhere in the tree count what happens to them here (calls
 * go down: stats.c knows nobody); metrics.c reads the counts.  Only the
 * event loop's thread counts, so plain integers do.
 */
#ifndef SUPERD_STATS_H
#define SUPERD_STATS_H

#include <stdint.h>
#include <time.h>

enum stats_counter {
	STATS_CONTROL_REQUESTS,	/* lines on the control socket */
	STATS_OOB_REQUESTS,	/* lines on the OOB endpoints */
	STATS_DIR_LOOKUPS,	/* directory lookup requests */
	STATS_UPGRADES,		/* in-place upgrades this process went through */
	STATS_NCOUNTERS
};

void		stats_inc(enum stats_counter);
uint64_t	stats_get(enum stats_counter);
/* The count an upgrade carried over (carry.c). */
void		stats_set(enum stats_counter, uint64_t);
/*
 * When this process started (for uptime): set by main, and put back by
 * an upgrade (the same process: execve) to the start before it.
 */
void		stats_set_started(time_t);
time_t		stats_started(void);

#endif
