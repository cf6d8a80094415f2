/*
 * handover_conns.c: line-protocol connections across an upgrade.  See
 * handover_conns.h.
 *
 * The sockets cross execve as descriptors, named in the state file.
 * Their bytes (the input not yet a line, the replies not yet written,
 * the protocol's state) go in the memfd of handover_bytes.h, each
 * connection's record saying where its bytes are.
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

#include "handover_bytes.h"
#include "handover_conns.h"
#include "linesrv.h"
#include "log.h"
#include "proto.h"
#include "statefile.h"

struct collect {
	struct statefile	*sf;
	struct stat		 asker;
	int			 has_asker;
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

/* One connection: its bytes to the memfd, its record to the state. */
static void
collect_one(const struct linesrv_frozen *f, void *arg)
{
	struct collect		*c = arg;
	struct state_conn	 sc;
	unsigned long long	 at;

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
	sc.in = f->inlen;
	sc.out = f->outlen;
	sc.state = strlen(f->state);
	if (hobytes_put(f->in, sc.in, &sc.at) == -1 ||
	    hobytes_put(f->out, sc.out, &at) == -1 ||
	    hobytes_put(f->state, sc.state, &at) == -1) {
		log_warnx("upgrade: the bytes of a connection of %s", f->key);
		c->failed = 1;
		return;
	}
	if (fcntl(f->fd, F_SETFD, 0) == -1 ||
	    statefile_add_conn(c->sf, &sc) == -1) {
		log_warnx("upgrade: a connection of %s not recorded", f->key);
		c->failed = 1;
		return;
	}
}

int
handover_conns_collect(struct statefile *sf, int ctl_fd)
{
	struct collect	c;

	memset(&c, 0, sizeof(c));
	c.sf = sf;
	c.has_asker = ctl_fd >= 0 && fstat(ctl_fd, &c.asker) == 0;
	linesrv_freeze_all(collect_one, &c);
	return c.failed ? -1 : 0;
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
		if ((buf = hobytes_get(sf->connbuf_fd, sc->at, sc->in + sc->out +
		    sc->state)) == NULL) {
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
	if (sf->nconns > 0)
		log_notice("upgrade: %u of %zu connections (control, directory, "
		    "oob, tcpmux) taken over", n, sf->nconns);
	return n;
}
