/*
 * metrics.h: superd's counters in the Prometheus text exposition format.
 *
 * metrics.c reads the services through service_foreach_info(), the
 * directory through directory_foreach_lease(), the daemon-wide counters
 * from stats.h and /proc/self for the process; what no read API has
 * (handler exits by class, request durations) it counts itself, as the
 * observer of every request's end (request_set_observer).  The same text
 * goes to GET /metrics (metrics_http.c) and to "superdctl metrics".
 */
#ifndef SUPERD_METRICS_H
#define SUPERD_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct evbuffer;

/* Start counting (the process's start, for uptime: stats_started()). */
void	metrics_init(void);
/* A reload was tried: ok 1 applied, 0 refused. */
void	metrics_reloaded(int ok);
/* The whole exposition appended to out; 0, or -1 out of memory. */
int	metrics_render(struct evbuffer *out);
/* Forget every per-service count (shutdown). */
void	metrics_free(void);

/*
 * Across an upgrade (carry.c), what metrics.c counts itself, as vectors:
 * "exits" (by class) and "durations" (the buckets, then count and sum in
 * microseconds) per service; "reloads" (failed, applied, last result,
 * last time) with service and proto "".
 */
typedef void	(*metrics_count_fn)(const char *name, const char *service,
		    const char *proto, const uint64_t *v, size_t n, void *arg);
void	metrics_foreach_count(metrics_count_fn, void *arg);
/* Take one vector back; 0, or -1 for a name this binary does not know. */
int	metrics_restore_count(const char *name, const char *service,
	    const char *proto, const uint64_t *v, size_t n);

/* ---- Pure helpers, exposed for tests/unit/test_metrics.c. ---- */

#define METRICS_NBUCKETS	17	/* the last one is +Inf */

/* The upper bound of bucket i as Prometheus writes it ("0.005", "+Inf"). */
const char *metrics_bucket_le(int i);
/* The bucket a duration of usec microseconds falls in. */
int	metrics_bucket_of(long long usec);
/* s as a label value: \ " and newline escaped; the length it needed. */
size_t	metrics_escape(const char *s, char *out, size_t n);

#endif
