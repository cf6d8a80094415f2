/*
 * test_request.c: daemon/request.c, one request from admission to its
 * end, over real sockets (socket pairs, UDP on 127.0.0.1) and a real
 * event loop.  Handler processes are faked through request_set_spawn;
 * the interrupt test forks a real child so that kill() has a target.
 *
 * What must hold on every path: an admitted request gives its ticket
 * back exactly once, and before the service's ended hook runs; by then
 * its session is out of the index and the counters are updated; the
 * hook is told what the request started under, not what the (maybe
 * reloaded) config says now; a request that never started (spawn
 * failure, refusal) leaves no session and calls no hook.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
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
#include <event2/event.h>

#include "builtin.h"
#include "conf.h"
#include "conf_parse.h"
#include "log.h"
#include "logq.h"
#include "policy.h"
#include "request.h"
#include "session.h"
#include "spawn.h"
#include "workers.h"

#define MAXREC		8
#define GUARD_SEC	10	/* a stuck loop fails the test, no more */
#define FAKE_PID	0x7ffffff0	/* beyond any pid_max: kill() misses */

/* What the ended hook saw, at the moment it ran. */
struct ended_rec {
	struct request_target	*rt;
	struct request_end	 e;
	unsigned		 running;	/* rt->running */
	int			 last_exit;	/* rt->last_exit */
	unsigned		 nsessions;	/* sessions_count() */
	int			 pid_found;	/* session_by_pid(watch pid) */
	int			 id_found;	/* session_by_id(watch id) */
	int			 readmitted;	/* the probe source admitted */
};

struct started_rec {
	int			 process;
	unsigned		 running;
	uint64_t		 accepted;
};

/* Everything the hooks and the fake spawn record. */
static struct {
	char			 order[MAXREC * 2 + 1];	/* "S", "E" */
	size_t			 norder;
	struct started_rec	 started[MAXREC];
	size_t			 nstarted;
	struct ended_rec	 ended[MAXREC];
	size_t			 nended;
	/* What the ended hook looks up. */
	pid_t			 watch_pid;
	uint64_t		 watch_id;
	struct sockaddr_storage	 probe;		/* re-admit this source */
	socklen_t		 probelen;
	int			 probe_datagram;
} rec;

/* The fake spawn_handler: what it was given, what it does. */
static struct {
	int	 fail;		/* return -1 */
	int	 fork_child;	/* a real child that waits for a signal */
	int	 keep_sock;	/* keep a copy of q->sock (the "handler") */
	pid_t	 next_pid;
	int	 calls;
	int	 sock;		/* q->sock as given */
	int	 kept;		/* the copy, or -1 */
	int	 systemd;
	char	 remote_addr[64];
	char	 session[33];
	pid_t	 child;		/* the forked child, until reaped */
} fake;

/* The test's own service. */
static struct {
	struct event_base	*base;
	struct service_conf	 sc;
	struct service_conf	 sc2;		/* a "reloaded" copy */
	struct acl_entry	 allow[2];
	struct request_target	 rt;
	int			 client;	/* our end, or -1 */
	struct workers		*workers;
} T;

static pthread_mutex_t	 loglock = PTHREAD_MUTEX_INITIALIZER;
static char		 logbuf[32768];
static size_t		 loglen;

static void	started_hook(struct request_target *, int);
static void	ended_hook(struct request_target *, const struct request_end *);

static const struct request_hooks hooks = { started_hook, ended_hook };

/* ---- hooks and fakes ---- */

/* Is the probe source admitted right now?  (The ticket is given back.) */
static int
probe_admitted(struct request_target *rt)
{
	struct policy_ticket	t;
	struct policy_req	q;

	memset(&q, 0, sizeof(q));
	q.peer = (struct sockaddr *)&rec.probe;
	q.peerlen = rec.probelen;
	q.datagram = rec.probe_datagram;
	if (policy_admit(rt->policy, rt->conf, &q, &t) != -1)
		return 0;
	policy_release(&t);
	return 1;
}

static void
started_hook(struct request_target *rt, int process)
{
	struct started_rec	*s;

	if (rec.nstarted < MAXREC) {
		s = &rec.started[rec.nstarted++];
		s->process = process;
		s->running = rt->running;
		s->accepted = rt->accepted;
	}
	if (rec.norder < MAXREC * 2)
		rec.order[rec.norder++] = 'S';
}

