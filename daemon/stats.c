/*
 * stats.c: daemon-wide event counters (see stats.h).
 */
#include "config.h"

#include "stats.h"

static uint64_t	counters[STATS_NCOUNTERS];
static time_t	started;

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

void
stats_set(enum stats_counter c, uint64_t v)
{
	if (c < STATS_NCOUNTERS)
		counters[c] = v;
}

void
stats_set_started(time_t t)
{
	started = t;
}

time_t
stats_started(void)
{
	return started;
}
