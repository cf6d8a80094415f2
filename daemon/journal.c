/*
 * journal.c: entries for systemd-journald.  See journal.h.
 *
 * Our own few lines of the native protocol rather than sd_journal_send():
 * that sends each entry on a blocking socket, so a journal that stops
 * reading would stop the log writer (and superd's exit, which waits for
 * it) for good, and it has no way to send a batch.  Here the socket is
 * non-blocking and connected, so poll() says when the journal has room
 * again, and sendmmsg() hands a whole batch of datagrams to the kernel
 * in one system call.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "clock.h"
#include "journal.h"
#include "log.h"

#define BATCH_ENTRIES	256
#define BATCH_BYTES	(96 * 1024)
#define RETRY_MS	10	/* ENOBUFS: no queue to wait on */

static struct {
	int			 fd;
	struct sockaddr_un	 addr;
	const char		*ident;
	_Atomic int		 stalled;
	_Atomic unsigned long	 dropped;	/* not yet reported */
	_Atomic uint64_t	 warned;	/* ms of the last report; 0 */
} jr = { .fd = -1 };

/* The writer thread's batch: entries side by side in buf. */
static struct {
	char		 buf[BATCH_BYTES];
	size_t		 len;
	struct iovec	 iov[BATCH_ENTRIES];
	struct mmsghdr	 msg[BATCH_ENTRIES];
	unsigned int	 n;
} batch;

/* An entry being formatted: full once something did not fit. */
struct ebuf {
	char	*p;
	size_t	 len, cap;
	int	 full;
};

static void
put(struct ebuf *e, const void *s, size_t n)
{
	if (e->full || n > e->cap - e->len) {
		e->full = 1;
		return;
	}
	memcpy(e->p + e->len, s, n);
	e->len += n;
}

/* NAME=value, or the binary-safe form when the value has a newline. */
static void
put_field(struct ebuf *e, const char *name, const char *val)
{
	size_t		vlen = strlen(val);
	unsigned char	le[8];
	size_t		i;

	put(e, name, strlen(name));
	if (memchr(val, '\n', vlen) == NULL)
		put(e, "=", 1);
	else {
		for (i = 0; i < sizeof(le); i++)
			le[i] = (unsigned char)((uint64_t)vlen >> (8 * i));
		put(e, "\n", 1);
		put(e, le, sizeof(le));
	}
	put(e, val, vlen);
	put(e, "\n", 1);
}

static void
put_num(struct ebuf *e, const char *name, long long v)
{
	char	num[24];

	snprintf(num, sizeof(num), "%lld", v);
	put_field(e, name, num);
}

/* One entry into p (cap bytes): its length, or 0 if it does not fit. */
static size_t
format_entry(char *p, size_t cap, int pri, const struct log_fields *lf,
    const char *msg)
{
	struct ebuf	e = { p, 0, cap, 0 };

	put_field(&e, "MESSAGE", msg);
	put_num(&e, "PRIORITY", pri);
	put_field(&e, "SYSLOG_IDENTIFIER", jr.ident);
	if (lf != NULL) {
		put_field(&e, "SUPERD_SERVICE", lf->service ? lf->service : "");
		put_field(&e, "REMOTE_ADDR", lf->remote_addr ?
		    lf->remote_addr : "");
		put_num(&e, "REMOTE_PORT", lf->remote_port);
		put_num(&e, "HANDLER_PID", lf->pid);
		put_num(&e, "EXIT_STATUS", lf->exit_status);
		put_num(&e, "DURATION_USEC", lf->duration_usec);
	}
	return e.full ? 0 : e.len;
}

static int
journal_connect(void)
{
	return connect(jr.fd, (struct sockaddr *)&jr.addr, sizeof(jr.addr));
}

/* Wait for room in the journal until deadline: 0, or -1 past it. */
static int
wait_room(int err, uint64_t deadline)
{
	struct pollfd	pfd = { .fd = jr.fd, .events = POLLOUT };
	uint64_t	now = clock_mono_ms();
	uint64_t	left = deadline > now ? deadline - now : 0;

	if (left == 0)
		return -1;
	if (err == ENOBUFS)
		(void)poll(NULL, 0, left < RETRY_MS ? (int)left : RETRY_MS);
	else
		(void)poll(&pfd, 1, (int)left);
	return 0;
}

/*
 * Send n entries.  Unless the journal is stalled, wait for room while it
 * reads; once it has read nothing for JOURNAL_STALL_MS it is stalled.
 * What was not sent is dropped and counted.
 */