static void
ended_hook(struct request_target *rt, const struct request_end *e)
{
	struct ended_rec	*r;

	if (rec.norder < MAXREC * 2)
		rec.order[rec.norder++] = 'E';
	if (rec.nended >= MAXREC)
		return;
	r = &rec.ended[rec.nended++];
	r->rt = rt;
	r->e = *e;
	r->running = rt->running;
	r->last_exit = rt->last_exit;
	r->nsessions = sessions_count();
	r->pid_found = rec.watch_pid > 0 &&
	    session_by_pid(rec.watch_pid) != NULL;
	r->id_found = rec.watch_id > 0 && session_by_id(rec.watch_id) != NULL;
	r->readmitted = rec.probelen > 0 && probe_admitted(rt);
}

/* The handler "reads" its datagram, as a real one would from fd 0. */

/* A child in its own process group, as spawn.c makes them. */
static pid_t
fake_fork(void)
{
	pid_t	pid;

	if ((pid = fork()) == 0) {
		setpgid(0, 0);
		alarm(GUARD_SEC);	/* unsignalled: SIGALRM, a failure */
		for (;;)
			pause();
	}
	if (pid > 0)
		setpgid(pid, pid);
	return pid;
}

static pid_t
fake_spawn(const struct spawn_req *q, char *err, size_t errlen)
{
	fake.calls++;
	fake.sock = q->sock;
	fake.systemd = q->systemd;
	snprintf(fake.remote_addr, sizeof(fake.remote_addr), "%s",
	    q->peer->remote_addr ? q->peer->remote_addr : "");
	snprintf(fake.session, sizeof(fake.session), "%s",
	    q->peer->session ? q->peer->session : "");
	if (fake.fail) {
		snprintf(err, errlen, "fake failure");
		return -1;
	}
	if (fake.keep_sock)
		fake.kept = fcntl(q->sock, F_DUPFD_CLOEXEC, 0);
	if (fake.fork_child)
		return fake.child = fake_fork();
	return fake.next_pid++;
}

/* Append each log line to logbuf (on the log writer thread). */
static void
capture_sink(int pri, const struct log_fields *lf, const char *msg)
{
	size_t	n = strlen(msg);

	(void)pri;
	(void)lf;
	pthread_mutex_lock(&loglock);
	if (loglen + n + 2 < sizeof(logbuf)) {
		memcpy(logbuf + loglen, msg, n);
		loglen += n;
		logbuf[loglen++] = '\n';
		logbuf[loglen] = '\0';
	}
	pthread_mutex_unlock(&loglock);
}

/* Everything logged so far (the writer is stopped to flush it). */
static const char *
log_text(void)
{
	logq_stop();
	return logbuf;
}

/* The logged line that holds needle, or "" (a static copy). */
static const char *
log_line(const char *needle)
{
	static char	 line[2048];
	const char	*text = log_text(), *p, *start, *end;

	line[0] = '\0';
	if ((p = strstr(text, needle)) == NULL)
		return line;
	for (start = p; start > text && start[-1] != '\n'; start--)
		;
	if ((end = strchr(p, '\n')) == NULL)
		end = p + strlen(p);
	snprintf(line, sizeof(line), "%.*s", (int)(end - start), start);
	return line;
}

/* ---- the loop ---- */

static void
guard_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	*(int *)arg = 1;
}

/* Run the loop until nended reaches n or the guard expires. */
static void
run_until_ended(size_t n)
{
	struct timeval	 tv = { GUARD_SEC, 0 };
	struct event	*guard;
	int		 expired = 0;

	if ((guard = evtimer_new(T.base, guard_cb, &expired)) == NULL)
		return;
	evtimer_add(guard, &tv);
	while (rec.nended < n && !expired)
		event_base_loop(T.base, EVLOOP_ONCE);
	event_free(guard);
}

static void
loop_until_ended(size_t n)
{
	run_until_ended(n);
	assert_int_equal(rec.nended, n);
}

static int
readable(int fd)
{
	struct pollfd	pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 0) == 1;
}

/* Run the loop until fd has something to read (or the guard expires). */
static void
loop_until_readable(int fd)
{
	struct timeval	 tv = { GUARD_SEC, 0 };
	struct event	*guard;
	int		 expired = 0;

	guard = evtimer_new(T.base, guard_cb, &expired);
	assert_non_null(guard);
	evtimer_add(guard, &tv);
	while (!readable(fd) && !expired)
		event_base_loop(T.base, EVLOOP_ONCE);
	event_free(guard);
	assert_true(readable(fd));
}

/* ---- set-up ---- */

static void
end_leftover(struct session *s, void *arg)
{
	(void)arg;
	if (s->pid > 0)
		request_child_exited(s->pid, 0, NULL);
}

