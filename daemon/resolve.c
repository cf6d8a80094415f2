/*
 * resolve.c: look host names up on threads, for a bounded time (see
 * resolve.h for why).
 *
 * The batch is shared by the caller and the lookup threads and freed by
 * whichever lets go of it last, so the caller can stop waiting at any
 * time without a thread writing into freed memory.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "resolve.h"

#define RESOLVE_MAX_ADDRS	64	/* per name: more is not a host */

struct lookup {
	struct batch		*b;
	char			*name;		/* a copy: the thread's own */
	int			 done;
	struct acl_entry	*addrs;
	size_t			 n;
	char			 why[128];
};

struct batch {
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	int			 refs;		/* the caller + live threads */
	size_t			 pending;
	size_t			 n;
	struct lookup		*l;
};

static void
batch_free(struct batch *b)
{
	size_t	i;

	for (i = 0; i < b->n; i++) {
		free(b->l[i].name);
		free(b->l[i].addrs);
	}
	free(b->l);
	pthread_cond_destroy(&b->cv);
	pthread_mutex_destroy(&b->mu);
	free(b);
}

/* Drop one reference (the mutex held); free the batch after the last. */
static void
batch_unref_locked(struct batch *b)
{
	int	last = --b->refs == 0;

	pthread_mutex_unlock(&b->mu);
	if (last)
		batch_free(b);
}

/* Add ai's address to v[*n] unless it is there already. */
static void
addr_add(struct acl_entry *v, size_t *n, const struct addrinfo *ai)
{
	struct acl_entry	e;
	size_t			i;

	memset(&e, 0, sizeof(e));
	e.family = ai->ai_family;
	if (ai->ai_family == AF_INET) {
		memcpy(e.addr, &((struct sockaddr_in *)(void *)ai->ai_addr)->
		    sin_addr, 4);
		e.prefixlen = 32;
	} else if (ai->ai_family == AF_INET6) {
		memcpy(e.addr, &((struct sockaddr_in6 *)(void *)ai->ai_addr)->
		    sin6_addr, 16);
		e.prefixlen = 128;
	} else
		return;
	for (i = 0; i < *n; i++)
		if (memcmp(&v[i], &e, sizeof(e)) == 0)
			return;
	v[(*n)++] = e;
}

/* getaddrinfo for l->name into a private result, then publish it. */
static void *
lookup_run(void *arg)
{
	struct lookup		*l = arg;
	struct batch		*b = l->b;
	struct addrinfo		 hints, *res = NULL, *ai;
	struct acl_entry	*v = NULL;
	size_t			 n = 0;
	char			 why[128] = "";
	int			 rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(l->name, NULL, &hints, &res)) != 0)
		snprintf(why, sizeof(why), "%s", rc == EAI_SYSTEM ?
		    strerror(errno) : gai_strerror(rc));
	else if ((v = calloc(RESOLVE_MAX_ADDRS, sizeof(*v))) == NULL)
		snprintf(why, sizeof(why), "out of memory");
	for (ai = v != NULL ? res : NULL; ai != NULL && n < RESOLVE_MAX_ADDRS;
	    ai = ai->ai_next)
		addr_add(v, &n, ai);
	if (res != NULL)
		freeaddrinfo(res);
	if (v != NULL && n == 0)
		snprintf(why, sizeof(why), "no IPv4 or IPv6 address");
	pthread_mutex_lock(&b->mu);
	l->addrs = v;
	l->n = n;
	snprintf(l->why, sizeof(l->why), "%s", why);
	l->done = 1;
	b->pending--;
	pthread_cond_signal(&b->cv);
	batch_unref_locked(b);
	return NULL;
}

static struct batch *
batch_new(const struct resolve_result *res, size_t n)
{
	struct batch		*b;
	pthread_condattr_t	 ca;
	size_t			 i;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	pthread_mutex_init(&b->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&b->cv, &ca);
	pthread_condattr_destroy(&ca);
	b->refs = 1;
	if ((b->l = calloc(n, sizeof(*b->l))) == NULL) {
		batch_free(b);
		return NULL;
	}
	b->n = n;
	for (i = 0; i < n; i++) {
		b->l[i].b = b;
		if ((b->l[i].name = strdup(res[i].name)) == NULL) {
			batch_free(b);	/* no thread has it yet */
			return NULL;
		}
	}
	return b;
}

/*
 * One detached thread per name, with every signal blocked: superd's
 * signals are for its loop.  A name whose thread cannot start is done
 * at once, with the reason.
 */
static void
batch_start(struct batch *b)
{
	pthread_attr_t	attr;
	pthread_t	tid;
	sigset_t	all, old;
	size_t		i;
	int		rc;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (i = 0; i < b->n; i++) {
		pthread_mutex_lock(&b->mu);
		b->refs++;
		b->pending++;
		pthread_mutex_unlock(&b->mu);
		if ((rc = pthread_create(&tid, &attr, lookup_run, &b->l[i]))
		    == 0)
			continue;
		pthread_mutex_lock(&b->mu);
		b->refs--;
		b->pending--;
		b->l[i].done = 1;
		snprintf(b->l[i].why, sizeof(b->l[i].why), "cannot start a "
		    "lookup thread: %s", strerror(rc));
		pthread_mutex_unlock(&b->mu);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
}

/* Wait (the mutex held) until every lookup is done or the deadline. */
static void
batch_wait_locked(struct batch *b, unsigned timeout_ms)
{
	struct timespec	deadline;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	while (b->pending > 0)
		if (pthread_cond_timedwait(&b->cv, &b->mu, &deadline) ==
		    ETIMEDOUT)
			break;
}

int
resolve_names(struct resolve_result *res, size_t n, unsigned timeout_ms)
{
	struct batch	*b;
	size_t		 i;

	for (i = 0; i < n; i++) {
		res[i].addrs = NULL;
		res[i].n = 0;
		snprintf(res[i].why, sizeof(res[i].why), "out of memory");
	}
	if (n == 0)
		return 0;
	if ((b = batch_new(res, n)) == NULL)
		return -1;
	batch_start(b);
	pthread_mutex_lock(&b->mu);
	batch_wait_locked(b, timeout_ms);
	for (i = 0; i < n; i++) {
		if (!b->l[i].done) {
			snprintf(res[i].why, sizeof(res[i].why), "no answer "
			    "within %u ms", timeout_ms);
			continue;
		}
		/* Taken over: the batch no longer frees them. */
		res[i].addrs = b->l[i].addrs;
		res[i].n = b->l[i].n;
		b->l[i].addrs = NULL;
		snprintf(res[i].why, sizeof(res[i].why), "%s", b->l[i].why);
	}
	batch_unref_locked(b);
	return 0;
}

void
resolve_results_free(struct resolve_result *res, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(res[i].addrs);
		res[i].addrs = NULL;
		res[i].n = 0;
	}
}
