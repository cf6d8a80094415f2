/*
 * logq.c: the off-loop log writer.  See logq.h.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "logq.h"

#define LOGQ_SLOTS	1024
#define LOGQ_MSG	480
#define LOGQ_BATCH	64

struct logq_line {
	int		 pri;
	int		 has_fields;
	struct log_fields f;			/* strings point below */
	char		 service[64];
	char		 addr[64];
	char		 msg[LOGQ_MSG];
};

static struct {
	logq_sink_fn	 sink;
	pthread_mutex_t	 lock;
	pthread_cond_t	 wake;
	pthread_t	 thread;
	struct logq_line *ring;
	unsigned	 head, count;		/* oldest, how many */
	unsigned long	 dropped;
	int		 running, stopping;
} q = { .lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER };

static void
copy_line(struct logq_line *l, int pri, const struct log_fields *lf,
    const char *msg)
{
	l->pri = pri;
	l->has_fields = lf != NULL;
	if (lf != NULL) {
		l->f = *lf;
		snprintf(l->service, sizeof(l->service), "%s",
		    lf->service ? lf->service : "");
		snprintf(l->addr, sizeof(l->addr), "%s",
		    lf->remote_addr ? lf->remote_addr : "");
		l->f.service = l->service;
		l->f.remote_addr = l->addr;
	}
	snprintf(l->msg, sizeof(l->msg), "%s", msg);
}

int
logq_put(int pri, const struct log_fields *lf, const char *msg)
{
	int	wake;

	pthread_mutex_lock(&q.lock);
	if (!q.running || q.stopping) {
		pthread_mutex_unlock(&q.lock);
		return -1;
	}
	if (q.count == LOGQ_SLOTS)
		q.dropped++;
	else {
		copy_line(&q.ring[(q.head + q.count) % LOGQ_SLOTS], pri, lf,
		    msg);
		q.count++;
	}
	/* Only urgent lines, or a filling queue, cost a wake-up. */
	wake = pri <= LOG_NOTICE || q.count == LOGQ_SLOTS / 2;
	pthread_mutex_unlock(&q.lock);
	if (wake)
		pthread_cond_signal(&q.wake);
	return 0;
}

static void
deadline_in(struct timespec *ts, long ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* Take up to LOGQ_BATCH lines out (lock held); how many. */
static unsigned
take_batch(struct logq_line *out, unsigned long *dropped)
{
	unsigned	n = 0;

	while (n < LOGQ_BATCH && q.count > 0) {
		out[n++] = q.ring[q.head];
		q.head = (q.head + 1) % LOGQ_SLOTS;
		q.count--;
	}
	*dropped = q.dropped;
	q.dropped = 0;
	return n;
}

static void *
writer(void *arg)
{
	static struct logq_line	 batch[LOGQ_BATCH];
	struct timespec		 ts;
	unsigned long		 dropped;
	unsigned		 i, n;
	char			 note[96];

	(void)arg;
	pthread_mutex_lock(&q.lock);
	for (;;) {
		if (q.count == 0 && !q.stopping) {
			deadline_in(&ts, LOGQ_FLUSH_MS);
			pthread_cond_timedwait(&q.wake, &q.lock, &ts);
			continue;
		}
		if (q.count == 0 && q.stopping)
			break;
		n = take_batch(batch, &dropped);
		pthread_mutex_unlock(&q.lock);
		for (i = 0; i < n; i++)
			q.sink(batch[i].pri, batch[i].has_fields ?
			    &batch[i].f : NULL, batch[i].msg);
		if (dropped > 0) {
			snprintf(note, sizeof(note), "log queue full: %lu "
			    "lines dropped", dropped);
			q.sink(LOG_WARNING, NULL, note);
		}
		pthread_mutex_lock(&q.lock);
	}
	pthread_mutex_unlock(&q.lock);
	return NULL;
}

int
logq_start(logq_sink_fn sink)
{
	pthread_condattr_t	attr;

	if (q.running)
		return 0;
	q.sink = sink;
	if ((q.ring = calloc(LOGQ_SLOTS, sizeof(*q.ring))) == NULL)
		return -1;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_destroy(&q.wake);
	pthread_cond_init(&q.wake, &attr);
	pthread_condattr_destroy(&attr);
	q.head = q.count = 0;
	q.stopping = 0;
	if (pthread_create(&q.thread, NULL, writer, NULL) != 0) {
		free(q.ring);
		q.ring = NULL;
		return -1;
	}
	q.running = 1;
	return 0;
}

void
logq_stop(void)
{
	pthread_mutex_lock(&q.lock);
	if (!q.running || q.stopping) {
		pthread_mutex_unlock(&q.lock);
		return;
	}
	q.stopping = 1;
	pthread_mutex_unlock(&q.lock);
	pthread_cond_signal(&q.wake);
	pthread_join(q.thread, NULL);
	pthread_mutex_lock(&q.lock);
	q.running = 0;
	q.stopping = 0;
	free(q.ring);
	q.ring = NULL;
	pthread_mutex_unlock(&q.lock);
}
