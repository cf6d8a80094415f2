/*
 * ratelimit.h: token buckets (pure; time is passed in).
 */
#ifndef SUPERD_RATELIMIT_H
#define SUPERD_RATELIMIT_H

struct rl_bucket {
	double	tokens;
	double	last;		/* seconds, monotonic */
};

/* A full bucket at time now. */
void	rl_init(struct rl_bucket *, unsigned burst, double now);
/* Take one token if there is one: 1 allowed, 0 over the rate. */
int	rl_take(struct rl_bucket *, double per_sec, unsigned burst,
	    double now);

#endif
