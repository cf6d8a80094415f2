/*
 * test_directory_server.c: the directory over a real UNIX socket (and the
 * read-only TCP one) on a real event_base: the protocol end to end,
 * garbage, empty and oversized requests, idle close, connection-bound
 * leases, paging, limits and stale socket files, and a connection
 * handed over as an upgrade does it (frozen, the server stopped and
 * started again, thawed).
 *
 * service.c is faked: three configured services.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>

#include "conf.h"
#include "directory.h"
#include "directory_server.h"
#include "linesrv.h"
#include "proto.h"
#include "log.h"
#include "service.h"

#define REPLY_MAX	(1 << 20)

static struct event_base	*base;
static struct superd_conf	 conf;
static char			 tmpdir[32];
static char			 sockpath[96];
static char			*reply;

static const struct service_info fake_services[] = {
	{ .name = "echo", .proto = "tcp", .address = "0.0.0.0", .port = 40123,
	  .dynamic = 1, .state = "listening", .oob_port = -1 },
	{ .name = "daytime", .proto = "udp", .address = "::1", .port = 13,
	  .state = "paused", .oob_port = 40999, .oob_dynamic = 1 },
	{ .name = "local", .proto = "unix", .address = "/run/local.sock",
	  .port = -1, .state = "listening", .oob_port = -1 },
	{ .name = "echo", .proto = "udp", .address = "*", .port = 7,
	  .state = "failed", .oob_port = -1 },
};
#define NFAKE	(sizeof(fake_services) / sizeof(fake_services[0]))
#define NOOB	1	/* daytime/oob: one more record */

void	 service_foreach_info(service_info_cb, void *);
int	 service_get_info(const char *, const char *, struct service_info *);

static double	 now(void);
static void	 pump(int);
static int	 xconnect(void);
static int	 tconnect(int);
static const char *xchg(int, const char *);
static const char *xchg_raw(int, const char *, size_t);
static int	 wait_eof(int, int);
static int	 setup(void **);
static int	 teardown(void **);
static int	 count_lines(const char *, const char *);
static int	 complete(const char *, size_t);

/* Fake of service.c: the configured services. */
void
service_foreach_info(service_info_cb cb, void *arg)
{
	size_t	i;

	for (i = 0; i < NFAKE; i++)
		cb(&fake_services[i], arg);
}

/* Fake of service.c: one configured service by name. */
int
service_get_info(const char *name, const char *proto,
    struct service_info *out)
{
	size_t	i;

	for (i = 0; i < NFAKE; i++)
		if (strcmp(fake_services[i].name, name) == 0 &&
		    (proto == NULL || strcmp(fake_services[i].proto, proto) ==
		    0)) {
			*out = fake_services[i];
			return 0;
		}
	return -1;
}

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Run the loop for about ms milliseconds. */
static void
pump(int ms)
{
	double	end = now() + ms / 1e3;

	do {
		event_base_loop(base, EVLOOP_NONBLOCK);
		usleep(1000);
	} while (now() < end);
}

/* A client of the UNIX socket. */
static int
xconnect(void)
{
	struct sockaddr_un	sun = { .sun_family = AF_UNIX };
	int			fd;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sockpath);
	assert_true((fd = socket(AF_UNIX, SOCK_STREAM, 0)) >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	pump(5);
	return fd;
}

