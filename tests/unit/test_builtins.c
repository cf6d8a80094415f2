/*
 * test_builtins.c: services/ builtins, pure helpers and stream I/O over a
 * real socketpair on a real event_base.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>

#include "builtin.h"
#include "connpoll.h"

#define LINELEN		74	/* 72 characters + CRLF */
#define BIGLEN		(1024 * 1024)

struct pair {
	struct event_base	*base;
	struct connpoll		*cp;
	int			 peer;	/* the test's end */
	int			 fd;	/* handed to the builtin */
	int			 ndone;
};

static void	done_cb(void *);
static int	pair_setup(void **);
static int	pair_teardown(void **);
static void	loop_for(struct event_base *, long);
static size_t	drain(int, char *, size_t);
static double	cpu_seconds(void);
static struct builtin_conn *start(struct pair *, const char *);

/*
 * Counts calls so tests can insist on exactly one, and ends the loop's
 * dispatch: the poll set keeps the base busy for the next connection.
 */
static void
done_cb(void *arg)
{
	struct pair	*p = arg;

	p->ndone++;
	event_base_loopbreak(p->base);
}

/* A fresh base and a non-blocking, close-on-exec socketpair. */
static int
pair_setup(void **state)
{
	struct pair	*p = calloc(1, sizeof(*p));
	int		 sv[2];

	assert_non_null(p);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0, sv), 0);
	p->peer = sv[0];
	p->fd = sv[1];
	assert_non_null(p->base = event_base_new());
	assert_non_null(p->cp = connpoll_new(p->base));
	*state = p;
	return 0;
}

/* The builtin closed its own fd; we close ours. */
static int
pair_teardown(void **state)
{
	struct pair	*p = *state;

	if (p->peer != -1)
		close(p->peer);
	connpoll_free(p->cp);
	event_base_free(p->base);
	free(p);
	return 0;
}

/* Start builtin name on the pair's fd; it must not be done yet. */
static struct builtin_conn *
start(struct pair *p, const char *name)
{
	struct builtin_conn	*c;

	c = builtin_stream_start(builtin_find(name), p->cp, p->fd,
	    done_cb, p);
	assert_non_null(c);
	assert_int_equal(p->ndone, 0);
	return c;
}