static int
setup(void **state)
{
	(void)state;
	memset(&rec, 0, sizeof(rec));
	memset(&fake, 0, sizeof(fake));
	fake.next_pid = FAKE_PID;
	fake.kept = -1;
	memset(&T, 0, sizeof(T));
	T.client = -1;
	T.rt.fd = -1;
	T.rt.last_exit = -1;
	T.sc.name = (char *)"t";
	T.sc.type = SVC_EXEC;
	T.sc.socktype = SOCK_STREAM;
	T.sc.proto = PROTO_TCP;
	T.sc.family = AF_INET;
	T.sc.server = (char *)"/usr/libexec/fake-handler";
	T.sc.urgent = URGENT_IGNORE;
	T.sc.per_source_prefix4 = 32;
	T.sc.per_source_prefix6 = 64;
	T.sc.kill_grace = 5;
	if ((T.base = event_base_new()) == NULL)
		return -1;
	requests_init(T.base, &hooks);
	request_set_spawn(fake_spawn);
	loglen = 0;
	logbuf[0] = '\0';
	return logq_start(capture_sink, NULL);
}

/*
 * Whatever a failed test left running is ended, so that the next test
 * starts with an empty session index; a request that cannot be ended
 * leaves state no later test can trust, so the run stops there.
 */
static int
teardown(void **state)
{
	(void)state;
	if (fake.child > 0) {
		kill(fake.child, SIGKILL);
		waitpid(fake.child, NULL, 0);
	}
	session_foreach(end_leftover, NULL);
	if (T.client != -1)
		close(T.client);
	if (fake.kept != -1)
		close(fake.kept);
	if (sessions_count() > 0)
		run_until_ended(rec.nended + sessions_count());
	if (sessions_count() > 0) {
		fprintf(stderr, "%u request(s) never ended: stopping\n",
		    sessions_count());
		exit(1);
	}
	if (T.workers != NULL)
		workers_free(T.workers);
	logq_stop();
	if (T.rt.fd != -1)
		close(T.rt.fd);
	policy_free(T.rt.policy);
	requests_shutdown();
	event_base_free(T.base);
	return 0;
}

/* The target over T.sc (filled by the test) and socket fd. */
static void
target_init(int fd)
{
	T.rt.conf = &T.sc;
	T.rt.fd = fd;
	T.rt.owner = &T;
	T.rt.policy = policy_new(&T.sc);
	assert_non_null(T.rt.policy);
	if (T.sc.type == SVC_BUILTIN) {
		T.rt.builtin = builtin_find(T.sc.server);
		assert_non_null(T.rt.builtin);
	}
}

static void
only_from(const char *prefix)
{
	char	err[CONF_ERRLEN];

	assert_int_equal(parse_acl_entry(prefix, &T.allow[0], err), 0);
	T.sc.only_from.entries = T.allow;
	T.sc.only_from.n = 1;
}

/* A made-up TCP peer, also the probe source of the ended hook. */
static socklen_t
peer4(struct sockaddr_storage *ss, const char *a, int port)
{
	struct sockaddr_in	*s4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	s4->sin_family = AF_INET;
	s4->sin_port = htons((uint16_t)port);
	assert_int_equal(inet_pton(AF_INET, a, &s4->sin_addr), 1);
	return sizeof(*s4);
}

static void
set_probe(const struct sockaddr_storage *ss, socklen_t len, int datagram)
{
	memcpy(&rec.probe, ss, sizeof(rec.probe));
	rec.probelen = len;
	rec.probe_datagram = datagram;
}

/* A UDP socket on 127.0.0.1, any port; its address in *ss. */
static int
udp_socket(struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in	sin;
	struct timeval		tv = { GUARD_SEC, 0 };
	int			fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	*len = sizeof(*ss);
	assert_int_equal(getsockname(fd, (struct sockaddr *)ss, len), 0);
	/* Reads by the test itself are bounded too. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* A connection for request_connection: our end in T.client. */
static int
conn_pair(int nonblock)
{
	struct timeval	tv = { GUARD_SEC, 0 };
	int		sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
	    sv), 0);
	/* Reads by the test itself are bounded. */
	setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (nonblock)
		assert_int_equal(fcntl(sv[1], F_SETFL, O_NONBLOCK), 0);
	T.client = sv[0];
	return sv[1];
}

/* Was the server's end closed?  (Our end reads EOF at once.) */
static int
peer_closed(int fd)
{
	char	c;

	return readable(fd) && read(fd, &c, 1) == 0;
}

