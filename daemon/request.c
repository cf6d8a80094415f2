/*
 * request.c: one request from admission to its end.
 *
 * Paths in: request_connection (nowait stream), request_datagram (nowait
 * datagram: a builtin answers, or a handler per datagram), request_wait
 * (the service socket itself goes to one handler).  All of them admit
 * through request_admit; every admitted request ends in request_end,
 * the only place that gives its ticket back.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "addr.h"
#include "builtin.h"
#include "capture.h"
#include "cgroup.h"
#include "conf.h"
#include "connpoll.h"
#include "log.h"
#include "pidwatch.h"
#include "policy.h"
#include "redirect.h"
#include "reqline.h"
#include "request.h"
#include "session.h"
#include "spawn.h"
#include "statefile.h"
#include "urgent.h"
#include "workers.h"

/* A request's private state; its session is the public index entry. */
struct request {
	struct session		*s;
	struct request_target	*rt;
	struct policy_ticket	 ticket;
	int			 wait;		/* as started */
	int			 process;
	unsigned		 kill_grace;
	int			 urgent_signal;
	struct event		*timer;		/* timeout, then SIGKILL */
	int			 term_sent;
	struct capture		*capture;	/* stderr = log */
	struct urgent_watch	*urgent;
	int			 shared;	/* has the service socket */
	struct builtin_conn	*bconn;		/* builtin on the loop */
	struct worker_job	*job;		/* builtin on a worker */
	struct redirect		*redir;		/* redirect = on the loop */
	char			 counts[160];	/* ... its bytes, for the log */
	struct cgroup_req	*cg;		/* cgroup-per-request */
	struct timespec		 deadline;	/* of timer (CLOCK_MONOTONIC) */
	struct pidwatch		*watch;		/* adopted: not our child */
	struct state_bound	 bound;		/* wait: the socket it holds */
	int			 reaped;	/* its handler, still waiting */
	int			 status;	/* ... for the cgroup to empty */
	char			 interrupted_by[128];
};

static struct event_base		*base;
static struct connpoll			*conns;	/* builtin connections here */
static const struct request_hooks	*hooks;
static request_spawn_fn			 spawn_fn = spawn_handler;
static request_observer_fn		 observer;
static request_change_fn		 changed;

void
requests_init(struct event_base *b, const struct request_hooks *h)
{
	base = b;
	hooks = h;
	cgroup_init(b);
}

void
request_target_cleanup(struct request_target *rt)
{
	cgroup_service_close(rt->cg);
	rt->cg = NULL;
}

void
request_set_observer(request_observer_fn fn)
{
	observer = fn;
}

void
requests_shutdown(void)
{
	cgroup_shutdown();
	connpoll_free(conns);
	conns = NULL;
}

/* The main loop's poll set for builtin connections, made at first use. */
static struct connpoll *
builtin_conns(void)
{
	if (conns == NULL && (conns = connpoll_new(base)) == NULL)
		log_warn("builtin connections: no poll set");
	return conns;
}

void
request_set_change_hook(request_change_fn fn)
{
	changed = fn;
}

void
request_set_spawn(request_spawn_fn fn)
{
	spawn_fn = fn;
}

struct request_target *
request_target_of(const struct session *s)
{
	return s->req->rt;
}

/* ---- admission ---- */

/*
 * Send a banner (read at load: no disk I/O here), best effort and
 * without waiting: BANNER_MAX fits a new connection's send buffer.
 */
static void
send_banner(const struct banner *b, int fd)
{
	if (b->len > 0)
		(void)!send(fd, b->data, b->len, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* Count a refusal, and log it unless this source was logged lately. */
static void
request_refused(struct request_target *rt, const struct sockaddr *sa,
    socklen_t len, int reason)
{
	char	host[64];
	int	port;

	rt->refused[reason]++;
	if (!policy_should_log(rt->policy, len > 0 ? sa : NULL))
		return;
	if (sa != NULL && len > 0)
		sockaddr_format(sa, len, host, sizeof(host), &port);
	else
		snprintf(host, sizeof(host), "local peer");
	log_notice("service %s: refused %s: %s (further refusals of this "
	    "source are counted, not logged, for 60s)", rt->conf->name, host,
	    refuse_reason_name(reason));
}

/*
 * The one admission: 0 and a ticket, or -1 (counted and logged).  fd is
 * the socket the request came in on (its local address is only looked
 * up for libwrap, whose rules may name it).
 */
static int
request_admit(struct request_target *rt, int fd, const struct sockaddr *sa,
    socklen_t len, const struct peer_cred *pc, int datagram,
    struct policy_ticket *t)
{
	struct sockaddr_storage	 local;
	struct policy_req	 q;
	int			 reason;

	memset(&q, 0, sizeof(q));
	q.peer = len > 0 ? sa : NULL;
	q.peerlen = len;
	q.cred = pc;
	q.datagram = datagram;
	q.locallen = sizeof(local);
	if (rt->conf->libwrap && getsockname(fd, (struct sockaddr *)&local,
	    &q.locallen) == 0)
		q.local = (struct sockaddr *)&local;
	else
		q.locallen = 0;
	reason = policy_admit(rt->policy, rt->conf, &q, t);
	if (reason == -1)
		return 0;
	request_refused(rt, sa, len, reason);
	return -1;
}

/* ---- the record ---- */

static struct request *
request_new(struct request_target *rt, const struct sockaddr *sa,
    socklen_t len, const struct policy_ticket *t)
{
	struct request	*r;

	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->s = session_new(rt->conf->name, len > 0 ? sa : NULL, len))
	    == NULL) {
		log_warn("service %s: request", rt->conf->name);
		free(r);
		return NULL;
	}
	r->s->req = r;
	r->rt = rt;
	r->ticket = *t;
	r->kill_grace = rt->conf->kill_grace;
	r->urgent_signal = rt->conf->urgent_signal;
	return r;
}

