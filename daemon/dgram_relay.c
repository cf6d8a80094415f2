/*
 * dgram_relay.c: carry a nowait datagram handler's replies to its client.
 * See dgram_relay.h for why superd reads the request itself.
 */
#include "config.h"

#include <sys/socket.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "dgram_relay.h"

/* Replies per wake-up: a chatty handler cannot hold the loop. */
#define RELAY_BURST	16

struct dgram_relay {
	int		 svc_fd;	/* the service socket, not ours */
	int		 fd;		/* superd's end of the pair */
	struct event	*ev;
	struct sockaddr_storage peer;
	socklen_t	 peerlen;
};

static void
relay_cb(evutil_socket_t fd, short what, void *arg)
{
	static char		 buf[65536];
	struct dgram_relay	*r = arg;
	ssize_t			 n;
	int			 i;

	for (i = 0; i < RELAY_BURST; i++) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0)
			return;
		/* Best effort, as for any datagram: a full buffer drops it. */
		(void)!sendto(r->svc_fd, buf, (size_t)n, MSG_DONTWAIT,
		    (struct sockaddr *)&r->peer, r->peerlen);
	}
}

struct dgram_relay *
dgram_relay_new(struct event_base *base, int svc_fd,
    const struct sockaddr_storage *peer, socklen_t peerlen, int mine)
{
	struct dgram_relay	*r;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		close(mine);
		return NULL;
	}
	r->svc_fd = svc_fd;
	r->fd = mine;
	memcpy(&r->peer, peer, sizeof(r->peer));
	r->peerlen = peerlen;
	r->ev = event_new(base, mine, EV_READ | EV_PERSIST, relay_cb, r);
	if (r->ev == NULL || event_add(r->ev, NULL) == -1) {
		dgram_relay_free(r);
		return NULL;
	}
	return r;
}

/*
 * The session ended.  Replies the handler wrote just before it exited
 * are still queued on our end: send them before closing.
 */
void
dgram_relay_free(struct dgram_relay *r)
{
	if (r == NULL)
		return;
	relay_cb(r->fd, EV_READ, r);
	if (r->ev != NULL)
		event_free(r->ev);
	close(r->fd);
	free(r);
}