/* The one session in the index. */
static void
one_session(struct session *s, void *arg)
{
	*(struct session **)arg = s;
}

static struct session *
only_session(void)
{
	struct session	*s = NULL;

	assert_int_equal(sessions_count(), 1);
	session_foreach(one_session, &s);
	return s;
}

/* Watch this session in the ended hook. */
static void
watch(const struct session *s)
{
	rec.watch_pid = s->pid;
	rec.watch_id = s->id;
}

/* The facts every ended hook must see: the request is all gone. */
static void
assert_clean_end(const struct ended_rec *r, unsigned running_after,
    int status)
{
	assert_ptr_equal(r->rt, &T.rt);
	assert_int_equal(r->running, running_after);
	assert_int_equal(r->last_exit, status);
	assert_int_equal(r->e.status, status);
	assert_false(r->pid_found);
	assert_false(r->id_found);
	if (rec.probelen > 0)
		assert_true(r->readmitted);
}

/* ---- nowait stream ---- */

/* exec: admitted, started, ended by the reap; the ticket comes back. */
static void
test_stream_exec(void **state)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = peer4(&ss, "192.0.2.7", 40000);
	struct session		*s;

	(void)state;
	T.sc.per_source = 1;
	target_init(-1);
	set_probe(&ss, len, 0);
	request_connection(&T.rt, conn_pair(0), (struct sockaddr *)&ss, len);
	assert_int_equal(fake.calls, 1);
	assert_true(peer_closed(T.client));	/* the handler has it now */
	assert_string_equal(fake.remote_addr, "192.0.2.7");
	assert_int_equal(strlen(fake.session), 32);
	assert_string_equal(rec.order, "S");
	assert_int_equal(rec.started[0].process, 1);
	assert_int_equal(rec.started[0].running, 1);
	assert_int_equal(rec.started[0].accepted, 1);
	s = only_session();
	assert_int_equal(s->pid, FAKE_PID);
	assert_ptr_equal(request_target_of(s), &T.rt);
	assert_false(probe_admitted(&T.rt));	/* the ticket is held */
	watch(s);

	request_child_exited(FAKE_PID, 3 << 8, NULL);
	assert_string_equal(rec.order, "SE");
	assert_clean_end(&rec.ended[0], 0, 3 << 8);
	assert_int_equal(rec.ended[0].nsessions, 0);
	assert_int_equal(rec.ended[0].e.process, 1);
	assert_int_equal(rec.ended[0].e.wait, 0);
	assert_int_equal(T.rt.accepted, 1);
	assert_int_equal(T.rt.running, 0);
	assert_non_null(strstr(log_text(), "exited with status 3"));

	/* Another pid's exit, or the same one again, ends nothing. */
	request_child_exited(FAKE_PID, 0, NULL);
	request_child_exited(FAKE_PID + 1, 0, NULL);
	assert_int_equal(rec.nended, 1);
}

/* A builtin on the loop: echo works; closing the client ends it. */
static void
test_stream_builtin(void **state)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = peer4(&ss, "192.0.2.8", 40001);
	struct session		*s;
	char			 buf[16];

	(void)state;
	T.sc.type = SVC_BUILTIN;
	T.sc.server = (char *)"echo";
	T.sc.per_source = 1;
	target_init(-1);
	set_probe(&ss, len, 0);
	request_connection(&T.rt, conn_pair(1), (struct sockaddr *)&ss, len);
	assert_int_equal(fake.calls, 0);
	assert_string_equal(rec.order, "S");
	assert_int_equal(rec.started[0].process, 0);
	assert_int_equal(T.rt.running, 1);
	s = only_session();
	assert_int_equal(s->pid, 0);
	assert_false(probe_admitted(&T.rt));
	watch(s);

	assert_int_equal(write(T.client, "hello\n", 6), 6);
	loop_until_readable(T.client);
	assert_int_equal(read(T.client, buf, sizeof(buf)), 6);
	assert_memory_equal(buf, "hello\n", 6);
	assert_int_equal(rec.nended, 0);

	close(T.client);
	T.client = -1;
	loop_until_ended(1);
	assert_string_equal(rec.order, "SE");
	assert_clean_end(&rec.ended[0], 0, -1);
	assert_int_equal(rec.ended[0].nsessions, 0);
	assert_int_equal(rec.ended[0].e.process, 0);
	assert_int_equal(sessions_count(), 0);
}

