/*
 * loadgen: a loopback load generator for the superd benchmark.
 *
 * Every worker thread runs one operation after the other (a closed loop)
 * until the duration has passed or the shared count is used up; each
 * operation is bounded by the I/O timeout.  TCP connections are closed
 * with SO_LINGER 0 (RST): a normal close leaves the client's sockets in
 * TIME_WAIT, and after some ten thousand connections the ephemeral ports,
 * not the server, would bound the rate.  Targets must be loopback.
 *
 * discard is the exception: the client closes its side first and then
 * receives the server's FIN, which puts its socket in TIME_WAIT whatever
 * the close does.  Loopback lets connect() reuse such a port after a
 * second, but at some 18,000 connections a second the ports of one
 * source address toward one server run out within that second, and
 * connect() scanned for up to 50 ms (strace -T), for every server alike.
 * So discard connections to 127.0.0.1 come from 64 source addresses in
 * turn (127.0.0.1-127.0.0.64, all local).
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS	256
#define MAX_SIZE	65536
#define MAX_LAT		(4u << 20)	/* samples kept per thread */
#define DAYTIME_MAX	65536		/* longer answers count as errors */
#define PROBE_EVERY_NS	500000L		/* reload mode: 0.5 ms */
#define IDLE_OPEN_S	60		/* idle mode: time to open them */
#define SPREAD_SOURCES	64		/* discard: 127.0.0.1 .. 127.0.0.64 */

enum lg_mode {
	MODE_ECHO,		/* connect, send, read back, RST */
	MODE_DAYTIME,		/* connect, read to EOF, RST */
	MODE_DISCARD,		/* connect, send, shut down, await EOF, RST */
	MODE_STREAM,		/* connect, read -s bytes, RST */
	MODE_UDP,		/* send, wait for the echo or time out */
	MODE_UDPANY,		/* send, wait for any answer or time out */
	MODE_IDLE,		/* hold connections open */
	MODE_RELOAD		/* SIGHUP a pid, time until a port answers */
};

struct lg_addr {
	struct sockaddr_storage	 ss;
	socklen_t		 len;
};

struct lg_opts {
	enum lg_mode		 mode;
	const char		*mode_name;
	int			 threads;
	double			 duration;	/* seconds */
	long			 count;		/* 0: only the duration */
	size_t			 size;
	int			 timeout_ms;
	int			 json;
	pid_t			 hup_pid;
	struct lg_addr		 target;
	struct lg_addr		 probe;		/* reload: the new service */
};

struct worker {
	pthread_t		 tid;
	int			 id;
	uint64_t		 ok;
	uint64_t		 errors;
	uint64_t		 lost;
	uint64_t		*lat;		/* nanoseconds */
	size_t			 nlat;
	size_t			 maxlat;
	int			*fds;		/* idle mode */
	size_t			 nfds;
	long			 share;		/* idle mode: connections */
	unsigned char		*buf;
	unsigned char		*rbuf;
	int			 stale;		/* udpany: a lost answer may come */
	unsigned		 source;	/* discard: the next source address */
};

static struct lg_opts		 opts = {
	.mode = MODE_ECHO, .mode_name = "echo", .threads = 1,
	.duration = 0, .count = 0, .size = 64, .timeout_ms = 2000
};
static struct worker		 workers[MAX_THREADS];
static pthread_barrier_t	 start_barrier;
static atomic_int		 stop_flag;
static atomic_int		 done_threads;
static atomic_int		 idle_ready;
static atomic_long		 budget;
static pthread_mutex_t		 err_lock = PTHREAD_MUTEX_INITIALIZER;
static char			 first_error[256];
static __thread int		 quiet_errors;	/* reload probe thread */

static void	usage(void) __attribute__((noreturn));
static void	die(const char *, ...)
		    __attribute__((noreturn, format(printf, 1, 2)));
