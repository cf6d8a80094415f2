/*
 * session.c: table of running requests: by id, by pid, by token.
 */
#include "config.h"

#include <sys/random.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "builtin.h"
#include "compat.h"
#include "conf.h"
#include "dgram_relay.h"
#include "addr.h"
#include "oob.h"
#include "log.h"
#include "policy.h"
#include "service.h"
#include "session.h"
#include "superd.h"
#include "workers.h"

#define PID_BUCKETS	1024
#define STDERR_LINE	1024

TAILQ_HEAD(session_list, session);

/* pid index: a session is in a bucket only while it has a pid. */
struct pid_link {
	struct session		*s;
	TAILQ_ENTRY(pid_link)	 entry;
};
TAILQ_HEAD(pid_bucket, pid_link);

static struct event_base	*sbase;
static struct session_list	 all = TAILQ_HEAD_INITIALIZER(all);
static struct pid_bucket	 by_pid[PID_BUCKETS];
static uint64_t			 next_id = 1;
static unsigned			 nsessions;

void
sessions_init(struct event_base *base)
{
	size_t	i;

	sbase = base;
	for (i = 0; i < PID_BUCKETS; i++)
		TAILQ_INIT(&by_pid[i]);
}

struct session *
session_new(struct service *svc, const struct sockaddr *sa, socklen_t salen)
{
	struct session	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->id = next_id++;
	s->svc = svc;
	s->stderr_fd = -1;
	s->kill_grace = (int)svc->conf->kill_grace;
	clock_gettime(CLOCK_MONOTONIC, &s->start);
	s->start_wall = time(NULL);
	snprintf(s->peer, sizeof(s->peer), "-");
	s->peer_port = -1;
	if (sa != NULL && salen > 0 && salen <= sizeof(s->peer_sa)) {
		memcpy(&s->peer_sa, sa, salen);
		s->peer_salen = salen;
		sockaddr_format(sa, salen, s->peer, sizeof(s->peer),
		    &s->peer_port);
	}
	TAILQ_INSERT_TAIL(&all, s, entry);
	nsessions++;
	return s;
}

/* 128 random bits as hex: what a client quotes to cancel its request. */
static void
session_make_token(struct session *s)
{
	unsigned char	r[16];
	size_t		i;

	if (getrandom(r, sizeof(r), 0) != sizeof(r)) {
		s->token[0] = '\0';
		return;
	}
	for (i = 0; i < sizeof(r); i++)
		snprintf(s->token + 2 * i, 3, "%02x", r[i]);
}

void
session_set_pid(struct session *s, pid_t pid)
{
	struct pid_link	*l;

	s->pid = pid;
	if ((l = malloc(sizeof(*l))) == NULL)
		fatal("malloc");
	l->s = s;
	TAILQ_INSERT_TAIL(&by_pid[(unsigned)pid % PID_BUCKETS], l, entry);
}

struct session *
session_by_pid(pid_t pid)
{
	struct pid_link	*l;

	TAILQ_FOREACH(l, &by_pid[(unsigned)pid % PID_BUCKETS], entry)
		if (l->s->pid == pid)
			return l->s;
	return NULL;
}

struct session *
session_by_id(uint64_t id)
{
	struct session	*s;

	TAILQ_FOREACH(s, &all, entry)
		if (s->id == id)
			return s;
	return NULL;
}

/* Constant-time compare, so timing does not leak a token. */
static int
token_equal(const char *a, const char *b)
{
	unsigned char	diff = 0;
	size_t		i, la = strlen(a), lb = strlen(b);

	if (la != lb || la == 0)
		return 0;
	for (i = 0; i < la; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

struct session *
session_by_token(const char *token)
{
	struct session	*s;

	TAILQ_FOREACH(s, &all, entry)
		if (token_equal(s->token, token))
			return s;
	return NULL;
}

const char *
session_peer_desc(const struct session *s)
{
	static char	buf[80];

	if (s->peer_port < 0)
		return s->peer;
	snprintf(buf, sizeof(buf), strchr(s->peer, ':') ? "[%s]:%d" : "%s:%d",
	    s->peer, s->peer_port);
	return buf;
}

long long
session_age_usec(const struct session *s)
{
	struct timespec	now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)(now.tv_sec - s->start.tv_sec) * 1000000 +
	    (now.tv_nsec - s->start.tv_nsec) / 1000;
}

/* Describe a wait status for the log. */
static void
status_format(int status, char *buf, size_t len)
{
	if (status == -1)
		snprintf(buf, len, "closed");
	else if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d",
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)%s",
		    WTERMSIG(status), strsignal(WTERMSIG(status)),
		    WCOREDUMP(status) ? ", core dumped" : "");
	else
		snprintf(buf, len, "ended (status 0x%x)", status);
}