/* Release everything the request holds; the exit line is logged first. */
static void
request_free(struct request *r)
{
	policy_release(&r->ticket);
	cgroup_request_free(r->cg, NULL);
	capture_free(r->capture);
	urgent_watch_free(r->urgent);
	pidwatch_free(r->watch);
	if (r->timer != NULL)
		event_free(r->timer);
	session_free(r->s);
	free(r);
}

/* A request that never started (its handler could not be made). */
static void
request_discard(struct request *r)
{
	r->rt->refused[REFUSE_SPAWN]++;
	request_free(r);
}

/* One log line for the end of a request. */
static void
request_log_end(const struct request *r, int status, long long usec,
    const char *acct)
{
	const struct session	*s = r->s;
	struct log_fields	 lf;
	int			 abnormal;

	abnormal = status != -1 && status != REQUEST_STATUS_UNKNOWN &&
	    !(WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0);
	lf.service = s->service;
	lf.remote_addr = s->peer;
	lf.remote_port = s->peer_port;
	lf.pid = s->pid;
	lf.exit_status = status < 0 ? -1 : WIFEXITED(status) ?
	    WEXITSTATUS(status) : 128 + WTERMSIG(status);
	lf.duration_usec = usec;
	reqline_log(abnormal || r->interrupted_by[0] ? LOG_NOTICE : LOG_INFO,
	    &lf, &(struct reqline){ REQLINE_ENDED, s->id, status,
	    r->interrupted_by, acct });
}

/* The one end of every started request. */
static void
request_end(struct request *r, int status)
{
	struct request_target	*rt = r->rt;
	struct request_end	 e;
	struct cgroup_acct	 acct;
	char			 accts[160] = "";

	if (r->cg != NULL) {
		/* Its usage, read before the cgroup goes. */
		cgroup_request_free(r->cg, &acct);
		r->cg = NULL;
		if (acct.cpu_usec >= 0)
			cgroup_acct_format(&acct, accts, sizeof(accts));
	} else if (r->counts[0] != '\0')
		snprintf(accts, sizeof(accts), "%s", r->counts);
	e.status = status;
	e.wait = r->wait;
	e.shared = r->shared && !r->wait;
	e.id = r->s->id;
	e.process = r->process;
	e.usec = session_age_usec(r->s);
	capture_free(r->capture);	/* its last stderr before its exit */
	r->capture = NULL;
	request_log_end(r, status, e.usec, accts);
	request_free(r);
	rt->running--;
	rt->last_exit = status;
	/* Before the hook, which may free a removed service's target. */
	if (observer != NULL)
		observer(rt, &e);
	hooks->ended(rt, &e);
	if (changed != NULL)
		changed(e.process);
}

static void
request_started(struct request *r)
{
	r->rt->running++;
	r->rt->accepted++;
	hooks->started(r->rt, r->process);
	if (changed != NULL)
		changed(r->process);
}

/* ---- timeouts and interrupts ---- */

/* Shut a builtin connection down, on whichever thread it runs. */
static void
request_abort_builtin(struct request *r)
{
	if (r->job != NULL)
		workers_abort(r->rt->workers, r->job);
	else if (r->bconn != NULL)
		builtin_conn_abort(r->bconn);
	else if (r->redir != NULL)
		redirect_abort(r->redir, "stopped by superd");
}

/*
 * sig to a handler: to every process of its cgroup (SIGKILL through
 * cgroup.kill), where it has one, so setsid() and double forks do not
 * escape; else to its process group.  0 or -1.
 */
static int
request_kill(struct request *r, int sig)
{
	pid_t	pid = r->s->pid;

	if (r->cg != NULL)
		return cgroup_request_signal(r->cg, sig);
	if (kill(-pid, sig) == -1 && kill(pid, sig) == -1)
		return -1;
	return 0;
}

static void	request_arm_timer_ms(struct request *, long long);

