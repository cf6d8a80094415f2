/*
 * logq.c: the off-loop log writer.  See logq.h.
 *
 * The writer's state tells the loop when a line must wake it: IDLE (the
 * ring was empty: any line), NAP (gathering a batch: an urgent line or a
 * half-full ring), SOON (holding urgent lines until LOGQ_URGENT_MS after
 * the last urgent batch: a half-full ring), RUN (writing: nothing).  The
 * loop wakes it through an eventfd, one write per sleep at most, so a
 * busy loop makes no system call per line.
 *
 * An urgent line goes out at once, but at most one batch of them every
 * LOGQ_URGENT_MS: a request that ends abnormally logs a notice, and a
 * client can make every request do that (a handler killed by SIGPIPE
 * when the client resets); waking the writer for each one cost 20-40 us
 * of CPU a request.
 */
#include "config.h"

#include <sys/eventfd.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "fmt.h"
#include "log.h"
#include "logq.h"
#include "logring.h"

enum writer_state { W_RUN, W_IDLE, W_NAP, W_SOON };

/*
 * A queued line: this, then service and addr, each NUL-ended, then the
 * message (NUL-ended) or, when format is set, the data_len bytes it
 * makes the message from.
 */
struct logq_rec {
	int		 pri;
	int		 has_fields;
	int		 remote_port;
	int		 exit_status;
	long		 pid;
	long long	 duration_usec;
	unsigned short	 service_len, addr_len;
	log_format_fn	 format;
	size_t		 data_len;
};

static struct {
	logq_sink_fn		 sink;
	logq_flush_fn		 flush;
	pthread_t		 thread, loop;
	struct logring		 ring;
	unsigned char		*buf;
	int			 efd;
	_Atomic int		 state, urgent, stopping;
	int			 running;
} q = { .efd = -1 };

/* Wake the writer if its state asks for this line. */
static void
maybe_wake(int urgent)
{
	int		state = atomic_load(&q.state);

	if (urgent)
		atomic_store(&q.urgent, 1);
	if (state == W_RUN || ((state == W_SOON || (state == W_NAP &&
	    !urgent)) && logring_used(&q.ring) < LOGQ_RING / 2))
		return;
	if (atomic_compare_exchange_strong(&q.state, &state, W_RUN))
		(void)eventfd_write(q.efd, 1);
}

/*
 * Reserve a record and fill in its header and fields; the body goes at
 * *body, in at most *room bytes.  NULL when the queue is not for this
 * thread (-1 in *err) or the ring is full (dropped, counted: 0).
 */
static struct logq_rec *
rec_begin(int pri, const struct log_fields *lf, char **body, size_t *room,
    int *err)
{
	struct logq_rec	*r;
	char		*p;

	*err = 0;
	if (!q.running || !pthread_equal(pthread_self(), q.loop)) {
		*err = -1;
		return NULL;
	}
	if ((r = logring_reserve(&q.ring, LOGRING_MAX_REC)) == NULL)
		return NULL;		/* dropped; the writer will say so */
	memset(r, 0, sizeof(*r));
	r->pri = pri;
	p = (char *)(r + 1);
	if ((r->has_fields = lf != NULL)) {
		r->remote_port = lf->remote_port;
		r->exit_status = lf->exit_status;
		r->pid = lf->pid;
		r->duration_usec = lf->duration_usec;
		r->service_len = (unsigned short)fmt_pack_str(p,
		    lf->service, 128);
		p += r->service_len;
		r->addr_len = (unsigned short)fmt_pack_str(p,
		    lf->remote_addr, 128);
		p += r->addr_len;
	}
	*body = p;
	*room = LOGRING_MAX_REC - (size_t)(p - (char *)r);
	return r;
}

/* Publish a record whose body ends at end. */
static void
rec_end(struct logq_rec *r, const char *end)
{
	logring_commit(&q.ring, (size_t)(end - (char *)r));
	maybe_wake(r->pri <= LOG_NOTICE);
}

int
logq_vput(int pri, const struct log_fields *lf, const char *fmt, va_list ap)
{
	struct logq_rec	*r;
	char		*p;
	size_t		 room;
	int		 err;

	if ((r = rec_begin(pri, lf, &p, &room, &err)) == NULL)
		return err;
	p += fmt_line(p, room, fmt, ap) + 1;
	rec_end(r, p);
	return 0;
}

int
logq_put(int pri, const struct log_fields *lf, log_format_fn fn,
    const void *data, size_t len)
{
	struct logq_rec	*r;
	char		*p;
	size_t		 room;
	int		 err;

	/* Too big beside the fields (256 bytes at most): -1, made at once. */
	if (len > LOGRING_MAX_REC - sizeof(*r) - 256)
		return -1;
	if ((r = rec_begin(pri, lf, &p, &room, &err)) == NULL)
		return err;
	r->format = fn;
	r->data_len = len;
	memcpy(p, data, len);
	rec_end(r, p + len);
	return 0;
}

