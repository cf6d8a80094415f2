/*
 * udp_wait_echo: a wait-mode UDP handler for the tests: the bound socket
 * is on fd 0; answer every datagram with "pid:<pid> <data>", exit after
 * one idle second.
 */
#include "config.h"

#include <sys/socket.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
main(void)
{
	struct sockaddr_storage	ss;
	struct pollfd		pfd = { 0, POLLIN, 0 };
	socklen_t		len;
	char			buf[1024], out[1100];
	ssize_t			n;
	int			m;

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
