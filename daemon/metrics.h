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

/* Start counting; started is when superd started (for uptime). */
void	metrics_init(time_t started);
/* A reload was tried: ok 1 applied, 0 refused. */
void	metrics_reloaded(int ok);
/* The whole exposition appended to out; 0, or -1 out of memory. */
int	metrics_render(struct evbuffer *out);
/* Forget every per-service count (shutdown). */
void	metrics_free(void);

/* ---- Pure helpers, exposed for tests/unit/test_metrics.c. ---- */

#define METRICS_NBUCKETS	17	/* the last one is +Inf */

/* The upper bound of bucket i as Prometheus writes it ("0.005", "+Inf"). */
const char *metrics_bucket_le(int i);
/* The bucket a duration of usec microseconds falls in. */
int	metrics_bucket_of(long long usec);
/* s as a label value: \ " and newline escaped; the length it needed. */
size_t	metrics_escape(const char *s, char *out, size_t n);

#endif
