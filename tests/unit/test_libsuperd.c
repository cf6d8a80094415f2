/*
 * test_libsuperd.c: libsuperd reply parsing, formatting, JSON output,
 * RFC 2782 ordering, and the requests and connect-by-name fail-over
 * against a fake directory served by a thread on a real UNIX socket.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "client_priv.h"
#include "etcd.h"
#include "lookup.h"

/* A fake directory: answers each request line from a table. */
struct fake {
	char		 dir[64];
	char		 path[108];
	int		 lfd;
	pthread_t	 th;
	volatile int	 stop;
	const char	*req[8];	/* request (without "\n") */
	const char	*rep[8];	/* reply text; NULL: stay silent */
	int		 nreq;
	int		 served;
};

static struct fake	 fk;

static const char *
fake_answer(const char *line)
{
	for (int i = 0; i < fk.nreq; i++)
		if (strcmp(line, fk.req[i]) == 0)
			return fk.rep[i];
	return "ERR EBADREQ unknown request\n";
}

/* Serve one client until it closes. */
static void
fake_client(int fd)
{
	struct pollfd	pfd = { .fd = fd, .events = POLLIN };
	char		buf[2048], *nl;
	size_t		len = 0;
	ssize_t		n;

	/* Polling for stop: a failed test may leave its client open. */
	for (;;) {
		if (fk.stop)
			break;
		if (poll(&pfd, 1, 50) != 1)
			continue;
		if ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) <= 0)
			break;
		len += n;
		buf[len] = '\0';
		while ((nl = strchr(buf, '\n')) != NULL) {
			const char *rep;

			*nl = '\0';
			fk.served++;
			if ((rep = fake_answer(buf)) != NULL)
				(void)!write(fd, rep, strlen(rep));
			len -= nl + 1 - buf;
			memmove(buf, nl + 1, len + 1);
		}
	}
	close(fd);
}

static void *
fake_main(void *arg)
{
	struct pollfd	pfd = { .fd = fk.lfd, .events = POLLIN };
	int		fd;

	(void)arg;
	while (!fk.stop) {
		if (poll(&pfd, 1, 50) != 1)
			continue;
		if ((fd = accept(fk.lfd, NULL, NULL)) != -1)
			fake_client(fd);
	}
	return NULL;
}

static void
fake_on(const char *req, const char *rep)
{
	fk.req[fk.nreq] = req;
	fk.rep[fk.nreq] = rep;
	fk.nreq++;
}