/* Hand one record to the sink. */
static void
sink_rec(const struct logq_rec *r)
{
	static char		 msg[LOGRING_MAX_REC];	/* the writer's */
	const char		*p = (const char *)(r + 1);
	const char		*body = p + r->service_len + r->addr_len;
	struct log_fields	 f, *lf = NULL;

	if (r->has_fields) {
		memset(&f, 0, sizeof(f));
		f.service = p;
		f.remote_addr = p + r->service_len;
		f.remote_port = r->remote_port;
		f.pid = r->pid;
		f.exit_status = r->exit_status;
		f.duration_usec = r->duration_usec;
		lf = &f;
	}
	if (r->format != NULL) {
		r->format(lf, body, r->data_len, msg, sizeof(msg));
		body = msg;
	}
	q.sink(r->pri, lf, body);
}

/* Everything in the ring to the sink, then one flush. */
static void
drain(void)
{
	const void	*rec;
	size_t		 len;
	unsigned long	 dropped;
	char		 note[96];
	int		 n = 0;

	while ((rec = logring_peek(&q.ring, &len)) != NULL) {
		sink_rec(rec);
		logring_release(&q.ring);
		n++;
	}
	if ((dropped = logring_take_dropped(&q.ring)) > 0) {
		snprintf(note, sizeof(note), "log queue full: %lu lines "
		    "dropped", dropped);
		q.sink(LOG_WARNING, NULL, note);
		n++;
	}
	if (n > 0 && q.flush != NULL)
		q.flush();
}

/* Sleep in state st until woken or ms pass (-1: no limit). */
static void
sleep_as(int st, int ms)
{
	struct pollfd	pfd = { .fd = q.efd, .events = POLLIN };
	eventfd_t	v;

	atomic_store(&q.state, st);
	/* Re-check after saying so: a line may have come just before. */
	if (!atomic_load(&q.stopping) && (st == W_SOON ||
	    (!atomic_load(&q.urgent) && (st == W_NAP ||
	    logring_used(&q.ring) == 0))))
		(void)poll(&pfd, 1, ms);
	atomic_store(&q.state, W_RUN);
	(void)eventfd_read(q.efd, &v);
}

static void *
writer(void *arg)
{
	uint64_t	last_urgent = 0, since;
	int		urgent;

	(void)arg;
	for (;;) {
		drain();
		if (atomic_load(&q.stopping)) {
			drain();
			break;
		}
		sleep_as(W_IDLE, -1);
		/* Woken by a routine line: let a batch gather. */
		urgent = atomic_exchange(&q.urgent, 0);
		if (!urgent) {
			sleep_as(W_NAP, LOGQ_FLUSH_MS);
			urgent = atomic_exchange(&q.urgent, 0);
		}
		/*
		 * An urgent line goes out now, unless one went out less than
		 * LOGQ_URGENT_MS ago: then at the end of that window, with
		 * those that come meanwhile.
		 */
		if (urgent) {
			since = clock_mono_ms() - last_urgent;
			if (since < LOGQ_URGENT_MS)
				sleep_as(W_SOON, (int)(LOGQ_URGENT_MS - since));
			last_urgent = clock_mono_ms();
		}
		/* Lines flagged so far are in the ring: the drain takes them. */
		atomic_store(&q.urgent, 0);
	}
	return NULL;
}

int
logq_start(logq_sink_fn sink, logq_flush_fn flush)
{
	if (q.running)
		return 0;
	q.sink = sink;
	q.flush = flush;
	if ((q.buf = malloc(LOGQ_RING)) == NULL)
		return -1;
	(void)logring_init(&q.ring, q.buf, LOGQ_RING);
	if ((q.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1) {
		free(q.buf);
		return -1;
	}
	atomic_store(&q.state, W_RUN);
	atomic_store(&q.urgent, 0);
	atomic_store(&q.stopping, 0);
	q.loop = pthread_self();
	if (pthread_create(&q.thread, NULL, writer, NULL) != 0) {
		close(q.efd);
		free(q.buf);
		return -1;
	}
	q.running = 1;
	return 0;
}

void
logq_stop(void)
{
	if (!q.running || !pthread_equal(pthread_self(), q.loop))
		return;
	atomic_store(&q.stopping, 1);
	(void)eventfd_write(q.efd, 1);
	pthread_join(q.thread, NULL);
	q.running = 0;
	close(q.efd);
	q.efd = -1;
	free(q.buf);
	q.buf = NULL;
}
