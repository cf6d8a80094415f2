/*
 * workers.c: builtin connections on worker threads.
 *
 * Each worker has its own event_base and a pipe on which the main loop
 * sends it (fd, session) jobs; each finished session goes back to the
 * main loop through one completion pipe, so session and service state is
 * only ever touched by the main thread and libevent needs no locking.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "builtin.h"
#include "log.h"
#include "workers.h"

/* One connection on a worker; made and freed on the main loop. */
struct worker_job {
	struct builtin_conn	*bconn;		/* under the pool's lock */
	struct worker		*w;
	workers_done_fn		 done;
	void			*arg;
};

struct job {
	int			 fd;		/* -1: stop */
	struct worker_job	*j;
};

struct worker {
	struct workers		*pool;
	pthread_t		 thread;
	struct event_base	*base;
	int			 jobs[2];	/* main writes [1] */
	struct event		*job_ev;
	unsigned		 active;
	int			 stopping;
};

struct workers {
	const struct builtin	*builtin;
	struct worker		*w;
	unsigned		 n, next;
	int			 done[2];	/* workers write [1] */
	struct event		*done_ev;
	pthread_mutex_t		 lock;		/* guards job->bconn */
};

/* On a worker: a connection ended; hand the job back to main. */
static void
job_done(void *arg)
{
	struct worker_job	*job = arg;
	struct worker		*w = job->w;
	struct workers		*p = w->pool;
	ssize_t			 n;

	pthread_mutex_lock(&p->lock);
	job->bconn = NULL;
	pthread_mutex_unlock(&p->lock);
	w->active--;
	do
		n = write(p->done[1], &job, sizeof(job));
	while (n == -1 && errno == EINTR);
	if (w->stopping && w->active == 0)
		event_base_loopexit(w->base, NULL);
}

/* On a worker: a job arrived from the main loop. */
static void
job_cb(evutil_socket_t fd, short what, void *arg)
{
	struct worker		*w = arg;
	struct job		 j;
	struct builtin_conn	*c;

	if (read(fd, &j, sizeof(j)) != sizeof(j))
		return;
	if (j.fd == -1) {
		w->stopping = 1;
		event_del(w->job_ev);
		if (w->active == 0)
			event_base_loopexit(w->base, NULL);
		return;
	}
	j.j->w = w;
	w->active++;
	pthread_mutex_lock(&w->pool->lock);
	c = builtin_stream_start(w->pool->builtin, w->base, j.fd, job_done,
	    j.j);
	j.j->bconn = c;
	pthread_mutex_unlock(&w->pool->lock);
	if (c == NULL)
		job_done(j.j);
}

static void *
worker_main(void *arg)
{
	struct worker	*w = arg;

	event_base_dispatch(w->base);
	return NULL;
}

/* On main: jobs that ended on workers. */
static void
done_cb(evutil_socket_t fd, short what, void *arg)
{
	struct worker_job	*job;
	int			 i;

	(void)what;
	(void)arg;
	for (i = 0; i < 64; i++) {
		if (read(fd, &job, sizeof(job)) != sizeof(job))
			return;
		job->done(job->arg);
		free(job);
	}
}

static int
worker_start(struct workers *p, struct worker *w)
{
	w->pool = p;
	w->jobs[0] = w->jobs[1] = -1;
	if ((w->base = event_base_new()) == NULL ||
	    pipe2(w->jobs, O_CLOEXEC) == -1 ||
	    (w->job_ev = event_new(w->base, w->jobs[0], EV_READ | EV_PERSIST,
	    job_cb, w)) == NULL)
		return errno ? errno : ENOMEM;
	event_add(w->job_ev, NULL);
	return pthread_create(&w->thread, NULL, worker_main, w);
}

/* Free what worker_start made of a worker that never ran. */
static void
worker_unmake(struct worker *w)
{
	if (w->job_ev != NULL)
		event_free(w->job_ev);
	if (w->base != NULL)
		event_base_free(w->base);
	if (w->jobs[0] != -1) {
		close(w->jobs[0]);
		close(w->jobs[1]);
	}
}

struct workers *
workers_new(struct event_base *main_base, const struct builtin *b,
    unsigned nthreads, char *err, size_t errlen)
{
	struct workers	*p;
	unsigned	 i;
	int		 rc;

	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->w = calloc(nthreads, sizeof(*p->w))) == NULL) {
		snprintf(err, errlen, "out of memory");
		free(p);
		return NULL;
	}
	p->builtin = b;
	pthread_mutex_init(&p->lock, NULL);
	if (pipe2(p->done, O_CLOEXEC | O_NONBLOCK) == -1 ||
	    (p->done_ev = event_new(main_base, p->done[0],
	    EV_READ | EV_PERSIST, done_cb, p)) == NULL) {
		snprintf(err, errlen, "completion pipe: %s", strerror(errno));
		p->done[0] = p->done[1] = -1;
		workers_free(p);
		return NULL;
	}
	event_add(p->done_ev, NULL);
	for (i = 0; i < nthreads; i++, p->n++)
		if ((rc = worker_start(p, &p->w[i])) != 0) {
			snprintf(err, errlen, "cannot start worker thread %u "
			    "of %u: %s", i + 1, nthreads, strerror(rc));
			worker_unmake(&p->w[i]);
			workers_free(p);
			return NULL;
		}
	return p;
}

struct worker_job *
workers_dispatch(struct workers *p, int fd, workers_done_fn done, void *arg)
{
	struct worker_job	*job;
	struct job		 j;
	struct worker		*w = &p->w[p->next++ % p->n];

	if ((job = calloc(1, sizeof(*job))) == NULL)
		return NULL;
	job->done = done;
	job->arg = arg;
	j.fd = fd;
	j.j = job;
	if (write(w->jobs[1], &j, sizeof(j)) != sizeof(j)) {
		free(job);
		return NULL;
	}
	return job;
}

void
workers_abort(struct workers *p, struct worker_job *job)
{
	pthread_mutex_lock(&p->lock);
	if (job->bconn != NULL)
		builtin_conn_abort(job->bconn);
	pthread_mutex_unlock(&p->lock);
}

void
workers_free(struct workers *p)
{
	struct job	j = { -1, NULL };
	unsigned	i;

	for (i = 0; i < p->n; i++)
		if (write(p->w[i].jobs[1], &j, sizeof(j)) != sizeof(j))
			log_warn("worker stop");
	for (i = 0; i < p->n; i++) {
		pthread_join(p->w[i].thread, NULL);
		event_free(p->w[i].job_ev);
		event_base_free(p->w[i].base);
		close(p->w[i].jobs[0]);
		close(p->w[i].jobs[1]);
	}
	/* Completions still in the pipe end their requests now. */
	if (p->done_ev != NULL) {
		done_cb(p->done[0], EV_READ, p);
		event_free(p->done_ev);
	}
	if (p->done[0] != -1) {
		close(p->done[0]);
		close(p->done[1]);
	}
	pthread_mutex_destroy(&p->lock);
	free(p->w);
	free(p);
}
