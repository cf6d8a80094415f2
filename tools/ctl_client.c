/*
 * ctl_client.c: superdctl's side of the control protocol: connect, send
 * one request line, read the records of the reply up to "OK" or "ERR".
 * Blocking, with the socket timeouts of -t; every failure ends the
 * program through die() with a message naming it.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"

#define MAX_REPLY	(64 * 1024 * 1024)	/* a runaway daemon stops here */

/* The buffered reader over the socket. */
struct reader {
	int	 fd;
	char	*buf;
	size_t	 len, cap, off, total;
};

static char    *read_line(struct reader *);
static void	parse_rec(char *, struct rec *);
static void	pct_decode(char *);

/* An error that ends the program with status 1. */
void
die(const char *fmt, ...)
{
	va_list	ap;

	fputs("superdctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_ERR);
}

/* Connect with send/receive timeouts; say clearly if superd is not there. */
int
ctl_connect(const struct opts *o)
{
	struct sockaddr_un	sun;
	struct timeval		tv = { o->timeout, 0 };
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(o->path) >= sizeof(sun.sun_path))
		die("socket path too long: %s", o->path);
	strncpy(sun.sun_path, o->path, sizeof(sun.sun_path) - 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		die("socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
		return fd;
	if (errno == ENOENT || errno == ECONNREFUSED)
		die("superd is not running (no control socket at %s, %s: "
		    "%s)", o->path, o->from, strerror(errno));
	if (errno == EACCES || errno == EPERM)
		die("%s: %s (root or the control group may connect)",
		    o->path, strerror(errno));
	if (errno == EAGAIN || errno == EINPROGRESS)
		die("%s: superd did not answer within %d s", o->path,
		    o->timeout);
	die("%s: %s", o->path, strerror(errno));
}

/* Write the words as one request line. */
void
send_request(int fd, int argc, char **argv)
{
	char	 line[MAX_REQUEST + 2];
	size_t	 len = 0, off = 0;
	ssize_t	 n;
	int	 i;

	for (i = 0; i < argc; i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, "%s%s",
		    i ? " " : "", argv[i]);
	line[len++] = '\n';
	while (off < len) {
		if ((n = write(fd, line + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			die("sending the request: %s", errno == EAGAIN ?
			    "timed out" : strerror(errno));
		}
		off += (size_t)n;
	}
}

/* The next line of the reply, NUL-terminated; dies on EOF or timeout. */
static char *
read_line(struct reader *r)
{
	char	*nl, *line;
	ssize_t	 n;

	for (;;) {
		nl = r->len > r->off ? memchr(r->buf + r->off, '\n',
		    r->len - r->off) : NULL;
		if (nl != NULL) {
			*nl = '\0';
			line = r->buf + r->off;
			r->off = (size_t)(nl - r->buf) + 1;
			return line;
		}
		if (r->off > 0) {
			memmove(r->buf, r->buf + r->off, r->len - r->off);
			r->len -= r->off;
			r->off = 0;
		}
		if (r->len + 4096 > r->cap) {
			r->cap = r->cap ? r->cap * 2 : 65536;
			if ((r->buf = realloc(r->buf, r->cap)) == NULL)
				die("out of memory");
		}
		n = read(r->fd, r->buf + r->len, r->cap - r->len - 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			die("reading the reply: %s", errno == EAGAIN ?
			    "superd did not answer in time" : strerror(errno));
		if (n == 0)
			die("superd closed the connection before the reply "
			    "ended");
		r->len += (size_t)n;
		if ((r->total += (size_t)n) > MAX_REPLY)
			die("reply larger than %d bytes", MAX_REPLY);
	}
}

/* Records until OK or ERR; every string is a private copy. */
void
read_reply(int fd, struct reply *rp)
{
	struct reader	 r = { fd, NULL, 0, 0, 0, 0 };
	char		*line, *sp;

	memset(rp, 0, sizeof(*rp));
	for (;;) {
		line = read_line(&r);
		if (strncmp(line, "OK", 2) == 0 &&
		    (line[2] == '\0' || line[2] == ' ')) {
			rp->ok = 1;
			break;
		}
		if (strncmp(line, "ERR ", 4) == 0) {
			line += 4;
			sp = strchr(line, ' ');
			rp->text = strdup(sp != NULL ? sp + 1 : "");
			if (sp != NULL)
				*sp = '\0';
			rp->code = strdup(line);
			break;
		}
		rp->recs = reallocarray(rp->recs, rp->nrecs + 1,
		    sizeof(*rp->recs));
		if (rp->recs == NULL || (line = strdup(line)) == NULL)
			die("out of memory");
		parse_rec(line, &rp->recs[rp->nrecs++]);
	}
	free(r.buf);
}

/* "TYPE k=v k=v" into rec, in place; values are decoded. */
static void
parse_rec(char *line, struct rec *rc)
{
	char	*tok, *save = NULL, *eq;

	memset(rc, 0, sizeof(*rc));
	rc->line = line;
	rc->type = strtok_r(line, " ", &save);
	if (rc->type == NULL)
		rc->type = line;
	while ((tok = strtok_r(NULL, " ", &save)) != NULL && rc->n < MAX_KV) {
		if ((eq = strchr(tok, '=')) == NULL)
			continue;	/* not a key=value: ignore */
		*eq = '\0';
		pct_decode(eq + 1);
		rc->key[rc->n] = tok;
		rc->val[rc->n++] = eq + 1;
	}
}

void
free_reply(struct reply *rp)
{
	size_t	i;

	for (i = 0; i < rp->nrecs; i++)
		free(rp->recs[i].line);
	free(rp->recs);
	free(rp->code);
	free(rp->text);
}

/* Undo the daemon's %XX encoding in place. */
static void
pct_decode(char *s)
{
	char	*w = s;
	int	 hi, lo;

	for (; *s != '\0'; s++) {
		if (*s == '%' && s[1] != '\0' && s[2] != '\0') {
			hi = s[1] <= '9' ? s[1] - '0' : (s[1] | 32) - 'a' + 10;
			lo = s[2] <= '9' ? s[2] - '0' : (s[2] | 32) - 'a' + 10;
			if (hi >= 0 && hi < 16 && lo >= 0 && lo < 16) {
				*w++ = (char)(hi << 4 | lo);
				s += 2;
				continue;
			}
		}
		*w++ = *s;
	}
	*w = '\0';
}

/* The value of key in rc, or NULL. */
const char *
rec_get(const struct rec *rc, const char *key)
{
	int	i;

	for (i = 0; i < rc->n; i++)
		if (strcmp(rc->key[i], key) == 0)
			return rc->val[i];
	return NULL;
}