/* threads = 1: the same builtin on a worker, ended through worker_done. */
static void
test_stream_builtin_worker(void **state)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = peer4(&ss, "192.0.2.9", 40002);
	char			 buf[16], err[128];

	(void)state;
	T.sc.type = SVC_BUILTIN;
	T.sc.server = (char *)"echo";
	T.sc.threads = 1;
	T.sc.per_source = 1;
	target_init(-1);
	T.workers = workers_new(T.base, T.rt.builtin, 1, err, sizeof(err));
	assert_non_null(T.workers);
	T.rt.workers = T.workers;
	set_probe(&ss, len, 0);
	request_connection(&T.rt, conn_pair(1), (struct sockaddr *)&ss, len);
	assert_string_equal(rec.order, "S");
	watch(only_session());

	assert_int_equal(write(T.client, "hi\n", 3), 3);
	assert_int_equal(read(T.client, buf, sizeof(buf)), 3);
	close(T.client);
	T.client = -1;
	loop_until_ended(1);
	assert_string_equal(rec.order, "SE");
	assert_clean_end(&rec.ended[0], 0, -1);
}

/* ---- datagrams ---- */

/* A UDP builtin answers at once and gives its ticket back at once. */
static void
test_dgram_builtin(void **state)
{
	struct sockaddr_storage	ss, svc;
	socklen_t		len, svclen;
	char			buf[16];
	int			cl, i;

	(void)state;
	T.sc.type = SVC_BUILTIN;
	T.sc.server = (char *)"echo";
	T.sc.socktype = SOCK_DGRAM;
	T.sc.proto = PROTO_UDP;
	T.sc.per_source = 1;	/* a leaked ticket refuses the 2nd */
	target_init(udp_socket(&svc, &svclen));
	T.client = cl = udp_socket(&ss, &len);
	for (i = 0; i < 3; i++) {
		request_datagram(&T.rt, "ping", 4, (struct sockaddr *)&ss,
		    len);
		assert_int_equal(T.rt.refused[REFUSE_PERSOURCE], 0);
		assert_int_equal(T.rt.accepted, (uint64_t)i + 1);
		assert_int_equal(recv(cl, buf, sizeof(buf), 0), 4);
		assert_memory_equal(buf, "ping", 4);
	}
	assert_int_equal(T.rt.running, 0);
	assert_int_equal(sessions_count(), 0);
	assert_int_equal(rec.norder, 0);	/* nothing ran: no hooks */
	assert_int_equal(fake.calls, 0);
}

/*
 * An exec handler per datagram, the inetd way: it is handed the service
 * socket itself with its datagram still queued, reads it with recvfrom
 * (which gives the client's address), answers from the service socket,
 * and its exit gives the ticket back.
 */
static void
test_dgram_exec(void **state)
{
	struct sockaddr_storage	 ss, svc, from;
	struct sockaddr_in	*a = (struct sockaddr_in *)&ss;
	struct sockaddr_in	*f = (struct sockaddr_in *)&from;
	socklen_t		 len, svclen, fromlen = sizeof(from);
	struct session		*s;
	uint64_t		 id = 0;
	char			 buf[16];
	int			 cl;

	(void)state;
	T.sc.socktype = SOCK_DGRAM;
	T.sc.proto = PROTO_UDP;
	T.sc.per_source = 1;
	target_init(udp_socket(&svc, &svclen));
	T.client = cl = udp_socket(&ss, &len);
	set_probe(&ss, len, 1);
	assert_int_equal(sendto(cl, "ping", 4, 0, (struct sockaddr *)&svc,
	    svclen), 4);
	assert_int_equal(request_datagram_handoff(&T.rt,
	    (struct sockaddr *)&ss, len, &id), 1);
	assert_int_equal(fake.calls, 1);
	assert_int_equal(fake.sock, T.rt.fd);	/* the service socket */
	assert_string_equal(fake.remote_addr, "127.0.0.1");
	assert_string_equal(rec.order, "S");
	assert_int_equal(rec.started[0].process, 1);
	s = only_session();
	assert_true(s->id == id);
	watch(s);

	/* The handler reads its datagram and learns who sent it. */
	assert_int_equal(recvfrom(T.rt.fd, buf, sizeof(buf), MSG_DONTWAIT,
	    (struct sockaddr *)&from, &fromlen), 4);
	assert_memory_equal(buf, "ping", 4);
	assert_int_equal(f->sin_port, a->sin_port);
	/* Its answer leaves from the service socket. */
	assert_int_equal(sendto(T.rt.fd, "pong", 4, 0,
	    (struct sockaddr *)&from, fromlen), 4);
	loop_until_readable(cl);
	assert_int_equal(recv(cl, buf, sizeof(buf), 0), 4);
	assert_memory_equal(buf, "pong", 4);

	/* While it runs, the same source is over per-source = 1. */
	assert_int_equal(request_datagram_handoff(&T.rt,
	    (struct sockaddr *)&ss, len, &id), 0);
	assert_int_equal(T.rt.refused[REFUSE_PERSOURCE], 1);
	assert_int_equal(fake.calls, 1);
	assert_int_equal(sessions_count(), 1);

	request_child_exited(s->pid, 0, NULL);
	assert_string_equal(rec.order, "SE");
	assert_clean_end(&rec.ended[0], 0, 0);
	assert_int_equal(rec.ended[0].e.process, 1);
	assert_int_equal(rec.ended[0].e.wait, 0);
	assert_int_equal(rec.ended[0].e.shared, 1);

	/* Admitted again once the first one is gone. */
	assert_int_equal(request_datagram_handoff(&T.rt,
	    (struct sockaddr *)&ss, len, &id), 1);
	assert_int_equal(fake.calls, 2);
	assert_int_equal(T.rt.accepted, 2);
	request_child_exited(only_session()->pid, 0, NULL);
	assert_string_equal(rec.order, "SESE");
}