static uint64_t	now_ns(void);
static void	note_error(const char *, int);
static int	parse_addr(const char *, struct lg_addr *);
static int	take_one(void);
static int	tcp_connect(const struct lg_addr *);
static int	tcp_connect_from(const struct lg_addr *, unsigned);
static void	rst_close(int);
static int	write_all(int, const void *, size_t);
static int	read_full(int, void *, size_t);
static int	op_echo(struct worker *, const struct lg_addr *);
static int	op_daytime(struct worker *);
static int	op_discard(struct worker *);
static int	op_stream(struct worker *);
static void	drain_udp(int, unsigned char *);
static int	udp_answer_matches(const struct worker *, ssize_t);
static int	op_udp(struct worker *, int, uint64_t);
static void	record(struct worker *, uint64_t);
static void	run_tcp(struct worker *);
static void	run_udp(struct worker *);
static void	run_idle(struct worker *);
static void	*worker_main(void *);
static double	reload_probe(void);
static int	cmp_u64(const void *, const void *);
static void	report(double, double);
static double	num_arg(const char *, double, double, const char *);
static void	set_mode(const char *);
static void	parse_args(int, char **);
static void	setup_workers(void);
static void	wait_workers(uint64_t);

/* Print usage and exit. */
static void
usage(void)
{
	fprintf(stderr,
	    "usage: loadgen [-m echo|daytime|discard|stream|udp|udpany|idle|"
	    "reload]\n"
	    "               [-c threads] [-d seconds]\n"
	    "               [-n count] [-s bytes] [-t timeout_ms] [-P pid] "
	    "[-p probe_host:port]\n"
	    "               [--json] host:port\n");
	exit(2);
}

/* Print a message and exit: for setup errors only. */
static void
die(const char *fmt, ...)
{
	va_list	ap;

	fputs("loadgen: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* Monotonic time in nanoseconds. */
static uint64_t
now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Keep the first error's text: it usually explains all the others. */
static void
note_error(const char *what, int err)
{
	if (quiet_errors)
		return;
	pthread_mutex_lock(&err_lock);
	if (first_error[0] == '\0')
		snprintf(first_error, sizeof(first_error), "%s: %s", what,
		    err ? strerror(err) : "short or wrong answer");
	pthread_mutex_unlock(&err_lock);
}

/*
 * Parse "127.0.0.1:port" or "[::1]:port".  Only loopback is accepted:
 * the benchmark must never load another host.
 */
static int
parse_addr(const char *arg, struct lg_addr *a)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)&a->ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&a->ss;
	char			 host[64];
	const char		*colon;
	char			*end;
	long			 port;
	size_t			 hl;

	if ((colon = strrchr(arg, ':')) == NULL)
		return -1;
	port = strtol(colon + 1, &end, 10);
	if (*end != '\0' || port < 1 || port > 65535)
		return -1;
	hl = (size_t)(colon - arg);
	if (hl >= 2 && arg[0] == '[' && arg[hl - 1] == ']') {
		arg++;
		hl -= 2;
	}
	if (hl == 0 || hl >= sizeof(host))
		return -1;
	memcpy(host, arg, hl);
	host[hl] = '\0';
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		if ((ntohl(sin->sin_addr.s_addr) >> 24) != 127)
			return -1;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		a->len = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		if (!IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr))
			return -1;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		a->len = sizeof(*sin6);
		return 0;
	}
	return -1;
}

/* Claim one operation from the shared count; 0 once time or count is up. */
static int
take_one(void)
{
	if (atomic_load_explicit(&stop_flag, memory_order_relaxed))
		return 0;
	if (opts.count == 0)
		return 1;
	return atomic_fetch_sub(&budget, 1) > 0;
}

/*
 * A blocking TCP socket connected to a, or -1.  SO_SNDTIMEO bounds
 * connect() too on Linux, so a full backlog cannot hang a worker.
 */
static int
tcp_connect(const struct lg_addr *a)
{
	return tcp_connect_from(a, 0);
}

