/*
 * udp_wait_echo: a UDP handler for the tests: the bound socket is on
 * fd 0; answer every datagram with "pid:<pid> <data>", exit after one
 * idle second.  With -1 (a nowait handler, the inetd contract): read one
 * datagram with recvfrom, answer "<DATA> <REMOTE_ADDR> <pid>" with
 * sendto to the address recvfrom gave, and exit.
 */
#include "config.h"

#include <sys/socket.h>
#include <poll.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One datagram, the way inetd's nowait UDP handlers are written. */
static int
once(void)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof(ss);
	const char		*ra = getenv("REMOTE_ADDR");
	char			buf[1024], out[1200];
	ssize_t			n, i;
	int			m;

	if ((n = recvfrom(0, buf, sizeof(buf) - 1, 0, (struct sockaddr *)&ss,
	    &len)) < 0)
		return 1;
	for (i = 0; i < n; i++)
		buf[i] = (char)toupper((unsigned char)buf[i]);
	buf[n] = '\0';
	m = snprintf(out, sizeof(out), "%s %s %ld", buf, ra ? ra : "-",
	    (long)getpid());
	return sendto(0, out, (size_t)m, 0, (struct sockaddr *)&ss, len) ==
	    m ? 0 : 1;
}

int
main(int argc, char **argv)
{
	struct sockaddr_storage	ss;
	struct pollfd		pfd = { 0, POLLIN, 0 };
	socklen_t		len;
	char			buf[1024], out[1100];
	ssize_t			n;
	int			m;

	if (argc > 1 && strcmp(argv[1], "-1") == 0)
		return once();
	while (poll(&pfd, 1, 1000) > 0) {
		len = sizeof(ss);
		n = recvfrom(0, buf, sizeof(buf) - 1, MSG_DONTWAIT,
		    (struct sockaddr *)&ss, &len);
		if (n < 0)
			continue;
		buf[n] = '\0';
		m = snprintf(out, sizeof(out), "pid:%ld %s", (long)getpid(), buf);
		sendto(0, out, (size_t)m, 0, (struct sockaddr *)&ss, len);
	}
	return 0;
}
