/*
 * sockopt_probe: a handler for tests/integration/sockopts.sh that reads
 * the socket options of its fd 0 with getsockopt and tells them, one
 * "key=value" line each (superd.conf's key names; "-" when the kernel
 * refuses to say).
 *
 * fd 0 a listening socket (wait = yes, stream): the options are the
 * listener's; one connection is accepted and they are written to it.
 * fd 0 a datagram socket: one datagram is read, the answer goes back to
 * its sender.  Else (an accepted connection): written to fd 0.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct probe {
	const char	*key;
	int		 level, name;		/* AF_INET and AF_UNIX */
	int		 level6, name6;		/* AF_INET6 */
	int		 text;			/* a name, not a number */
};

static const struct probe probes[] = {
	{ "keepalive", SOL_SOCKET, SO_KEEPALIVE, SOL_SOCKET, SO_KEEPALIVE, 0 },
	{ "keepalive-idle", IPPROTO_TCP, TCP_KEEPIDLE, IPPROTO_TCP,
	    TCP_KEEPIDLE, 0 },
	{ "keepalive-interval", IPPROTO_TCP, TCP_KEEPINTVL, IPPROTO_TCP,
	    TCP_KEEPINTVL, 0 },
	{ "keepalive-count", IPPROTO_TCP, TCP_KEEPCNT, IPPROTO_TCP,
	    TCP_KEEPCNT, 0 },
	{ "nodelay", IPPROTO_TCP, TCP_NODELAY, IPPROTO_TCP, TCP_NODELAY, 0 },
	{ "reuse-port", SOL_SOCKET, SO_REUSEPORT, SOL_SOCKET, SO_REUSEPORT, 0 },
	{ "freebind", IPPROTO_IP, IP_FREEBIND, IPPROTO_IP, IP_FREEBIND, 0 },
	{ "transparent", IPPROTO_IP, IP_TRANSPARENT, IPPROTO_IP,
	    IP_TRANSPARENT, 0 },
	{ "defer-accept", IPPROTO_TCP, TCP_DEFER_ACCEPT, IPPROTO_TCP,
	    TCP_DEFER_ACCEPT, 0 },
	{ "mark", SOL_SOCKET, SO_MARK, SOL_SOCKET, SO_MARK, 0 },
	{ "bind-to-device", SOL_SOCKET, SO_BINDTODEVICE, SOL_SOCKET,
	    SO_BINDTODEVICE, 1 },
	{ "ip-tos", IPPROTO_IP, IP_TOS, IPPROTO_IPV6, IPV6_TCLASS, 0 },
	{ "priority", SOL_SOCKET, SO_PRIORITY, SOL_SOCKET, SO_PRIORITY, 0 },
	{ "tcp-congestion", IPPROTO_TCP, TCP_CONGESTION, IPPROTO_TCP,
	    TCP_CONGESTION, 1 },
	{ "receive-buffer", SOL_SOCKET, SO_RCVBUF, SOL_SOCKET, SO_RCVBUF, 0 },
	{ "send-buffer", SOL_SOCKET, SO_SNDBUF, SOL_SOCKET, SO_SNDBUF, 0 },
	{ "pass-credentials", SOL_SOCKET, SO_PASSCRED, SOL_SOCKET,
	    SO_PASSCRED, 0 },
	{ "pass-packet-info", IPPROTO_IP, IP_PKTINFO, IPPROTO_IPV6,
	    IPV6_RECVPKTINFO, 0 },
};

/* Every option of fd as "key=value" lines into buf. */
static size_t
probe_all(int fd, char *buf, size_t size)
{
	const struct probe	*p;
	char			 name[64];
	size_t			 i, n = 0;
	socklen_t		 len;
	int			 fam = AF_UNSPEC, v;

	len = sizeof(fam);
	(void)getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &fam, &len);
	for (i = 0; i < sizeof(probes) / sizeof(probes[0]) && n < size; i++) {
		p = &probes[i];
		memset(name, 0, sizeof(name));
		len = p->text ? sizeof(name) - 1 : sizeof(v);
		if (getsockopt(fd, fam == AF_INET6 ? p->level6 : p->level,
		    fam == AF_INET6 ? p->name6 : p->name, p->text ?
		    (void *)name : (void *)&v, &len) == -1)
			n += (size_t)snprintf(buf + n, size - n, "%s=-\n",
			    p->key);
		else if (p->text)
			n += (size_t)snprintf(buf + n, size - n, "%s=%s\n",
			    p->key, name);
		else
			n += (size_t)snprintf(buf + n, size - n, "%s=%d\n",
			    p->key, v);
	}
	return n < size ? n : size - 1;
}

int
main(void)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof(int);
	char			buf[2048], dgram[512];
	size_t			n;
	int			type = 0, listening = 0, c;

	(void)getsockopt(0, SOL_SOCKET, SO_TYPE, &type, &len);
	len = sizeof(int);
	(void)getsockopt(0, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len);
	n = probe_all(0, buf, sizeof(buf));
	if (type == SOCK_DGRAM) {
		len = sizeof(ss);
		if (recvfrom(0, dgram, sizeof(dgram), 0,
		    (struct sockaddr *)&ss, &len) == -1)
			return 1;
		return sendto(0, buf, n, 0, (struct sockaddr *)&ss, len) ==
		    -1;
	}
	if (listening) {
		if ((c = accept(0, NULL, NULL)) == -1)
			return 1;
		return write(c, buf, n) != (ssize_t)n;
	}
	return write(0, buf, n) != (ssize_t)n;
}
