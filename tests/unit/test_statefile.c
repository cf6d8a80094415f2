/*
 * test_statefile.c: daemon/statefile.c, the running-request table on
 * disk: what is written reads back the same, and every bad file is
 * refused with its line and reason.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "statefile.h"

static char	dir[] = "/tmp/test_statefile.XXXXXX";
static char	path[64];

static void
sample(struct state_req *r)
{
	memset(r, 0, sizeof(*r));
	r->id = 42;
	snprintf(r->service, sizeof(r->service), "my service%%");
	snprintf(r->proto, sizeof(r->proto), "tcp");
	r->kind = STATE_WAIT;
	r->pid = 4321;
	r->pstart = 99887766;
	r->start = 1767000000;
	r->age_ms = 1500;
	r->timeout_ms = 28500;
	r->term = 1;
	snprintf(r->peer, sizeof(r->peer), "2001:db8::1");
	r->port = 40000;
	snprintf(r->token, sizeof(r->token), "0123456789abcdef0123456789abcdef");
	r->fd = 7;
	r->ufd = 8;
	r->slot = 1;
	snprintf(r->bound.addr, sizeof(r->bound.addr), "::");
	r->bound.port = 41234;
	r->bound.v6only = 0;
	snprintf(r->cgroup, sizeof(r->cgroup),
	    "/sys/fs/cgroup/my superd/echo.tcp/req-42");
}

static void
write_text(const char *text)
{
	FILE	*f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
test_roundtrip(void **state)
{
	struct statefile	sf, back;
	struct state_req	r, u;
	struct state_lease	l, b;
	struct state_handoff	h;
	const struct state_bconn *bb;
	struct state_bconn	b1 = { 43, 7400, 120, 3120 };
	struct state_bconn	b0 = { 44, 0, 0, 0 };
	struct state_conn	cn;
	struct state_count	c, e;
	char			err[256];
	size_t			i;

	(void)state;
	statefile_init(&sf);
	sf.pid = 812;
	sf.pstart = 4242;
	sf.written = 1767000001;
	sf.next_id = 99;
	sf.upgrade = 1;
	sf.control_fd = 9;
	sample(&r);
	assert_int_equal(statefile_add_req(&sf, &r), 0);
	memset(&u, 0, sizeof(u));
	u.id = 43;
	snprintf(u.service, sizeof(u.service), "echo");
	snprintf(u.proto, sizeof(u.proto), "unix");
	u.kind = STATE_BUILTIN;
	snprintf(u.peer, sizeof(u.peer), "uid=1000");
	u.port = -1;
	u.fd = -1;
	u.ufd = -1;
	assert_int_equal(statefile_add_req(&sf, &u), 0);
	assert_int_equal(statefile_add_listen(&sf, "echo", "udp", 5), 0);
	memset(&l, 0, sizeof(l));
	l.id = 3;
	snprintf(l.name, sizeof(l.name), "app");
	snprintf(l.proto, sizeof(l.proto), "unix");
	snprintf(l.addr, sizeof(l.addr), "/run/my app/sock");
	l.ttl = 60;
	l.expires_ms = 123456;
	l.uid = 1000;
	l.gid = 100;
	l.pid = 77;
	l.export = 1;
	snprintf(l.tags[0], sizeof(l.tags[0]), "version=2");
	snprintf(l.tags[1], sizeof(l.tags[1]), "path=/a b%%");
	l.ntags = 2;
	assert_int_equal(statefile_add_lease(&sf, &l), 0);
	/* Bound to a connection: no TTL, no expiry, its groups. */
	memset(&b, 0, sizeof(b));
	b.id = 4;
	snprintf(b.name, sizeof(b.name), "bound");
	snprintf(b.proto, sizeof(b.proto), "tcp");
	snprintf(b.addr, sizeof(b.addr), "127.0.0.1");
	b.port = 80;
	b.uid = 1000;
	b.gid = 100;
	b.pid = 78;
	b.conn = 12;
	b.groups[0] = 24;
	b.groups[1] = 4294967294L;
	b.ngroups = 2;
	assert_int_equal(statefile_add_lease(&sf, &b), 0);
	memset(&cn, 0, sizeof(cn));
	snprintf(cn.srv, sizeof(cn.srv), "/run/my dir/directory.sock");
	cn.fd = 13;
	cn.closing = 1;
	cn.at = 100;
	cn.in = 5;
	cn.out = 70000;
	cn.state = 31;
	assert_int_equal(statefile_add_conn(&sf, &cn), 0);
	sf.connbuf_fd = 12;
	memset(&h, 0, sizeof(h));
	snprintf(h.service, sizeof(h.service), "tftp");
	snprintf(h.proto, sizeof(h.proto), "udp");
	h.id = 9;
	snprintf(h.peer, sizeof(h.peer), "10.0.0.2");
	h.port = 3000;
	h.len = 100;
	for (i = 0; i < sizeof(h.head); i++)
		h.head[i] = (unsigned char)(i * 7);
	assert_int_equal(statefile_add_handoff(&sf, &h), 0);
	sf.socks[sf.nsocks++] = 11;
	sf.dir_next = 77;
	assert_int_equal(statefile_add_bconn(&sf, &b1), 0);
	assert_int_equal(statefile_add_bconn(&sf, &b0), 0);
	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "requests");
	snprintf(c.service, sizeof(c.service), "my echo");
	snprintf(c.proto, sizeof(c.proto), "tcp");
	c.v[0] = 12;
	c.v[1] = UINT64_MAX;
	c.v[2] = 0;
	c.nv = 3;
	assert_int_equal(statefile_add_count(&sf, &c), 0);
	memset(&e, 0, sizeof(e));
	snprintf(e.name, sizeof(e.name), "none");
	assert_int_equal(statefile_add_count(&sf, &e), 0);
	assert_int_equal(statefile_write(path, &sf, err, sizeof(err)), 0);
	assert_int_equal(statefile_read(path, &back, err, sizeof(err)), 0);
	assert_int_equal(back.version, STATEFILE_VERSION);
	assert_int_equal(back.pid, 812);
	assert_int_equal(back.pstart, 4242);
	assert_int_equal(back.next_id, 99);
	assert_int_equal(back.upgrade, 1);
	assert_int_equal(back.control_fd, 9);
	assert_int_equal(back.nreqs, 2);
	assert_memory_equal(&back.reqs[0], &r, sizeof(r));
	assert_memory_equal(&back.reqs[1], &u, sizeof(u));
	assert_int_equal(back.nls, 1);
	assert_string_equal(back.ls[0].service, "echo");
	assert_string_equal(back.ls[0].proto, "udp");
	assert_int_equal(back.ls[0].fd, 5);
	assert_int_equal(back.nleases, 2);
	assert_memory_equal(&back.leases[0], &l, sizeof(l));
	assert_memory_equal(&back.leases[1], &b, sizeof(b));
	assert_int_equal(back.nconns, 1);
	assert_memory_equal(&back.conns[0], &cn, sizeof(cn));
	assert_int_equal(back.connbuf_fd, 12);
	assert_int_equal(back.nhos, 1);
	assert_memory_equal(&back.hos[0], &h, sizeof(h));
	assert_int_equal(back.nsocks, 1);
	assert_int_equal(back.socks[0], 11);
	assert_int_equal(back.dir_next, 77);
	assert_int_equal(back.nbcs, 2);
	assert_non_null(bb = statefile_bconn(&back, 43));
	assert_memory_equal(bb, &b1, sizeof(b1));
	assert_non_null(bb = statefile_bconn(&back, 44));
	assert_memory_equal(bb, &b0, sizeof(b0));
	assert_null(statefile_bconn(&back, 45));
	assert_int_equal(back.ncounts, 2);
	assert_memory_equal(&back.counts[0], &c, sizeof(c));
	assert_memory_equal(&back.counts[1], &e, sizeof(e));
	statefile_clear(&sf);
	statefile_clear(&back);
}

