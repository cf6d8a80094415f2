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

enum stats_counter {
	STATS_CONTROL_REQUESTS,	/* lines on the control socket */
	STATS_OOB_REQUESTS,	/* lines on the OOB endpoints */
	STATS_DIR_LOOKUPS,	/* directory lookup requests */
	STATS_NCOUNTERS
};

void		stats_inc(enum stats_counter);
uint64_t	stats_get(enum stats_counter);

#endif
