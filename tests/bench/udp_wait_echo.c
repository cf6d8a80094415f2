/*
 * udp_wait_echo: the wait-mode UDP handler of the benchmark.  The bound
 * socket is on fd 0; echo every datagram to its sender, draining the
 * socket on each wake-up, and exit after one idle second so the server
 * takes the socket back.  SIGALRM bounds a handler that is never idle.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <unistd.h>

#define IDLE_MS		1000
#define LIFETIME_S	900

int
main(void)
{
	struct sockaddr_storage	ss;
	struct pollfd		pfd = { 0, POLLIN, 0 };
	socklen_t		len;
	char			buf[65536];
	ssize_t			n;

	alarm(LIFETIME_S);
	while (poll(&pfd, 1, IDLE_MS) > 0) {
		for (;;) {
			len = sizeof(ss);
			n = recvfrom(0, buf, sizeof(buf), MSG_DONTWAIT,
			    (struct sockaddr *)&ss, &len);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				break;
			if (n < 0)
				return 1;	/* fd 0 is no socket */
			sendto(0, buf, (size_t)n, 0, (struct sockaddr *)&ss,
			    len);
		}
	}
	return 0;
}