/* Timeout or interrupt escalation: TERM (or the asked signal), then KILL. */
static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct request	*r = arg;
	struct session	*s = r->s;
	struct timeval	 tv = { (time_t)r->kill_grace, 0 };

	(void)fd;
	(void)what;
	if (s->pid <= 0) {
		request_abort_builtin(r);
		return;
	}
	if (!r->term_sent) {
		log_notice("service %s: session S%llu pid %ld: timeout, "
		    "sending SIGTERM", s->service, (unsigned long long)s->id,
		    (long)s->pid);
		request_kill(r, SIGTERM);
		r->term_sent = 1;
		request_arm_timer_ms(r, (long long)tv.tv_sec * 1000);
		return;
	}
	log_notice("service %s: session S%llu pid %ld still running, sending "
	    "SIGKILL%s", s->service, (unsigned long long)s->id, (long)s->pid,
	    r->cg != NULL ? " to its whole cgroup" : "");
	request_kill(r, SIGKILL);
}

static void
request_arm_timer_ms(struct request *r, long long ms)
{
	struct timeval	tv = { (time_t)(ms / 1000), (ms % 1000) * 1000 };

	if (r->timer == NULL &&
	    (r->timer = evtimer_new(base, timer_cb, r)) == NULL)
		return;
	clock_gettime(CLOCK_MONOTONIC, &r->deadline);
	r->deadline.tv_sec += tv.tv_sec;
	r->deadline.tv_nsec += tv.tv_usec * 1000;
	if (r->deadline.tv_nsec >= 1000000000) {
		r->deadline.tv_sec++;
		r->deadline.tv_nsec -= 1000000000;
	}
	evtimer_add(r->timer, &tv);
}

static void
request_arm_timer(struct request *r, unsigned seconds)
{
	request_arm_timer_ms(r, (long long)seconds * 1000);
}

int
request_interrupt(struct session *s, int sig, unsigned grace, const char *who)
{
	struct request	*r = s->req;

	log_notice("service %s: session S%llu pid %ld (peer %s): interrupt "
	    "with signal %d requested by %s", s->service,
	    (unsigned long long)s->id, (long)s->pid, s->peer, sig, who);
	snprintf(r->interrupted_by, sizeof(r->interrupted_by), "%s", who);
	if (s->pid <= 0) {
		request_abort_builtin(r);
		return 0;
	}
	/* Each handler leads its own process group (spawn.c): signal it. */
	if (request_kill(r, sig) == -1)
		return -1;
	if (sig == SIGKILL)
		return 0;
	r->term_sent = 1;
	r->kill_grace = grace;
	request_arm_timer(r, grace);
	return 0;
}

static void
signal_one(struct session *s, void *arg)
{
	int	sig = *(int *)arg;

	if (s->pid > 0)
		(void)request_kill(s->req, sig);
	else
		request_abort_builtin(s->req);
}

void
requests_signal_all(int sig)
{
	session_foreach(signal_one, &sig);
}

/* Urgent data on the connection: the client interrupts its request. */
static void
urgent_cb(void *arg)
{
	struct request	*r = arg;
	char		 who[128];

	snprintf(who, sizeof(who), "urgent data from %s",
	    session_peer_desc(r->s));
	request_interrupt(r->s, r->urgent_signal, r->kill_grace, who);
}

/*
 * r's handler process exited (reaped, or seen through its pidfd): the
 * request ends now, or with the last process of its own cgroup.
 */
static void
handler_exited(struct request *r, int status)
{
	const struct session	*s = r->s;

	if (r->cg != NULL && cgroup_request_populated(r->cg) == 1) {
		/* Its children live on: the request ends with the last. */
		r->reaped = 1;
		r->status = status;
		log_debug("service %s: session S%llu pid %ld exited; waiting "
		    "for the rest of its cgroup", s->service,
		    (unsigned long long)s->id, (long)s->pid);
		return;
	}
	request_end(r, status);
}

void
request_child_exited(pid_t pid, int status, void *arg)
{
	struct session	*s;

	(void)arg;
	/* No session: a child whose setup failed (already logged). */
	if ((s = session_by_pid(pid)) == NULL || s->req->reaped)
		return;
	handler_exited(s->req, status);
}

/* A per-request cgroup changed: the request ends once it is empty. */
static void
cgroup_changed_cb(void *arg)
{
	struct request	*r = arg;

	if (r->reaped && cgroup_request_populated(r->cg) != 1)
		request_end(r, r->status);
}

/* ---- starting handlers ---- */

/* Peer variables for the environment of an exec handler. */
static void
fill_peer(struct request *r, int fd, const struct peer_cred *pc,
    struct spawn_peer *p, char *lport, char *laddr, size_t laddrlen,
    char *rport)
{
	static const char *const protos[] = { "TCP", "UDP", "UNIX" };
	const struct service_conf	*sc = r->rt->conf;
	const struct session		*s = r->s;
	int				 port;

	memset(p, 0, sizeof(*p));
	p->proto = protos[sc->proto];
	p->uid = pc ? pc->uid : -1;
	p->gid = pc ? pc->gid : -1;
	p->pid = pc ? pc->pid : -1;
	p->session = s->token[0] ? s->token : NULL;
	if (sc->family == AF_UNIX || s->peer_port < 0)
		return;
	p->remote_addr = s->peer;
	snprintf(rport, 12, "%d", s->peer_port);
	p->remote_port = rport;
	addr_local(fd, laddr, laddrlen, &port);
	p->local_addr = laddr;
	snprintf(lport, 12, "%d", port);
	p->local_port = lport;
}

