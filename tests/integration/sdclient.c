/*
 * sdclient: a small, bounded test client for the integration tests.
 *
 * sdclient [-ukRq] [-U path] [-b srcaddr] [-n count] [-t timeout_ms]
 *          [-s data] [-x expect] [-w hold_ms] [-i interval_ms] [-R]
 *          [-O urgent_ms] [-L] [-D drip_ms] [host port]
 * Once (no -n): send data, half-close, print what comes back until EOF
 * (UDP: one reply).  With -n: repeat, print "ok=N refused=N timeout=N
 * other=N mismatch=N" and exit 0 only if every attempt succeeded.
 * -O ms: urgent_ms after sending, send one byte of TCP urgent data ('!').
 * -p port: bind this source port (below 1024 needs root).
 * -V: with -b IPv4 and -n, each attempt from the next address (-b + i).
 * -L: print what comes back as it comes (for tests that read a handler's
 * first words while the connection is still open).
 * -D ms: send data one byte every ms (no half-close) until the peer
 * closes (exit 0, printing what it said) or the -t deadline (exit 2).
 * Exit: 0 ok, 1 refused, 2 timeout, 3 other error, 4 reply mismatch.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { R_OK_ = 0, R_REFUSED = 1, R_TIMEOUT = 2, R_OTHER = 3, R_MISMATCH = 4 };

struct opts {
	int		 udp;
	const char	*unix_path;
	const char	*src;
	const char	*host, *port;
	long		 count;
	int		 timeout_ms;
	const char	*data;
	const char	*expect;
	int		 hold_ms;
	int		 rst;
	int		 quiet;
	int		 keep_open;	/* -k: no half-close */
	int		 interval_ms;	/* -i: pause between attempts */
	int		 urgent_ms;	/* -O: urgent byte after this, or -1 */
	int		 live;		/* -L: print as it arrives */
	int		 vary_src;	/* -V: -b address + attempt number */
	int		 src_port;	/* -p: bind this source port */
	int		 drip_ms;	/* -D: one byte of data this often */
};

static long long
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for fd to be ready for events until the deadline. */
static int
wait_fd(int fd, short events, long long deadline)
{
	struct pollfd	pfd = { fd, events, 0 };
	long long	left = deadline - now_ms();

	if (left <= 0)
		return 0;
	return poll(&pfd, 1, (int)left) > 0;
}

static int
open_socket(const struct opts *o, struct sockaddr_storage *ss, socklen_t *len)
{
	struct addrinfo	 hints, *res;
	int		 fd;

	if (o->unix_path != NULL) {
		struct sockaddr_un *sun = (struct sockaddr_un *)ss;
		memset(ss, 0, sizeof(*ss));
		sun->sun_family = AF_UNIX;
		snprintf(sun->sun_path, sizeof(sun->sun_path), "%s",
		    o->unix_path);
		*len = sizeof(*sun);
		return socket(AF_UNIX, (o->udp ? SOCK_DGRAM : SOCK_STREAM) |
		    SOCK_NONBLOCK, 0);
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = o->udp ? SOCK_DGRAM : SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(o->host, o->port, &hints, &res) != 0)
		return -1;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	fd = socket(res->ai_family, res->ai_socktype | SOCK_NONBLOCK, 0);
	freeaddrinfo(res);
	if (fd >= 0 && (o->src != NULL || o->src_port > 0)) {
		struct sockaddr_in sin = { .sin_family = AF_INET,
		    .sin_port = htons((uint16_t)o->src_port) };
		struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6,
		    .sin6_port = htons((uint16_t)o->src_port) };
		const char *src = o->src ? o->src :
		    ss->ss_family == AF_INET ? "0.0.0.0" : "::";
		int one = 1;
		static uint32_t	 nth;

		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof(one));
		if (inet_pton(AF_INET, src, &sin.sin_addr) == 1) {
			/* -V: each attempt from the next address. */
			if (o->vary_src)
				sin.sin_addr.s_addr = htonl(
				    ntohl(sin.sin_addr.s_addr) + nth++);
			(void)!bind(fd, (struct sockaddr *)&sin, sizeof(sin));
		}
		else if (inet_pton(AF_INET6, src, &sin6.sin6_addr) == 1)
			(void)!bind(fd, (struct sockaddr *)&sin6, sizeof(sin6));
	}
	return fd;
}

/* Connect with a deadline. */
static int
do_connect(int fd, struct sockaddr_storage *ss, socklen_t len,
    long long deadline)
{
	int		err = 0;
	socklen_t	elen = sizeof(err);

	if (connect(fd, (struct sockaddr *)ss, len) == 0)
		return R_OK_;
	if (errno == ECONNREFUSED || errno == ENOENT)
		return R_REFUSED;
	if (errno != EINPROGRESS)
		return R_OTHER;
	if (!wait_fd(fd, POLLOUT, deadline))
		return R_TIMEOUT;
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen);
	if (err == ECONNREFUSED)
		return R_REFUSED;
	return err ? R_OTHER : R_OK_;
}

/* Read until EOF (stream) or one datagram, into buf. */
static int
read_reply(int fd, const struct opts *o, char *buf, size_t max, size_t *got,
    long long deadline)
{
	ssize_t	n;

	*got = 0;
	for (;;) {
		if (!wait_fd(fd, POLLIN, deadline))
			return o->udp ? R_TIMEOUT : (*got ? R_OK_ : R_TIMEOUT);
		n = recv(fd, buf + *got, max - *got, 0);
		if (n < 0)
			return errno == ECONNRESET && *got ? R_OK_ :
			    errno == ECONNREFUSED ? R_REFUSED : R_OTHER;
		if (o->live && n > 0) {
			fwrite(buf + *got, 1, (size_t)n, stdout);
			fflush(stdout);
		}
		*got += (size_t)n;
		if (n == 0 || o->udp || *got == max)
			return R_OK_;
	}
}

