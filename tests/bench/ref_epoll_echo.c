/*
 * ref_epoll_echo: the reference for builtin TCP services, the least a
 * server can do per connection: one epoll loop, accept4 until EAGAIN,
 * then by -m: echo what arrives until EOF (echo, the default), read and
 * drop until EOF (discard), write the time and close (daytime: ctime's
 * line; time: RFC 868's four bytes), or write RFC 864's pattern while
 * the socket takes it, until the client resets (chargen).  No limits, no
 * logging, no configuration.
 *
 * usage: ref_epoll_echo [-m echo|discard|daytime|time|chargen]
 *            [-T lifetime_s] [-6] port
 */
#include "config.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "benchnet.h"

#define MAX_EVENTS	256
#define BUF_SIZE	16384
#define TIME_EPOCH_OFFSET 2208988800u	/* 1900 to 1970, in seconds */
#define CG_NCHARS	95		/* ' ' .. '~' */
#define CG_WIDTH	72
#define CG_LINELEN	(CG_WIDTH + 2)
#define CG_PERIOD	(CG_NCHARS * CG_LINELEN)	/* then it repeats */

enum ref_mode { REF_ECHO, REF_DISCARD, REF_DAYTIME, REF_TIME, REF_CHARGEN };

static enum ref_mode	 mode = REF_ECHO;
/* chargen: one period of the stream and a write's worth more. */
static char		 cg_pattern[CG_PERIOD + BUF_SIZE];
static unsigned		*cg_pos;	/* by fd: offset into the period */
static size_t		 cg_npos;

static int	parse_mode(const char *);
static void	accept_all(int, int);
static void	serve(int);
static void	send_daytime(int);
static void	send_time(int);
static void	chargen_init(void);
static int	chargen_write(int);
static int	chargen_start(int, int);

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

/* Write RFC 868's time (seconds since 1900, 32 bits) and close. */
static void
send_time(int fd)
{
	uint32_t	t = htonl((uint32_t)((uint64_t)time(NULL) +
			    TIME_EPOCH_OFFSET));
	ssize_t		n;

	n = write(fd, &t, sizeof(t));
	(void)n;
	close(fd);
}

/*
 * RFC 864's stream: line k is the 95 printable characters from the k-th
 * on, wrapping, cut to 72, then CRLF; after 95 lines it repeats.  The
 * period is written out once, with a write's worth of its start after
 * it, so any offset has BUF_SIZE bytes ahead of it.
 */
static void
chargen_init(void)
{
	size_t	i, line, col;

	for (i = 0; i < sizeof(cg_pattern); i++) {
		line = i % CG_PERIOD / CG_LINELEN;
		col = i % CG_LINELEN;
		if (col < CG_WIDTH)
			cg_pattern[i] = (char)(' ' + (line + col) % CG_NCHARS);
		else
			cg_pattern[i] = col == CG_WIDTH ? '\r' : '\n';
	}
}

/*
 * One write of the stream from where fd stopped; -1 when the socket
 * failed (the client's RST), and the caller closes.
 */
static int
chargen_write(int fd)
{
	ssize_t	n;

	n = write(fd, cg_pattern + cg_pos[fd], BUF_SIZE);
	if (n == -1 && errno == EAGAIN)
		return 0;
	if (n <= 0)
		return -1;
	cg_pos[fd] = (unsigned)((cg_pos[fd] + (size_t)n) % CG_PERIOD);
	return 0;
}

/*
 * A new chargen connection: the first write at once, the rest each time
 * epoll says the socket takes more.  -1: close it.
 */
static int
chargen_start(int ep, int fd)
{
	struct epoll_event	ev;
	unsigned		*p;
	size_t			 n;

	if ((size_t)fd >= cg_npos) {
		n = (size_t)fd * 2 + 64;
		if ((p = realloc(cg_pos, n * sizeof(*p))) == NULL)
			return -1;
		cg_pos = p;
		cg_npos = n;
	}
	cg_pos[fd] = 0;
	if (chargen_write(fd) == -1)
		return -1;
	ev.events = EPOLLOUT;
	ev.data.fd = fd;
	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
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
		switch (mode) {
		case REF_DAYTIME:
			send_daytime(fd);
			continue;
		case REF_TIME:
			send_time(fd);
			continue;
		case REF_CHARGEN:
			if (chargen_start(ep, fd) == -1)
				close(fd);
			continue;
		default:
			break;
		}
		ev.events = EPOLLIN;
		ev.data.fd = fd;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == -1)
			close(fd);
	}
}

/*
 * One read's worth: echoed back, or dropped in discard mode; close on EOF
 * or error (close also drops the fd from the epoll set).  A short write
 * closes too: the benchmark's small messages always fit the socket
 * buffer.  chargen connections only wait to write.
 */
static void
serve(int fd)
{
	char	buf[BUF_SIZE];
	ssize_t	n;

	if (mode == REF_CHARGEN) {
		if (chargen_write(fd) == -1)
			close(fd);
		return;
	}
	n = read(fd, buf, sizeof(buf));
	if (n == -1 && errno == EAGAIN)
		return;
	if (n > 0 && mode == REF_DISCARD)
		return;
	if (n <= 0 || write(fd, buf, (size_t)n) != n)
		close(fd);
}

/* The -m argument; -1 if unknown. */
static int
parse_mode(const char *name)
{
	static const char *const names[] = {
		[REF_ECHO] = "echo", [REF_DISCARD] = "discard",
		[REF_DAYTIME] = "daytime", [REF_TIME] = "time",
		[REF_CHARGEN] = "chargen"
	};
	size_t	i;

	if (name == NULL)
		return 0;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0) {
			mode = (enum ref_mode)i;
			return 0;
		}
	return -1;
}

int
main(int argc, char **argv)
{
	struct epoll_event	evs[MAX_EVENTS], ev;
	struct bn_opts		o;
	int			ep, lfd, n, i;

	if (bn_parse(argc, argv, &o, "[-m echo|discard|daytime|time|chargen] "
	    "[-T lifetime_s] [-6] port") == -1)
		return 2;
	if (parse_mode(o.mode) == -1) {
		fprintf(stderr, "ref_epoll_echo: unknown mode %s\n", o.mode);
		return 2;
	}
	if (mode == REF_CHARGEN)
		chargen_init();
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
