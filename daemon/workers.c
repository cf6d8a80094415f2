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
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "builtin.h"
#include "log.h"
#include "service.h"
#include "session.h"
#include "workers.h"

struct job {
	int		 fd;		/* -1: stop */
	struct session	*s;
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
	pthread_mutex_t		 lock;		/* guards session->bconn */
};

/* On a worker: a connection ended; hand the session back to main. */
static void
job_done(void *arg)
{
	struct session	*s = arg;
	struct worker	*w = s->worker;
	struct workers	*p = w->pool;
	ssize_t		 n;

	pthread_mutex_lock(&p->lock);
	s->bconn = NULL;
	pthread_mutex_unlock(&p->lock);
	w->active--;
	do
		n = write(p->done[1], &s, sizeof(s));
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
	j.s->worker = w;
	w->active++;
	pthread_mutex_lock(&w->pool->lock);
	c = builtin_stream_start(w->pool->builtin, w->base, j.fd, job_done,
	    j.s);
	j.s->bconn = c;
	pthread_mutex_unlock(&w->pool->lock);
	if (c == NULL)
		job_done(j.s);
}

static void *
worker_main(void *arg)
{
	struct worker	*w = arg;

	event_base_dispatch(w->base);
	return NULL;
}

/* On main: sessions that ended on workers. */
static void
done_cb(evutil_socket_t fd, short what, void *arg)
{
	struct session	*s;
	int		 i;

	for (i = 0; i < 64; i++) {
		if (read(fd, &s, sizeof(s)) != sizeof(s))
			return;
		s->worker = NULL;
		session_end(s, -1);
	}
}

static int
worker_start(struct workers *p, struct worker *w)
{
	w->pool = p;
	if ((w->base = event_base_new()) == NULL ||
	    pipe2(w->jobs, O_CLOEXEC) == -1)
		return -1;
	w->job_ev = event_new(w->base, w->jobs[0], EV_READ | EV_PERSIST,
	    job_cb, w);
	event_add(w->job_ev, NULL);
	return pthread_create(&w->thread, NULL, worker_main, w) == 0 ? 0 : -1;
}

struct workers *
workers_new(struct event_base *main_base, const struct builtin *b,
    unsigned nthreads)
{
	struct workers	*p;
	unsigned	 i;

	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->w = calloc(nthreads, sizeof(*p->w))) == NULL)
		fatal("calloc");
	p->builtin = b;
	pthread_mutex_init(&p->lock, NULL);
	if (pipe2(p->done, O_CLOEXEC | O_NONBLOCK) == -1)
		fatal("pipe2");
	p->done_ev = event_new(main_base, p->done[0], EV_READ | EV_PERSIST,
	    done_cb, p);
	event_add(p->done_ev, NULL);
	for (i = 0; i < nthreads; i++, p->n++)
		if (worker_start(p, &p->w[i]) == -1)
			fatal("worker thread");
	return p;
}

int
workers_dispatch(struct workers *p, int fd, struct session *s)
{
	struct job	 j = { fd, s };
	struct worker	*w = &p->w[p->next++ % p->n];

	s->on_worker = 1;
	return write(w->jobs[1], &j, sizeof(j)) == sizeof(j) ? 0 : -1;
}

void
workers_abort(struct workers *p, struct session *s)
{
	pthread_mutex_lock(&p->lock);
	if (s->bconn != NULL)
		builtin_conn_abort(s->bconn);
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
	/* Completions still in the pipe end their sessions now. */
	done_cb(p->done[0], EV_READ, p);
	event_free(p->done_ev);
	close(p->done[0]);
	close(p->done[1]);
	pthread_mutex_destroy(&p->lock);
	free(p->w);
	free(p);
}
