/*
 * libsuperd.c: a connection to the superd endpoint directory and the
 * requests it answers (hello, register, renew, unregister, lookup, list).
 *
 * One request is in flight at a time; the whole exchange shares one
 * deadline.  After a timeout or a malformed reply the stream can no
 * longer be trusted to be in step, so the handle refuses further
 * requests (EPIPE) and the caller reopens.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client_priv.h"
#include "rundir.h"

struct superd {
	int		 fd;
	int		 timeout_ms;
	int		 remote;
	int		 broken;
	char		 where[128];		/* path or host, for messages */
	char		 err[384];
	char		 errcode[SUPERD_WORD_MAX];
	char		 buf[SDC_LINE_MAX];	/* unread reply bytes */
	size_t		 len;
};

static struct superd *handle_new(int, int, int, const char *);
static void	seterr(struct superd *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static long	ms_left(const struct timespec *);
static void	deadline_set(struct timespec *, int);
static int	wait_fd(struct superd *, short, const struct timespec *);
static int	send_line(struct superd *, const char *,
		    const struct timespec *);
static int	read_line(struct superd *, char **, const struct timespec *);
static int	request(struct superd *, const char *, struct superd_eplist *,
		    struct superd_status *);
static int	reply_record(struct superd *, const char *,
		    struct superd_eplist *);
static int	reply_status(struct superd *, const char *, unsigned long,
		    struct superd_status *);
static int	reqf(char *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static int	lookup_check(struct superd *, const struct superd_eplist *,
		    size_t, const char *, const char *);
static int	list_page(struct superd *, char *, size_t,
		    struct superd_eplist *);
static int	split_hostport(const char *, char *, size_t, char *, size_t);
static int	reg_tags(char *, const struct superd_reg *);
static void	consume(struct superd *, size_t);

/*
 * The socket path used when none is given: $SUPERD_DIRECTORY, else the
 * runtime directory's (this user's superd, else the system one).  The
 * library does not read superd.conf: that would tie every program that
 * links it to libconfuse.
 */
const char *
superd_default_path(void)
{
	static char	 path[4096];
	const char	*env = getenv(SUPERD_DIRECTORY_ENV);

	if (env != NULL && *env != '\0')
		return env;
	if (rundir_client_socket(RUNDIR_DIRECTORY, path, sizeof(path)) == -1)
		snprintf(path, sizeof(path), "%s/%s", RUNDIR_SYSTEM,
		    RUNDIR_DIRECTORY);
	return path;
}

/* Wrap a connected fd in a handle. */
static struct superd *
handle_new(int fd, int timeout_ms, int remote, const char *where)
{
	struct superd	*h;

	if ((h = calloc(1, sizeof(*h))) == NULL) {
		close(fd);
		return NULL;
	}
	h->fd = fd;
	h->timeout_ms = timeout_ms > 0 ? timeout_ms : SDC_TIMEOUT_DEFAULT;
	h->remote = remote;
	snprintf(h->where, sizeof(h->where), "%s", where);
	return h;
}

/* Connect to the local directory socket. */
struct superd *
superd_open(const char *path, int timeout_ms)
{
	struct sockaddr_un	sun;
	int			fd;

	if (path == NULL)
		path = superd_default_path();
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (*path == '\0' || strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	memcpy(sun.sun_path, path, strlen(path));
	fd = sdc_connect_sa((struct sockaddr *)&sun, sizeof(sun), SOCK_STREAM,
	    timeout_ms > 0 ? timeout_ms : SDC_TIMEOUT_DEFAULT, 0);
	if (fd == -1)
		return NULL;
	return handle_new(fd, timeout_ms, 0, path);
}

/* Split "HOST", "HOST:PORT", "[V6]" or "[V6]:PORT"; a bare V6 has no port. */
static int
split_hostport(const char *s, char *host, size_t hlen, char *port,
    size_t plen)
{
	const char	*end, *colon;
	size_t		 n;

	snprintf(port, plen, "%d", SUPERD_REMOTE_PORT);
	if (*s == '[') {
		if ((end = strchr(s, ']')) == NULL)
			return -1;
		n = end - s - 1;
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] != '\0' && colon == NULL)
			return -1;
		s++;
	} else {
		colon = strchr(s, ':');
		if (colon != NULL && strchr(colon + 1, ':') != NULL)
			colon = NULL;
		n = colon != NULL ? (size_t)(colon - s) : strlen(s);
	}
	if (n == 0 || n >= hlen)
		return -1;
	memcpy(host, s, n);
	host[n] = '\0';
	if (colon != NULL) {
		if (colon[1] == '\0' || strlen(colon + 1) >= plen ||
		    strspn(colon + 1, "0123456789") != strlen(colon + 1))
			return -1;
		snprintf(port, plen, "%s", colon + 1);
	}
	return 0;
}

/* Connect to a remote read-only directory over TCP. */
struct superd *
superd_open_remote(const char *hostport, int timeout_ms)
{
	struct addrinfo	 hints, *res, *ai;
	char		 host[256], port[16];
	int		 fd = -1, err = EHOSTUNREACH, r;

	if (hostport == NULL ||
	    split_hostport(hostport, host, sizeof(host), port, sizeof(port))) {
		errno = EINVAL;
		return NULL;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_ADDRCONFIG;
	if ((r = getaddrinfo(host, port, &hints, &res)) != 0) {
		errno = r == EAI_SYSTEM ? errno : EHOSTUNREACH;
		return NULL;
	}
	for (ai = res; ai != NULL && fd == -1; ai = ai->ai_next) {
		fd = sdc_connect_sa(ai->ai_addr, ai->ai_addrlen, SOCK_STREAM,
		    timeout_ms > 0 ? timeout_ms : SDC_TIMEOUT_DEFAULT, 0);
		if (fd == -1)
			err = errno;
	}
	freeaddrinfo(res);
	if (fd == -1) {
		errno = err;
		return NULL;
	}
	return handle_new(fd, timeout_ms, 1, hostport);
}

/* Close the connection (ends connection-bound leases) and free. */
void
superd_close(struct superd *h)
{
	if (h == NULL)
		return;
	close(h->fd);
	free(h);
}

/* The socket, for poll(2) by callers that hold a lease open. */
int
superd_fd(const struct superd *h)
{
	return h->fd;
}

/* Last error text of this handle. */
const char *
superd_strerror(const struct superd *h)
{
	return h->err[0] != '\0' ? h->err : "no error";
}

/* ERR code of the last failed request, "" if it was not a daemon ERR. */
const char *
superd_errcode(const struct superd *h)
{
	return h->errcode;
}

/* Is this a remote (TCP, read-only) handle? */
int
sdc_is_remote(const struct superd *h)
{
	return h->remote;
}

/* The remote directory's address, to stand in for wildcard endpoints. */
int
sdc_peer_host(const struct superd *h, struct sockaddr_storage *ss,
    socklen_t *len)
{
	*len = sizeof(*ss);
	return getpeername(h->fd, (struct sockaddr *)ss, len);
}

/* Record an error (errno err) with a message. */
static void
seterr(struct superd *h, int err, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(h->err, sizeof(h->err), fmt, ap);
	va_end(ap);
	errno = err;
}

/* Absolute deadline timeout_ms from now. */
static void
deadline_set(struct timespec *dl, int timeout_ms)
{
	clock_gettime(CLOCK_MONOTONIC, dl);
	dl->tv_sec += timeout_ms / 1000;
	dl->tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (dl->tv_nsec >= 1000000000) {
		dl->tv_sec++;
		dl->tv_nsec -= 1000000000;
	}
}

/* Milliseconds until the deadline, 0 if past. */
static long
ms_left(const struct timespec *dl)
{
	struct timespec	now;
	long		ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (dl->tv_sec - now.tv_sec) * 1000 +
	    (dl->tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? ms : 0;
}

/* Wait for events on the socket until the deadline. */
static int
wait_fd(struct superd *h, short events, const struct timespec *dl)
{
	struct pollfd	pfd = { .fd = h->fd, .events = events };
	int		r;

	for (;;) {
		r = poll(&pfd, 1, (int)ms_left(dl));
		if (r > 0)
			return 0;
		if (r == 0) {
			h->broken = 1;
			seterr(h, ETIMEDOUT, "%s: no reply in time", h->where);
			return -1;
		}
		if (errno != EINTR) {
			seterr(h, errno, "%s: poll: %s", h->where,
			    strerror(errno));
			return -1;
		}
	}
}

/* Send one request line in full. */
static int
send_line(struct superd *h, const char *line, const struct timespec *dl)
{
	size_t	off = 0, len = strlen(line);
	ssize_t	n;

	while (off < len) {
		if (wait_fd(h, POLLOUT, dl) == -1)
			return -1;
		n = send(h->fd, line + off, len - off,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n == -1) {
			h->broken = 1;
			seterr(h, errno, "%s: send: %s", h->where,
			    strerror(errno));
			return -1;
		}
		off += n;
	}
	return 0;
}

/*
 * Read one reply line into the handle buffer; *line points at it, NUL
 * terminated without the newline, valid until the next call.
 */
static int
read_line(struct superd *h, char **line, const struct timespec *dl)
{
	char	*nl;
	ssize_t	 n;

	for (;;) {
		if ((nl = memchr(h->buf, '\n', h->len)) != NULL) {
			*nl = '\0';
			if (memchr(h->buf, '\0', nl - h->buf) != NULL)
				break;
			*line = h->buf;
			return nl + 1 - h->buf;
		}
		if (h->len == sizeof(h->buf))
			break;
		if (wait_fd(h, POLLIN, dl) == -1)
			return -1;
		n = recv(h->fd, h->buf + h->len, sizeof(h->buf) - h->len,
		    MSG_DONTWAIT);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			h->broken = 1;
			seterr(h, n == 0 ? ECONNRESET : errno,
			    "%s: directory closed the connection", h->where);
			return -1;
		}
		h->len += n;
	}
	h->broken = 1;
	seterr(h, EBADMSG, "%s: malformed reply (overlong line or NUL)",
	    h->where);
	return -1;
}

/* One record line of a reply: EP records go to out when it is given. */
static int
reply_record(struct superd *h, const char *line, struct superd_eplist *out)
{
	struct superd_endpoint	ep;

	if (out == NULL)
		return 0;	/* a record type this request does not use */
	if (superd_parse_endpoint(line, &ep) == -1) {
		h->broken = 1;
		seterr(h, EBADMSG, "%s: malformed record: %.80s", h->where,
		    line);
		return -1;
	}
	if (sdc_eplist_push(out, &ep) == -1) {
		superd_endpoint_clear(&ep);
		seterr(h, ENOMEM, "out of memory");
		return -1;
	}
	return 0;
}

/* The final line: OK (with the right count) or ERR. */
static int
reply_status(struct superd *h, const char *line, unsigned long nrec,
    struct superd_status *st)
{
	if (superd_parse_status(line, st) == -1) {
		h->broken = 1;
		seterr(h, EBADMSG, "%s: malformed reply: %.80s", h->where,
		    line);
		return -1;
	}
	if (!st->ok) {
		snprintf(h->errcode, sizeof(h->errcode), "%s", st->code);
		seterr(h, sdc_errno_of(st->code), "%s: %s %s", h->where,
		    st->code, st->text);
		return -1;
	}
	if (st->count != nrec) {
		h->broken = 1;
		seterr(h, EBADMSG, "%s: reply announced %lu records, sent %lu",
		    h->where, st->count, nrec);
		return -1;
	}
	return 0;
}

/* Drop the first used bytes of the input buffer (one line read). */
static void
consume(struct superd *h, size_t used)
{
	memmove(h->buf, h->buf + used, h->len - used);
	h->len -= used;
}

/* Send req, collect records into out (if any) and the final status. */
static int
request(struct superd *h, const char *req, struct superd_eplist *out,
    struct superd_status *st)
{
	struct timespec	 dl;
	unsigned long	 nrec = 0;
	size_t		 n0 = out != NULL ? out->n : 0;
	char		*line;
	int		 used, final, r;

	h->err[0] = h->errcode[0] = '\0';
	if (h->broken) {
		seterr(h, EPIPE, "%s: connection out of step, reopen it",
		    h->where);
		return -1;
	}
	deadline_set(&dl, h->timeout_ms);
	if (send_line(h, req, &dl) == -1)
		return -1;
	while ((used = read_line(h, &line, &dl)) != -1) {
		final = strncmp(line, "OK", 2) == 0 ||
		    strncmp(line, "ERR", 3) == 0;
		r = final ? reply_status(h, line, nrec, st) :
		    reply_record(h, line, out);
		consume(h, used);
		if (final && r == 0)
			return 0;
		if (final || r == -1)
			break;
		if (++nrec > SDC_MAX_RECORDS) {
			h->broken = 1;
			seterr(h, EMSGSIZE, "%s: reply too long", h->where);
			break;
		}
	}
	if (out != NULL)
		sdc_eplist_truncate(out, n0);
	return -1;
}

/* Format a request line; fails (EMSGSIZE) past the protocol limit. */
static int
reqf(char *buf, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(buf, SDC_REQ_MAX, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= SDC_REQ_MAX - 1) {
		errno = EMSGSIZE;
		return -1;
	}
	buf[n] = '\n';
	buf[n + 1] = '\0';
	return 0;
}

/* "hello v=1": check the version and learn our uid as the daemon sees it. */
int
superd_hello(struct superd *h, uid_t *peer_uid)
{
	struct superd_status	st;
	char			req[SDC_REQ_MAX], v[32];

	if (reqf(req, "hello v=%d", SUPERD_PROTO_VERSION) == -1 ||
	    request(h, req, NULL, &st) == -1)
		return -1;
	if (peer_uid != NULL && superd_status_get(&st, "uid", v, sizeof(v)) == 0)
		*peer_uid = (uid_t)strtoul(v, NULL, 10);
	return 0;
}

/* Append " tag.K=V" for each tag to req. */
static int
reg_tags(char *req, const struct superd_reg *r)
{
	size_t	len = strlen(req) - 1;	/* drop the "\n" */

	for (size_t i = 0; i < r->ntags; i++) {
		const char *t = r->tags[i];

		if (!sdc_token_ok(t) || t[0] == '=' || strchr(t, '=') == NULL ||
		    len + strlen(t) + 6 >= SDC_REQ_MAX) {
			errno = strchr(t, '=') == NULL || t[0] == '=' ||
			    !sdc_token_ok(t) ? EINVAL : EMSGSIZE;
			return -1;
		}
		len += snprintf(req + len, SDC_REQ_MAX - len, " tag.%s", t);
	}
	snprintf(req + len, SDC_REQ_MAX - len, "\n");
	return 0;
}

/* Register an endpoint; id receives the lease id ("L17"). */
int
superd_register(struct superd *h, const struct superd_reg *r,
    char id[SUPERD_ID_MAX], unsigned *granted_ttl)
{
	struct superd_status	st;
	char			req[SDC_REQ_MAX], opt[64] = "", v[32];
	size_t			o = 0;

	if (!sdc_token_ok(r->name) || !sdc_token_ok(r->proto) ||
	    !sdc_token_ok(r->addr) || r->port > 65535 || r->prio > 65535 ||
	    r->weight > 65535) {
		seterr(h, EINVAL, "invalid registration argument");
		return -1;
	}
	if (r->ttl > 0)
		o += snprintf(opt + o, sizeof(opt) - o, " ttl=%u", r->ttl);
	if (r->prio >= 0)
		o += snprintf(opt + o, sizeof(opt) - o, " prio=%d", r->prio);
	if (r->weight >= 0)
		o += snprintf(opt + o, sizeof(opt) - o, " weight=%d", r->weight);
	if (r->export)
		snprintf(opt + o, sizeof(opt) - o, " export=yes");
	if (reqf(req, "register name=%s proto=%s addr=%s port=%u%s", r->name,
	    r->proto, r->addr, r->port, opt) == -1 || reg_tags(req, r) == -1) {
		seterr(h, errno, "registration request: %s", strerror(errno));
		return -1;
	}
	if (request(h, req, NULL, &st) == -1)
		return -1;
	if (superd_status_get(&st, "id", id, SUPERD_ID_MAX) == -1 ||
	    !sdc_token_ok(id)) {
		seterr(h, EBADMSG, "%s: register reply without id", h->where);
		return -1;
	}
	if (granted_ttl != NULL)
		*granted_ttl = superd_status_get(&st, "ttl", v, sizeof(v)) == 0 ?
		    (unsigned)strtoul(v, NULL, 10) : r->ttl;
	return 0;
}

/* Renew a TTL lease; *ttl receives the granted TTL. */
int
superd_renew(struct superd *h, const char *id, unsigned *ttl)
{
	struct superd_status	st;
	char			req[SDC_REQ_MAX], v[32];

	if (!sdc_token_ok(id)) {
		seterr(h, EINVAL, "invalid lease id");
		return -1;
	}
	if (reqf(req, "renew id=%s", id) == -1 ||
	    request(h, req, NULL, &st) == -1)
		return -1;
	if (ttl != NULL && superd_status_get(&st, "ttl", v, sizeof(v)) == 0)
		*ttl = (unsigned)strtoul(v, NULL, 10);
	return 0;
}

/* Remove a lease. */
int
superd_unregister(struct superd *h, const char *id)
{
	struct superd_status	st;
	char			req[SDC_REQ_MAX];

	if (!sdc_token_ok(id)) {
		seterr(h, EINVAL, "invalid lease id");
		return -1;
	}
	if (reqf(req, "unregister id=%s", id) == -1)
		return -1;
	return request(h, req, NULL, &st);
}

/* Records of a lookup must be for the name (and proto) asked. */
static int
lookup_check(struct superd *h, const struct superd_eplist *out, size_t n0,
    const char *name, const char *proto)
{
	for (size_t i = n0; i < out->n; i++) {
		if (strcmp(out->ep[i].name, name) == 0 &&
		    (proto == NULL || strcmp(out->ep[i].proto, proto) == 0))
			continue;
		h->broken = 1;
		seterr(h, EBADMSG, "%s: lookup of %s answered with %s/%s",
		    h->where, name, out->ep[i].name, out->ep[i].proto);
		return -1;
	}
	return 0;
}

/* All endpoints of name (and proto), appended to out. */
int
superd_lookup(struct superd *h, const char *name, const char *proto,
    struct superd_eplist *out)
{
	struct superd_status	st;
	char			req[SDC_REQ_MAX];
	size_t			n0 = out->n;
	int			r;

	if (!sdc_token_ok(name) || (proto != NULL && !sdc_token_ok(proto))) {
		seterr(h, EINVAL, "invalid name or protocol");
		return -1;
	}
	r = proto != NULL ? reqf(req, "lookup name=%s proto=%s", name, proto) :
	    reqf(req, "lookup name=%s", name);
	if (r == -1) {
		seterr(h, errno, "name too long");
		return -1;
	}
	if (request(h, req, out, &st) == -1)
		return -1;
	if (lookup_check(h, out, n0, name, proto) == -1) {
		sdc_eplist_truncate(out, n0);
		return -1;
	}
	if (out->n == n0) {
		/* "OK 0" is a valid way to say nothing is there. */
		seterr(h, ENOENT, "%s: no endpoint named %s", h->where, name);
		return -1;
	}
	return 0;
}

/* One page of a list; cursor in/out ("" = start, "" after = done). */
static int
list_page(struct superd *h, char *cursor, size_t clen,
    struct superd_eplist *out)
{
	struct superd_status	st;
	char			req[SDC_REQ_MAX], next[128];

	if (cursor[0] != '\0')
		reqf(req, "list after=%s limit=%d", cursor, SDC_LIST_PAGE);
	else
		reqf(req, "list limit=%d", SDC_LIST_PAGE);
	if (request(h, req, out, &st) == -1) {
		if (errno == ENOENT && cursor[0] == '\0')
			return 0;	/* an empty directory */
		return -1;
	}
	if (superd_status_get(&st, "next", next, sizeof(next)) == -1) {
		cursor[0] = '\0';
		return 0;
	}
	if (!sdc_token_ok(next) || strcmp(next, cursor) == 0 ||
	    strlen(next) >= clen) {
		h->broken = 1;
		seterr(h, EBADMSG, "%s: bad list cursor", h->where);
		return -1;
	}
	snprintf(cursor, clen, "%s", next);
	return 0;
}

/* Every endpoint, page by page, appended to out. */
int
superd_list(struct superd *h, struct superd_eplist *out)
{
	char	cursor[128] = "";
	size_t	n0 = out->n;

	for (int page = 0; page < SDC_LIST_PAGES_MAX; page++) {
		if (list_page(h, cursor, sizeof(cursor), out) == -1) {
			sdc_eplist_truncate(out, n0);
			return -1;
		}
		if (cursor[0] == '\0')
			return 0;
	}
	sdc_eplist_truncate(out, n0);
	seterr(h, EMSGSIZE, "%s: list does not end", h->where);
	return -1;
}
