/*
 * dial.c: one bounded connect, the step below every libsuperd
 * connection (the directory socket, a remote directory, each endpoint
 * superd_connect tries).  A leaf: it knows sockets, not names.
 */
#include "config.h"

#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include "client_priv.h"

static int	wait_connect(int, int);

/* Wait for a non-blocking connect to finish; 0 or -1 with errno. */
static int
wait_connect(int fd, int timeout_ms)
{
	struct pollfd	pfd = { .fd = fd, .events = POLLOUT };
	struct timespec	t0, t1;
	socklen_t	len = sizeof(int);
	int		r, err = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((r = poll(&pfd, 1, timeout_ms)) == -1 && errno == EINTR) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		timeout_ms -= (t1.tv_sec - t0.tv_sec) * 1000 +
		    (t1.tv_nsec - t0.tv_nsec) / 1000000;
		t0 = t1;
		if (timeout_ms < 0)
			timeout_ms = 0;
	}
	if (r == 0)
		errno = ETIMEDOUT;
	if (r <= 0)
		return -1;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		return -1;
	if (err != 0) {
		errno = err;
		return -1;
	}
	return 0;
}

/* Connect a new socket to sa within timeout_ms; the fd or -1 (errno). */
int
sdc_connect_sa(const struct sockaddr *sa, socklen_t len, int socktype,
    int timeout_ms, int nonblock)
{
	int	fd, err;

	fd = socket(sa->sa_family, socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1)
		return -1;
	if (connect(fd, sa, len) == -1) {
		/* AF_UNIX says EAGAIN when the backlog is full: a failure. */
		if (errno != EINPROGRESS || wait_connect(fd, timeout_ms) == -1)
			goto fail;
	}
	if (!nonblock && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) &
	    ~O_NONBLOCK) == -1)
		goto fail;
	return fd;
fail:
	err = errno;
	close(fd);
	errno = err;
	return -1;
}
