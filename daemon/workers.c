/*
 * workers.c: builtin connections on worker threads.
 *
 * Each worker has its own event_base and a pipe on which the main loop
 * sends it (fd, session) jobs; each finished session goes back to the
 * main loop through one completion pipe, so session and service state is
 * only ever touched by the main thread and libevent needs no locking.
 * A recall, on the same pipe, sends every connection a worker runs back
 * the same way, with its socket and where its stream stands.
 */
#include "config.h"

#include <sys/queue.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "builtin.h"
#include "compat.h"
#include "connpoll.h"
#include "log.h"
#include "workers.h"

/* One connection on a worker; made and freed on the main loop. */
struct worker_job {
	struct builtin_conn	*bconn;		/* under the pool's lock */
	struct worker		*w;
	workers_done_fn		 done;
	void			*arg;
	TAILQ_ENTRY(worker_job)	 entry;		/* the worker's, its thread */
	/* In: where a resumed connection starts; out: a recalled one. */
	int			 moved_fd;	/* recalled: its socket */
	int			 resumed;
	struct builtin_state	 st;
	char			*st_buf;	/* st.pending's copy */
};

#define JOB_STOP	-1
#define JOB_RECALL	-2

struct job {
	int			 fd;		/* or JOB_STOP, JOB_RECALL */
	struct worker_job	*j;
};

struct worker {
	struct workers		*pool;
	pthread_t		 thread;
	struct event_base	*base;
	struct connpoll		*cp;		/* its builtin connections */
	int			 jobs[2];	/* main writes [1] */
	struct event		*job_ev;
	unsigned		 active;
	int			 stopping;
	TAILQ_HEAD(, worker_job) running;	/* its thread only */
};

struct workers {
	const struct builtin	*builtin;
	struct worker		*w;
	unsigned		 n, next;
	int			 done[2];	/* workers write [1] */
	struct event		*done_ev;
	pthread_mutex_t		 lock;		/* guards job->bconn */
};

/* On a worker: the job leaves it (ended or recalled); back to main. */
static void
job_leave(struct worker_job *job)
{
	struct worker	*w = job->w;
	struct workers	*p = w->pool;
	ssize_t		 n;

	TAILQ_REMOVE(&w->running, job, entry);
	w->active--;
	do
		n = write(p->done[1], &job, sizeof(job));
	while (n == -1 && errno == EINTR);
	if (w->stopping && w->active == 0)
		event_base_loopexit(w->base, NULL);
}

/* On a worker: a connection ended. */
static void
job_done(void *arg)
{
	struct worker_job	*job = arg;
	struct workers		*p = job->w->pool;

	pthread_mutex_lock(&p->lock);
	job->bconn = NULL;
	pthread_mutex_unlock(&p->lock);
	job_leave(job);
}

/*
 * On a worker: take the connection off this loop, socket and state, for
 * the main loop.  One ending already (no socket) finishes as usual.
 */
static void
job_recall(struct worker_job *job)
{
	struct workers		*p = job->w->pool;
	struct builtin_state	 st;
	int			 fd;

	pthread_mutex_lock(&p->lock);
	if ((fd = builtin_conn_state(job->bconn, &st)) == -1 ||
	    (st.len > 0 && (job->st_buf = malloc(st.len)) == NULL)) {
		pthread_mutex_unlock(&p->lock);
		return;
	}
	if (st.len > 0)
		memcpy(job->st_buf, st.pending, st.len);
	job->st = st;
	job->st.pending = job->st_buf;
	job->moved_fd = fd;
	builtin_conn_forget(job->bconn);
	job->bconn = NULL;
	pthread_mutex_unlock(&p->lock);
	job_leave(job);
}