/* urgent = pass / interrupt on a nowait TCP connection. */
static void
request_watch_urgent(struct request *r, int fd, pid_t pid)
{
	switch (r->rt->conf->urgent) {
	case URGENT_PASS:
		/* The open file is shared: the handler's copy gets SIGURG. */
		if (fcntl(fd, F_SETOWN, pid) == -1)
			log_warn("service %s: F_SETOWN", r->s->service);
		break;
	case URGENT_INTERRUPT:
		if ((r->urgent = urgent_watch_new(fd, urgent_cb, r)) == NULL)
			log_warnx("service %s: cannot watch for urgent data",
			    r->s->service);
		break;
	default:
		break;
	}
}

/*
 * The cgroup the handler is born in: its own (cgroup-per-request) or
 * its service's, made at the service's first handler and given the new
 * limits after a reload.  0 (none when cgroups are off), or -1 with err:
 * a service with limits does not run without them.
 */
static int
request_cgroup(struct request *r, struct spawn_req *q, char *err,
    size_t errlen)
{
	struct request_target		*rt = r->rt;
	const struct service_conf	*sc = rt->conf;

	if (sc->cg.root == NULL)
		return 0;
	if (cgroup_service_open(&rt->cg, sc->name, conf_proto_name(sc->proto),
	    &sc->cg, err, errlen) == -1)
		return -1;
	q->in_cgroup = 1;
	q->cgroup_fd = cgroup_service_fd(rt->cg);
	if (!sc->cg.per_request)
		return 0;
	if ((r->cg = cgroup_request_new(rt->cg, r->s->id, cgroup_changed_cb, r,
	    err, errlen)) == NULL)
		return -1;
	q->cgroup_fd = cgroup_request_fd(r->cg);
	return 0;
}

/*
 * Start a handler process for r on socket fd (closed here unless it is
 * the service socket of a wait-mode service).  0, or -1 with r
 * discarded.
 */
static int
start_exec(struct request *r, int fd, const struct peer_cred *pc)
{
	const struct service_conf	*sc = r->rt->conf;
	struct spawn_req		 q;
	struct spawn_peer		 p;
	char				 err[256], laddr[64], lport[12];
	char				 rport[12];
	int				 errpipe[2] = { -1, -1 };
	pid_t				 pid;

	session_new_token(r->s);
	fill_peer(r, fd, pc, &p, lport, laddr, sizeof(laddr), rport);
	if (sc->stderr_mode == STDERR_LOG && pipe2(errpipe, O_CLOEXEC) == -1)
		log_warn("service %s: stderr pipe", sc->name);
	memset(&q, 0, sizeof(q));
	q.sc = sc;
	q.base_env = r->rt->base_env;
	q.sock = fd;
	q.systemd = sc->pass_fds == PASSFDS_SYSTEMD;
	q.stderr_fd = errpipe[1];
	q.peer = &p;
	if (request_cgroup(r, &q, err, sizeof(err)) == -1)
		pid = -1;
	else
		pid = spawn_fn(&q, err, sizeof(err));
	if (errpipe[1] != -1)
		close(errpipe[1]);
	if (pid != -1 && sc->urgent != URGENT_IGNORE)
		request_watch_urgent(r, fd, pid);
	if (!r->wait && !r->shared)
		close(fd);
	if (pid != -1 && session_set_pid(r->s, pid) == -1) {
		/* Unfindable at its exit: stop it now, it is reaped anyway. */
		kill(-pid, SIGKILL);
		snprintf(err, sizeof(err), "out of memory");
		pid = -1;
	}
	if (pid == -1) {
		log_warnx("service %s: cannot start %s for %s: %s", sc->name,
		    sc->server, session_peer_desc(r->s), err);
		if (errpipe[0] != -1)
			close(errpipe[0]);
		request_discard(r);
		return -1;
	}
	if (errpipe[0] != -1)
		r->capture = capture_new(base, errpipe[0], sc->name, pid);
	r->process = 1;
	request_started(r);
	reqline_log(LOG_INFO, &(struct log_fields){ sc->name, r->s->peer,
	    r->s->peer_port, pid, -1, -1 }, &(struct reqline){
	    REQLINE_SPAWNED, r->s->id, 0, NULL, NULL });
	if (sc->timeout)
		request_arm_timer(r, sc->timeout);
	return 0;
}

/* A builtin connection ended on the main loop. */
static void
builtin_done(void *arg)
{
	request_end(arg, -1);
}

/*
 * A builtin connection left its worker (told on the main loop): it
 * ended, or it was recalled and goes on here.
 */
