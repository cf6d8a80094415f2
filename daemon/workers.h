/*
 * workers.h: a pool of threads, each with its own event loop, that runs
 * a stream builtin's connections (threads = N) off the main loop.
 */
#ifndef SUPERD_WORKERS_H
#define SUPERD_WORKERS_H

#include <stddef.h>

struct event_base;
struct builtin;
struct workers;
struct worker_job;

/* A job's connection ended; called on the main loop, job freed after. */
typedef void	(*workers_done_fn)(void *arg);

/*
 * Start nthreads threads for builtin b; completions come back to
 * main_base.  NULL with the reason in err (threads, pipes, memory):
 * nothing is left running.
 */
struct workers	*workers_new(struct event_base *main_base,
		    const struct builtin *, unsigned nthreads, char *err,
		    size_t errlen);
/* Stop the threads (after their connections end) and free the pool. */
void		 workers_free(struct workers *);
/* Run connection fd on a worker; done(arg) when it ends; NULL: not run. */
struct worker_job *workers_dispatch(struct workers *, int fd,
		    workers_done_fn done, void *arg);
/* Interrupt a job (its connection is shut down; done follows). */
void		 workers_abort(struct workers *, struct worker_job *);

#endif
