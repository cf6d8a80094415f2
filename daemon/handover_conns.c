/*
 * handover_conns.c: line-protocol connections across an upgrade.  See
 * handover_conns.h.
 *
 * The sockets cross execve as descriptors, named in the state file.
 * Their bytes (the input not yet a line, the replies not yet written,
 * the protocol's state) would not fit a state file line, which is at
 * most PROTO_LINE_MAX bytes, so they go in one memfd, also kept across
 * execve, each connection's record saying where its bytes are.
 *
 * Not handed over, because they are not superd's line protocols: the
 * HTTP connections of metrics-listen (libevent's HTTP server gives no
 * way to take a connection out of it; a scrape cut by an upgrade ends
 * with EOF, and Prometheus counts a failed scrape and scrapes again)
 * and the clients superd itself has open (etcd).
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "handover_conns.h"
#include "linesrv.h"
#include "log.h"
#include "proto.h"
#include "statefile.h"

/* More than any connection holds (control's CTL_OUT_MAX is 8 MiB). */
#define CONN_BYTES_MAX	(64ULL * 1024 * 1024)

/* The memfd of the last collect, until execve takes it along. */
static int	bufd = -1;

struct collect {
	struct statefile	*sf;
	struct stat		 asker;
	int			 has_asker;
	unsigned long long	 at;		/* bytes in bufd so far */
	int			 failed;
};

/* Is fd the socket st describes (a dup of it, say)? */
static int
same_socket(int fd, const struct stat *st)
{
	struct stat	s;

	return fstat(fd, &s) == 0 && s.st_dev == st->st_dev &&
	    s.st_ino == st->st_ino;
}

static int
write_all(int fd, const void *buf, size_t len)
{
	const char	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One connection: its bytes to the memfd, its record to the state. */
static void
collect_one(const struct linesrv_frozen *f, void *arg)
{
	struct collect		*c = arg;
	struct state_conn	 sc;

	if (c->failed || (c->has_asker && same_socket(f->fd, &c->asker)))
		return;
	if ((f->inlen > 0 && f->in == NULL) || (f->outlen > 0 &&
	    f->out == NULL)) {
		log_warnx("upgrade: out of memory for a connection of %s",
		    f->key);
		c->failed = 1;
		return;
	}
	memset(&sc, 0, sizeof(sc));
	snprintf(sc.srv, sizeof(sc.srv), "%s", f->key);
	sc.fd = f->fd;
	sc.closing = f->closing;
	sc.at = c->at;
	sc.in = f->inlen;
	sc.out = f->outlen;
	sc.state = strlen(f->state);
	if (bufd == -1 && (bufd = memfd_create("superd-handover",
	    MFD_CLOEXEC)) == -1) {
		log_warn("upgrade: memfd_create");
		c->failed = 1;
		return;
	}
	if (write_all(bufd, f->in, f->inlen) == -1 ||
	    write_all(bufd, f->out, f->outlen) == -1 ||
	    write_all(bufd, f->state, sc.state) == -1) {
		log_warn("upgrade: the bytes of a connection of %s", f->key);
		c->failed = 1;
		return;
	}
	if (fcntl(f->fd, F_SETFD, 0) == -1 ||
	    statefile_add_conn(c->sf, &sc) == -1) {
		log_warnx("upgrade: a connection of %s not recorded", f->key);
		c->failed = 1;
		return;
	}
	c->at += sc.in + sc.out + sc.state;
}

int
handover_conns_collect(struct statefile *sf, int ctl_fd)
{
	struct collect	c;

	memset(&c, 0, sizeof(c));
	c.sf = sf;
	c.has_asker = ctl_fd >= 0 && fstat(ctl_fd, &c.asker) == 0;
	handover_conns_cancel();
	linesrv_freeze_all(collect_one, &c);
	if (bufd >= 0 && fcntl(bufd, F_SETFD, 0) == -1)
		c.failed = 1;
	sf->connbuf_fd = bufd;
	return c.failed ? -1 : 0;
}

void
handover_conns_cancel(void)
{
	if (bufd >= 0)
		close(bufd);
	bufd = -1;
}

/* ---- the new binary ---- */

/*
 * No server listens where the connection came in any more (the new
 * configuration dropped it): give the client what it was due and say
 * why it ends, rather than reset it.
 */
static void
conn_gone(const struct linesrv_frozen *f)
{
	char	line[PROTO_ERRLINE_MAX + LINESRV_KEY_MAX];
	int	n;

	log_notice("upgrade: a connection of %s closed: nothing listens "
	    "there in the new configuration", f->key);
	if (f->outlen > 0)
		(void)!send(f->fd, f->out, f->outlen, MSG_NOSIGNAL |
		    MSG_DONTWAIT);
	n = snprintf(line, sizeof(line), "ERR %s superd was upgraded and no "
	    "longer serves %s\n", proto_code_name(PROTO_C_EBUSY), f->key);
	(void)!send(f->fd, line, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(f->fd);
}

/* A record's bytes from the memfd, a NUL after them; NULL if lost. */
static char *
conn_bytes(int fd, const struct state_conn *sc)
{
	unsigned long long	 len = sc->in + sc->out + sc->state;
	char			*buf;
	ssize_t			 n;

	if (len > CONN_BYTES_MAX || (len > 0 && fd < 0) ||
	    (buf = malloc((size_t)len + 1)) == NULL)
		return NULL;
	if (len > 0 && ((n = pread(fd, buf, (size_t)len, (off_t)sc->at)) ==
	    -1 || (unsigned long long)n != len)) {
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

unsigned
handover_conns_restore(struct statefile *sf)
{
	struct state_conn	*sc;
	struct linesrv_frozen	 f;
	char			*buf;
	unsigned		 n = 0;
	size_t			 i;

	for (i = 0; i < sf->nconns; i++) {
		sc = &sf->conns[i];
		if ((buf = conn_bytes(sf->connbuf_fd, sc)) == NULL) {
			log_warnx("upgrade: a connection of %s: its bytes "
			    "were not handed over; closed", sc->srv);
			close(sc->fd);
			continue;
		}
		memset(&f, 0, sizeof(f));
		snprintf(f.key, sizeof(f.key), "%s", sc->srv);
		f.fd = sc->fd;
		f.closing = sc->closing;
		f.in = buf;
		f.inlen = (size_t)sc->in;
		f.out = buf + sc->in;
		f.outlen = (size_t)sc->out;
		f.state = buf + sc->in + sc->out;
		switch (linesrv_thaw(&f)) {
		case -1:
			conn_gone(&f);
			break;
		case 0:
			n++;
			break;
		}
		free(buf);
	}
	if (sf->connbuf_fd >= 0)
		close(sf->connbuf_fd);
	sf->connbuf_fd = -1;
	if (sf->nconns > 0)
		log_notice("upgrade: %u of %zu connections (control, directory, "
		    "oob, tcpmux) taken over", n, sf->nconns);
	return n;
}