/* A client of the TCP socket on 127.0.0.1:port. */
static int
tconnect(int port)
{
	struct sockaddr_in	sin = { .sin_family = AF_INET };
	int			fd;

	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true((fd = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	pump(5);
	return fd;
}

/* Is the last complete line of s an OK or ERR line? */
static int
complete(const char *s, size_t len)
{
	const char	*last;

	if (len == 0 || s[len - 1] != '\n')
		return 0;
	for (last = s + len - 1; last > s && last[-1] != '\n'; last--)
		;
	return strncmp(last, "OK ", 3) == 0 || strncmp(last, "ERR ", 4) == 0;
}

/* Send len bytes, run the loop until a whole reply (or EOF) is back. */
static const char *
xchg_raw(int fd, const char *req, size_t len)
{
	size_t	got = 0;
	ssize_t	n;
	double	end = now() + 3;

	if (len > 0)
		assert_int_equal(send(fd, req, len, MSG_NOSIGNAL), len);
	while (now() < end) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		n = recv(fd, reply + got, REPLY_MAX - 1 - got, MSG_DONTWAIT);
		if (n > 0)
			got += (size_t)n;
		if (n == 0 || complete(reply, got))
			break;
		if (n < 0)
			usleep(500);
	}
	reply[got] = '\0';
	return reply;
}

/* One request line (newline added), its reply. */
static const char *
xchg(int fd, const char *req)
{
	char	line[4096];

	snprintf(line, sizeof(line), "%s\n", req);
	return xchg_raw(fd, line, strlen(line));
}

/* Wait up to ms for the server to close fd: 1 closed, 0 still open. */
static int
wait_eof(int fd, int ms)
{
	char	buf[4096];
	double	end = now() + ms / 1e3;
	ssize_t	n;

	while (now() < end) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return 1;
		if (n < 0)
			usleep(1000);
	}
	return 0;
}

/* How many lines of s start with prefix. */
static int
count_lines(const char *s, const char *prefix)
{
	int	n = 0;

	for (; s != NULL && *s != '\0'; s = strchr(s, '\n'), s = s ? s + 1 :
	    NULL)
		if (strncmp(s, prefix, strlen(prefix)) == 0)
			n++;
	return n;
}

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/sdtest.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	/* A missing parent: the server creates it. */
	snprintf(sockpath, sizeof(sockpath), "%s/run/directory.sock", tmpdir);
	memset(&conf, 0, sizeof(conf));
	conf.directory_socket = sockpath;
	conf.dir_ttl_min = 1;
	conf.dir_ttl_max = 3600;
	conf.dir_max_entries = 400;
	conf.dir_max_per_uid = 64;
	conf.line = (struct line_limits){ 10, 5, 60, 32, 16, 0 };
	base = event_base_new();
	event_base_priority_init(base, 3);
	if (reply == NULL)
		reply = malloc(REPLY_MAX);
	return directory_start(base, &conf);
}