static void
send_entries(struct mmsghdr *m, unsigned int n)
{
	uint64_t	deadline = 0;
	unsigned int	sent = 0;
	int		r, reconnected = 0;

	while (sent < n) {
		r = sendmmsg(jr.fd, m + sent, n - sent, MSG_NOSIGNAL);
		if (r > 0) {
			sent += (unsigned int)r;
			deadline = 0;
			atomic_store(&jr.stalled, 0);
			continue;
		}
		if (errno == EINTR)
			continue;
		/* journald restarted: its socket is a new one. */
		if ((errno == ECONNREFUSED || errno == ENOTCONN) &&
		    !reconnected++ && journal_connect() == 0)
			continue;
		if ((errno != EAGAIN && errno != ENOBUFS) ||
		    atomic_load(&jr.stalled))
			break;
		if (deadline == 0)
			deadline = clock_mono_ms() + JOURNAL_STALL_MS;
		if (wait_room(errno, deadline) == -1) {
			atomic_store(&jr.stalled, 1);
			break;
		}
	}
	if (sent < n)
		atomic_fetch_add(&jr.dropped, n - sent);
}

/* One entry now, without reporting drops. */
static void
send_one(int pri, const struct log_fields *lf, const char *msg)
{
	char		buf[JOURNAL_ENTRY_MAX];
	struct iovec	iov = { .iov_base = buf };
	struct mmsghdr	m;

	iov.iov_len = format_entry(buf, sizeof(buf), pri, lf, msg);
	if (iov.iov_len == 0) {
		atomic_fetch_add(&jr.dropped, 1);
		return;
	}
	memset(&m, 0, sizeof(m));
	m.msg_hdr.msg_iov = &iov;
	m.msg_hdr.msg_iovlen = 1;
	send_entries(&m, 1);
}

/* Say how many entries were dropped: once it reads, at most so often. */
static void
report_drops(void)
{
	uint64_t	now, last = atomic_load(&jr.warned);
	unsigned long	n;
	char		msg[128];

	if (atomic_load(&jr.dropped) == 0 || atomic_load(&jr.stalled))
		return;
	now = clock_mono_ms();
	if (last != 0 && now - last < JOURNAL_WARN_MS)
		return;
	if (!atomic_compare_exchange_strong(&jr.warned, &last, now))
		return;		/* another thread reports them */
	n = atomic_exchange(&jr.dropped, 0);
	snprintf(msg, sizeof(msg), "journal: %lu log entries dropped (the "
	    "journal did not read them within %d ms)", n, JOURNAL_STALL_MS);
	send_one(LOG_WARNING, NULL, msg);
}

int
journal_open(const char *path, const char *ident)
{
	journal_close();
	if (strlen(path) >= sizeof(jr.addr.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memset(&jr.addr, 0, sizeof(jr.addr));
	jr.addr.sun_family = AF_UNIX;
	memcpy(jr.addr.sun_path, path, strlen(path));
	jr.ident = ident;
	atomic_store(&jr.stalled, 0);
	jr.fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (jr.fd == -1 || journal_connect() == -1) {
		journal_close();
		return -1;
	}
	return 0;
}

void
journal_close(void)
{
	if (jr.fd != -1)
		close(jr.fd);
	jr.fd = -1;
}

void
journal_send(int pri, const struct log_fields *lf, const char *msg)
{
	send_one(pri, lf, msg);
	report_drops();
}

/* The batch in one sendmmsg() (more while the journal makes room). */
static void
send_batch(void)
{
	send_entries(batch.msg, batch.n);
	batch.n = 0;
	batch.len = 0;
}

void
journal_batch(int pri, const struct log_fields *lf, const char *msg)
{
	struct mmsghdr	*m;
	size_t		 len;

	if (batch.n == BATCH_ENTRIES ||
	    sizeof(batch.buf) - batch.len < JOURNAL_ENTRY_MAX)
		send_batch();
	len = format_entry(batch.buf + batch.len, JOURNAL_ENTRY_MAX, pri, lf,
	    msg);
	if (len == 0) {
		atomic_fetch_add(&jr.dropped, 1);
		return;
	}
	batch.iov[batch.n].iov_base = batch.buf + batch.len;
	batch.iov[batch.n].iov_len = len;
	m = &batch.msg[batch.n];
	memset(m, 0, sizeof(*m));
	m->msg_hdr.msg_iov = &batch.iov[batch.n];
	m->msg_hdr.msg_iovlen = 1;
	batch.len += len;
	batch.n++;
}

void
journal_flush(void)
{
	if (batch.n > 0)
		send_batch();
	report_drops();
}

unsigned long
journal_dropped(void)
{
	return atomic_load(&jr.dropped);
}
