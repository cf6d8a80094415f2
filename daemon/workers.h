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

struct builtin_state;

/*
 * A job is over on its worker; called on the main loop, job freed
 * after.  fd -1: the connection ended.  Else it was recalled (see
 * workers_recall) and goes on from st on the caller's loop: the caller
 * owns fd; st->pending is valid during the call only.
 */
typedef void	(*workers_done_fn)(void *arg, int fd,
		    const struct builtin_state *st);

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
/* The same for a connection served elsewhere until now (st is copied). */
struct worker_job *workers_dispatch_resumed(struct workers *, int fd,
		    const struct builtin_state *st, workers_done_fn done,
		    void *arg);
/*
 * Hand every connection the workers run back to the main loop (an
 * upgrade, which ends the threads, can carry them over from there);
 * each comes back through its done with its socket and state.
 */
void		 workers_recall(struct workers *);
/* Interrupt a job (its connection is shut down; done follows). */
void		 workers_abort(struct workers *, struct worker_job *);

#endif