static int
teardown(void **state)
{
	char	cmd[128];

	(void)state;
	directory_stop();
	event_base_free(base);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The socket exists with mode 0666 in a directory we made 0755. */
static void
test_socket_file(void **state)
{
	struct stat	st;
	char		dir[128];

	(void)state;
	assert_int_equal(stat(sockpath, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0666);
	snprintf(dir, sizeof(dir), "%s/run", tmpdir);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0755);
	directory_stop();
	assert_int_equal(lstat(sockpath, &st), -1);
}

/* hello, lookup of configured services, merging and filters. */
static void
test_hello_lookup(void **state)
{
	int	fd = xconnect();
	char	want[64];

	(void)state;
	snprintf(want, sizeof(want), "OK 0 v=1 uid=%lu\n",
	    (unsigned long)getuid());
	assert_string_equal(xchg(fd, "hello v=1"), want);
	assert_string_equal(xchg(fd, "hello v=2"), "ERR EBADREQ unsupported "
	    "protocol version, this daemon speaks v=1\n");
	assert_string_equal(xchg(fd, "hello"), "ERR EBADREQ missing key v\n");
	xchg(fd, "lookup name=echo");
	assert_int_equal(count_lines(reply, "EP "), 2);
	assert_non_null(strstr(reply, "EP name=echo proto=tcp addr=0.0.0.0 "
	    "port=40123 source=dynamic state=listening uid="));
	assert_non_null(strstr(reply, "EP name=echo proto=udp addr=:: port=7 "
	    "source=static state=failed"));
	assert_non_null(strstr(reply, "expires=- prio=0 weight=1\n"));
	assert_non_null(strstr(reply, "\nOK 2\n"));
	xchg(fd, "lookup name=echo proto=udp");
	assert_int_equal(count_lines(reply, "EP "), 1);
	xchg(fd, "lookup name=local");
	assert_non_null(strstr(reply, "addr=/run/local.sock port=0 "));
	assert_string_equal(xchg(fd, "lookup name=nothere"),
	    "ERR ENOENT no endpoint named nothere\n");
	assert_string_equal(xchg(fd, "lookup name=echo proto=sctp"),
	    "ERR EBADREQ proto must be tcp, udp or unix\n");
	assert_string_equal(xchg(fd, "lookup name=Echo"), "ERR EBADREQ name "
	    "must be 1-15 characters of [a-z0-9-], not starting or ending "
	    "with '-'\n");
	assert_string_equal(xchg(fd, "lookup name=echo color=red"),
	    "ERR EBADREQ unknown key color for lookup\n");
	/* A service's OOB endpoint: NAME/oob, TCP on its address. */
	xchg(fd, "lookup name=daytime/oob");
	assert_non_null(strstr(reply, "EP name=daytime/oob proto=tcp addr=::1 "
	    "port=40999 source=dynamic state=paused"));
	assert_non_null(strstr(reply, "\nOK 1\n"));
	assert_string_equal(xchg(fd, "lookup name=echo/oob"),
	    "ERR ENOENT no endpoint named echo/oob\n");
	assert_string_equal(xchg(fd, "lookup name=echo/x"), "ERR EBADREQ name "
	    "must be 1-15 characters of [a-z0-9-], not starting or ending "
	    "with '-'\n");
	close(fd);
}

/* register, lookup, renew, unregister; refusals change nothing. */
static void
test_register(void **state)
{
	int		 fd = xconnect();
	const char	*r;

	(void)state;
	r = xchg(fd, "register name=myapp proto=tcp addr=127.0.0.1 port=41000 "
	    "ttl=30 prio=1 weight=5 tag.version=2");
	assert_string_equal(r, "OK 0 id=L1 ttl=30\n");
	r = xchg(fd, "register name=myapp proto=unix addr=/run/myapp.sock "
	    "port=0 ttl=99999");
	assert_string_equal(r, "OK 0 id=L2 ttl=3600\n");
	r = xchg(fd, "lookup name=myapp proto=tcp");
	assert_non_null(strstr(r, "EP name=myapp proto=tcp addr=127.0.0.1 "
	    "port=41000 source=registered state=live uid="));
	assert_non_null(strstr(r, " expires=30 prio=1 weight=5 tag.version=2\n"
	    "OK 1\n"));
	assert_string_equal(xchg(fd, "renew id=L1"), "OK 0 ttl=30\n");
	assert_string_equal(xchg(fd, "renew id=L99"),
	    "ERR ENOENT no such lease\n");
	assert_string_equal(xchg(fd, "renew id=17"),
	    "ERR EBADREQ id must be L<number>\n");
	assert_string_equal(xchg(fd, "renew"), "ERR EBADREQ missing key id\n");
	assert_string_equal(xchg(fd, "unregister id=L1"), "OK 0\n");
	assert_string_equal(xchg(fd, "unregister id=L1"),
	    "ERR ENOENT no such lease\n");
	xchg(fd, "lookup name=myapp");
	assert_int_equal(count_lines(reply, "EP "), 1);
	/* A configured service's name belongs to nobody. */
	assert_string_equal(xchg(fd, "register name=echo proto=tcp "
	    "addr=127.0.0.1 port=7 ttl=5"),
	    "ERR EPERM name belongs to a configured service\n");
	assert_string_equal(xchg(fd, "register name=x proto=tcp addr=1.2.3.4"),
	    "ERR EBADREQ missing key port\n");
	assert_string_equal(xchg(fd, "register name=x proto=tcp addr=1.2.3.4 "
	    "port=70000"), "ERR EBADREQ port must be a number 0-65535\n");
	assert_string_equal(xchg(fd, "register name=x proto=tcp addr=host "
	    "port=7"), "ERR EBADREQ addr must be a numeric IPv4 or IPv6 "
	    "address\n");
	assert_string_equal(xchg(fd, "register name=x proto=tcp addr=::1 "
	    "port=7 tag.a=1 tag.b=2 tag.c=3 tag.d=4 tag.e=5 tag.f=6 tag.g=7 "
	    "tag.h=8 tag.i=9"), "ERR EBADREQ more than 8 tags\n");
	assert_string_equal(xchg(fd, "register name=x proto=tcp addr=::1 "
	    "port=7 owner=me"), "ERR EBADREQ unknown key owner for register\n");
	assert_string_equal(xchg(fd, "lookup name=x"),
	    "ERR ENOENT no endpoint named x\n");
	close(fd);
}

/* Garbage and empty lines get one ERR each; the connection goes on. */
static void
test_garbage(void **state)
{
	int	fd = xconnect();
	char	want[128];

	(void)state;
	snprintf(want, sizeof(want), "OK 0 v=1 uid=%lu\nERR ENOENT no "
	    "endpoint named nothere\n", (unsigned long)getuid());
	assert_string_equal(xchg_raw(fd, "\n", 1), "ERR EBADREQ empty "
	    "request\n");
	assert_string_equal(xchg_raw(fd, "\x01\x02\xff\n", 4), "ERR EBADREQ "
	    "control or non-ASCII byte in request\n");
	assert_string_equal(xchg_raw(fd, "he\0lo\n", 6), "ERR EBADREQ NUL "
	    "byte in request\n");
	assert_string_equal(xchg(fd, "GET / HTTP/1.0"), "ERR EBADREQ command "
	    "is not a lower-case word\n");
	assert_string_equal(xchg(fd, "hello v=1;"), "ERR EBADREQ character "
	    "outside [A-Za-z0-9._:/@%+=-] in request\n");
	assert_string_equal(xchg(fd, "frobnicate"), "ERR EBADREQ unknown "
	    "command (hello, register, renew, unregister, lookup, list)\n");
	assert_string_equal(xchg(fd, "hello v=1\r"), "ERR EBADREQ control or "
	    "non-ASCII byte in request\n");
	/* Two requests in one write: two replies, in order. */
	assert_int_equal(send(fd, "hello v=1\nlookup name=nothere\n", 30, 0),
	    30);
	pump(50);
	assert_string_equal(xchg_raw(fd, NULL, 0), want);
	close(fd);
}

/* 1023 bytes + "\n" is a request; one byte more is ETOOBIG and close. */
static void
test_oversized(void **state)
{
	char	*big = malloc(1 << 20);
	int	 fd = xconnect();

	(void)state;
	memset(big, 'a', 1 << 20);
	memcpy(big, "lookup name=", 12);
	big[1023] = '\n';
	assert_string_equal(xchg_raw(fd, big, 1024), "ERR EBADREQ name must "
	    "be 1-15 characters of [a-z0-9-], not starting or ending with "
	    "'-'\n");
	big[1023] = 'a';
	big[1024] = '\n';
	assert_string_equal(xchg_raw(fd, big, 1025), "ERR ETOOBIG request line "
	    "longer than 1024 bytes\n");
	assert_true(wait_eof(fd, 2000));
	close(fd);
	/* A megabyte with no newline at all. */
	fd = xconnect();
	(void)send(fd, big, 1 << 20, MSG_NOSIGNAL | MSG_DONTWAIT);
	assert_string_equal(xchg_raw(fd, NULL, 0), "ERR ETOOBIG request line "
	    "longer than 1024 bytes\n");
	assert_true(wait_eof(fd, 2000));
	close(fd);
	/* Still serving. */
	fd = xconnect();
	assert_non_null(strstr(xchg(fd, "hello v=1"), "OK 0 v=1"));
	close(fd);
	free(big);
}

/* Idle connections close; one holding a bound lease stays. */
static void
test_idle(void **state)
{
	int	idle, holder, other;

	(void)state;
	conf.line.idle_timeout = 1;	/* line-idle-timeout = 1 */
	directory_reconfigure(&conf);
	idle = xconnect();
	holder = xconnect();
	assert_string_equal(xchg(holder, "register name=held proto=tcp "
	    "addr=127.0.0.1 port=5000"), "OK 0 id=L1 ttl=0\n");
	assert_true(wait_eof(idle, 2000));
	assert_false(wait_eof(holder, 600));
	other = xconnect();
	assert_non_null(strstr(xchg(other, "lookup name=held"), "expires=-"));
	assert_non_null(strstr(xchg(holder, "hello v=1"), "OK 0"));
	/* Once its lease is gone, it is an idle connection like any other. */
	assert_string_equal(xchg(holder, "unregister id=L1"), "OK 0\n");
	assert_true(wait_eof(holder, 2000));
	close(idle);
	close(holder);
	close(other);
}

/* A connection-bound lease goes with its connection; a TTL one stays. */
static void
test_conn_bound(void **state)
{
	int	a = xconnect(), b = xconnect();

	(void)state;
	assert_string_equal(xchg(a, "register name=bound proto=tcp "
	    "addr=127.0.0.1 port=5000 ttl=0"), "OK 0 id=L1 ttl=0\n");
	assert_string_equal(xchg(a, "register name=bound proto=tcp "
	    "addr=127.0.0.1 port=5001 ttl=60"), "OK 0 id=L2 ttl=60\n");
	xchg(b, "lookup name=bound");
	assert_int_equal(count_lines(reply, "EP "), 2);
	close(a);
	pump(50);
	xchg(b, "lookup name=bound");
	assert_int_equal(count_lines(reply, "EP "), 1);
	assert_non_null(strstr(reply, "port=5001"));
	/* Half-close: the reply still comes, then the bound lease goes. */
	a = xconnect();
	assert_string_equal(xchg(a, "register name=half proto=udp "
	    "addr=::1 port=53"), "OK 0 id=L3 ttl=0\n");
	(void)send(a, "lookup name=half\n", 17, MSG_NOSIGNAL);
	shutdown(a, SHUT_WR);
	assert_non_null(strstr(xchg_raw(a, NULL, 0), "OK 1\n"));
	assert_true(wait_eof(a, 2000));
	close(a);
	assert_string_equal(xchg(b, "lookup name=half"),
	    "ERR ENOENT no endpoint named half\n");
	close(b);
}

/* A connection as an upgrade keeps it: its bytes copied, its socket dup'ed. */
struct kept {
	struct linesrv_frozen	 f;
	char			 in[PROTO_LINE_MAX], out[4096];
	char			 state[LINESRV_STATE_MAX];
};

static void
keep_conn(const struct linesrv_frozen *f, void *arg)
{
	struct kept	*k = arg;

	if (strncmp(f->state, "id=2 ", 5) != 0)
		return;		/* only connection 2 is handed over */
	assert_true(f->inlen <= sizeof(k->in) && f->outlen <= sizeof(k->out));
	k->f = *f;
	assert_true((k->f.fd = dup(f->fd)) >= 0);
	if (f->inlen > 0)
		memcpy(k->in, f->in, f->inlen);
	if (f->outlen > 0)
		memcpy(k->out, f->out, f->outlen);
	snprintf(k->state, sizeof(k->state), "%s", f->state);
	k->f.in = k->in;
	k->f.out = k->out;
	k->f.state = k->state;
}

/* A lease as an upgrade keeps it. */
struct kept_lease {
	struct dir_reg	 r;
	struct dir_cred	 c;
	char		 name[DIR_NAME_MAX + 1], addr[DIR_ADDR_MAX];
};

static void
keep_lease(const struct dir_entry *e, void *arg)
{
	struct kept_lease	*l = arg;

	l += e->id - 1;
	memset(l, 0, sizeof(*l));
	snprintf(l->name, sizeof(l->name), "%s", e->name);
	snprintf(l->addr, sizeof(l->addr), "%s", e->addr);
	l->r.name = l->name;
	l->r.addr = l->addr;
	l->r.proto = e->proto;
	l->r.port = e->port;
	l->r.ttl = e->ttl;
	l->r.id = e->id;
	l->r.expires_ms = e->expires_ms;
	l->r.conn = e->conn;
	l->c.uid = e->uid;
	l->c.gid = e->gid;
	l->c.pid = e->pid;
}

/*
 * An upgrade: a connection handed over keeps its half line, its id and
 * the lease bound to it; a lease bound to a connection not handed over
 * is not restored; new connections get new ids.
 */
static void
test_upgrade(void **state)
{
	struct kept		k;
	struct kept_lease	l[2];
	int			a, b, c;

	(void)state;
	/* Connection 1 comes and goes: the new binary's ids start at 1. */
	close(xconnect());
	pump(10);
	a = xconnect();
	b = xconnect();
	assert_string_equal(xchg(a, "register name=bound proto=tcp "
	    "addr=127.0.0.1 port=5000 ttl=0"), "OK 0 id=L1 ttl=0\n");
	assert_string_equal(xchg(b, "register name=lost proto=tcp "
	    "addr=127.0.0.1 port=5001 ttl=0"), "OK 0 id=L2 ttl=0\n");
	assert_int_equal(send(a, "lookup na", 9, MSG_NOSIGNAL), 9);
	pump(20);
	memset(&k, 0, sizeof(k));
	k.f.fd = -1;
	linesrv_freeze_all(keep_conn, &k);
	assert_true(k.f.fd >= 0);
	assert_int_equal(k.f.inlen, 9);
	assert_non_null(strstr(k.state, " uid="));
	directory_foreach_lease(keep_lease, l);

	/* The new binary: a new table, the same socket path. */
	directory_stop();
	assert_int_equal(directory_start(base, &conf), 0);
	assert_int_equal(linesrv_thaw(&k.f), 0);
	assert_int_equal(directory_restore_lease(&l[0].r, &l[0].c), DIR_OK);
	assert_int_equal(directory_restore_lease(&l[1].r, &l[1].c),
	    DIR_ENOCONN);
	xchg(a, "me=bound");
	assert_int_equal(count_lines(reply, "EP name=bound "), 1);
	assert_non_null(strstr(reply, "OK 1\n"));
	assert_string_equal(xchg(a, "renew id=L1"), "OK 0 ttl=0\n");
	assert_true(wait_eof(b, 2000));
	close(b);

	/* A new connection's lease is not bound to the one handed over. */
	c = xconnect();
	assert_non_null(strstr(xchg(c, "register name=fresh proto=tcp "
	    "addr=127.0.0.1 port=5002 ttl=0"), " ttl=0\n"));
	close(a);
	pump(50);
	assert_string_equal(xchg(c, "lookup name=bound"),
	    "ERR ENOENT no endpoint named bound\n");
	assert_int_equal(count_lines(xchg(c, "lookup name=fresh"), "EP "), 1);
	close(c);
}

/* TTL leases vanish when due, through the timer. */
static void
test_expiry(void **state)
{
	int	fd = xconnect();

	(void)state;
	assert_string_equal(xchg(fd, "register name=brief proto=tcp "
	    "addr=127.0.0.1 port=6000 ttl=1"), "OK 0 id=L1 ttl=1\n");
	assert_non_null(strstr(xchg(fd, "lookup name=brief"), "expires=1"));
	pump(1200);
	assert_string_equal(xchg(fd, "lookup name=brief"),
	    "ERR ENOENT no endpoint named brief\n");
	close(fd);
}

/* list pages cover everything exactly once. */
static void
test_list(void **state)
{
	int		 fd = xconnect();
	char		 req[256], cursor[64] = "";
	const char	*next;
	int		 i, total = 0, pages = 0;

	(void)state;
	for (i = 0; i < 250; i++) {
		snprintf(req, sizeof(req), "register name=n%03d proto=tcp "
		    "addr=127.0.0.1 port=%d ttl=60", i % 50, 1000 + i);
		assert_non_null(strstr(xchg(fd, req), "OK 0 id=L"));
	}
	assert_string_equal(xchg(fd, "list limit=0"),
	    "ERR EBADREQ limit must be a number 1-200\n");
	assert_string_equal(xchg(fd, "list after=bogus"),
	    "ERR EBADREQ after must be a cursor from next=\n");
	do {
		if (cursor[0] != '\0')
			snprintf(req, sizeof(req), "list after=%s limit=70",
			    cursor);
		else
			snprintf(req, sizeof(req), "list limit=70");
		xchg(fd, req);
		total += count_lines(reply, "EP ");
		pages++;
		cursor[0] = '\0';
		if ((next = strstr(reply, " next=")) != NULL)
			sscanf(next + 6, "%63[^ \n]", cursor);
	} while (cursor[0] != '\0' && pages < 20);
	assert_int_equal(total, 250 + (int)NFAKE + NOOB);
	assert_int_equal(pages, 4);
	/* Default page size is 200. */
	xchg(fd, "list");
	assert_int_equal(count_lines(reply, "EP "), 200);
	assert_non_null(strstr(reply, "OK 200 next="));
	/* Configured services first within a name, sorted. */
	xchg(fd, "list limit=3");
	assert_true(strncmp(reply, "EP name=daytime", 15) == 0);
	assert_non_null(strstr(reply, "\nEP name=daytime/oob "));
	assert_non_null(strstr(reply, "OK 3 next=echo:s0\n"));
	xchg(fd, "list after=daytime/oob:s0 limit=1");
	assert_non_null(strstr(reply, "EP name=echo proto=tcp"));
	xchg(fd, "list after=echo:s0 limit=1");
	assert_non_null(strstr(reply, "EP name=echo proto=udp"));
	close(fd);
}

/* 32 connections at most; the 33rd is told why. */
static void
test_conn_limit(void **state)
{
	int	fds[33], i;

	(void)state;
	for (i = 0; i < 32; i++)
		fds[i] = xconnect();
	pump(20);
	fds[32] = xconnect();
	/* Root has no per-user cap, anyone else hits it at 16. */
	assert_true(strncmp(xchg_raw(fds[32], NULL, 0), "ERR EBUSY too many "
	    "connections", 30) == 0);
	assert_true(wait_eof(fds[32], 1000));
	for (i = 0; i < 33; i++)
		close(fds[i]);
	pump(20);
	fds[0] = xconnect();
	assert_non_null(strstr(xchg(fds[0], "hello v=1"), "OK 0"));
	close(fds[0]);
}

/* A client that sends and never reads cannot stall the others. */
static void
test_slow_reader(void **state)
{
	int	slow = xconnect(), fd = xconnect(), i;
	char	req[512];

	(void)state;
	for (i = 0; i < 100; i++) {
		snprintf(req, sizeof(req), "register name=s%d proto=tcp "
		    "addr=127.0.0.1 port=%d ttl=60 tag.pad=%0200d", i, 1000 + i,
		    0);
		xchg(fd, req);
	}
	for (i = 0; i < 500; i++)
		(void)send(slow, "list\n", 5, MSG_DONTWAIT | MSG_NOSIGNAL);
	pump(200);
	assert_non_null(strstr(xchg(fd, "hello v=1"), "OK 0"));
	close(slow);
	close(fd);
}

/* The TCP endpoint answers lookups and lists only, without uids. */
static void
test_remote(void **state)
{
	struct sockaddr_in	sin = { .sin_family = AF_INET };
	socklen_t		len = sizeof(sin);
	char			spec[64];
	int			port, fd, local, i, busy = 0;

	(void)state;
	/* A port the kernel says is free (closed again just before use). */
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	port = ntohs(sin.sin_port);
	close(fd);
	directory_stop();
	snprintf(spec, sizeof(spec), "127.0.0.1:%d", port);
	conf.directory_listen = spec;
	memcpy(&conf.dir_listen_addr, &sin, sizeof(sin));	/* conf.c's part */
	conf.dir_listen_len = sizeof(sin);
	assert_int_equal(directory_start(base, &conf), 0);
	local = xconnect();
	xchg(local, "register name=pub proto=tcp addr=127.0.0.1 port=8080 "
	    "ttl=60");
	fd = tconnect(port);
	assert_string_equal(xchg(fd, "hello v=1"), "OK 0 v=1\n");
	xchg(fd, "lookup name=pub");
	assert_non_null(strstr(reply, "EP name=pub proto=tcp addr=127.0.0.1 "
	    "port=8080 source=registered state=live expires="));
	assert_null(strstr(reply, "uid="));
	assert_string_equal(xchg(fd, "lookup name=local"),
	    "ERR ENOENT no endpoint named local\n");
	assert_string_equal(xchg(fd, "register name=evil proto=tcp "
	    "addr=127.0.0.1 port=22 ttl=60"), "ERR EPERM the remote directory "
	    "is read-only (hello, lookup, list)\n");
	assert_string_equal(xchg(fd, "unregister id=L1"), "ERR EPERM the "
	    "remote directory is read-only (hello, lookup, list)\n");
	/* The configured services but the unix one, and the lease. */
	xchg(fd, "list");
	assert_int_equal(count_lines(reply, "EP "), (int)NFAKE + NOOB - 1 + 1);
	/* The token bucket: a burst passes, a flood does not. */
	for (i = 0; i < 40; i++)
		if (strncmp(xchg(fd, "lookup name=pub"), "ERR EBUSY", 9) == 0)
			busy++;
	assert_true(busy > 10);
	close(fd);
	close(local);
	conf.directory_listen = NULL;
}

/* A stale socket file is replaced; a live one or a plain file is not. */
static void
test_stale(void **state)
{
	struct sockaddr_un	sun = { .sun_family = AF_UNIX };
	int			fd;

	(void)state;
	directory_stop();
	/* Live: another server holds the path. */
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sockpath);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(directory_start(base, &conf), -1);
	close(fd);
	/* Stale: bound then abandoned (the file is still the one above). */
	assert_int_equal(directory_start(base, &conf), 0);
	directory_stop();
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	assert_int_equal(directory_start(base, &conf), 0);
	fd = xconnect();
	assert_non_null(strstr(xchg(fd, "hello v=1"), "OK 0"));
	close(fd);
	directory_stop();
	/* Not a socket: left alone, start fails. */
	fd = open(sockpath, O_CREAT | O_WRONLY, 0600);
	close(fd);
	assert_int_equal(directory_start(base, &conf), -1);
	unlink(sockpath);
	assert_int_equal(directory_start(base, &conf), 0);
}

/* Reload: a new path moves the socket, new limits apply. */
static void
test_reconfigure(void **state)
{
	struct superd_conf	c2 = conf;
	char			path2[96];
	struct stat		st;
	int			fd;

	(void)state;
	snprintf(path2, sizeof(path2), "%s/run/dir2.sock", tmpdir);
	c2.directory_socket = path2;
	c2.dir_max_per_uid = 1;
	directory_reconfigure(&c2);
	assert_int_equal(lstat(sockpath, &st), -1);
	snprintf(sockpath, sizeof(sockpath), "%s", path2);
	fd = xconnect();
	assert_non_null(strstr(xchg(fd, "hello v=1"), "OK 0"));
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_socket_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_hello_lookup, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_register, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oversized, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_idle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conn_bound, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upgrade, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conn_limit, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_slow_reader, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_remote, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reconfigure, setup,
		    teardown),
	};

	log_init(1, LOG_WARNING, "test_directory_server");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
