/*
 * order.c: endpoints in the order a client should try them, as RFC 2782
 * orders SRV records: by priority, then weighted-random within one.
 * Every lookup (the local directory, DNS-SD, etcd) orders its answer
 * here before connect.c tries it.
 */
#include "config.h"

#include <sys/random.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client_priv.h"

static void	order_prio(struct superd_endpoint *, size_t, sdc_rand_fn,
		    void *);
static void	move_to(struct superd_endpoint *, size_t, size_t);

/* A random 32-bit number; the kernel's, or a seeded fallback. */
uint32_t
sdc_rand32(void *arg)
{
	static uint32_t	x;
	uint32_t	v;

	(void)arg;
	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) == sizeof(v))
		return v;
	if (x == 0)
		x = (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16) ^ 1;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return x;
}

/* Move eps[from] to eps[to] (to <= from), shifting the rest up by one. */
static void
move_to(struct superd_endpoint *eps, size_t to, size_t from)
{
	struct superd_endpoint	tmp;

	if (to == from)
		return;
	tmp = eps[from];
	memmove(&eps[to + 1], &eps[to], (from - to) * sizeof(*eps));
	eps[to] = tmp;
}

/*
 * RFC 2782 weighted selection among endpoints of one priority.  The RFC
 * draws r from [0, sum], which hands the first record an extra 1/(sum+1)
 * share; drawing from [1, sum] keeps the odds exactly proportional to
 * weight.  Weight 0 entries are then tried only after every weighted one
 * (a last resort), in the order the directory sent them.
 */
static void
order_prio(struct superd_endpoint *eps, size_t n, sdc_rand_fn rnd, void *arg)
{
	unsigned long long	sum, run, r;
	size_t			i, k;

	for (k = 0; k + 1 < n; k++) {
		sum = 0;
		for (i = k; i < n; i++)
			sum += eps[i].weight;
		if (sum == 0)
			break;
		r = 1 + rnd(arg) % sum;
		for (i = k, run = 0; i < n; i++) {
			run += eps[i].weight;
			if (run >= r)
				break;
		}
		move_to(eps, k, i);
	}
}

/* Sort by prio (stable), then weighted-random within each prio. */
void
sdc_order(struct superd_endpoint *eps, size_t n, sdc_rand_fn rnd, void *arg)
{
	size_t	i, j;

	for (i = 1; i < n; i++) {	/* insertion sort: lists are short */
		for (j = i; j > 0 && eps[j - 1].prio > eps[i].prio; j--)
			;
		move_to(eps, j, i);
	}
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && eps[j].prio == eps[i].prio; j++)
			;
		order_prio(eps + i, j - i, rnd, arg);
	}
}

/* Order endpoints as a client should try them (RFC 2782). */
void
superd_order(struct superd_endpoint *eps, size_t n)
{
	sdc_order(eps, n, sdc_rand32, NULL);
}