static void
worker_done(void *arg, int fd, const struct builtin_state *st)
{
	struct request	*r = arg;

	r->job = NULL;
	if (fd >= 0 && (r->bconn = builtin_stream_resume(r->rt->builtin,
	    builtin_conns(), fd, st, builtin_done, r)) != NULL)
		return;
	request_end(r, -1);
}

/* Run a builtin on connection fd (taken over); 0, or -1 discarded. */
static int
start_builtin(struct request *r, int fd)
{
	const struct service_conf	*sc = r->rt->conf;

	if (r->rt->workers != NULL) {
		r->job = workers_dispatch(r->rt->workers, fd, worker_done, r);
		if (r->job == NULL) {
			close(fd);
			request_discard(r);
			return -1;
		}
	} else if ((r->bconn = builtin_stream_start(r->rt->builtin,
	    builtin_conns(), fd, builtin_done, r)) == NULL) {
		request_discard(r);
		return -1;
	}
	request_started(r);
	reqline_log(LOG_INFO, &(struct log_fields){ sc->name, r->s->peer,
	    r->s->peer_port, 0, -1, -1 }, &(struct reqline){
	    REQLINE_BUILTIN, r->s->id, 0, sc->server, NULL });
	if (sc->timeout)
		request_arm_timer(r, sc->timeout);
	return 0;
}

/* The forwarder ended: its byte counts go into the exit line. */
static void
redirect_done(void *arg, const struct redirect_counts *n, const char *why)
{
	struct request	*r = arg;

	r->redir = NULL;
	snprintf(r->counts, sizeof(r->counts), " (redirect: %llu bytes from "
	    "the client, %llu bytes to it%s%s)",
	    (unsigned long long)n->from_client,
	    (unsigned long long)n->from_backend, why[0] ? "; " : "", why);
	request_end(r, -1);
}

/* redirect =: forward connection fd (taken over); 0, or -1 discarded. */
static int
start_redirect(struct request *r, int fd)
{
	const struct service_conf	*sc = r->rt->conf;
	char				 err[192];

	if ((r->redir = redirect_start(base, fd,
	    (const struct sockaddr *)&sc->redirect_addr, sc->redirect_len,
	    redirect_done, r, err, sizeof(err))) == NULL) {
		log_warnx("service %s: redirect to %s for %s: %s", sc->name,
		    sc->redirect, session_peer_desc(r->s), err);
		request_discard(r);
		return -1;
	}
	request_started(r);
	reqline_log(LOG_INFO, &(struct log_fields){ sc->name, r->s->peer,
	    r->s->peer_port, 0, -1, -1 }, &(struct reqline){
	    REQLINE_REDIRECT, r->s->id, 0, sc->redirect, NULL });
	if (sc->timeout)
		request_arm_timer(r, sc->timeout);
	return 0;
}

/* ---- the paths in ---- */

/* SO_PEERCRED of a unix stream peer. */
static int
get_peer_cred(int fd, struct peer_cred *pc)
{
	struct ucred	uc;
	socklen_t	len = sizeof(uc);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) == -1)
		return -1;
	pc->uid = uc.uid;
	pc->gid = uc.gid;
	pc->pid = uc.pid;
	return 0;
}

int
request_on_loop(const struct request_target *rt)
{
	return rt->builtin != NULL || rt->conf->redirect_len > 0;
}

/* A line to the client, best effort and without waiting. */
static void
send_line(const char *line, int fd)
{
	if (line != NULL)
		(void)!send(fd, line, strlen(line), MSG_NOSIGNAL |
		    MSG_DONTWAIT);
}

void
request_connection(struct request_target *rt, int fd,
    const struct sockaddr *sa, socklen_t len)
{
	request_connection_via(rt, fd, sa, len, NULL);
}

void
request_connection_via(struct request_target *rt, int fd,
    const struct sockaddr *sa, socklen_t len, const struct request_via *via)
{
	struct policy_ticket	 t;
	struct peer_cred	 pc, *pcp = NULL;
	struct request		*r;

	if (rt->conf->family == AF_UNIX) {
		len = 0;
		if (get_peer_cred(fd, &pc) == 0)
			pcp = &pc;
	}
	/* xinetd's order: banner to all, then -success or -fail. */
	send_banner(&rt->conf->banner, fd);
	if (request_admit(rt, fd, sa, len, pcp, 0, &t) == -1) {
		send_line(via != NULL ? via->refused : NULL, fd);
		send_banner(&rt->conf->banner_fail, fd);
		close(fd);
		return;
	}
	if ((r = request_new(rt, sa, len, &t)) == NULL) {
		policy_release(&t);
		close(fd);
		return;
	}
	if (pcp != NULL) {
		r->s->peer_uid = (uid_t)pc.uid;
		snprintf(r->s->peer, sizeof(r->s->peer), "uid=%ld", pc.uid);
	}
	send_line(via != NULL ? via->admitted : NULL, fd);
	send_banner(&rt->conf->banner_success, fd);
	if (rt->conf->redirect_len > 0)
		start_redirect(r, fd);
	else if (rt->builtin != NULL)
		start_builtin(r, fd);
	else
		start_exec(r, fd, pcp);
}

