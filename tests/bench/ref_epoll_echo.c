/*
 * ref_epoll_echo: the reference for builtin TCP services, the least a
 * server can do per connection: one epoll loop, accept4 until EAGAIN,
 * echo what arrives until EOF (or, with -m daytime, write the time and
 * close).  No limits, no logging, no configuration.
 *
 * usage: ref_epoll_echo [-m echo|daytime] [-T lifetime_s] [-6] port
 */
#include "config.h"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "benchnet.h"

#define MAX_EVENTS	256
#define BUF_SIZE	16384

static int	daytime_mode;

static void	accept_all(int, int);
static void	serve(int);
static void	send_daytime(int);

/* Write the time of day and close: the whole daytime service. */
static void
send_daytime(int fd)
{
	char	buf[64];
	time_t	now = time(NULL);
	ssize_t	n;

	ctime_r(&now, buf);
	buf[strcspn(buf, "\n")] = '\0';
	strcat(buf, "\r\n");
	n = write(fd, buf, strlen(buf));
	(void)n;
	close(fd);
}

/* Accept until EAGAIN: one wake-up can carry many connections. */
static void
accept_all(int ep, int lfd)
{
	struct epoll_event	ev;
	int			fd;

	for (;;) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1)
			return;		/* EAGAIN, or a reset before accept */
		if (daytime_mode) {
			send_daytime(fd);
			continue;
		}
		ev.events = EPOLLIN;
		ev.data.fd = fd;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == -1)
			close(fd);
	}
}

/*
 * Echo one read's worth; close on EOF or error (close also drops the fd
 * from the epoll set).  A short write closes too: the benchmark's small
 * messages always fit the socket buffer.
 */
static void
serve(int fd)
{
	char	buf[BUF_SIZE];
	ssize_t	n;

	n = read(fd, buf, sizeof(buf));
	if (n == -1 && errno == EAGAIN)
		return;
	if (n <= 0 || write(fd, buf, (size_t)n) != n)
		close(fd);
}

int
main(int argc, char **argv)
{
	struct epoll_event	evs[MAX_EVENTS], ev;
	struct bn_opts		o;
	int			ep, lfd, n, i;

	if (bn_parse(argc, argv, &o, "[-m echo|daytime] [-T lifetime_s] "
	    "[-6] port") == -1)
		return 2;
	daytime_mode = o.mode != NULL && strcmp(o.mode, "daytime") == 0;
	lfd = bn_socket("ref_epoll_echo", SOCK_STREAM | SOCK_NONBLOCK, &o);
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		perror("ref_epoll_echo: epoll_create1");
		return 1;
	}
	ev.events = EPOLLIN;
	ev.data.fd = lfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	for (;;) {
		n = epoll_wait(ep, evs, MAX_EVENTS, -1);
		for (i = 0; i < n; i++) {
			if (evs[i].data.fd == lfd)
				accept_all(ep, lfd);
			else
				serve(evs[i].data.fd);
		}
	}
}