/* On a worker: start (or resume) the connection of job on fd. */
static void
job_start(struct worker *w, struct worker_job *job, int fd)
{
	struct builtin_conn	*c;

	job->w = w;
	w->active++;
	TAILQ_INSERT_TAIL(&w->running, job, entry);
	pthread_mutex_lock(&w->pool->lock);
	if (job->resumed)
		c = builtin_stream_resume(w->pool->builtin, w->cp, fd,
		    &job->st, job_done, job);
	else
		c = builtin_stream_start(w->pool->builtin, w->cp, fd,
		    job_done, job);
	job->bconn = c;
	pthread_mutex_unlock(&w->pool->lock);
	free(job->st_buf);
	job->st_buf = NULL;
	job->resumed = 0;
	if (c == NULL)
		job_done(job);
}

/* On a worker: a message arrived from the main loop. */
static void
job_cb(evutil_socket_t fd, short what, void *arg)
{
	struct worker		*w = arg;
	struct worker_job	*job, *next;
	struct job		 j;

	if (read(fd, &j, sizeof(j)) != sizeof(j))
		return;
	switch (j.fd) {
	case JOB_STOP:
		w->stopping = 1;
		event_del(w->job_ev);
		if (w->active == 0)
			event_base_loopexit(w->base, NULL);
		break;
	case JOB_RECALL:
		TAILQ_FOREACH_SAFE(job, &w->running, entry, next)
			if (job->bconn != NULL)
				job_recall(job);
		break;
	default:
		job_start(w, j.j, j.fd);
		break;
	}
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
		job->done(job->arg, job->moved_fd,
		    job->moved_fd >= 0 ? &job->st : NULL);
		free(job->st_buf);
		free(job);
	}
}

static int
worker_start(struct workers *p, struct worker *w)
{
	w->pool = p;
	w->jobs[0] = w->jobs[1] = -1;
	TAILQ_INIT(&w->running);
	if ((w->base = event_base_new()) == NULL ||
	    (w->cp = connpoll_new(w->base)) == NULL ||
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
	connpoll_free(w->cp);
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

/* Queue job with fd to the next worker; -1 if the pipe refused it. */
static int
send_job(struct workers *p, struct worker_job *job, int fd)
{
	struct job	 j = { fd, job };
	struct worker	*w = &p->w[p->next++ % p->n];

	return write(w->jobs[1], &j, sizeof(j)) == sizeof(j) ? 0 : -1;
}

static struct worker_job *
job_new(workers_done_fn done, void *arg)
{
	struct worker_job	*job;

	if ((job = calloc(1, sizeof(*job))) == NULL)
		return NULL;
	job->done = done;
	job->arg = arg;
	job->moved_fd = -1;
	return job;
}

struct worker_job *
workers_dispatch(struct workers *p, int fd, workers_done_fn done, void *arg)
{
	struct worker_job	*job;

	if ((job = job_new(done, arg)) == NULL)
		return NULL;
	if (send_job(p, job, fd) == -1) {
		free(job);
		return NULL;
	}
	return job;
}

struct worker_job *
workers_dispatch_resumed(struct workers *p, int fd,
    const struct builtin_state *st, workers_done_fn done, void *arg)
{
	struct worker_job	*job;

	if ((job = job_new(done, arg)) == NULL)
		return NULL;
	job->resumed = 1;
	job->st = *st;
	if (st->len > 0) {
		if ((job->st_buf = malloc(st->len)) == NULL) {
			free(job);
			return NULL;
		}
		memcpy(job->st_buf, st->pending, st->len);
		job->st.pending = job->st_buf;
	}
	if (send_job(p, job, fd) == -1) {
		free(job->st_buf);
		free(job);
		return NULL;
	}
	return job;
}

void
workers_recall(struct workers *p)
{
	struct job	j = { JOB_RECALL, NULL };
	unsigned	i;

	for (i = 0; i < p->n; i++)
		if (write(p->w[i].jobs[1], &j, sizeof(j)) != sizeof(j))
			log_warn("worker recall");
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
	struct job	j = { JOB_STOP, NULL };
	unsigned	i;

	for (i = 0; i < p->n; i++)
		if (write(p->w[i].jobs[1], &j, sizeof(j)) != sizeof(j))
			log_warn("worker stop");
	for (i = 0; i < p->n; i++) {
		pthread_join(p->w[i].thread, NULL);
		event_free(p->w[i].job_ev);
		connpoll_free(p->w[i].cp);
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