/*
 * -D: send data a byte at a time, drip_ms apart, reading meanwhile,
 * until the peer closes or the deadline.
 */
static int
drip(int fd, const struct opts *o, char *buf, size_t max, size_t *got,
    long long deadline)
{
	size_t		i, len = o->data != NULL ? strlen(o->data) : 0;
	long long	next;
	ssize_t		n;

	*got = 0;
	for (i = 0; now_ms() < deadline; i++) {
		if (i < len && send(fd, o->data + i, 1, MSG_NOSIGNAL) < 0)
			return errno == EPIPE || errno == ECONNRESET ? R_OK_ :
			    R_OTHER;
		next = now_ms() + o->drip_ms;
		if (next > deadline)
			next = deadline;
		while (wait_fd(fd, POLLIN, next)) {
			n = recv(fd, buf + *got, max - *got, 0);
			if (n == 0 || (n < 0 && errno == ECONNRESET))
				return R_OK_;
			if (n < 0)
				return R_OTHER;
			*got += (size_t)n;
			if (*got == max)
				return R_OK_;
		}
	}
	return R_TIMEOUT;
}

static int
attempt(const struct opts *o, int print)
{
	struct sockaddr_storage	ss;
	socklen_t		len;
	long long		deadline = now_ms() + o->timeout_ms;
	char			buf[65536];
	size_t			got = 0;
	int			fd, r;
	struct linger		lg = { 1, 0 };

	if ((fd = open_socket(o, &ss, &len)) == -1)
		return R_OTHER;
	if ((r = do_connect(fd, &ss, len, deadline)) != R_OK_)
		goto out;
	if (o->drip_ms > 0) {
		r = drip(fd, o, buf, sizeof(buf), &got, deadline);
		if (print && got > 0)
			fwrite(buf, 1, got, stdout);
		goto out;
	}
	if (o->data != NULL && send(fd, o->data, strlen(o->data),
	    MSG_NOSIGNAL) < 0) {
		r = errno == ECONNREFUSED ? R_REFUSED : R_OTHER;
		/* A server that refused at once may have said why. */
		if ((errno == EPIPE || errno == ECONNRESET) && !o->udp &&
		    read_reply(fd, o, buf, sizeof(buf), &got, deadline) ==
		    R_OK_ && got > 0) {
			if (print && !o->live)
				fwrite(buf, 1, got, stdout);
		}
		goto out;
	}
	if (o->hold_ms > 0)
		usleep((useconds_t)o->hold_ms * 1000);
	if (o->urgent_ms >= 0) {
		usleep((useconds_t)o->urgent_ms * 1000);
		if (send(fd, "!", 1, MSG_OOB | MSG_NOSIGNAL) != 1) {
			r = R_OTHER;
			goto out;
		}
	}
	if (!o->udp && !o->keep_open)
		shutdown(fd, SHUT_WR);
	r = read_reply(fd, o, buf, sizeof(buf), &got, deadline);
	if (print && got > 0 && !o->live)
		fwrite(buf, 1, got, stdout);
	if (r == R_OK_ && o->expect != NULL && (got != strlen(o->expect) ||
	    memcmp(buf, o->expect, got) != 0))
		r = R_MISMATCH;
out:
	if (o->rst)
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
	return r;
}

static void
usage(void)
{
	fprintf(stderr, "usage: sdclient [-uRq] [-U path] [-b src] [-n count] "
	    "[-t ms] [-s data] [-x expect] [-w ms] [-O ms] [-L] [-V] [-p port] [-D ms] [host port]\n");
	exit(3);
}

int
main(int argc, char **argv)
{
	struct opts	o = { .timeout_ms = 3000, .urgent_ms = -1 };
	long		i, res[5] = { 0 };
	int		ch;

	while ((ch = getopt(argc, argv, "uU:b:n:t:s:x:w:Rqki:O:LVp:D:")) != -1) {
		switch (ch) {
		case 'u': o.udp = 1; break;
		case 'U': o.unix_path = optarg; break;
		case 'b': o.src = optarg; break;
		case 'n': o.count = atol(optarg); break;
		case 't': o.timeout_ms = atoi(optarg); break;
		case 's': o.data = optarg; break;
		case 'x': o.expect = optarg; break;
		case 'w': o.hold_ms = atoi(optarg); break;
		case 'R': o.rst = 1; break;
		case 'q': o.quiet = 1; break;
		case 'k': o.keep_open = 1; break;
		case 'i': o.interval_ms = atoi(optarg); break;
		case 'O': o.urgent_ms = atoi(optarg); break;
		case 'L': o.live = 1; break;
		case 'V': o.vary_src = 1; break;
		case 'p': o.src_port = atoi(optarg); break;
		case 'D': o.drip_ms = atoi(optarg); break;
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (o.unix_path == NULL) {
		if (argc != 2)
			usage();
		o.host = argv[0];
		o.port = argv[1];
	}
	if (o.count <= 0)
		return attempt(&o, 1);
	for (i = 0; i < o.count && i < 1000000; i++) {
		res[attempt(&o, 0)]++;
		if (o.interval_ms > 0)
			usleep((useconds_t)o.interval_ms * 1000);
	}
	if (!o.quiet)
		printf("ok=%ld refused=%ld timeout=%ld other=%ld mismatch=%ld\n",
		    res[0], res[1], res[2], res[3], res[4]);
	return res[0] == o.count ? 0 : 1;
}