/* One log line for the end of a request. */
static void
session_log_end(const struct session *s, int status)
{
	struct log_fields	lf;
	char			desc[96];
	long long		usec = session_age_usec(s);
	int			abnormal;

	abnormal = status != -1 && !(WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0);
	status_format(status, desc, sizeof(desc));
	lf.service = s->svc->conf->name;
	lf.remote_addr = s->peer;
	lf.remote_port = s->peer_port;
	lf.pid = s->pid;
	lf.exit_status = status == -1 ? -1 : WIFEXITED(status) ?
	    WEXITSTATUS(status) : 128 + WTERMSIG(status);
	lf.duration_usec = usec;
	log_request(abnormal || s->interrupted_by[0] ? LOG_NOTICE : LOG_INFO,
	    &lf, "service %s: session S%llu pid %ld (peer %s) %s after "
	    "%lld.%03llds%s%s%s", s->svc->conf->name,
	    (unsigned long long)s->id, (long)s->pid, session_peer_desc(s),
	    desc, usec / 1000000, (usec / 1000) % 1000,
	    s->interrupted_by[0] ? " (interrupted by " : "", s->interrupted_by,
	    s->interrupted_by[0] ? ")" : "");
}

/* Flush complete (or, at the end, partial) stderr lines to the log. */
static void
stderr_flush(struct session *s, int all_of_it)
{
	char	*nl, *start = s->stderr_buf;
	size_t	 left = s->stderr_len;

	while (left > 0 && ((nl = memchr(start, '\n', left)) != NULL ||
	    all_of_it || left == STDERR_LINE)) {
		size_t len = nl ? (size_t)(nl - start) : left;
		log_warnx("service %s[%ld]: %.*s", s->svc->conf->name,
		    (long)s->pid, (int)len, start);
		len += nl ? 1 : 0;
		start += len;
		left -= len;
	}
	memmove(s->stderr_buf, start, left);
	s->stderr_len = left;
}

/*
 * Read what is still in the pipe. The handler's exit can reach us before
 * its last write does, so closing without this would lose its last words.
 * Bounded: a grandchild holding the pipe open must not keep us here.
 */
static void
stderr_drain(struct session *s)
{
	ssize_t	n;
	int	i;

	for (i = 0; i < 16; i++) {
		n = read(s->stderr_fd, s->stderr_buf + s->stderr_len,
		    STDERR_LINE - s->stderr_len);
		if (n <= 0)
			break;
		s->stderr_len += (size_t)n;
		stderr_flush(s, 0);
	}
}

static void
stderr_close(struct session *s)
{
	if (s->stderr_fd == -1)
		return;
	stderr_drain(s);
	stderr_flush(s, 1);
	event_free(s->stderr_ev);
	close(s->stderr_fd);
	free(s->stderr_buf);
	s->stderr_fd = -1;
	s->stderr_ev = NULL;
	s->stderr_buf = NULL;
}

/* The handler wrote to its stderr pipe. */
static void
stderr_cb(evutil_socket_t fd, short what, void *arg)
{
	struct session	*s = arg;
	ssize_t		 n;

	n = read(fd, s->stderr_buf + s->stderr_len,
	    STDERR_LINE - s->stderr_len);
	if (n > 0) {
		s->stderr_len += (size_t)n;
		stderr_flush(s, 0);
	} else if (n == 0 || (errno != EAGAIN && errno != EINTR))
		stderr_close(s);
}

void
session_capture_stderr(struct session *s, int fd)
{
	if ((s->stderr_buf = malloc(STDERR_LINE)) == NULL) {
		close(fd);
		return;
	}
	/* Non-blocking, so the drain at the session's end cannot hang. */
	(void)fcntl(fd, F_SETFL, O_NONBLOCK);
	s->stderr_fd = fd;
	s->stderr_ev = event_new(sbase, fd, EV_READ | EV_PERSIST, stderr_cb,
	    s);
	event_add(s->stderr_ev, NULL);
}

