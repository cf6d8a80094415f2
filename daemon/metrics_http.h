/*
 * metrics_http.h: GET /metrics over HTTP (libevent's evhttp), on the
 * event loop, for Prometheus to scrape.  Off unless metrics-listen is
 * set; metrics-allow says who may scrape (loopback when unset).
 */
#ifndef SUPERD_METRICS_HTTP_H
#define SUPERD_METRICS_HTTP_H

struct event_base;
struct superd_conf;

/*
 * Follow conf (start, move, keep or stop the endpoint).  A socket that
 * cannot be bound is logged and the endpoint stays as it was: 0 / -1.
 */
int	metrics_http_configure(struct event_base *, const struct superd_conf *);
void	metrics_http_stop(void);

#endif