/* ---- wait mode ---- */

/*
 * A wait stream handler gets the service socket itself (not closed);
 * a reload to nowait while it runs must not change what the hook is
 * told: it started in wait mode, and the service must take the socket
 * back.  Stream wait mode has no admission (the handler accepts).
 */
static void
test_wait_stream(void **state)
{
	int	sv[2];

	(void)state;
	T.sc.wait = 1;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
	    sv), 0);
	T.client = sv[0];
	target_init(sv[1]);
	assert_int_equal(request_wait(&T.rt), 1);
	assert_int_equal(fake.sock, T.rt.fd);
	assert_int_not_equal(fcntl(T.rt.fd, F_GETFD), -1);
	assert_string_equal(rec.order, "S");
	watch(only_session());

	T.sc2 = T.sc;
	T.sc2.wait = 0;
	T.rt.conf = &T.sc2;
	request_child_exited(FAKE_PID, 0, NULL);
	assert_string_equal(rec.order, "SE");
	assert_clean_end(&rec.ended[0], 0, 0);
	assert_int_equal(rec.ended[0].e.wait, 1);
	assert_int_equal(rec.ended[0].e.process, 1);
	assert_int_not_equal(fcntl(T.rt.fd, F_GETFD), -1);
}

/* The reverse reload: started nowait, config now says wait. */
static void
test_nowait_reloaded_to_wait(void **state)
{
	(void)state;
	target_init(-1);
	request_connection(&T.rt, conn_pair(0), NULL, 0);
	watch(only_session());
	T.sc2 = T.sc;
	T.sc2.wait = 1;
	T.rt.conf = &T.sc2;
	request_child_exited(FAKE_PID, 0, NULL);
	assert_string_equal(rec.order, "SE");
	assert_int_equal(rec.ended[0].e.wait, 0);
	assert_int_equal(rec.ended[0].e.process, 1);
}

/*
 * A wait datagram handler: the first datagram is peeked at (left for
 * the handler) and admitted with a per-source ticket, given back at
 * the handler's exit.
 */
static void
test_wait_dgram(void **state)
{
	struct sockaddr_storage	ss, svc;
	socklen_t		len, svclen;
	char			buf[8];

	(void)state;
	T.sc.wait = 1;
	T.sc.socktype = SOCK_DGRAM;
	T.sc.proto = PROTO_UDP;
	T.sc.per_source = 1;
	target_init(udp_socket(&svc, &svclen));
	T.client = udp_socket(&ss, &len);
	set_probe(&ss, len, 1);
	assert_int_equal(sendto(T.client, "q", 1, 0, (struct sockaddr *)&svc,
	    svclen), 1);
	assert_int_equal(request_wait(&T.rt), 1);
	assert_int_equal(fake.sock, T.rt.fd);
	assert_true(readable(T.rt.fd));		/* left for the handler */
	assert_false(probe_admitted(&T.rt));
	watch(only_session());

	T.sc2 = T.sc;
	T.sc2.wait = 0;
	T.rt.conf = &T.sc2;
	request_child_exited(FAKE_PID, 1 << 8, NULL);
	assert_string_equal(rec.order, "SE");
	assert_clean_end(&rec.ended[0], 0, 1 << 8);
	assert_int_equal(rec.ended[0].e.wait, 1);
	assert_int_equal(recv(T.rt.fd, buf, sizeof(buf), MSG_DONTWAIT), 1);
}