static int
fake_setup(void **state)
{
	struct sockaddr_un	sun = { .sun_family = AF_UNIX };

	(void)state;
	memset(&fk, 0, sizeof(fk));
	snprintf(fk.dir, sizeof(fk.dir), "/tmp/test_libsuperd.XXXXXX");
	assert_non_null(mkdtemp(fk.dir));
	snprintf(fk.path, sizeof(fk.path), "%s/directory.sock", fk.dir);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", fk.path);
	fk.lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(fk.lfd >= 0);
	assert_int_equal(bind(fk.lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(fk.lfd, 8), 0);
	setenv(SUPERD_DIRECTORY_ENV, fk.path, 1);
	assert_int_equal(pthread_create(&fk.th, NULL, fake_main, NULL), 0);
	return 0;
}

static int
fake_teardown(void **state)
{
	(void)state;
	fk.stop = 1;
	pthread_join(fk.th, NULL);
	close(fk.lfd);
	unlink(fk.path);
	rmdir(fk.dir);
	unsetenv(SUPERD_DIRECTORY_ENV);
	return 0;
}

/* A loopback TCP listener; its port in *port. */
static int
listener(unsigned *port)
{
	struct sockaddr_in	sin = { .sin_family = AF_INET };
	socklen_t		len = sizeof(sin);
	int			fd;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

/* ---- reply parsing ---- */

static void
test_parse_endpoint_full(void **state)
{
	struct superd_endpoint	ep;

	(void)state;
	assert_int_equal(superd_parse_endpoint("EP name=myapp proto=tcp "
	    "addr=127.0.0.1 port=41000 source=registered state=live uid=1000 "
	    "pid=42 expires=27 prio=3 weight=5 future=x tag.version=2 "
	    "tag.empty=", &ep), 0);
	assert_string_equal(ep.name, "myapp");
	assert_string_equal(ep.proto, "tcp");
	assert_string_equal(ep.addr, "127.0.0.1");
	assert_int_equal(ep.port, 41000);
	assert_string_equal(ep.source, "registered");
	assert_string_equal(ep.state, "live");
	assert_int_equal(ep.uid, 1000);
	assert_int_equal(ep.pid, 42);
	assert_int_equal(ep.expires, 27);
	assert_int_equal(ep.prio, 3);
	assert_int_equal(ep.weight, 5);
	assert_int_equal(ep.ntags, 2);
	assert_string_equal(superd_endpoint_tag(&ep, "version"), "2");
	assert_string_equal(superd_endpoint_tag(&ep, "empty"), "");
	assert_null(superd_endpoint_tag(&ep, "future"));
	superd_endpoint_clear(&ep);
}

static void
test_parse_endpoint_minimal(void **state)
{
	struct superd_endpoint	ep;

	(void)state;
	assert_int_equal(superd_parse_endpoint("EP name=echo proto=tcp "
	    "addr=:: port=7 expires=-", &ep), 0);
	assert_int_equal(ep.uid, -1);
	assert_int_equal(ep.pid, -1);
	assert_int_equal(ep.expires, -1);
	assert_int_equal(ep.weight, 1);
	assert_int_equal(superd_parse_endpoint("EP name=x proto=unix "
	    "addr=/run/x.sock port=0", &ep), 0);
	assert_int_equal(superd_parse_endpoint("EP name=x proto=udp "
	    "addr=fe80::1%eth0 port=9", &ep), 0);
	assert_string_equal(ep.addr, "fe80::1%eth0");
}

static void
test_parse_endpoint_malformed(void **state)
{
	static const char *const bad[] = {
		"", "EP", "EP ", "XP name=a proto=tcp addr=1.2.3.4 port=1",
		"ep name=a proto=tcp addr=1.2.3.4 port=1",
		"EP  name=a proto=tcp addr=1.2.3.4 port=1",
		"EP name=a  proto=tcp addr=1.2.3.4 port=1",
		"EP name=a proto=tcp addr=1.2.3.4 port=1 ",
		"EP name=a proto=tcp addr=1.2.3.4",
		"EP proto=tcp addr=1.2.3.4 port=1",
		"EP name=a addr=1.2.3.4 port=1",
		"EP name=a proto=tcp port=1",
		"EP name=a proto=tcp addr=1.2.3.4 port=65536",
		"EP name=a proto=tcp addr=1.2.3.4 port=-1",
		"EP name=a proto=tcp addr=1.2.3.4 port=+1",
		"EP name=a proto=tcp addr=1.2.3.4 port=1x",
		"EP name=a proto=tcp addr=1.2.3.4 port=",
		"EP name=a proto=tcp addr=1.2.3.4 port=99999999999999999999999",
		"EP name=a proto=tcp addr=1.2.3.4 port=1 junk",
		"EP name=a proto=tcp addr=1.2.3.4 port=1 =v",
		"EP name= proto=tcp addr=1.2.3.4 port=1",
		"EP name=a name=b proto=tcp addr=1.2.3.4 port=1",
		"EP name=a proto=tcp addr=1.2.3.4 port=1 port=2",
		"EP name=a proto=sctp addr=1.2.3.4 port=1",
		"EP name=a proto=tcp addr=localhost port=1",
		"EP name=a proto=tcp addr=1.2.3.4.5 port=1",
		"EP name=a proto=tcp addr=fe80::1% port=1",
		"EP name=a proto=unix addr=relative.sock port=0",
		"EP name=a proto=tcp addr=1.2.3.4 port=1 uid=-5",
		"EP name=a proto=tcp addr=1.2.3.4 port=1 uid=4294967296",
		"EP name=a proto=tcp addr=1.2.3.4 port=1 pid=x",
		"EP name=a proto=tcp addr=1.2.3.4 port=1 expires=--",
		"EP name=a proto=tcp addr=1.2.3.4 port=1 expires=",
		"EP name=a proto=tcp addr=1.2.3.4 port=1 prio=70000",
		"EP name=a proto=tcp addr=1.2.3.4 port=1 weight=",
		"EP name=a proto=tcp addr=1.2.3.4 port=1 tag.=x",
		"EP name=a proto=tcp addr=1.2.3.4 port=1 tag.k=1 tag.k=2",
		"EP name=a proto=tcp addr=1.2.3.4 port=1 state=waytoolongstatename",
		"EP name=a proto=tcp addr=1.2.3.4 port=1\tx=y",
		"EP name=a proto=tcp addr=1.2.3.4 port=1 x=\x01",
		"EP name=a proto=tcp addr=1.2.3.4 port=1 x=\xc3\xa9",
		"EP name=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    " proto=tcp addr=1.2.3.4 port=1",
	};
	struct superd_endpoint	ep;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		if (superd_parse_endpoint(bad[i], &ep) != -1)
			fail_msg("accepted: \"%s\"", bad[i]);
		assert_int_equal(errno, EBADMSG);
		assert_null(ep.tags);
	}
	assert_int_equal(superd_parse_endpoint(NULL, &ep), -1);
}

static void
test_parse_status(void **state)
{
	struct superd_status	st;
	char			v[32];

	(void)state;
	assert_int_equal(superd_parse_status("OK 0", &st), 0);
	assert_true(st.ok);
	assert_int_equal(st.count, 0);
	assert_int_equal(superd_parse_status("OK 2 id=L17 ttl=30", &st), 0);
	assert_int_equal(st.count, 2);
	assert_int_equal(superd_status_get(&st, "ttl", v, sizeof(v)), 0);
	assert_string_equal(v, "30");
	assert_int_equal(superd_status_get(&st, "id", v, sizeof(v)), 0);
	assert_string_equal(v, "L17");
	assert_int_equal(superd_status_get(&st, "next", v, sizeof(v)), -1);
	assert_int_equal(superd_status_get(&st, "id", v, 3), -1);
	assert_int_equal(superd_parse_status("ERR ENOENT no such name", &st), 0);
	assert_false(st.ok);
	assert_string_equal(st.code, "ENOENT");
	assert_string_equal(st.text, "no such name");
	assert_int_equal(superd_parse_status("ERR EBUSY", &st), 0);
	assert_string_equal(st.text, "");
	assert_int_equal(sdc_errno_of("EQUOTA"), EDQUOT);
	assert_int_equal(sdc_errno_of("ENEWTHING"), EPROTO);
}

static void
test_parse_status_malformed(void **state)
{
	static const char *const bad[] = {
		"", "OK", "OK ", "OK 0 ", "OK x", "OK -1", "OK 1x", "OK 1 junk",
		"OK 1  a=b", "OK 1 a=b ", "OK 1 =b", "ok 0", "OK\t0",
		"OK 99999999999", "ERR", "ERR ", "ERR lower text",
		"ERR ETOOLONGCODEXXXXXX text", "ERR EX text\x01", "EP name=a",
		"WAT",
	};
	struct superd_status	st;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (superd_parse_status(bad[i], &st) != -1)
			fail_msg("accepted: \"%s\"", bad[i]);
}

/* ---- formatting and JSON ---- */

static void
test_format(void **state)
{
	struct superd_endpoint	ep = { .port = 40123 };
	char			buf[SUPERD_ENDPOINT_STRLEN];

	(void)state;
	strcpy(ep.proto, "tcp");
	strcpy(ep.addr, "127.0.0.1");
	assert_int_equal(superd_endpoint_format(&ep, buf, sizeof(buf)), 19);
	assert_string_equal(buf, "127.0.0.1:40123/tcp");
	strcpy(ep.addr, "::1");
	superd_endpoint_format(&ep, buf, sizeof(buf));
	assert_string_equal(buf, "[::1]:40123/tcp");
	strcpy(ep.proto, "udp");
	strcpy(ep.addr, "fe80::1%eth0");
	superd_endpoint_format(&ep, buf, sizeof(buf));
	assert_string_equal(buf, "[fe80::1%eth0]:40123/udp");
	strcpy(ep.proto, "unix");
	strcpy(ep.addr, "/run/x.sock");
	superd_endpoint_format(&ep, buf, sizeof(buf));
	assert_string_equal(buf, "unix:/run/x.sock");
	assert_int_equal(superd_endpoint_format(&ep, buf, 5), -1);
}

/* out_json_string(s) into a string. */
static char *
json_of(const char *s)
{
	static char	*buf;
	size_t		 len;
	FILE		*fp;

	free(buf);
	fp = open_memstream(&buf, &len);
	out_json_string(fp, s);
	fclose(fp);
	return buf;
}

static void
test_json_escape(void **state)
{
	(void)state;
	assert_string_equal(json_of("plain"), "\"plain\"");
	assert_string_equal(json_of("a\"b\\c"), "\"a\\\"b\\\\c\"");
	assert_string_equal(json_of("l1\nl2\tx\r"), "\"l1\\nl2\\tx\\r\"");
	/* jansson: upper-case hex; DEL needs no escape in JSON. */
	assert_string_equal(json_of("\x01\x1f\x7f"), "\"\\u0001\\u001F\x7f\"");
	assert_string_equal(json_of("caf\xc3\xa9 \xe2\x82\xac"),
	    "\"caf\xc3\xa9 \xe2\x82\xac\"");
	/* Invalid UTF-8: U+FFFD per byte, written as UTF-8 by jansson. */
#define FFFD	"\xef\xbf\xbd"
	assert_string_equal(json_of("bad\xff"), "\"bad" FFFD "\"");
	assert_string_equal(json_of("\xc0\xaf"), "\"" FFFD FFFD "\"");
	assert_string_equal(json_of("\xed\xa0\x80"),
	    "\"" FFFD FFFD FFFD "\"");
	assert_string_equal(json_of("cut\xe2\x82"), "\"cut" FFFD FFFD "\"");
	assert_string_equal(json_of(""), "\"\"");
	free(json_of(""));
}

static void
test_json_output(void **state)
{
	struct superd_eplist	l = { 0 };
	struct superd_endpoint	ep;
	char			*buf;
	size_t			 len;
	FILE			*fp;

	(void)state;
	assert_int_equal(superd_parse_endpoint("EP name=myapp proto=tcp "
	    "addr=127.0.0.1 port=41000 source=registered state=live uid=1000 "
	    "expires=27 prio=0 weight=1 tag.version=2", &ep), 0);
	assert_int_equal(sdc_eplist_push(&l, &ep), 0);
	fp = open_memstream(&buf, &len);
	out_json(fp, &l);
	fclose(fp);
	assert_string_equal(buf, "{\"v\":1,\"entries\":[{\"name\":\"myapp\","
	    "\"proto\":\"tcp\",\"address\":\"127.0.0.1\",\"port\":41000,"
	    "\"source\":\"registered\",\"state\":\"live\",\"uid\":1000,"
	    "\"pid\":null,\"expires_in\":27,\"prio\":0,\"weight\":1,"
	    "\"tags\":{\"version\":\"2\"}}]}\n");
	free(buf);
	superd_eplist_free(&l);
	fp = open_memstream(&buf, &len);
	out_json(fp, &l);
	fclose(fp);
	assert_string_equal(buf, "{\"v\":1,\"entries\":[]}\n");
	free(buf);
}

/* ---- etcd ---- */

/* etcd_b64(s) as text; the caller frees. */
static char *
b64(const char *s, size_t len)
{
	json_t	*j = etcd_b64(s, len);
	char	*t = strdup(json_string_value(j));

	json_decref(j);
	return t;
}

static void
test_etcd_b64(void **state)
{
	static const char *const plain[] = { "", "f", "fo", "foo", "foob",
	    "fooba", "foobar" };
	static const char *const enc[] = { "", "Zg==", "Zm8=", "Zm9v",
	    "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
	char	*t, *back;
	size_t	 len;

	(void)state;
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		t = b64(plain[i], strlen(plain[i]));
		assert_string_equal(t, enc[i]);
		back = etcd_unb64(t, &len);
		assert_int_equal(len, strlen(plain[i]));
		assert_string_equal(back, plain[i]);
		free(back);
		free(t);
	}
	t = b64("\xff\xfe\x00", 3);
	assert_string_equal(t, "//4A");
	free(t);
	assert_null(etcd_unb64("Zm9v!", NULL));
	/* The end of a prefix range: its last byte plus one. */
	{
		json_t	*j = etcd_prefix_end("/superd/v1/");

		t = b64("/superd/v10", 11);
		assert_string_equal(json_string_value(j), t);
		json_decref(j);
		free(t);
	}
	assert_true(etcd_url_ok("http://127.0.0.1:2379"));
	assert_true(etcd_url_ok("http://[::1]:2379/"));
	assert_true(etcd_url_ok("https://127.0.0.1:2379"));
	assert_true(etcd_url_tls("https://127.0.0.1:2379"));
	assert_false(etcd_url_tls("http://127.0.0.1:2379"));
	assert_false(etcd_url_ok("ftp://127.0.0.1:2379"));
	assert_false(etcd_url_ok("http://h:2379/v3"));
	assert_false(etcd_url_ok("127.0.0.1:2379"));
}

/* An endpoint of host h on port, prio p, weight 1. */
static void
mk_host(struct superd_endpoint *ep, unsigned port, unsigned p, const char *h)
{
	memset(ep, 0, sizeof(*ep));
	ep->port = port;
	ep->prio = p;
	ep->weight = 1;
	ep->tags = calloc(1, sizeof(*ep->tags));
	ep->tags[0].key = strdup("host");
	ep->tags[0].value = strdup(h);
	ep->ntags = 1;
}

/* By prio first; within one prio, this host's before the others'. */
static void
test_order_local(void **state)
{
	struct superd_endpoint	ep[5];

	(void)state;
	for (int round = 0; round < 20; round++) {
		mk_host(&ep[0], 1, 10, "beta");
		mk_host(&ep[1], 2, 10, "alpha");
		mk_host(&ep[2], 3, 5, "gamma");
		mk_host(&ep[3], 4, 10, "beta");
		mk_host(&ep[4], 5, 10, "alpha");
		sdc_order_local(ep, 5, "alpha");
		assert_int_equal(ep[0].port, 3);
		assert_true((ep[1].port == 2 && ep[2].port == 5) ||
		    (ep[1].port == 5 && ep[2].port == 2));
		assert_true(ep[3].port == 1 || ep[3].port == 4);
		assert_true(ep[4].port == 1 || ep[4].port == 4);
		for (int i = 0; i < 5; i++)
			superd_endpoint_clear(&ep[i]);
	}
}

/* ---- RFC 2782 ordering ---- */

static uint32_t
fixed_rand(void *arg)
{
	return *(uint32_t *)arg;
}

static void
mk(struct superd_endpoint *ep, unsigned port, unsigned prio, unsigned w)
{
	memset(ep, 0, sizeof(*ep));
	ep->port = port;
	ep->prio = prio;
	ep->weight = w;
}

static void
test_order_prio(void **state)
{
	struct superd_endpoint	eps[5];
	uint32_t		r = 0;

	(void)state;
	mk(&eps[0], 1, 20, 1);
	mk(&eps[1], 2, 10, 1);
	mk(&eps[2], 3, 30, 1);
	mk(&eps[3], 4, 10, 1);
	mk(&eps[4], 5, 0, 0);
	sdc_order(eps, 5, fixed_rand, &r);
	assert_int_equal(eps[0].port, 5);
	assert_int_equal(eps[1].prio, 10);
	assert_int_equal(eps[2].prio, 10);
	assert_int_equal(eps[3].port, 1);
	assert_int_equal(eps[4].port, 3);
}

static void
test_order_weight(void **state)
{
	struct superd_endpoint	eps[3];
	uint32_t		r;

	(void)state;
	/* r = 1 + rnd % sum: rnd 0 picks the first weighted entry. */
	mk(&eps[0], 1, 0, 10);
	mk(&eps[1], 2, 0, 0);
	mk(&eps[2], 3, 0, 30);
	r = 0;
	sdc_order(eps, 3, fixed_rand, &r);
	assert_int_equal(eps[0].port, 1);
	assert_int_equal(eps[1].port, 3);
	assert_int_equal(eps[2].port, 2);	/* weight 0: last resort */
	/* Sum 40, r = 12 is past the 10-weight: the 30-weight wins. */
	mk(&eps[0], 1, 0, 10);
	mk(&eps[1], 2, 0, 0);
	mk(&eps[2], 3, 0, 30);
	r = 11;
	sdc_order(eps, 3, fixed_rand, &r);
	assert_int_equal(eps[0].port, 3);
	assert_int_equal(eps[1].port, 1);
	assert_int_equal(eps[2].port, 2);
	/* All zero: order kept. */
	mk(&eps[0], 1, 0, 0);
	mk(&eps[1], 2, 0, 0);
	sdc_order(eps, 2, fixed_rand, &r);
	assert_int_equal(eps[0].port, 1);
}

static void
test_order_distribution(void **state)
{
	struct superd_endpoint	eps[2];
	int			first3 = 0;

	(void)state;
	for (int i = 0; i < 4000; i++) {
		mk(&eps[0], 1, 0, 1);
		mk(&eps[1], 3, 0, 3);
		superd_order(eps, 2);
		first3 += eps[0].port == 3;
	}
	/* Expect 75%: allow a generous band, the draw is random. */
	assert_in_range(first3, 2700, 3300);
}

/* ---- requests against the fake directory ---- */

static void
test_lookup(void **state)
{
	struct superd_eplist	 l = { 0 };
	struct superd		*h;

	(void)state;
	fake_on("lookup name=echo", "EP name=echo proto=tcp addr=127.0.0.1 "
	    "port=7 source=static state=listening expires=- prio=0 weight=1\n"
	    "EP name=echo proto=tcp addr=::1 port=7 source=static "
	    "state=listening expires=- prio=0 weight=1\nOK 2\n");
	fake_on("lookup name=nope", "ERR ENOENT no such name\n");
	fake_on("lookup name=zero", "OK 0\n");
	fake_on("hello v=1", "OK 0 v=1 uid=1234\n");
	assert_non_null(h = superd_open(NULL, 2000));
	assert_int_equal(superd_lookup(h, "echo", NULL, &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.ep[1].addr, "::1");
	assert_int_equal(superd_lookup(h, "nope", NULL, &l), -1);
	assert_int_equal(errno, ENOENT);
	assert_string_equal(superd_errcode(h), "ENOENT");
	assert_int_equal(superd_lookup(h, "zero", NULL, &l), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(l.n, 2);
	assert_int_equal(superd_lookup(h, "bad name", NULL, &l), -1);
	assert_int_equal(errno, EINVAL);
	/* The handle stays usable after ERR replies. */
	uid_t uid = 0;
	assert_int_equal(superd_hello(h, &uid), 0);
	assert_int_equal(uid, 1234);
	superd_close(h);
	superd_eplist_free(&l);
}

static void
test_register(void **state)
{
	struct superd_reg	 r = { .name = "myapp", .proto = "tcp",
				    .addr = "127.0.0.1", .port = 41000,
				    .ttl = 30, .prio = -1, .weight = 2 };
	const char		*tags[] = { "version=2" };
	char			 id[SUPERD_ID_MAX];
	unsigned		 ttl = 0;
	struct superd		*h;

	(void)state;
	r.tags = tags;
	r.ntags = 1;
	fake_on("register name=myapp proto=tcp addr=127.0.0.1 port=41000 "
	    "ttl=30 weight=2 tag.version=2", "OK 0 id=L17 ttl=25\n");
	fake_on("renew id=L17", "OK 0 ttl=25\n");
	fake_on("unregister id=L17", "OK 0\n");
	fake_on("unregister id=L18", "ERR EPERM not yours\n");
	assert_non_null(h = superd_open(fk.path, 2000));
	assert_int_equal(superd_register(h, &r, id, &ttl), 0);
	assert_string_equal(id, "L17");
	assert_int_equal(ttl, 25);
	assert_int_equal(superd_renew(h, id, &ttl), 0);
	assert_int_equal(superd_unregister(h, id), 0);
	assert_int_equal(superd_unregister(h, "L18"), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(superd_unregister(h, "L1 x"), -1);
	assert_int_equal(errno, EINVAL);
	tags[0] = "noequals";
	assert_int_equal(superd_register(h, &r, id, &ttl), -1);
	assert_int_equal(errno, EINVAL);
	superd_close(h);
}

static void
test_list_pages(void **state)
{
	struct superd_eplist	 l = { 0 };
	struct superd		*h;

	(void)state;
	fake_on("list limit=200", "EP name=a proto=tcp addr=0.0.0.0 port=1\n"
	    "OK 1 next=c1\n");
	fake_on("list after=c1 limit=200",
	    "EP name=b proto=udp addr=0.0.0.0 port=2\n"
	    "EP name=c proto=unix addr=/x port=0\nOK 2\n");
	assert_non_null(h = superd_open(NULL, 2000));
	assert_int_equal(superd_list(h, &l), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.ep[2].name, "c");
	superd_close(h);
	superd_eplist_free(&l);
}

static void
test_list_loop(void **state)
{
	struct superd_eplist	 l = { 0 };
	struct superd		*h;

	(void)state;
	fake_on("list limit=200", "OK 0 next=c1\n");
	fake_on("list after=c1 limit=200", "OK 0 next=c1\n");
	assert_non_null(h = superd_open(NULL, 2000));
	assert_int_equal(superd_list(h, &l), -1);
	assert_int_equal(errno, EBADMSG);
	superd_close(h);
	superd_eplist_free(&l);
}

/* A reply that breaks the rules must fail, and the handle stay failed. */
static void
check_bad_reply(const char *rep, int err)
{
	struct superd_eplist	 l = { 0 };
	struct superd		*h;

	fk.nreq = 0;
	fake_on("lookup name=x", rep);
	assert_non_null(h = superd_open(NULL, 300));
	assert_int_equal(superd_lookup(h, "x", NULL, &l), -1);
	assert_int_equal(errno, err);
	assert_int_equal(l.n, 0);
	assert_int_equal(superd_lookup(h, "x", NULL, &l), -1);
	assert_int_equal(errno, EPIPE);
	superd_close(h);
	superd_eplist_free(&l);
}

static void
test_bad_replies(void **state)
{
	(void)state;
	check_bad_reply("EP name=x proto=tcp addr=1.2.3.4 port=1\nOK 2\n",
	    EBADMSG);
	check_bad_reply("EP name=x proto=tcp addr=1.2.3.4 port=1\nOK 0\n",
	    EBADMSG);
	check_bad_reply("EP name=x proto=tcp addr=1.2.3.4\nOK 1\n", EBADMSG);
	check_bad_reply("EP name=y proto=tcp addr=1.2.3.4 port=1\nOK 1\n",
	    EBADMSG);
	check_bad_reply("hello\n", EBADMSG);
	check_bad_reply("OK 0 \n", EBADMSG);
	check_bad_reply("EP name=x proto=tcp addr=1.2.3.4 port=1", ETIMEDOUT);
	check_bad_reply(NULL, ETIMEDOUT);
}

static void
test_no_daemon(void **state)
{
	char	path[200];

	(void)state;
	snprintf(path, sizeof(path), "%s/none.sock", fk.dir);
	assert_null(superd_open(path, 500));
	assert_int_equal(errno, ENOENT);
	setenv(SUPERD_DIRECTORY_ENV, path, 1);
	assert_string_equal(superd_default_path(), path);
	assert_int_equal(superd_connect("echo", "tcp", 200,
	    SUPERD_CONNECT_ONCE), -1);
	assert_int_equal(errno, ENOENT);
	setenv(SUPERD_DIRECTORY_ENV, fk.path, 1);
}

/* ---- connect by name ---- */

static void
test_connect_failover(void **state)
{
	static char	 rep[512];
	unsigned	 live, dead;
	int		 lfd, dfd, fd, afd;

	(void)state;
	lfd = listener(&live);
	dfd = listener(&dead);
	close(dfd);		/* nobody listens there now: refused */
	/* The dead one has the better priority, so it is tried first. */
	snprintf(rep, sizeof(rep),
	    "EP name=svc proto=tcp addr=127.0.0.1 port=%u state=live prio=0 "
	    "weight=1\nEP name=svc proto=tcp addr=0.0.0.0 port=%u state=live "
	    "prio=1 weight=1\nEP name=svc proto=udp addr=127.0.0.1 port=%u "
	    "prio=0\nOK 3\n", dead, live, dead);
	fake_on("lookup name=svc", rep);
	fd = superd_connect("svc", NULL, 500, 0);
	assert_true(fd >= 0);
	afd = accept(lfd, NULL, NULL);
	assert_true(afd >= 0);
	assert_int_equal(write(fd, "x", 1), 1);
	char c;
	assert_int_equal(read(afd, &c, 1), 1);
	close(afd);
	close(fd);
	close(lfd);
	assert_int_equal(fk.served, 1);
}

static void
test_connect_all_dead(void **state)
{
	static char	 rep[256];
	unsigned	 dead;
	int		 dfd;

	(void)state;
	dfd = listener(&dead);
	close(dfd);
	snprintf(rep, sizeof(rep), "EP name=svc proto=tcp addr=127.0.0.1 "
	    "port=%u\nOK 1\n", dead);
	fake_on("lookup name=svc proto=tcp", rep);
	assert_int_equal(superd_connect("svc", "tcp", 500, 0), -1);
	assert_int_equal(errno, ECONNREFUSED);
	/* Three rounds: a fresh lookup each time, for replicas that moved. */
	assert_int_equal(fk.served, 3);
}

static void
test_connect_unix(void **state)
{
	struct sockaddr_un	 sun = { .sun_family = AF_UNIX };
	static char		 rep[300];
	int			 lfd, fd;

	(void)state;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/svc.sock", fk.dir);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	snprintf(rep, sizeof(rep), "EP name=u proto=unix addr=%s port=0\n"
	    "OK 1\n", sun.sun_path);
	fake_on("lookup name=u", rep);
	fd = superd_connect("u", NULL, 500, SUPERD_CONNECT_NONBLOCK);
	assert_true(fd >= 0);
	close(fd);
	close(lfd);
	unlink(sun.sun_path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_endpoint_full),
		cmocka_unit_test(test_parse_endpoint_minimal),
		cmocka_unit_test(test_parse_endpoint_malformed),
		cmocka_unit_test(test_parse_status),
		cmocka_unit_test(test_parse_status_malformed),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_json_escape),
		cmocka_unit_test(test_json_output),
		cmocka_unit_test(test_etcd_b64),
		cmocka_unit_test(test_order_local),
		cmocka_unit_test(test_order_prio),
		cmocka_unit_test(test_order_weight),
		cmocka_unit_test(test_order_distribution),
		cmocka_unit_test_setup_teardown(test_lookup, fake_setup,
		    fake_teardown),
		cmocka_unit_test_setup_teardown(test_register, fake_setup,
		    fake_teardown),
		cmocka_unit_test_setup_teardown(test_list_pages, fake_setup,
		    fake_teardown),
		cmocka_unit_test_setup_teardown(test_list_loop, fake_setup,
		    fake_teardown),
		cmocka_unit_test_setup_teardown(test_bad_replies, fake_setup,
		    fake_teardown),
		cmocka_unit_test_setup_teardown(test_no_daemon, fake_setup,
		    fake_teardown),
		cmocka_unit_test_setup_teardown(test_connect_failover,
		    fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_connect_all_dead,
		    fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_connect_unix, fake_setup,
		    fake_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
