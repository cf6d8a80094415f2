/*
 * connect.c: connect by name with fail-over (the client stub).
 *
 * Look the name up, order its endpoints as RFC 2782 orders SRV records
 * (order.c), try each with a bounded non-blocking connect, and if none answers
 * look up again after a back-off: a client never needs to know which
 * replica is up, or that one was replaced at a new port meanwhile.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client_priv.h"

static int	usable(const struct superd_endpoint *, const char *);
static int	try_all(struct superd *, struct superd_eplist *,
		    const char *, int, int, int);
static int	connect_round(struct superd *, const char *, const char *,
		    int, int);
static void	backoff(int);
static int	ip_sockaddr(const char *, unsigned,
		    const struct sockaddr_storage *, struct sockaddr_storage *,
		    socklen_t *);

/* Numeric IP plus port; a wildcard means loopback, or the remote host. */
static int
ip_sockaddr(const char *addr, unsigned port,
    const struct sockaddr_storage *remote, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct addrinfo	 hints, *res;
	int		 wild4 = strcmp(addr, "0.0.0.0") == 0;
	int		 wild6 = strcmp(addr, "::") == 0;

	if ((wild4 || wild6) && remote != NULL) {
		memcpy(ss, remote, sizeof(*ss));
		*len = ss->ss_family == AF_INET6 ?
		    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	} else {
		memset(&hints, 0, sizeof(hints));
		hints.ai_flags = AI_NUMERICHOST;
		if (getaddrinfo(wild4 ? "127.0.0.1" : wild6 ? "::1" : addr,
		    NULL, &hints, &res) != 0) {
			errno = EINVAL;
			return -1;
		}
		memcpy(ss, res->ai_addr, res->ai_addrlen);
		*len = res->ai_addrlen;
		freeaddrinfo(res);
	}
	if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	return 0;
}

/* Where to connect for ep; remote is the remote directory's address. */
int
sdc_endpoint_sockaddr(const struct superd_endpoint *ep,
    const struct sockaddr_storage *remote, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct sockaddr_un	*sun = (struct sockaddr_un *)ss;
	size_t			 n = strlen(ep->addr);

	memset(ss, 0, sizeof(*ss));
	if (strcmp(ep->proto, "unix") != 0)
		return ip_sockaddr(ep->addr, ep->port, remote, ss, len);
	if (remote != NULL || n >= sizeof(sun->sun_path)) {
		errno = EAFNOSUPPORT;	/* a path on another host */
		return -1;
	}
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, ep->addr, n);
	if (ep->addr[0] == '@')		/* abstract namespace */
		sun->sun_path[0] = '\0';
	*len = offsetof(struct sockaddr_un, sun_path) + n +
	    (ep->addr[0] == '@' ? 0 : 1);
	return 0;
}

/* Is ep worth a connect for this proto request? */
static int
usable(const struct superd_endpoint *ep, const char *proto)
{
	if (strcmp(ep->state, "paused") == 0 ||
	    strcmp(ep->state, "disabled") == 0 ||
	    strcmp(ep->state, "failed") == 0)
		return 0;
	if (proto == NULL)	/* any stream endpoint */
		return strcmp(ep->proto, "udp") != 0;
	if (strcmp(ep->proto, "unix") != 0 && ep->port == 0)
		return 0;
	return strcmp(ep->proto, proto) == 0;
}

/* Try the ordered endpoints in turn; the first connected fd or -1. */
static int
try_all(struct superd *h, struct superd_eplist *l, const char *proto,
    int timeout_ms, int nonblock, int ordered)
{
	struct sockaddr_storage	 ss, peer, *remote = NULL;
	socklen_t		 len;
	int			 fd, err = ENOENT;

	if (h != NULL && sdc_is_remote(h) && sdc_peer_host(h, &peer, &len) == 0)
		remote = &peer;
	if (!ordered)
		superd_order(l->ep, l->n);
	for (size_t i = 0; i < l->n; i++) {
		const struct superd_endpoint *ep = &l->ep[i];

		if (!usable(ep, proto) ||
		    sdc_endpoint_sockaddr(ep, remote, &ss, &len) == -1)
			continue;
		fd = sdc_connect_sa((struct sockaddr *)&ss, len,
		    strcmp(ep->proto, "udp") == 0 ? SOCK_DGRAM : SOCK_STREAM,
		    timeout_ms, nonblock);
		if (fd != -1)
			return fd;
		err = errno;
	}
	errno = err;
	return -1;
}

/*
 * One lookup-and-try pass; h NULL opens (and closes) the local directory.
 * With SUPERD_CONNECT_NET, when the local directory has nothing that
 * answers (or there is no superd here), try what the network lookup
 * finds (etcd or DNS-SD): every host's endpoints within this one call.
 */
static int
connect_round(struct superd *h, const char *name, const char *proto,
    int timeout_ms, int flags)
{
	struct superd_eplist	 l = { 0 };
	struct superd		*own = NULL;
	int			 fd = -1, err, nonblock;

	nonblock = flags & SUPERD_CONNECT_NONBLOCK;
	if (h == NULL)
		h = own = superd_open(NULL, timeout_ms);
	/* proto NULL: ask for all, try_all keeps the stream ones. */
	if (h != NULL && superd_lookup(h, name, proto, &l) == 0)
		fd = try_all(h, &l, proto, timeout_ms, nonblock, 0);
	err = errno;
	if (fd == -1 && (flags & SUPERD_CONNECT_NET) &&
	    (h == NULL || !sdc_is_remote(h))) {
		superd_eplist_free(&l);
		/* In the order the lookup gives (etcd: this host first). */
		if (superd_net_lookup(name, proto, SDC_NET_WAIT_MS, &l) == 0)
			fd = try_all(NULL, &l, proto, timeout_ms, nonblock, 1);
		if (fd == -1 && errno != ENOTSUP && errno != ECONNREFUSED)
			err = errno;
	}
	superd_eplist_free(&l);
	superd_close(own);
	errno = err;
	return fd;
}

/* Sleep the round's back-off: base doubling, plus up to 50% jitter. */
static void
backoff(int round)
{
	int	ms = SDC_BACKOFF_MS << (round - 1);

	ms += sdc_rand32(NULL) % (ms / 2 + 1);
	poll(NULL, 0, ms);
}

/* Connect by name through handle h (NULL: the local directory). */
int
superd_connect_via(struct superd *h, const char *name, const char *proto,
    int timeout_ms, int flags)
{
	int	rounds, fd = -1, err = ENOENT;

	if (name == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (timeout_ms <= 0)
		timeout_ms = SDC_CONNECT_TIMEOUT;
	rounds = flags & SUPERD_CONNECT_ONCE ? 1 : SDC_CONNECT_ROUNDS;
	for (int round = 0; round < rounds; round++) {
		if (round > 0)
			backoff(round);
		if ((fd = connect_round(h, name, proto, timeout_ms, flags)) != -1)
			return fd;
		err = errno;
		if (err == EINVAL || err == EBADMSG ||
		    (h != NULL && err == EPIPE))
			break;	/* retrying cannot help */
	}
	errno = err;
	return -1;
}

/* Connect by name through the local directory. */
int
superd_connect(const char *name, const char *proto, int timeout_ms,
    int flags)
{
	return superd_connect_via(NULL, name, proto, timeout_ms, flags);
}