/*
 * A builtin answers a datagram at once, from the loop: the request is
 * admitted, answered and released in one go (no session: nothing runs).
 */
static void
datagram_builtin(struct request_target *rt, const void *req, size_t n,
    const struct sockaddr *sa, socklen_t len)
{
	static char	reply[BUILTIN_DGRAM_MAX];	/* the loop's thread only */
	size_t		rlen;

	rlen = builtin_dgram_reply(rt->builtin, req, n, reply, sizeof(reply),
	    time(NULL));
	if (rlen > 0)
		(void)!sendto(rt->fd, reply, rlen, MSG_DONTWAIT, sa, len);
	rt->accepted++;
}

void
request_datagram(struct request_target *rt, const void *req, size_t n,
    const struct sockaddr *sa, socklen_t len)
{
	struct policy_ticket	t;

	if (request_admit(rt, rt->fd, sa, len, NULL, 1, &t) == -1)
		return;
	datagram_builtin(rt, req, n, sa, len);
	policy_release(&t);
}

/*
 * The inetd contract for a nowait datagram service: the handler gets
 * the service socket itself with its datagram still queued (superd only
 * peeked at it), so recvfrom/recvmsg give it the client's address (and
 * the local one with IP_PKTINFO) and its replies leave from the
 * service's address.  The caller pauses the socket until the handler
 * has taken its datagram, so one datagram starts one handler.
 */
int
request_datagram_handoff(struct request_target *rt, const struct sockaddr *sa,
    socklen_t len, uint64_t *id)
{
	struct policy_ticket	 t;
	struct request		*r;

	if (request_admit(rt, rt->fd, sa, len, NULL, 1, &t) == -1)
		return 0;
	if ((r = request_new(rt, sa, len, &t)) == NULL) {
		policy_release(&t);
		return -1;
	}
	r->shared = 1;
	*id = r->s->id;
	return start_exec(r, rt->fd, NULL) == 0 ? 1 : -1;
}

/*
 * Wait mode.  For datagrams superd peeks at the first one to apply the
 * access list and the reflection guard; for stream sockets the handler
 * accepts, so only the handler could check (superd.conf(5) says so).
 */
/*
 * Where the socket a wait-mode handler takes is bound (an inet one): a
 * superd that re-adopts the handler after a crash lists and registers
 * that endpoint while the handler serves it.
 */
static void
wait_socket_bound(int fd, struct state_bound *b)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof(ss), ilen = sizeof(int);

	memset(b, 0, sizeof(*b));
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1 ||
	    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6))
		return;
	sockaddr_format((struct sockaddr *)&ss, len, b->addr, sizeof(b->addr),
	    &b->port);
	if (ss.ss_family == AF_INET6 && getsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &b->v6only, &ilen) == -1)
		b->v6only = 1;
	if (b->port < 0)
		b->port = 0;
}

int
request_wait(struct request_target *rt)
{
	struct sockaddr_storage	 ss;
	struct policy_ticket	 t;
	struct request		*r;
	socklen_t		 len = 0;
	char			 c;

	memset(&t, 0, sizeof(t));
	if (rt->conf->socktype == SOCK_DGRAM) {
		len = sizeof(ss);
		if (recvfrom(rt->fd, &c, 1, MSG_PEEK, (struct sockaddr *)&ss,
		    &len) < 0)
			return 0;
		if (request_admit(rt, rt->fd, (struct sockaddr *)&ss, len,
		    NULL, 1, &t) == -1) {
			(void)!recv(rt->fd, &c, 1, MSG_DONTWAIT);
			return 0;
		}
	}
	if ((r = request_new(rt, (struct sockaddr *)&ss, len, &t)) == NULL) {
		policy_release(&t);
		return -1;
	}
	r->wait = 1;
	wait_socket_bound(rt->fd, &r->bound);
	return start_exec(r, rt->fd, NULL) == 0 ? 1 : -1;
}

/* ---- the state file ---- */

static enum state_kind
request_kind(const struct request *r)
{
	if (r->s->pid <= 0)
		return STATE_BUILTIN;
	if (r->wait)
		return STATE_WAIT;
	return r->shared ? STATE_SHARED : STATE_EXEC;
}