/*
 * The same from source address 127.0.0.(1 + source % SPREAD_SOURCES)
 * when a is 127.0.0.1 and source is not 0 (the port is still chosen by
 * connect, for the whole address pair).
 */
static int
tcp_connect_from(const struct lg_addr *a, unsigned source)
{
	const struct sockaddr_in	*to = (const struct sockaddr_in *)&a->ss;
	struct sockaddr_in		 from;
	struct timeval			 tv;
	int				 fd, one = 1;

	tv.tv_sec = opts.timeout_ms / 1000;
	tv.tv_usec = (opts.timeout_ms % 1000) * 1000;
	fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		note_error("socket", errno);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (source != 0 && a->ss.ss_family == AF_INET &&
	    to->sin_addr.s_addr == htonl(INADDR_LOOPBACK)) {
		memset(&from, 0, sizeof(from));
		from.sin_family = AF_INET;
		from.sin_addr.s_addr = htonl(INADDR_LOOPBACK +
		    source % SPREAD_SOURCES);
		setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one,
		    sizeof(one));
		if (bind(fd, (struct sockaddr *)&from, sizeof(from)) == -1) {
			note_error("bind", errno);
			rst_close(fd);
			return -1;
		}
	}
	if (connect(fd, (const struct sockaddr *)&a->ss, a->len) == -1) {
		note_error("connect", errno);
		rst_close(fd);
		return -1;
	}
	return fd;
}

