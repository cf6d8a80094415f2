/*
 * ratelimit.c: token bucket: refill at per_sec up to burst, one per event.
 */
#include "config.h"

#include "ratelimit.h"

void
rl_init(struct rl_bucket *b, unsigned burst, double now)
{
	b->tokens = burst;
	b->last = now;
}

int
rl_take(struct rl_bucket *b, double per_sec, unsigned burst, double now)
{
	if (now > b->last) {
		b->tokens += (now - b->last) * per_sec;
		if (b->tokens > burst)
			b->tokens = burst;
	}
	b->last = now;
	if (b->tokens < 1.0)
		return 0;
	b->tokens -= 1.0;
	return 1;
}