/* Run the loop for ms milliseconds of wall time (or until idle). */
static void
loop_for(struct event_base *base, long ms)
{
	struct timeval	 tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

/* Read whatever is there now, up to max. */
static size_t
drain(int fd, char *buf, size_t max)
{
	size_t	 got = 0;
	ssize_t	 n;

	while (got < max && (n = read(fd, buf + got, max - got)) > 0)
		got += n;
	return got;
}

/* User plus system CPU time of this process. */
static double
cpu_seconds(void)
{
	struct rusage	 ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* Lookups by name, names list, socket types. */
static void
test_find(void **state)
{
	const char * const	*names = builtin_names();
	size_t			 i;

	for (i = 0; names[i] != NULL; i++) {
		assert_non_null(builtin_find(names[i]));
		assert_string_equal(builtin_name(builtin_find(names[i])),
		    names[i]);
		assert_true(builtin_supports(builtin_find(names[i]),
		    SOCK_STREAM));
		assert_true(builtin_supports(builtin_find(names[i]),
		    SOCK_DGRAM));
		assert_false(builtin_supports(builtin_find(names[i]),
		    SOCK_SEQPACKET));
	}
	assert_int_equal(i, 5);
	assert_null(builtin_find("nosuch"));
	assert_null(builtin_find(NULL));
	assert_null(builtin_find(""));
	assert_null(builtin_find("Echo"));
	assert_false(builtin_supports(NULL, SOCK_STREAM));
	assert_null(builtin_name(NULL));
}

/* Known instants, in UTC (TZ is set in main). */
static void
test_daytime_format(void **state)
{
	char	 buf[64];

	assert_int_equal(daytime_format(0, buf, sizeof(buf)), 26);
	assert_memory_equal(buf, "Thu Jan  1 00:00:00 1970\r\n", 26);
	assert_int_equal(daytime_format(1700000000, buf, sizeof(buf)), 26);
	assert_memory_equal(buf, "Tue Nov 14 22:13:20 2023\r\n", 26);
	assert_int_equal(daytime_format(951782400, buf, 26), 26);
	assert_memory_equal(buf, "Tue Feb 29 00:00:00 2000\r\n", 26);
	/* Too small: nothing rather than half a timestamp. */
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(daytime_format(0, buf, 25), 0);
	assert_int_equal(buf[0], 'x');
	assert_int_equal(daytime_format(0, buf, 0), 0);
}

/* 1900 epoch, and the 2036 wrap of 32 bits. */
static void
test_time_rfc868(void **state)
{
	assert_int_equal(time_rfc868(0), 2208988800U);
	assert_int_equal(time_rfc868(1), 2208988801U);
	assert_int_equal(time_rfc868(-2208988800LL), 0);
	assert_int_equal(time_rfc868(1700000000), 3908988800U);
	/* 2036-02-07 06:28:16 UTC is 2^32 seconds after 1900. */
	assert_int_equal(time_rfc868(2085978496LL), 0);
	assert_int_equal(time_rfc868(2085978497LL), 1);
}

/* Each line: 72 printable chars rotating by one per line, then CRLF. */
static void
test_chargen_lines(void **state)
{
	char	 buf[LINELEN * 200];
	size_t	 line, col;

	assert_int_equal(chargen_fill(0, buf, sizeof(buf)), sizeof(buf));
	assert_memory_equal(buf, " !\"#$%&'()*+,-./0123456789:;<=>?@"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefg\r\n", LINELEN);
	assert_memory_equal(buf + LINELEN, "!\"#", 3);
	for (line = 0; line < 200; line++) {
		for (col = 0; col < 72; col++)
			assert_int_equal(buf[line * LINELEN + col],
			    ' ' + (line + col) % 95);
		assert_int_equal(buf[line * LINELEN + 72], '\r');
		assert_int_equal(buf[line * LINELEN + 73], '\n');
	}
	/* The pattern repeats every 95 lines. */
	assert_memory_equal(buf, buf + 95 * LINELEN, 105 * LINELEN);
}

/* Filling in odd pieces gives the same stream as one big fill. */
static void
test_chargen_continuity(void **state)
{
	static char	 whole[LINELEN * 300], parts[LINELEN * 300];
	size_t		 pos = 0, step = 1;

	chargen_fill(0, whole, sizeof(whole));
	while (pos < sizeof(parts)) {
		if (step > sizeof(parts) - pos)
			step = sizeof(parts) - pos;
		assert_int_equal(chargen_fill(pos, parts + pos, step), step);
		pos += step;
		step = step * 7 % 331 + 1;
	}
	assert_memory_equal(whole, parts, sizeof(whole));
	assert_int_equal(chargen_fill(12345, parts, 0), 0);
	/* Far positions follow the 95-line period. */
	chargen_fill(1000000000000ULL, parts, LINELEN);
	chargen_fill(1000000000000ULL % (95 * LINELEN), whole, LINELEN);
	assert_memory_equal(parts, whole, LINELEN);
}

/* echo: the whole request (up to a full UDP datagram), cut only to max. */
static void
test_dgram_echo(void **state)
{
	const struct builtin	*bi = builtin_find("echo");
	static char		 req[BUILTIN_DGRAM_MAX + 100];
	static char		 reply[BUILTIN_DGRAM_MAX + 100];
	size_t			 i;

	for (i = 0; i < sizeof(req); i++)
		req[i] = i * 13;
	assert_int_equal(builtin_dgram_reply(bi, "hello", 5, reply,
	    sizeof(reply), 0), 5);
	assert_memory_equal(reply, "hello", 5);
	assert_int_equal(builtin_dgram_reply(bi, req, 100, reply, 10, 0), 10);
	assert_memory_equal(reply, req, 10);
	/* 1400 bytes come back whole (they came back as 512 before). */
	assert_int_equal(builtin_dgram_reply(bi, req, 1400, reply,
	    sizeof(reply), 0), 1400);
	assert_memory_equal(reply, req, 1400);
	memset(reply, 0, sizeof(reply));
	assert_int_equal(builtin_dgram_reply(bi, req, sizeof(req), reply,
	    sizeof(reply), 0), BUILTIN_DGRAM_MAX);
	assert_memory_equal(reply, req, BUILTIN_DGRAM_MAX);
	assert_int_equal(reply[BUILTIN_DGRAM_MAX], 0);
	assert_int_equal(builtin_dgram_reply(bi, req, 0, reply, 100, 0), 0);
	assert_int_equal(builtin_dgram_reply(bi, req, 10, reply, 0, 0), 0);
	assert_int_equal(builtin_dgram_reply(NULL, req, 10, reply, 100, 0),
	    0);
}

/* discard answers nothing and writes nothing. */
static void
test_dgram_discard(void **state)
{
	char	 reply[16];

	memset(reply, 'x', sizeof(reply));
	assert_int_equal(builtin_dgram_reply(builtin_find("discard"), "abc",
	    3, reply, sizeof(reply), 0), 0);
	assert_int_equal(reply[0], 'x');
}

/* daytime: the line, or nothing if max cannot hold it. */
static void
test_dgram_daytime(void **state)
{
	const struct builtin	*bi = builtin_find("daytime");
	char			 reply[BUILTIN_DGRAM_MAX];

	assert_int_equal(builtin_dgram_reply(bi, "", 0, reply, sizeof(reply),
	    0), 26);
	assert_memory_equal(reply, "Thu Jan  1 00:00:00 1970\r\n", 26);
	assert_int_equal(builtin_dgram_reply(bi, "x", 1, reply, 20, 0), 0);
}

/* time: four bytes, network order; nothing if they do not fit. */
static void
test_dgram_time(void **state)
{
	const struct builtin	*bi = builtin_find("time");
	unsigned char		 reply[8];

	assert_int_equal(builtin_dgram_reply(bi, "", 0, reply, sizeof(reply),
	    0), 4);
	/* 2208988800 = 0x83aa7e80 */
	assert_int_equal(reply[0], 0x83);
	assert_int_equal(reply[1], 0xaa);
	assert_int_equal(reply[2], 0x7e);
	assert_int_equal(reply[3], 0x80);
	assert_int_equal(builtin_dgram_reply(bi, "", 0, reply, 3, 0), 0);
}

/* chargen: deterministic, never over max or RFC 864's 512, on pattern. */
static void
test_dgram_chargen(void **state)
{
	const struct builtin	*bi = builtin_find("chargen");
	char			 req[1500], a[1024], b[1024];
	size_t			 len, n, i, nonzero = 0;

	memset(req, 'q', sizeof(req));
	for (len = 0; len <= sizeof(req); len++) {
		n = builtin_dgram_reply(bi, req, len, a, sizeof(a), 0);
		assert_true(n <= CHARGEN_DGRAM_MAX);
		assert_int_equal(builtin_dgram_reply(bi, req, len, b,
		    sizeof(b), 99), n);
		assert_memory_equal(a, b, n);
		for (i = 0; i < n; i++)
			assert_true((a[i] >= ' ' && a[i] <= '~') ||
			    a[i] == '\r' || a[i] == '\n');
		if (n > 0) {
			nonzero++;
			assert_int_not_equal(a[0], '\r');
		}
		assert_true(builtin_dgram_reply(bi, req, len, a, 7, 0) <= 7);
	}
	assert_true(nonzero > sizeof(req) / 2);
}

/* Stream echo: what we write comes back, EOF ends it with one done. */
static void
test_stream_echo(void **state)
{
	struct pair	*p = *state;
	char		 buf[64];

	assert_int_equal(write(p->peer, "early", 5), 5);
	start(p, "echo");
	/* Read on start: the early bytes are back before the loop ran. */
	assert_int_equal(read(p->peer, buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "early", 5);
	assert_int_equal(write(p->peer, "hello, world", 12), 12);
	loop_for(p->base, 50);
	assert_int_equal(drain(p->peer, buf, sizeof(buf)), 12);
	assert_memory_equal(buf, "hello, world", 12);
	assert_int_equal(shutdown(p->peer, SHUT_WR), 0);
	event_base_dispatch(p->base);	/* returns once the conn is gone */
	assert_int_equal(p->ndone, 1);
	assert_int_equal(read(p->peer, buf, sizeof(buf)), 0);
}

/*
 * Echo backpressure: a peer that writes a lot and reads nothing stalls
 * the echo instead of making it buffer; all bytes come back in order.
 */
static void
test_stream_echo_backpressure(void **state)
{
	struct pair	*p = *state;
	static char	 out[BIGLEN], in[BIGLEN];
	size_t		 sent = 0, got = 0, i;
	ssize_t		 n;
	int		 stalled = 0;

	for (i = 0; i < sizeof(out); i++)
		out[i] = i % 251;
	start(p, "echo");
	while (sent < sizeof(out) && !stalled) {
		n = write(p->peer, out + sent, sizeof(out) - sent);
		if (n > 0)
			sent += n;
		else
			stalled = errno == EAGAIN && sent > 0;
		event_base_loop(p->base, EVLOOP_NONBLOCK);
	}
	assert_true(stalled);
	assert_true(sent < sizeof(out));
	/* Still stalled after more loop turns: nothing is queued inside. */
	loop_for(p->base, 20);
	assert_int_equal(write(p->peer, out + sent, 1), -1);
	while (got < sent) {
		got += drain(p->peer, in + got, sent - got);
		event_base_loop(p->base, EVLOOP_NONBLOCK);
	}
	assert_int_equal(got, sent);
	assert_memory_equal(in, out, sent);
	close(p->peer);
	p->peer = -1;
	event_base_dispatch(p->base);
	assert_int_equal(p->ndone, 1);
}

/* Discard swallows everything until EOF. */
static void
test_stream_discard(void **state)
{
	struct pair	*p = *state;
	static char	 junk[100000];
	char		 c;

	start(p, "discard");
	memset(junk, 'j', sizeof(junk));
	assert_true(write(p->peer, junk, sizeof(junk)) > 0);
	loop_for(p->base, 20);
	assert_int_equal(read(p->peer, &c, 1), -1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(p->ndone, 0);
	shutdown(p->peer, SHUT_WR);
	event_base_dispatch(p->base);
	assert_int_equal(p->ndone, 1);
}

/* Daytime and time answer and close; done comes from the loop. */
static void
test_stream_daytime_time(void **state)
{
	struct pair	*p = *state;
	char		 buf[64];
	uint32_t	 t;
	int		 sv[2];

	start(p, "daytime");
	event_base_dispatch(p->base);
	assert_int_equal(p->ndone, 1);
	assert_int_equal(drain(p->peer, buf, sizeof(buf)), 26);
	assert_memory_equal(buf + 24, "\r\n", 2);
	assert_int_equal(read(p->peer, buf, 1), 0);

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK,
	    0, sv), 0);
	close(p->peer);
	p->peer = sv[0];
	p->fd = sv[1];
	p->ndone = 0;
	start(p, "time");
	event_base_dispatch(p->base);
	assert_int_equal(p->ndone, 1);
	assert_int_equal(drain(p->peer, buf, sizeof(buf)), 4);
	memcpy(&t, buf, 4);
	t = ntohl(t) - time_rfc868(time(NULL));
	assert_true(t == 0 || t == (uint32_t)-1);
}

/*
 * Chargen against a peer that stops reading: the loop goes idle (no busy
 * retry), what arrived is bounded by the socket buffers plus one conn
 * buffer, and the stream resumes, in order, once the peer reads again.
 */
static void
test_stream_chargen_backpressure(void **state)
{
	struct pair	*p = *state;
	static char	 in[4 * BIGLEN], want[4 * BIGLEN];
	int		 sz = 16384;
	socklen_t	 sl = sizeof(sz);
	size_t		 got, more;
	double		 cpu;

	setsockopt(p->fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(p->peer, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	start(p, "chargen");
	cpu = cpu_seconds();
	loop_for(p->base, 300);
	cpu = cpu_seconds() - cpu;
	print_message("chargen: %.3fs CPU over 0.3s stalled\n", cpu);
	assert_true(cpu < 0.15);
	assert_int_equal(p->ndone, 0);

	got = drain(p->peer, in, sizeof(in));
	getsockopt(p->fd, SOL_SOCKET, SO_SNDBUF, &sz, &sl);
	assert_true(got > 0);
	assert_true(got <= 4 * (size_t)sz + 4096 * 16);
	/* Peer reads again: the stream continues exactly where it was. */
	loop_for(p->base, 20);
	more = drain(p->peer, in + got, sizeof(in) - got);
	assert_true(more > 0);
	got += more;
	chargen_fill(0, want, got);
	assert_memory_equal(in, want, got);

	close(p->peer);
	p->peer = -1;
	event_base_dispatch(p->base);
	assert_int_equal(p->ndone, 1);
}

/* Abort from outside: the conn's loop notices, done comes exactly once. */
static void
test_stream_abort(void **state)
{
	struct pair		*p = *state;
	struct builtin_conn	*c;
	static const char *const names[] = { "echo", "discard", "chargen" };
	char			 buf[4096];
	size_t			 i;
	int			 sv[2];

	for (i = 0; i < 3; i++) {
		if (i > 0) {
			assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM |
			    SOCK_NONBLOCK, 0, sv), 0);
			close(p->peer);
			p->peer = sv[0];
			p->fd = sv[1];
			p->ndone = 0;
		}
		c = start(p, names[i]);
		loop_for(p->base, 10);
		assert_int_equal(p->ndone, 0);
		builtin_conn_abort(c);
		assert_int_equal(p->ndone, 0);
		event_base_dispatch(p->base);
		assert_int_equal(p->ndone, 1);
		while (read(p->peer, buf, sizeof(buf)) > 0)
			;
		loop_for(p->base, 10);
		assert_int_equal(p->ndone, 1);
	}
}

/* A NULL builtin still closes the fd it was handed. */
static void
test_stream_bad(void **state)
{
	struct pair	*p = *state;
	char		 c;

	assert_null(builtin_stream_start(NULL, p->cp, p->fd, done_cb, p));
	assert_int_equal(read(p->peer, &c, 1), 0);
	assert_int_equal(p->ndone, 0);
	assert_int_equal(builtin_dgram_reply(builtin_find("echo"), NULL, 5,
	    &c, 1, 0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_daytime_format),
		cmocka_unit_test(test_time_rfc868),
		cmocka_unit_test(test_chargen_lines),
		cmocka_unit_test(test_chargen_continuity),
		cmocka_unit_test(test_dgram_echo),
		cmocka_unit_test(test_dgram_discard),
		cmocka_unit_test(test_dgram_daytime),
		cmocka_unit_test(test_dgram_time),
		cmocka_unit_test(test_dgram_chargen),
		cmocka_unit_test_setup_teardown(test_stream_echo,
		    pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(test_stream_echo_backpressure,
		    pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(test_stream_discard,
		    pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(test_stream_daytime_time,
		    pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(test_stream_chargen_backpressure,
		    pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(test_stream_abort,
		    pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(test_stream_bad,
		    pair_setup, pair_teardown),
	};

	/* daytime is local time; pin it so the expected strings hold. */
	setenv("TZ", "UTC0", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