/* A waiting datagram from a refused source is dropped, nothing runs. */
static void
test_wait_dgram_refused(void **state)
{
	struct sockaddr_storage	ss, svc;
	socklen_t		len, svclen;

	(void)state;
	T.sc.wait = 1;
	T.sc.socktype = SOCK_DGRAM;
	T.sc.proto = PROTO_UDP;
	only_from("10.0.0.0/8");
	target_init(udp_socket(&svc, &svclen));
	T.client = udp_socket(&ss, &len);
	assert_int_equal(sendto(T.client, "q", 1, 0, (struct sockaddr *)&svc,
	    svclen), 1);
	assert_int_equal(request_wait(&T.rt), 0);
	assert_int_equal(T.rt.refused[REFUSE_ACL], 1);
	assert_false(readable(T.rt.fd));	/* dropped */
	assert_int_equal(fake.calls, 0);
	assert_int_equal(sessions_count(), 0);
	assert_int_equal(rec.norder, 0);
}

/* ---- requests that never start ---- */

/*
 * The handler cannot be made: counted as spawn-failed, the ticket given
 * back, no session left, no hook called, on every path.
 */
static void
test_spawn_failure(void **state)
{
	struct sockaddr_storage	ss, svc;
	socklen_t		len = peer4(&ss, "192.0.2.10", 40003), svclen;
	uint64_t		id;

	(void)state;
	T.sc.per_source = 1;
	fake.fail = 1;
	target_init(-1);
	set_probe(&ss, len, 0);
	request_connection(&T.rt, conn_pair(0), (struct sockaddr *)&ss, len);
	assert_int_equal(fake.calls, 1);
	assert_int_equal(T.rt.refused[REFUSE_SPAWN], 1);
	assert_true(peer_closed(T.client));
	assert_true(probe_admitted(&T.rt));
	request_connection(&T.rt, conn_pair(0), (struct sockaddr *)&ss, len);
	assert_int_equal(fake.calls, 2);	/* not refused per source */
	assert_int_equal(T.rt.refused[REFUSE_SPAWN], 2);
	assert_int_equal(T.rt.refused[REFUSE_PERSOURCE], 0);

	/* The same for a datagram handler and a wait-mode handler. */
	T.sc.socktype = SOCK_DGRAM;
	T.sc.proto = PROTO_UDP;
	T.rt.fd = udp_socket(&svc, &svclen);
	assert_int_equal(request_datagram_handoff(&T.rt, (struct sockaddr *)&svc,
	    svclen, &id), -1);
	assert_int_equal(fake.calls, 3);
	assert_int_equal(T.rt.refused[REFUSE_SPAWN], 3);
	T.sc.wait = 1;
	assert_int_equal(sendto(T.rt.fd, "q", 1, 0, (struct sockaddr *)&svc,
	    svclen), 1);
	assert_int_equal(request_wait(&T.rt), -1);
	assert_int_equal(fake.calls, 4);
	assert_int_equal(T.rt.refused[REFUSE_SPAWN], 4);
	set_probe(&svc, svclen, 1);
	assert_true(probe_admitted(&T.rt));

	assert_int_equal(T.rt.accepted, 0);
	assert_int_equal(T.rt.running, 0);
	assert_int_equal(sessions_count(), 0);
	assert_int_equal(rec.norder, 0);
	assert_non_null(strstr(log_text(), "fake failure"));
}

/* Refused by the access list or per source: counted, nothing left. */
static void
test_refusals(void **state)
{
	struct sockaddr_storage	in, out;
	socklen_t		inlen = peer4(&in, "10.1.2.3", 40004);
	socklen_t		outlen = peer4(&out, "192.0.2.11", 40005);
	size_t			i;
	int			first;

	(void)state;
	T.sc.per_source = 1;
	only_from("10.0.0.0/8");
	target_init(-1);
	request_connection(&T.rt, conn_pair(0), (struct sockaddr *)&out,
	    outlen);
	assert_int_equal(T.rt.refused[REFUSE_ACL], 1);
	assert_true(peer_closed(T.client));
	close(T.client);
	assert_int_equal(sessions_count(), 0);
	assert_int_equal(fake.calls, 0);

	request_connection(&T.rt, conn_pair(0), (struct sockaddr *)&in,
	    inlen);
	first = T.client;
	assert_int_equal(fake.calls, 1);
	request_connection(&T.rt, conn_pair(0), (struct sockaddr *)&in,
	    inlen);
	assert_int_equal(T.rt.refused[REFUSE_PERSOURCE], 1);
	assert_true(peer_closed(T.client));
	close(T.client);
	T.client = first;
	assert_int_equal(fake.calls, 1);
	assert_int_equal(sessions_count(), 1);
	assert_int_equal(T.rt.accepted, 1);
	assert_int_equal(T.rt.running, 1);
	assert_string_equal(rec.order, "S");
	for (i = 0; i < REFUSE_NREASONS; i++)
		if (i != REFUSE_ACL && i != REFUSE_PERSOURCE)
			assert_int_equal(T.rt.refused[i], 0);
	/* Refusals are logged with their reason. */
	request_child_exited(FAKE_PID, 0, NULL);
	assert_non_null(strstr(log_text(), "refused 192.0.2.11: acl"));
}