/* Milliseconds left on the timeout or kill-grace timer, 0 none. */
static long long
request_time_left(const struct request *r)
{
	struct timespec	now;
	long long	ms;

	if (r->timer == NULL || !evtimer_pending(r->timer, NULL))
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (r->deadline.tv_sec - now.tv_sec) * 1000LL +
	    (r->deadline.tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? ms : 1;
}

/* The fd an upgrade keeps for r, made to survive execve; -1 none. */
static int
request_keep_fd(const struct request *r)
{
	struct builtin_state	st;
	int			fd = -1;

	if (r->s->pid > 0)
		fd = capture_fd(r->capture);
	else if (r->bconn != NULL)
		fd = builtin_conn_state(r->bconn, &st);
	if (fd >= 0 && fcntl(fd, F_SETFD, 0) == -1)
		fd = -1;
	return fd;
}

void
request_export(struct session *s, struct state_req *q, int upgrade)
{
	const struct request	*r = s->req;

	memset(q, 0, sizeof(*q));
	q->id = s->id;
	snprintf(q->service, sizeof(q->service), "%s", s->service);
	snprintf(q->proto, sizeof(q->proto), "%s",
	    conf_proto_name(r->rt->conf->proto));
	q->kind = request_kind(r);
	q->pid = s->pid > 0 ? s->pid : 0;
	if (q->pid > 0 && s->pstart == 0)
		s->pstart = proc_start_time(s->pid);
	q->pstart = s->pstart;
	q->start = s->start_wall;
	q->age_ms = session_age_usec(s) / 1000;
	q->timeout_ms = request_time_left(r);
	q->term = r->term_sent;
	snprintf(q->peer, sizeof(q->peer), "%s", s->peer);
	q->port = s->peer_port;
	snprintf(q->token, sizeof(q->token), "%s", s->token);
	q->fd = upgrade ? request_keep_fd(r) : -1;
	q->ufd = upgrade ? urgent_watch_fd(r->urgent) : -1;
	if (q->ufd >= 0 && fcntl(q->ufd, F_SETFD, 0) == -1)
		q->ufd = -1;
	q->slot = r->ticket.source != NULL;
	q->bound = r->bound;
	if (r->cg != NULL)
		snprintf(q->cgroup, sizeof(q->cgroup), "%s",
		    cgroup_request_path(r->cg));
}

/* The peer of a record as an address (0 none: a unix peer or "-"). */
static socklen_t
record_peer(const struct state_req *q, struct sockaddr_storage *ss)
{
	struct sockaddr_in	*s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (q->port < 0)
		return 0;
	if (inet_pton(AF_INET, q->peer, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)q->port);
		return sizeof(*s4);
	}
	if (inet_pton(AF_INET6, q->peer, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)q->port);
		return sizeof(*s6);
	}
	return 0;
}

/* A re-adopted handler (not our child) exited. */
static void
adopted_exit_cb(void *arg)
{
	struct request	*r = arg;

	handler_exited(r, REQUEST_STATUS_UNKNOWN);
}

/* The session of a record: its id, token, peer and age. */
static struct request *
request_from_record(struct request_target *rt, const struct state_req *q)
{
	struct sockaddr_storage	 ss;
	struct policy_ticket	 t;
	struct request		*r;
	socklen_t		 len = record_peer(q, &ss);
	long			 uid;

	memset(&t, 0, sizeof(t));
	if (q->slot && len > 0)
		(void)policy_adopt(rt->policy, rt->conf,
		    (struct sockaddr *)&ss, &t);
	if ((r = request_new(rt, (struct sockaddr *)&ss, len, &t)) == NULL) {
		policy_release(&t);
		return NULL;
	}
	session_set_id(r->s, q->id);
	snprintf(r->s->token, sizeof(r->s->token), "%s", q->token);
	if (sscanf(q->peer, "uid=%ld", &uid) == 1) {
		r->s->peer_uid = (uid_t)uid;
		snprintf(r->s->peer, sizeof(r->s->peer), "%s", q->peer);
	}
	r->s->start_wall = q->start;
	r->s->start.tv_sec -= q->age_ms / 1000;
	r->s->start.tv_nsec -= (q->age_ms % 1000) * 1000000;
	if (r->s->start.tv_nsec < 0) {
		r->s->start.tv_sec--;
		r->s->start.tv_nsec += 1000000000;
	}
	r->s->pstart = q->pstart;
	r->wait = q->kind == STATE_WAIT;
	r->shared = q->kind == STATE_SHARED;
	r->term_sent = q->term;
	r->bound = q->bound;
	return r;
}

/* The descriptors a record hands over, when it cannot be taken. */
static void
record_close_fds(const struct state_req *q)
{
	if (q->fd >= 0)
		close(q->fd);
	if (q->ufd >= 0)
		close(q->ufd);
}

/*
 * The request's own cgroup from a record (cgroup-per-request): taken
 * over, so the request still ends with the last process in it and an
 * interrupt or timeout kills the whole tree.  Without it (logged) the
 * handler is still adopted, tracked by its pid alone.
 */
static void
adopt_cgroup(struct request *r, const struct state_req *q)
{
	char	err[PATH_MAX + 64];

	if (q->cgroup[0] == '\0')
		return;
	if ((r->cg = cgroup_request_adopt(q->cgroup, cgroup_changed_cb, r,
	    err, sizeof(err))) == NULL)
		log_warnx("service %s: session S%llu: its cgroup is not taken "
		    "over (%s); its descendants are left alone", r->s->service,
		    (unsigned long long)r->s->id, err);
}