static void
test_missing(void **state)
{
	struct statefile	sf;
	char			err[256];

	(void)state;
	unlink(path);
	assert_int_equal(statefile_read(path, &sf, err, sizeof(err)), 1);
}

/* A version 2 header, then line, into buf. */
static void
hdr2(char *buf, size_t len, const char *line)
{
	snprintf(buf, len, "superd version=2 pid=1 pstart=2 written=3 next=1 "
	    "upgrade=0\n%s", line);
}

/* text must be refused at line with reason. */
static void
refused(const char *text, unsigned line, const char *reason)
{
	struct statefile	sf;
	char			err[256], want[128];

	write_text(text);
	assert_int_equal(statefile_read(path, &sf, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:%u: %s", path, line, reason);
	assert_string_equal(err, want);
	assert_int_equal(sf.nreqs, 0);
}


static void
test_refused(void **state)
{
	char	hdr[128], buf[512];

	(void)state;
	snprintf(hdr, sizeof(hdr), "superd version=%d pid=1 pstart=2 "
	    "written=3 next=1 upgrade=0\n", STATEFILE_VERSION);
	refused("", 1, "an empty file");
	snprintf(buf, sizeof(buf), "superd version=%d pid=1 pstart=2 "
	    "written=3 next=1 upgrade=0\n", STATEFILE_VERSION + 1);
	refused(buf, 1, "a format version this superd does not read");
	refused("superd version=0 pid=1 pstart=2 written=3 next=1 upgrade=0\n",
	    1, "a format version this superd does not read");
	snprintf(buf, sizeof(buf), "%sbound id=5 addr=1.2.3.4 port=9 v6only=0\n",
	    hdr);
	refused(buf, 2, "a line of no request listed before it");
	snprintf(buf, sizeof(buf), "%sreq id=1 service=a proto=tcp kind=exec "
	    "pid=5 pstart=1 start=1 age=1 timeout=0 term=0 peer=- port=-1 "
	    "token=- fds=-1:-1 slot=0\nbound id=1 addr=1.2.3.4 port=9 "
	    "v6only=0\n", hdr);
	refused(buf, 3, "a bound socket of a request not in wait mode");
	snprintf(buf, sizeof(buf), "%sreq id=1 service=a proto=tcp kind=exec "
	    "pid=5 pstart=1 start=1 age=1 timeout=0 term=0 peer=- port=-1 "
	    "token=- fds=-1:-1 slot=0\ncgroup id=1 path=req-1\n", hdr);
	refused(buf, 3, "a cgroup path that is not absolute");
	refused("listen service=a proto=tcp fd=3\n", 1,
	    "no \"superd version=N\" header first");
	snprintf(buf, sizeof(buf), "%sreq id=1 service=a\n", hdr);
	refused(buf, 2, "a field is missing");
	snprintf(buf, sizeof(buf), "%sreq id=1 service=a proto=tcp kind=odd "
	    "pid=5 pstart=1 start=1 age=1 timeout=0 term=0 peer=- port=-1 "
	    "token=- fds=-1:-1 slot=0\n", hdr);
	refused(buf, 2, "an unknown kind of request");
	snprintf(buf, sizeof(buf), "%sreq id=1 service=a proto=tcp kind=exec "
	    "pid=0 pstart=1 start=1 age=1 timeout=0 term=0 peer=- port=-1 "
	    "token=- fds=-1:-1 slot=0\n", hdr);
	refused(buf, 2, "a handler without a pid");
	snprintf(buf, sizeof(buf), "%sreq id=1 service=a%%zz proto=tcp "
	    "kind=exec pid=9 pstart=1 start=1 age=1 timeout=0 term=0 peer=- "
	    "port=-1 token=- fds=-1:-1 slot=0\n", hdr);
	refused(buf, 2, "a bad %XX escape");
	snprintf(buf, sizeof(buf), "%slisten service=a proto=tcp fd=x\n", hdr);
	refused(buf, 2, "a number is malformed or out of range");
	snprintf(buf, sizeof(buf), "%stag lease=4 kv=a=b\n", hdr);
	refused(buf, 2, "a tag of no lease listed before it");
	snprintf(buf, sizeof(buf), "%shandoff service=t proto=udp id=1 "
	    "peer=1.2.3.4 port=5 len=2 head=00\n", hdr);
	refused(buf, 2, "head does not match len");
	snprintf(buf, sizeof(buf), "%sgroup lease=4 gid=24\n", hdr);
	refused(buf, 2, "a group of no lease listed before it");
	snprintf(buf, sizeof(buf), "%slease id=4 name=a proto=tcp addr=- "
	    "port=1 prio=0 weight=0 ttl=0 expires=0 uid=0 gid=0 pid=1 "
	    "export=0 conn=0\n", hdr);
	refused(buf, 2, "a lease neither with a TTL nor bound to a connection");
	snprintf(buf, sizeof(buf), "%sconn srv=/a fd=3 closing=0 at=0 in=0 "
	    "out=0\n", hdr);
	refused(buf, 2, "a field is missing");
	snprintf(buf, sizeof(buf), "%sbconn id=3 pos=0 at=0 len=70000\n", hdr);
	refused(buf, 2, "a number is malformed or out of range");
	snprintf(buf, sizeof(buf), "%sbogus a=1\n", hdr);
	refused(buf, 2, "an unknown record");
	/* Count records came with version 2. */
	refused("superd version=1 pid=1 pstart=2 written=3 next=1 upgrade=0\n"
	    "count name=a service=- proto=- v=1\n", 2, "an unknown record");
	hdr2(buf, sizeof(buf), "count name=a service=- proto=- v=1:\n");
	refused(buf, 2, "a counter is malformed or out of range");
	hdr2(buf, sizeof(buf), "count name=a service=- proto=- v=1::2\n");
	refused(buf, 2, "a counter is malformed or out of range");
	hdr2(buf, sizeof(buf), "count name=a service=- proto=- v=-1\n");
	refused(buf, 2, "a counter is malformed or out of range");
	hdr2(buf, sizeof(buf), "count name=a service=- proto=- "
	    "v=18446744073709551616\n");
	refused(buf, 2, "a counter is malformed or out of range");
	hdr2(buf, sizeof(buf), "count name=a service=- proto=- v=0:1:2:3:4:5:"
	    "6:7:8:9:0:1:2:3:4:5:6:7:8:9:0:1:2:3:4:5:6:7:8:9:0:1:2\n");
	refused(buf, 2, "too many counters in one record");
}

/* A version 1 file (no bound, cgroup or count records) is read as well. */
static void
test_version1(void **state)
{
	struct statefile	sf;
	char			err[256];

	(void)state;
	write_text("superd version=1 pid=1 pstart=2 written=3 next=7 "
	    "upgrade=0\nreq id=1 service=a proto=tcp kind=wait pid=5 pstart=1 "
	    "start=1 age=1 timeout=0 term=0 peer=- port=-1 token=- fds=-1:-1 "
	    "slot=0\n");
	assert_int_equal(statefile_read(path, &sf, err, sizeof(err)), 0);
	assert_int_equal(sf.version, 1);
	assert_int_equal(sf.nreqs, 1);
	assert_int_equal(sf.reqs[0].bound.port, 0);
	assert_string_equal(sf.reqs[0].cgroup, "");
	assert_int_equal(sf.next_id, 7);
	assert_int_equal(sf.ncounts, 0);
	statefile_clear(&sf);
}

/* --handover-version: every version read; the check wants ours. */
static void
test_versions_line(void **state)
{
	char	buf[128];
	FILE	*f;

	(void)state;
	f = fmemopen(buf, sizeof(buf), "w");
	assert_non_null(f);
	statefile_versions_print(f);
	fclose(f);
	assert_string_equal(buf, "superd handover 1 2\n");
	assert_true(statefile_versions_read(buf));
	assert_true(statefile_versions_read("superd handover 2"));
	assert_false(statefile_versions_read("superd handover 1\n"));
	assert_false(statefile_versions_read("superd handover 12\n"));
	assert_false(statefile_versions_read("superd handover 2x\n"));
	assert_false(statefile_versions_read(""));
}

/* A process's start time tells a reused pid from the one recorded. */
static void
test_start_time(void **state)
{
	unsigned long long	me = proc_start_time(getpid());
	pid_t			pid;
	int			status;

	(void)state;
	assert_true(me > 0);
	assert_int_equal(proc_start_time(getpid()), me);
	if ((pid = fork()) == 0) {
		pause();
		_exit(0);
	}
	assert_true(pid > 0);
	assert_true(proc_start_time(pid) >= me);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	assert_int_equal(proc_start_time(pid), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_version1),
		cmocka_unit_test(test_versions_line),
		cmocka_unit_test(test_start_time),
	};
	int	rc;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/superd.state", dir);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(path);
	rmdir(dir);
	return rc;
}