/* Counters across overlapping requests, ended out of order. */
static void
test_counters(void **state)
{
	struct sockaddr_storage	a, b;
	socklen_t		alen = peer4(&a, "192.0.2.20", 40006);
	socklen_t		blen = peer4(&b, "192.0.2.21", 40007);

	(void)state;
	T.sc.per_source = 1;
	target_init(-1);
	request_connection(&T.rt, conn_pair(0), (struct sockaddr *)&a, alen);
	close(T.client);
	request_connection(&T.rt, conn_pair(0), (struct sockaddr *)&b, blen);
	close(T.client);
	T.client = -1;
	assert_int_equal(T.rt.accepted, 2);
	assert_int_equal(T.rt.running, 2);
	assert_int_equal(rec.started[1].running, 2);
	assert_int_equal(rec.started[1].accepted, 2);

	set_probe(&b, blen, 0);
	rec.watch_pid = FAKE_PID + 1;
	request_child_exited(FAKE_PID + 1, 0, NULL);
	assert_clean_end(&rec.ended[0], 1, 0);
	assert_int_equal(rec.ended[0].nsessions, 1);
	assert_non_null(session_by_pid(FAKE_PID));

	set_probe(&a, alen, 0);
	rec.watch_pid = FAKE_PID;
	request_child_exited(FAKE_PID, 9, NULL);	/* killed by KILL */
	assert_clean_end(&rec.ended[1], 0, 9);
	assert_string_equal(rec.order, "SSEE");
	assert_int_equal(T.rt.accepted, 2);
	assert_int_equal(T.rt.running, 0);
	assert_int_equal(T.rt.last_exit, 9);
}

/* ---- interrupts ---- */

/* An operator's interrupt signals the handler; the exit line says so. */
static void
test_interrupt_exec(void **state)
{
	struct session	*s;
	const char	*line;
	char		 want[64];
	pid_t		 pid;
	int		 status;

	(void)state;
	fake.fork_child = 1;
	target_init(-1);
	request_connection(&T.rt, conn_pair(0), NULL, 0);
	pid = fake.child;
	assert_true(pid > 0);
	s = session_by_pid(pid);
	assert_non_null(s);
	watch(s);
	assert_int_equal(request_interrupt(s, SIGTERM, 30, "operator test"),
	    0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	fake.child = 0;
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGTERM);
	request_child_exited(pid, status, NULL);
	assert_string_equal(rec.order, "SE");
	assert_clean_end(&rec.ended[0], 0, status);
	line = log_line("(interrupted by operator test)");
	assert_non_null(strstr(line, "killed by signal 15"));
	snprintf(want, sizeof(want), "pid %ld (peer", (long)pid);
	assert_non_null(strstr(line, want));
}

/* A builtin is shut down instead; it ends through the loop as usual. */
static void
test_interrupt_builtin(void **state)
{
	(void)state;
	T.sc.type = SVC_BUILTIN;
	T.sc.server = (char *)"echo";
	target_init(-1);
	request_connection(&T.rt, conn_pair(1), NULL, 0);
	watch(only_session());
	assert_int_equal(request_interrupt(only_session(), SIGTERM, 5,
	    "operator test"), 0);
	loop_until_ended(1);
	assert_string_equal(rec.order, "SE");
	assert_clean_end(&rec.ended[0], 0, -1);
	assert_non_null(strstr(log_line("(interrupted by operator test)"),
	    "closed after"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stream_exec, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stream_builtin, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stream_builtin_worker,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_dgram_builtin, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_dgram_exec, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_wait_stream, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_nowait_reloaded_to_wait,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait_dgram, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_wait_dgram_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_spawn_failure, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_counters, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_interrupt_exec, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_interrupt_builtin, setup,
		    teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	log_init(1, LOG_INFO, "test_request");
	sessions_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