/* Unlink from every index and free. */
static void
session_free(struct session *s)
{
	struct pid_link	*l;

	if (s->pid > 0) {
		struct pid_bucket *b = &by_pid[(unsigned)s->pid % PID_BUCKETS];
		TAILQ_FOREACH(l, b, entry)
			if (l->s == s)
				break;
		if (l != NULL) {
			TAILQ_REMOVE(b, l, entry);
			free(l);
		}
	}
	stderr_close(s);
	dgram_relay_free(s->relay);
	oob_session_end(s);
	if (s->timer != NULL)
		event_free(s->timer);
	TAILQ_REMOVE(&all, s, entry);
	nsessions--;
	free(s);
}

void
session_end(struct session *s, int status)
{
	struct service	*svc = s->svc;

	stderr_close(s);	/* its last stderr lines before its exit line */
	session_log_end(s, status);
	policy_release(s);
	session_free(s);
	service_handler_ended(svc, status);
	superd_session_ended();
}

void
session_discard(struct session *s)
{
	policy_release(s);
	session_free(s);
}

/* Shut a builtin connection down, on whichever thread it runs. */
static void
session_abort_builtin(struct session *s)
{
	if (s->on_worker)
		workers_abort(s->svc->workers, s);
	else if (s->bconn != NULL)
		builtin_conn_abort(s->bconn);
}

/* Timeout or interrupt escalation: TERM (or the asked signal), then KILL. */
static void
session_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct session	*s = arg;
	struct timeval	 tv = { s->kill_grace, 0 };

	if (s->pid <= 0) {
		session_abort_builtin(s);
		return;
	}
	if (!s->term_sent) {
		log_notice("service %s: session S%llu pid %ld: timeout, "
		    "sending SIGTERM", s->svc->conf->name,
		    (unsigned long long)s->id, (long)s->pid);
		kill(-s->pid, SIGTERM);
		s->term_sent = 1;
		evtimer_add(s->timer, &tv);
		return;
	}
	log_notice("service %s: session S%llu pid %ld still running, sending "
	    "SIGKILL", s->svc->conf->name, (unsigned long long)s->id,
	    (long)s->pid);
	kill(-s->pid, SIGKILL);
}

void
session_arm_timeout(struct session *s, unsigned seconds)
{
	struct timeval	tv = { (time_t)seconds, 0 };

	if (s->timer == NULL &&
	    (s->timer = evtimer_new(sbase, session_timer_cb, s)) == NULL)
		return;
	evtimer_add(s->timer, &tv);
}

int
session_interrupt(struct session *s, int sig, unsigned grace, const char *who)
{
	struct timeval	tv = { (time_t)grace, 0 };

	log_notice("service %s: session S%llu pid %ld (peer %s): interrupt "
	    "with signal %d requested by %s", s->svc->conf->name,
	    (unsigned long long)s->id, (long)s->pid, s->peer, sig, who);
	snprintf(s->interrupted_by, sizeof(s->interrupted_by), "%s", who);
	if (s->pid <= 0) {
		session_abort_builtin(s);
		return 0;
	}
	/* Each handler leads its own session (setsid): signal the group. */
	if (kill(-s->pid, sig) == -1 && kill(s->pid, sig) == -1)
		return -1;
	if (sig == SIGKILL)
		return 0;
	if (s->timer == NULL &&
	    (s->timer = evtimer_new(sbase, session_timer_cb, s)) == NULL)
		return 0;
	s->term_sent = 1;
	evtimer_add(s->timer, &tv);
	return 0;
}

void
session_foreach(session_cb cb, void *arg)
{
	struct session	*s, *next;

	TAILQ_FOREACH_SAFE(s, &all, entry, next)
		cb(s, arg);
}

unsigned
sessions_count(void)
{
	return nsessions;
}

void
sessions_signal_all(int sig)
{
	struct session	*s;

	TAILQ_FOREACH(s, &all, entry) {
		if (s->pid > 0)
			kill(-s->pid, sig);
		else
			session_abort_builtin(s);
	}
}

void
session_new_token(struct session *s)
{
	session_make_token(s);
}
