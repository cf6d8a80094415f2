/*
 * tcp_wait_echo: a wait-mode TCP handler for the tests: the listening
 * socket is on fd 0.  Serve one connection at a time: send "pid:<pid>\n",
 * then echo what comes until the client closes.  Exit once no connection
 * has come for idle_ms (argument; 1000 by default).
 */
#include "config.h"

#include <sys/socket.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Echo one connection until EOF or error. */
static void
serve(int fd)
{
	char	buf[1024];
	ssize_t	n;
	int	m;

	m = snprintf(buf, sizeof(buf), "pid:%ld\n", (long)getpid());
	if (write(fd, buf, (size_t)m) != m)
		return;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)n) != n)
			return;
}

int
main(int argc, char **argv)
{
	struct pollfd	pfd = { 0, POLLIN, 0 };
	int		idle_ms = argc > 1 ? atoi(argv[1]) : 1000;
	int		fd;

	while (poll(&pfd, 1, idle_ms) > 0) {
		if ((fd = accept(0, NULL, NULL)) == -1)
			continue;
		serve(fd);
		close(fd);
	}
	return 0;
}