/* Close with an RST, so that no TIME_WAIT state is left on either side. */
static void
rst_close(int fd)
{
	struct linger	l = { 1, 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
}

/* Write all of buf; -1 on error or timeout. */
static int
write_all(int fd, const void *buf, size_t len)
{
	const unsigned char	*p = buf;
	ssize_t			 n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			note_error("write", n == 0 ? 0 : errno);
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read exactly len bytes; -1 on error, EOF or timeout. */
static int
read_full(int fd, void *buf, size_t len)
{
	unsigned char	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		n = read(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			note_error("read", n == 0 ? 0 : errno);
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One TCP echo exchange on a fresh connection; 0 when the bytes came back. */
static int
op_echo(struct worker *w, const struct lg_addr *a)
{
	int	fd, rc = -1;

	if ((fd = tcp_connect(a)) == -1)
		return -1;
	if (write_all(fd, w->buf, opts.size) == 0 &&
	    read_full(fd, w->rbuf, opts.size) == 0) {
		if (memcmp(w->buf, w->rbuf, opts.size) == 0)
			rc = 0;
		else
			note_error("echo", 0);
	}
	rst_close(fd);
	return rc;
}

/* Connect and read until EOF; 0 when something came before the EOF. */
static int
op_daytime(struct worker *w)
{
	size_t	got = 0;
	ssize_t	n;
	int	fd;

	if ((fd = tcp_connect(&opts.target)) == -1)
		return -1;
	for (;;) {
		n = read(fd, w->rbuf, MAX_SIZE);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
		if (got > DAYTIME_MAX)
			break;
	}
	if (n == -1)
		note_error("read", errno);
	else if (got == 0 || got > DAYTIME_MAX)
		note_error("daytime", 0);
	rst_close(fd);
	return n == 0 && got > 0 && got <= DAYTIME_MAX ? 0 : -1;
}

/*
 * Send -s bytes, half-close, and wait for the server's EOF: a discard
 * service closes once it has read ours.  0 at an EOF with nothing before.
 */
static int
op_discard(struct worker *w)
{
	ssize_t	n;
	int	fd, rc = -1;

	if ((fd = tcp_connect_from(&opts.target, ++w->source)) == -1)
		return -1;
	if (write_all(fd, w->buf, opts.size) == 0) {
		if (shutdown(fd, SHUT_WR) == -1)
			note_error("shutdown", errno);
		else {
			do
				n = read(fd, w->rbuf, MAX_SIZE);
			while (n == -1 && errno == EINTR);
			if (n == 0)
				rc = 0;
			else if (n == -1)
				note_error("read", errno);
			else
				note_error("discard answered", 0);
		}
	}
	rst_close(fd);
	return rc;
}

/*
 * Connect and read the first -s bytes of an endless stream (chargen);
 * the RST close is how the client stops it.
 */
static int
op_stream(struct worker *w)
{
	int	fd, rc;

	if ((fd = tcp_connect(&opts.target)) == -1)
		return -1;
	rc = read_full(fd, w->rbuf, opts.size);
	rst_close(fd);
	return rc;
}

/*
 * udpany: throw away answers already queued.  Only after a loss: a late
 * answer carries nothing to tell it from the one awaited next.
 */
static void
drain_udp(int fd, unsigned char *buf)
{
	while (recv(fd, buf, MAX_SIZE, MSG_DONTWAIT) >= 0)
		;
}

/* Is the datagram of n bytes in w->rbuf the answer to the request sent? */
static int
udp_answer_matches(const struct worker *w, ssize_t n)
{
	if (opts.mode == MODE_UDPANY)
		return n > 0;
	return (size_t)n == opts.size && memcmp(w->buf, w->rbuf, opts.size) == 0;
}

/*
 * One UDP request on a connected socket: 0 answered, 1 lost (timed out),
 * -1 error.  In udp (echo) mode the sequence number in the payload tells
 * a late answer to an earlier request, which is dropped, from the answer
 * awaited; udpany takes any non-empty datagram (daytime, time, chargen
 * answer whatever was asked) and drains the socket after a loss instead.
 */
static int
op_udp(struct worker *w, int fd, uint64_t seq)
{
	struct pollfd	pfd = { fd, POLLIN, 0 };
	uint64_t	deadline;
	int64_t		left;
	ssize_t		n;

	if (w->stale) {
		drain_udp(fd, w->rbuf);
		w->stale = 0;
	}
	memcpy(w->buf, &seq, sizeof(seq));
	if (send(fd, w->buf, opts.size, 0) != (ssize_t)opts.size) {
		note_error("send", errno);
		return -1;
	}
	deadline = now_ns() + (uint64_t)opts.timeout_ms * 1000000u;
	for (;;) {
		left = (int64_t)(deadline - now_ns()) / 1000000;
		if (left < 0 || poll(&pfd, 1, (int)left) == 0) {
			w->stale = opts.mode == MODE_UDPANY;
			return 1;
		}
		n = recv(fd, w->rbuf, MAX_SIZE, MSG_DONTWAIT);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n == -1) {
			/* ECONNREFUSED: nobody listens; pace the retries. */
			note_error("recv", errno);
			poll(NULL, 0, 10);
			return -1;
		}
		if (udp_answer_matches(w, n))
			return 0;
	}
}

/* Keep one latency sample; past the cap, only the counts grow. */
static void
record(struct worker *w, uint64_t ns)
{
	uint64_t	*p;
	size_t		 n;

	if (w->nlat == w->maxlat) {
		n = w->maxlat ? w->maxlat * 2 : 4096;
		if (n > MAX_LAT ||
		    (p = realloc(w->lat, n * sizeof(*p))) == NULL)
			return;
		w->lat = p;
		w->maxlat = n;
	}
	w->lat[w->nlat++] = ns;
}

/* Closed loop of TCP operations. */
static void
run_tcp(struct worker *w)
{
	uint64_t	t0;
	int		rc;

	while (take_one()) {
		t0 = now_ns();
		if (opts.mode == MODE_DAYTIME)
			rc = op_daytime(w);
		else if (opts.mode == MODE_DISCARD)
			rc = op_discard(w);
		else if (opts.mode == MODE_STREAM)
			rc = op_stream(w);
		else
			rc = op_echo(w, &opts.target);
		if (rc == 0) {
			w->ok++;
			record(w, now_ns() - t0);
		} else
			w->errors++;
	}
}

/* Closed loop of UDP requests on one connected socket per thread. */
static void
run_udp(struct worker *w)
{
	uint64_t	seq = (uint64_t)w->id << 48, t0;
	int		fd, rc;

	fd = socket(opts.target.ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1 || connect(fd, (const struct sockaddr *)&opts.target.ss,
	    opts.target.len) == -1) {
		note_error("udp socket", errno);
		w->errors++;
		if (fd != -1)
			close(fd);
		return;
	}
	while (take_one()) {
		t0 = now_ns();
		rc = op_udp(w, fd, seq++);
		if (rc == 0) {
			w->ok++;
			record(w, now_ns() - t0);
		} else if (rc == 1)
			w->lost++;
		else
			w->errors++;
	}
	close(fd);
}

/*
 * Open this thread's share of idle connections, each proven served by one
 * echo exchange, then hold them until told to stop.
 */
static void
run_idle(struct worker *w)
{
	unsigned char	c = 'x';
	uint64_t	t0;
	long		i;
	int		fd;

	for (i = 0; i < w->share &&
	    !atomic_load(&stop_flag); i++) {
		t0 = now_ns();
		if ((fd = tcp_connect(&opts.target)) == -1) {
			w->errors++;
			continue;
		}
		if (write_all(fd, &c, 1) == -1 || read_full(fd, &c, 1) == -1) {
			w->errors++;
			rst_close(fd);
			continue;
		}
		w->fds[w->nfds++] = fd;
		w->ok++;
		record(w, now_ns() - t0);
	}
	atomic_fetch_add(&idle_ready, 1);
	while (!atomic_load(&stop_flag))
		poll(NULL, 0, 10);
	while (w->nfds > 0)
		rst_close(w->fds[--w->nfds]);
}

/* Thread body: wait for the common start, run the mode's loop. */
static void *
worker_main(void *arg)
{
	struct worker	*w = arg;

	pthread_barrier_wait(&start_barrier);
	if (opts.mode == MODE_UDP || opts.mode == MODE_UDPANY)
		run_udp(w);
	else if (opts.mode == MODE_IDLE)
		run_idle(w);
	else
		run_tcp(w);
	atomic_fetch_add(&done_threads, 1);
	return NULL;
}

/*
 * Reload mode: send SIGHUP, then probe the new service every 0.5 ms until
 * it answers an echo; milliseconds from the signal, or -1 on timeout.
 */
static double
reload_probe(void)
{
	struct worker	 probe;
	unsigned char	 buf[MAX_SIZE], rbuf[MAX_SIZE];
	struct timespec	 ts = { 0, PROBE_EVERY_NS };
	uint64_t	 t0, limit;
	int		 saved = opts.timeout_ms;

	memset(&probe, 0, sizeof(probe));
	memset(buf, 'r', opts.size);
	probe.buf = buf;
	probe.rbuf = rbuf;
	limit = (uint64_t)(opts.duration * 1e9);
	opts.timeout_ms = 1000;
	quiet_errors = 1;	/* refusals are expected until it answers */
	t0 = now_ns();
	if (kill(opts.hup_pid, SIGHUP) == -1)
		die("kill %ld: %s", (long)opts.hup_pid, strerror(errno));
	while (now_ns() - t0 < limit) {
		if (op_echo(&probe, &opts.probe) == 0) {
			opts.timeout_ms = saved;
			return (double)(now_ns() - t0) / 1e6;
		}
		nanosleep(&ts, NULL);
	}
	opts.timeout_ms = saved;
	return -1;
}

/* qsort comparator for latency samples. */
static int
cmp_u64(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Merge the threads' figures, sort the samples, print one line. */
static void
report(double secs, double reload_ms)
{
	uint64_t	ok = 0, errors = 0, lost = 0, *all, p50 = 0, p99 = 0,
			max = 0;
	size_t		n = 0, i;
	double		rate;

	for (i = 0; i < (size_t)opts.threads; i++)
		n += workers[i].nlat;
	if ((all = malloc((n ? n : 1) * sizeof(*all))) == NULL)
		die("out of memory");
	n = 0;
	for (i = 0; i < (size_t)opts.threads; i++) {
		ok += workers[i].ok;
		errors += workers[i].errors;
		lost += workers[i].lost;
		memcpy(all + n, workers[i].lat,
		    workers[i].nlat * sizeof(*all));
		n += workers[i].nlat;
	}
	qsort(all, n, sizeof(*all), cmp_u64);
	if (n > 0) {
		p50 = all[(n - 1) / 2];
		p99 = all[(size_t)((double)(n - 1) * 0.99)];
		max = all[n - 1];
	}
	free(all);
	rate = secs > 0 ? (double)ok / secs : 0;
	if (opts.json)
		printf("{\"mode\":\"%s\",\"threads\":%d,\"ok\":%" PRIu64
		    ",\"errors\":%" PRIu64 ",\"lost\":%" PRIu64
		    ",\"secs\":%.3f,\"rate\":%.1f,\"p50_us\":%.1f"
		    ",\"p99_us\":%.1f,\"max_us\":%.1f,\"reload_ms\":%.2f}\n",
		    opts.mode_name, opts.threads, ok, errors, lost, secs, rate,
		    p50 / 1e3, p99 / 1e3, max / 1e3, reload_ms);
	else
		printf("mode=%s threads=%d ok=%" PRIu64 " errors=%" PRIu64
		    " lost=%" PRIu64 " secs=%.3f rate=%.1f p50_us=%.1f"
		    " p99_us=%.1f max_us=%.1f reload_ms=%.2f\n",
		    opts.mode_name, opts.threads, ok, errors, lost, secs, rate,
		    p50 / 1e3, p99 / 1e3, max / 1e3, reload_ms);
	if (first_error[0] != '\0')
		fprintf(stderr, "loadgen: first error: %s\n", first_error);
}

/* Parse a numeric option within bounds, or die. */
static double
num_arg(const char *s, double lo, double hi, const char *what)
{
	char	*end;
	double	 v;

	v = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || v < lo || v > hi)
		die("bad %s: %s (%g..%g)", what, s, lo, hi);
	return v;
}

/* Select the mode by name. */
static void
set_mode(const char *name)
{
	static const struct {
		const char	*name;
		enum lg_mode	 mode;
	} modes[] = {
		{ "echo", MODE_ECHO }, { "daytime", MODE_DAYTIME },
		{ "discard", MODE_DISCARD }, { "stream", MODE_STREAM },
		{ "udp", MODE_UDP }, { "udpany", MODE_UDPANY },
		{ "idle", MODE_IDLE },
		{ "reload", MODE_RELOAD }
	};
	size_t	i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcmp(name, modes[i].name) == 0) {
			opts.mode = modes[i].mode;
			opts.mode_name = modes[i].name;
			return;
		}
	die("unknown mode %s", name);
}

/* Fill opts from the command line. */
static void
parse_args(int argc, char **argv)
{
	const char	*probe = NULL;
	int		 ch, i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--json") == 0) {
			opts.json = 1;
			memmove(&argv[i], &argv[i + 1],
			    (size_t)(argc - i) * sizeof(*argv));
			argc--;
			i--;
		}
	while ((ch = getopt(argc, argv, "c:d:m:n:P:p:s:t:")) != -1) {
		switch (ch) {
		case 'c':
			opts.threads = (int)num_arg(optarg, 0, MAX_THREADS,
			    "threads");
			break;
		case 'd':
			opts.duration = num_arg(optarg, 0.01, 3600, "duration");
			break;
		case 'm':
			set_mode(optarg);
			break;
		case 'n':
			opts.count = (long)num_arg(optarg, 1, 1e12, "count");
			break;
		case 'P':
			opts.hup_pid = (pid_t)num_arg(optarg, 2, INT_MAX,
			    "pid");
			break;
		case 'p':
			probe = optarg;
			break;
		case 's':
			opts.size = (size_t)num_arg(optarg, 16, MAX_SIZE,
			    "size");
			break;
		case 't':
			opts.timeout_ms = (int)num_arg(optarg, 1, 600000,
			    "timeout");
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1 || parse_addr(argv[optind], &opts.target))
		usage();
	if (opts.mode == MODE_RELOAD && (opts.hup_pid == 0 || probe == NULL ||
	    parse_addr(probe, &opts.probe)))
		die("reload mode needs -P pid and -p loopback host:port");
	if (opts.threads == 0 && opts.mode != MODE_RELOAD)
		opts.threads = 1;
	if (opts.mode == MODE_IDLE && opts.count == 0)
		die("idle mode needs -n connections");
	if (opts.duration == 0)
		opts.duration = opts.mode == MODE_RELOAD ? 10 : 5;
}

/* Allocate the threads' buffers and split the idle connections. */
static void
setup_workers(void)
{
	struct worker	*w;
	int		 i;

	for (i = 0; i < opts.threads; i++) {
		w = &workers[i];
		w->id = i;
		w->buf = malloc(MAX_SIZE);
		w->rbuf = malloc(MAX_SIZE);
		if (w->buf == NULL || w->rbuf == NULL)
			die("out of memory");
		memset(w->buf, 'a' + i % 26, MAX_SIZE);
		if (opts.mode == MODE_IDLE) {
			w->share = opts.count / opts.threads +
			    (i < opts.count % opts.threads);
			if ((w->fds = calloc((size_t)w->share + 1,
			    sizeof(int))) == NULL)
				die("out of memory");
		}
	}
}

/*
 * Sleep in 10 ms steps until the workers are done or the deadline has
 * passed.  Idle mode gets IDLE_OPEN_S to open its connections, and the
 * hold time counts from when all are open.
 */
static void
wait_workers(uint64_t t0)
{
	uint64_t	deadline = t0 + (uint64_t)(opts.duration * 1e9);
	int		announced = 0;

	if (opts.mode == MODE_IDLE)
		deadline += IDLE_OPEN_S * 1000000000ull;

	while (atomic_load(&done_threads) < opts.threads &&
	    now_ns() < deadline) {
		if (opts.mode == MODE_IDLE && !announced &&
		    atomic_load(&idle_ready) == opts.threads) {
			announced = 1;
			printf("ready\n");
			fflush(stdout);
			deadline = now_ns() + (uint64_t)(opts.duration * 1e9);
		}
		poll(NULL, 0, 10);
	}
}

int
main(int argc, char **argv)
{
	uint64_t	t0;
	double		secs, reload_ms = 0;
	int		i;

	parse_args(argc, argv);
	signal(SIGPIPE, SIG_IGN);
	setup_workers();
	atomic_store(&budget, opts.count);
	if (pthread_barrier_init(&start_barrier, NULL,
	    (unsigned)opts.threads + 1) != 0)
		die("pthread_barrier_init failed");
	for (i = 0; i < opts.threads; i++)
		if (pthread_create(&workers[i].tid, NULL, worker_main,
		    &workers[i]) != 0)
			die("pthread_create failed");
	pthread_barrier_wait(&start_barrier);
	t0 = now_ns();
	if (opts.mode == MODE_RELOAD) {
		poll(NULL, 0, 100);	/* let the load settle first */
		reload_ms = reload_probe();
		poll(NULL, 0, 100);
	} else
		wait_workers(t0);
	atomic_store(&stop_flag, 1);
	secs = (double)(now_ns() - t0) / 1e9;
	for (i = 0; i < opts.threads; i++)
		pthread_join(workers[i].tid, NULL);
	if (opts.mode != MODE_IDLE)
		secs = (double)(now_ns() - t0) / 1e9;
	report(secs, reload_ms);
	return 0;
}
