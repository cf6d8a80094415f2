/*
 * dgram_relay.h: nowait datagram exec services.
 *
 * superd reads each datagram itself, checks it against the service's
 * policy, and starts one handler per datagram with a private datagram
 * socket on stdin and stdout: the request is waiting there, and each
 * datagram the handler writes is sent to the client from the service's
 * own socket.  A handler that never reads cannot make superd spawn again
 * and again for one datagram, as a shared socket would.
 */
#ifndef SUPERD_DGRAM_RELAY_H
#define SUPERD_DGRAM_RELAY_H

#include <sys/socket.h>

struct event_base;
struct dgram_relay;

/*
 * Relay replies written to 'mine' (superd's end of the handler's socket
 * pair) to the client at peer through the service socket svc_fd.
 * Takes ownership of 'mine'; NULL (and 'mine' closed) on failure.
 */
struct dgram_relay	*dgram_relay_new(struct event_base *, int svc_fd,
			    const struct sockaddr_storage *peer, socklen_t,
			    int mine);
void			 dgram_relay_free(struct dgram_relay *);

#endif