/* A handler process from a record: by pid, reaped or watched. */
/*
 * A request whose handler exited while no superd watched, with processes
 * left in its own cgroup: it ends with the last of them, as if reaped
 * here.  Its pid is shown but not indexed (it may be reused).
 */
static int
adopt_reaped(struct request *r, const struct state_req *q)
{
	record_close_fds(q);
	r->s->pid = q->pid;
	r->reaped = 1;
	r->status = REQUEST_STATUS_UNKNOWN;
	r->process = 1;
	return 0;
}

static int
adopt_process(struct request *r, const struct state_req *q, int own,
    char *err, size_t errlen)
{
	int	e;

	adopt_cgroup(r, q);
	/* Handed over by an upgrade, a handler that superd had re-adopted
	 * after a crash is still not its child: watch it all the same. */
	if (own && proc_parent(q->pid) != getpid())
		own = 0;
	if (!own && (r->watch = pidwatch_new(base, q->pid, adopted_exit_cb,
	    r)) == NULL) {
		e = errno;
		if (e == ESRCH && r->cg != NULL &&
		    cgroup_request_populated(r->cg) == 1)
			return adopt_reaped(r, q);
		snprintf(err, errlen, "pid %ld: %s", (long)q->pid,
		    e == ESRCH ? "gone" : strerror(e));
		record_close_fds(q);
		return -1;
	}
	if (session_set_pid(r->s, q->pid) == -1) {
		snprintf(err, errlen, "out of memory");
		record_close_fds(q);
		return -1;
	}
	if (own && q->fd >= 0)
		r->capture = capture_new(base, q->fd, r->s->service, q->pid);
	else if (q->fd >= 0)
		close(q->fd);
	/* The watch keeps its own copy of the connection. */
	if (own && q->ufd >= 0 && (r->urgent = urgent_watch_new(q->ufd,
	    urgent_cb, r)) == NULL)
		log_warnx("service %s: session S%llu: urgent data no longer "
		    "watched", r->s->service, (unsigned long long)r->s->id);
	if (q->ufd >= 0)
		close(q->ufd);
	r->process = 1;
	return 0;
}

/* A builtin connection handed over by an upgrade: goes on from st. */
static int
adopt_builtin(struct request *r, const struct state_req *q,
    const struct builtin_state *st, char *err, size_t errlen)
{
	static const struct builtin_state	 fresh;

	if (q->fd < 0 || r->rt->builtin == NULL) {
		snprintf(err, errlen, "a builtin connection without its "
		    "socket");
		if (q->fd >= 0)
			close(q->fd);
		return -1;
	}
	if (st == NULL)
		st = &fresh;
	(void)fcntl(q->fd, F_SETFD, FD_CLOEXEC);
	if (r->rt->workers != NULL)
		r->job = workers_dispatch_resumed(r->rt->workers, q->fd, st,
		    worker_done, r);
	else
		r->bconn = builtin_stream_resume(r->rt->builtin,
		    builtin_conns(), q->fd, st, builtin_done, r);
	if (r->job == NULL && r->bconn == NULL) {
		if (r->rt->workers != NULL)
			close(q->fd);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int
request_adopt(struct request_target *rt, const struct state_req *q,
    const struct builtin_state *st, int own, char *err, size_t errlen)
{
	struct request	*r;
	int		 rc;

	if ((r = request_from_record(rt, q)) == NULL) {
		snprintf(err, errlen, "out of memory");
		record_close_fds(q);
		return -1;
	}
	if (q->kind == STATE_BUILTIN)
		rc = adopt_builtin(r, q, st, err, errlen);
	else
		rc = adopt_process(r, q, own, err, errlen);
	if (rc == -1) {
		request_free(r);
		return -1;
	}
	rt->running++;
	hooks->started(rt, r->process);
	if (q->timeout_ms > 0)
		request_arm_timer_ms(r, q->timeout_ms);
	log_info("service %s: session S%llu pid %ld (peer %s) %s", rt->conf->name,
	    (unsigned long long)r->s->id, (long)r->s->pid,
	    session_peer_desc(r->s), own ? "handed over" : "re-adopted");
	return 0;
}

/* A builtin connection on a worker thread (execve ends threads)? */
static void
count_pinned(struct session *s, void *arg)
{
	if (s->pid <= 0 && s->req->job != NULL)
		(*(unsigned *)arg)++;
}

unsigned
requests_pinned(void)
{
	unsigned	n = 0;

	session_foreach(count_pinned, &n);
	return n;
}

static void
recall_one(struct session *s, void *arg)
{
	const struct request	*r = s->req;

	(void)arg;
	/* A pool with several connections is told more than once: no harm. */
	if (s->pid <= 0 && r->job != NULL)
		workers_recall(r->rt->workers);
}

void
requests_recall_workers(void)
{
	session_foreach(recall_one, NULL);
}

int
request_builtin_state(const struct session *s, struct builtin_state *st)
{
	const struct request	*r = s->req;

	if (s->pid > 0 || r == NULL || r->bconn == NULL)
		return -1;
	return builtin_conn_state(r->bconn, st);
}
