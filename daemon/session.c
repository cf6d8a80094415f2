/*
 * session.c: the index of running requests: by id, by pid, by token.
 */
#include "config.h"

#include <sys/random.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "compat.h"
#include "session.h"

#define PID_BUCKETS	1024

TAILQ_HEAD(session_list, session);

/* pid index: a session is in a bucket only while it has a pid. */
struct pid_link {
	struct session		*s;
	TAILQ_ENTRY(pid_link)	 entry;
};
TAILQ_HEAD(pid_bucket, pid_link);

static struct session_list	 all = TAILQ_HEAD_INITIALIZER(all);
static struct pid_bucket	 by_pid[PID_BUCKETS];
static uint64_t			 next_id = 1;
static unsigned			 nsessions;

void
sessions_init(void)
{
	size_t	i;

	for (i = 0; i < PID_BUCKETS; i++)
		TAILQ_INIT(&by_pid[i]);
}

struct session *
session_new(const char *service, const struct sockaddr *sa, socklen_t salen)
{
	struct session	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	if ((s->service = strdup(service)) == NULL) {
		free(s);
		return NULL;
	}
	s->id = next_id++;
	s->peer_uid = (uid_t)-1;
	clock_gettime(CLOCK_MONOTONIC, &s->start);
	s->start_wall = time(NULL);
	s->peer[0] = '-';	/* calloc'd: NUL-ended */
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

uint64_t
session_next_id(void)
{
	return next_id;
}

void
session_skip_to(uint64_t next)
{
	if (next > next_id)
		next_id = next;
}

void
session_set_id(struct session *s, uint64_t id)
{
	s->id = id;
	if (id >= next_id)
		next_id = id + 1;
}

/*
 * Random bytes for tokens, drawn from the kernel a batch at a time: one
 * getrandom per TOKEN_POOL / 16 requests rather than one each.  Bytes
 * are wiped as they are handed out.
 */
#define TOKEN_POOL	1024

static int
token_bytes(unsigned char *out, size_t len)
{
	static unsigned char	pool[TOKEN_POOL];
	static size_t		left;
	ssize_t			n;

	if (left < len) {
		if ((n = getrandom(pool, sizeof(pool), 0)) < (ssize_t)len)
			return -1;
		left = (size_t)n;
	}
	left -= len;
	memcpy(out, pool + left, len);
	explicit_bzero(pool + left, len);
	return 0;
}

void
session_new_token(struct session *s)
{
	static const char	hex[] = "0123456789abcdef";
	unsigned char		r[16];
	size_t			i;

	if (token_bytes(r, sizeof(r)) == -1) {
		s->token[0] = '\0';
		return;
	}
	for (i = 0; i < sizeof(r); i++) {
		s->token[2 * i] = hex[r[i] >> 4];
		s->token[2 * i + 1] = hex[r[i] & 0xf];
	}
	s->token[2 * sizeof(r)] = '\0';
	explicit_bzero(r, sizeof(r));
}

int
session_set_pid(struct session *s, pid_t pid)
{
	struct pid_link	*l;

	if ((l = malloc(sizeof(*l))) == NULL)
		return -1;
	s->pid = pid;
	l->s = s;
	TAILQ_INSERT_TAIL(&by_pid[(unsigned)pid % PID_BUCKETS], l, entry);
	return 0;
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

const char *
session_peer_desc(const struct session *s)
{
	static char	buf[80];

	if (s->peer_port < 0)
		return s->peer;
	return addr_desc(s->peer, s->peer_port, buf, sizeof(buf));
}

long long
session_age_usec(const struct session *s)
{
	struct timespec	now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)(now.tv_sec - s->start.tv_sec) * 1000000 +
	    (now.tv_nsec - s->start.tv_nsec) / 1000;
}

void
session_free(struct session *s)
{
	struct pid_bucket	*b;
	struct pid_link		*l;

	if (s->pid > 0) {
		b = &by_pid[(unsigned)s->pid % PID_BUCKETS];
		TAILQ_FOREACH(l, b, entry)
			if (l->s == s)
				break;
		if (l != NULL) {
			TAILQ_REMOVE(b, l, entry);
			free(l);
		}
	}
	TAILQ_REMOVE(&all, s, entry);
	nsessions--;
	free(s->service);
	free(s);
}
