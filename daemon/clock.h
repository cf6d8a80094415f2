/*
 * clock.h: milliseconds on the monotonic clock, for deadlines, lease
 * expiry and durations that a step of the wall clock must not move.
 * Inline: a few lines every module that keeps time would otherwise copy.
 */
#ifndef SUPERD_CLOCK_H
#define SUPERD_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Now, in milliseconds of CLOCK_MONOTONIC. */
static inline uint64_t
clock_mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Milliseconds since t, a CLOCK_MONOTONIC reading. */
static inline long long
clock_ms_since(const struct timespec *t)
{
	struct timespec	now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) * 1000LL +
	    (now.tv_nsec - t->tv_nsec) / 1000000;
}

#endif
