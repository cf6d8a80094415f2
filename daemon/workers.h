/*
 * workers.h: a pool of threads, each with its own event loop, that runs
 * a stream builtin's connections (threads = N) off the main loop.
 */
#ifndef SUPERD_WORKERS_H
#define SUPERD_WORKERS_H

struct event_base;
struct builtin;
struct session;
struct workers;

/* Completions come back to the main loop, which calls session_end. */
struct workers	*workers_new(struct event_base *main_base,
		    const struct builtin *, unsigned nthreads);
/* Stop the threads (after their connections end) and free the pool. */
void		 workers_free(struct workers *);
/* Run connection fd of session s on a worker; -1 if the pool is gone. */
int		 workers_dispatch(struct workers *, int fd, struct session *);
/* Interrupt a session running on a worker (any thread). */
void		 workers_abort(struct workers *, struct session *);

#endif
