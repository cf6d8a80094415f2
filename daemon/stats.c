/*
 * stats.c: daemon-wide event counters (see stats.h).
 */
#include "config.h"

#include "stats.h"

static uint64_t	counters[STATS_NCOUNTERS];

void
stats_inc(enum stats_counter c)
{
	if (c < STATS_NCOUNTERS)
		counters[c]++;
}

uint64_t
stats_get(enum stats_counter c)
{
	return c < STATS_NCOUNTERS ? counters[c] : 0;
}
