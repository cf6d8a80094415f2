/*
 * control.c: the admin control socket.
 *
 * A UNIX stream socket served at libevent priority 0, above the
 * directory (1) and the data listeners (2), so that an operator gets an
 * answer while a flood hits the services.  Anyone who can connect (the
 * socket is 0660 with control-group, else 0600) may read; root, superd's
 * own user and members of control-group may change things.  The peer is
 * known from SO_PEERCRED at accept time.
 *
 * Requests are one line of at most CTL_MAX_LINE bytes.  A reply is zero
 * or more records ("SV name=echo state=listening ...") and exactly one
 * "OK <records>" or "ERR <CODE> <text>".  Values are percent-encoded so a
 * record always splits on spaces.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "cgroup.h"
#include "conf.h"
#include "conf_parse.h"
#include "control.h"
#include "linesrv.h"
#include "errlog.h"
#include "log.h"
#include "metrics.h"
#include "proto.h"
#include "service.h"
#include "request.h"
#include "session.h"
#include "stats.h"

#define CTL_PRIO	0
#define CTL_MAX_LINE	4096	/* newline included */
#define CTL_OUT_HIGH	(64 * 1024)	/* stop reading requests above */
#define CTL_OUT_MAX	(8 * 1024 * 1024) /* a reader this far behind is gone */
#define CTL_DEFAULT	RUNSTATEDIR "/superd/control.sock"

struct ctl_conn {
	struct linesrv_conn	*lc;
	uid_t			 uid;
	pid_t			 pid;
	int			 operate;	/* may change things */
	int			 drain;		/* drain once flushed */
	unsigned		 nrec;		/* records in this reply */
	char			 who[64];	/* "control uid 0 pid 123" */
};

struct ctl_cmd {
	const char	*name;
	int		 minargs;	/* after the command word */
	int		 maxargs;
	int		 operate;	/* changes things */
	void		(*fn)(struct ctl_conn *, int, char **);
	const char	*args;
	const char	*what;
};

/* Module state: the line server and what it was made from. */
static struct {
	struct event_base	*base;
	struct linesrv		*srv;
	char			*path;
	gid_t			 gid;
	struct linesrv_limits	 lim;
	const struct control_hooks *hooks;
} ctl = { .gid = (gid_t)-1 };

static const char *ctl_path(const struct superd_conf *);
static void	ctl_request(struct ctl_conn *, char *, size_t);
static void	ctl_dispatch(struct ctl_conn *, int, char **);
static void	ctl_log_change(struct ctl_conn *, int, char **);
static struct evbuffer *ctl_out(struct ctl_conn *);
static void	ctl_ok(struct ctl_conn *);
static void	ctl_err(struct ctl_conn *, enum proto_code, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static void	rec_begin(struct ctl_conn *, const char *);
static void	rec_str(struct ctl_conn *, const char *, const char *);
static void	rec_num(struct ctl_conn *, const char *, unsigned long long);
static void	rec_end(struct ctl_conn *);
static void	rec_service(const struct service_info *, void *);
static void	rec_session(struct session *, void *);
static void	cmd_help(struct ctl_conn *, int, char **);
static void	cmd_version(struct ctl_conn *, int, char **);
static void	cmd_status(struct ctl_conn *, int, char **);
static void	cmd_services(struct ctl_conn *, int, char **);
static void	cmd_service(struct ctl_conn *, int, char **);
static void	cmd_sessions(struct ctl_conn *, int, char **);
static void	cmd_disable(struct ctl_conn *, int, char **);
static void	cmd_enable(struct ctl_conn *, int, char **);
static void	cmd_interrupt(struct ctl_conn *, int, char **);
static void	cmd_reload(struct ctl_conn *, int, char **);
static void	cmd_drain(struct ctl_conn *, int, char **);
static void	cmd_metrics(struct ctl_conn *, int, char **);
static void	cmd_upgrade(struct ctl_conn *, int, char **);

static const struct ctl_cmd cmds[] = {
	{ "help", 0, 0, 0, cmd_help, "", "list the commands" },
	{ "version", 0, 0, 0, cmd_version, "", "superd's version" },
	{ "status", 0, 0, 0, cmd_status, "", "daemon status and totals" },
	{ "services", 0, 0, 0, cmd_services, "", "every service" },
	{ "service", 1, 1, 0, cmd_service, "NAME", "one service" },
	{ "sessions", 0, 1, 0, cmd_sessions, "[SERVICE]",
	    "running handlers" },
	{ "disable", 1, 1, 1, cmd_disable, "SERVICE",
	    "stop accepting (until reload)" },
	{ "enable", 1, 1, 1, cmd_enable, "SERVICE", "resume accepting" },
	{ "interrupt", 1, 3, 1, cmd_interrupt, "SESSION [SIGNAL] [grace=S]",
	    "signal a handler, SIGKILL after the grace" },
	{ "reload", 0, 0, 1, cmd_reload, "", "re-read the configuration" },
	{ "drain", 0, 0, 1, cmd_drain, "",
	    "stop accepting, exit after the last handler" },
	{ "metrics", 0, 0, 0, cmd_metrics, "",
	    "the Prometheus exposition, one MX record per line" },
	{ "upgrade", 0, 1, 1, cmd_upgrade, "[BINARY]",
	    "re-execute superd in place, keeping sockets and handlers" },
};

/* ---- Pure helpers. ---- */

/* Signal names as in the config (conf_parse.c), any case, or numbers. */
int
control_signal(const char *s)
{
	char	err[CONF_ERRLEN];
	int	sig;

	return parse_signal(s, &sig, err) == 0 ? sig : -1;
}

unsigned long long
control_session_id(const char *s)
{
	unsigned long long	 v;
	char			*end;

	if (*s == 'S' || *s == 's')
		s++;
	if (*s < '0' || *s > '9')
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return 0;
	return v;
}

size_t
control_encode(const char *s, char *out, size_t n)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*p;
	size_t			 len = 0, w = 0, need;
	char			 esc[3];

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		need = proto_token_byte(*p) && *p != '%' && *p != '=' ? 1 : 3;
		esc[0] = need == 1 ? (char)*p : '%';
		esc[1] = hex[*p >> 4];
		esc[2] = hex[*p & 15];
		/* Stop writing at the first piece that does not fit whole. */
		if (w == len && len + need < n) {
			memcpy(out + len, esc, need);
			w += need;
		}
		len += need;
	}
	if (n > 0)
		out[w] = '\0';
	return len;
}

/* ---- The line server. ---- */

/* The configured socket path, or the built-in default. */
static const char *
ctl_path(const struct superd_conf *conf)
{
	if (conf == NULL || conf->control_socket == NULL ||
	    *conf->control_socket == '\0')
		return CTL_DEFAULT;
	return conf->control_socket;
}

/* The configured limits (line-timeout, line-max-per-peer, ...). */
static void
ctl_limits(const struct superd_conf *conf, struct linesrv_limits *lim)
{
	memset(lim, 0, sizeof(*lim));
	lim->line_max = CTL_MAX_LINE;
	lim->line_ms = conf->line.line_timeout * 1000;
	lim->idle_ms = conf->line.idle_timeout * 1000;
	lim->max_conns = conf->line.max_conns;
	lim->max_per_peer = conf->line.max_per_peer;
	lim->root_reserve = conf->line.root_reserve;
	lim->out_high = CTL_OUT_HIGH;
	lim->out_max = CTL_OUT_MAX;
}

/* Is uid (primary group gid) in group want, by its supplementary list? */
static int
ctl_in_group(uid_t uid, gid_t gid, gid_t want)
{
	struct passwd	 pw, *res = NULL;
	char		 buf[4096];
	gid_t		 groups[256];
	int		 n = 256, i;

	if (gid == want)
		return 1;
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) != 0 || res == NULL)
		return 0;
	if (getgrouplist(pw.pw_name, gid, groups, &n) == -1)
		n = 256;	/* truncated: what we have is still true */
	for (i = 0; i < n; i++)
		if (groups[i] == want)
			return 1;
	return 0;
}

static int
ctl_open_cb(struct linesrv_conn *lc, void *arg)
{
	const struct linesrv_peer	*p = linesrv_conn_peer(lc);
	struct ctl_conn			*c;

	(void)arg;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	c->lc = lc;
	c->uid = p->uid;
	c->pid = p->pid;
	c->operate = p->uid == 0 || p->uid == geteuid() ||
	    (ctl.gid != (gid_t)-1 && ctl_in_group(p->uid, p->gid, ctl.gid));
	snprintf(c->who, sizeof(c->who), "control uid %u pid %ld",
	    (unsigned)p->uid, (long)p->pid);
	linesrv_conn_set_data(lc, c);
	log_debug("%s: connected (%s)", c->who, c->operate ? "operate" :
	    "read");
	return 0;
}

static void
ctl_close_cb(struct linesrv_conn *lc, void *arg)
{
	(void)arg;
	free(linesrv_conn_data(lc));
}

static int
ctl_line_cb(struct linesrv_conn *lc, char *line, size_t len, void *arg)
{
	struct ctl_conn	*c = linesrv_conn_data(lc);

	(void)arg;
	ctl_request(c, line, len);
	return LINESRV_KEEP;
}

/* Replies written: a drain asked for waits until its OK is out. */
static void
ctl_drained_cb(struct linesrv_conn *lc, void *arg)
{
	struct ctl_conn	*c = linesrv_conn_data(lc);

	(void)arg;
	if (c->drain) {
		c->drain = 0;
		ctl.hooks->drain();	/* may close every connection */
	}
}

/*
 * An upgrade: a control connection is request and reply, so between two
 * events there is nothing in flight but its buffers (linesrv carries
 * them) and a drain whose OK is not written yet.  Who it is, and what it
 * may do, the next binary learns from the socket at open, as for a new
 * connection: under the configuration it starts with.
 */
static void
ctl_freeze_cb(struct linesrv_conn *lc, char *buf, size_t len, void *arg)
{
	struct ctl_conn	*c = linesrv_conn_data(lc);

	(void)arg;
	snprintf(buf, len, "drain=%d", c->drain);
}

static int
ctl_thaw_cb(struct linesrv_conn *lc, const char *state, void *arg)
{
	struct ctl_conn	*c = linesrv_conn_data(lc);

	(void)arg;
	c->drain = strcmp(state, "drain=1") == 0;
	log_debug("%s: handed over", c->who);
	return 0;
}

static const struct linesrv_ops ctl_ops = {
	.open = ctl_open_cb,
	.line = ctl_line_cb,
	.drained = ctl_drained_cb,
	.close = ctl_close_cb,
	.freeze = ctl_freeze_cb,
	.thaw = ctl_thaw_cb,
};

/* Bind path (0660 with a control group, else 0600) and serve it. */
static int
ctl_listen(const char *path, gid_t gid)
{
	char	err[512];
	int	fd;

	fd = linesrv_bind_unix(path, gid != (gid_t)-1 ? 0660 : 0600, gid, err,
	    sizeof(err));
	if (fd == -1) {
		log_warnx("control: %s", err);
		return -1;
	}
	ctl.srv = linesrv_new(ctl.base, fd, CTL_PRIO, "control", path,
	    &ctl.lim, &ctl_ops, NULL);
	if (ctl.srv == NULL || (ctl.path = strdup(path)) == NULL) {
		log_warnx("control: out of memory");
		linesrv_free(ctl.srv);
		ctl.srv = NULL;
		return -1;
	}
	ctl.gid = gid;
	log_info("control socket %s", path);
	return 0;
}

/* Stop listening, close every connection, remove the socket file. */
static void
ctl_close_listener(void)
{
	linesrv_free(ctl.srv);
	ctl.srv = NULL;
	free(ctl.path);
	ctl.path = NULL;
}

int
control_start(struct event_base *base, const struct superd_conf *conf,
    const struct control_hooks *hooks)
{
	ctl.base = base;
	ctl.hooks = hooks;
	ctl_limits(conf, &ctl.lim);
	return ctl_listen(ctl_path(conf), conf->control_gid);
}

void
control_reconfigure(const struct superd_conf *conf)
{
	const char	*path = ctl_path(conf);
	char		 err[512];

	if (ctl.base == NULL)
		return;
	ctl_limits(conf, &ctl.lim);
	if (ctl.srv != NULL)
		linesrv_set_limits(ctl.srv, &ctl.lim);
	if (ctl.srv != NULL && strcmp(ctl.path, path) == 0) {
		if (conf->control_gid != ctl.gid && linesrv_set_perms(ctl.srv,
		    conf->control_gid != (gid_t)-1 ? 0660 : 0600,
		    conf->control_gid, err, sizeof(err)) == -1)
			log_warnx("control: %s", err);
		else
			ctl.gid = conf->control_gid;
		return;
	}
	ctl_close_listener();
	if (ctl_listen(path, conf->control_gid) == -1)
		log_warnx("control: no control socket until the next reload");
}

void
control_stop(void)
{
	ctl_close_listener();
	ctl.base = NULL;
}

/* One request line: split it (blanks separate words) and run it. */
static void
ctl_request(struct ctl_conn *c, char *line, size_t len)
{
	struct proto_words	w;
	enum proto_err		e;

	c->nrec = 0;
	stats_inc(STATS_CONTROL_REQUESTS);
	if ((e = proto_split(line, len, PROTO_SEP_BLANKS, &w)) != PROTO_OK)
		ctl_err(c, proto_err_code(e), "%s", proto_strerror(e));
	else
		ctl_dispatch(c, (int)w.n, w.v);
}

/* Find the command, check its arguments and the peer's rights. */
static void
ctl_dispatch(struct ctl_conn *c, int argc, char **argv)
{
	const struct ctl_cmd	*cmd = NULL;
	size_t			 i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[0], cmds[i].name) == 0)
			cmd = &cmds[i];
	if (cmd == NULL) {
		ctl_err(c, PROTO_C_EBADREQ, "unknown command (try help)");
		return;
	}
	if (argc - 1 < cmd->minargs || argc - 1 > cmd->maxargs) {
		ctl_err(c, PROTO_C_EBADREQ, "usage: %s %s", cmd->name,
		    cmd->args);
		return;
	}
	if (cmd->operate && !c->operate) {
		log_notice("%s: %s refused: not root or in control-group",
		    c->who, cmd->name);
		ctl_err(c, PROTO_C_EPERM, "%s needs root or the control group",
		    cmd->name);
		return;
	}
	if (cmd->operate)
		ctl_log_change(c, argc, argv);
	cmd->fn(c, argc, argv);
}

/* Every change is logged with who asked. */
static void
ctl_log_change(struct ctl_conn *c, int argc, char **argv)
{
	char	buf[256];
	size_t	len = 0;
	int	i;

	buf[0] = '\0';
	for (i = 0; i < argc && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
		    i ? " " : "", argv[i]);
	log_notice("%s: %s", c->who, buf);
}

/* ---- Replies. ---- */

static struct evbuffer *
ctl_out(struct ctl_conn *c)
{
	return linesrv_conn_out(c->lc);
}

static void
ctl_ok(struct ctl_conn *c)
{
	evbuffer_add_printf(ctl_out(c), "OK %u\n", c->nrec);
}

/* ERR CODE text; the text is made one printable line. */
static void
ctl_err(struct ctl_conn *c, enum proto_code code, const char *fmt, ...)
{
	char	buf[512];
	char   *p;
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (p = buf; *p != '\0'; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			*p = ' ';
	evbuffer_add_printf(ctl_out(c), "ERR %s %s\n", proto_code_name(code),
	    buf);
}

static void
rec_begin(struct ctl_conn *c, const char *type)
{
	evbuffer_add(ctl_out(c), type, strlen(type));
	c->nrec++;
}

static void
rec_str(struct ctl_conn *c, const char *key, const char *val)
{
	char	 buf[512], *p = buf;
	size_t	 need;

	if (val == NULL)
		val = "-";
	need = control_encode(val, buf, sizeof(buf));
	if (need >= sizeof(buf) && (p = malloc(need + 1)) != NULL)
		control_encode(val, p, need + 1);
	evbuffer_add_printf(ctl_out(c), " %s=%s", key, p != NULL ? p : buf);
	if (p != buf)
		free(p);
}

static void
rec_num(struct ctl_conn *c, const char *key, unsigned long long v)
{
	evbuffer_add_printf(ctl_out(c), " %s=%llu", key, v);
}

static void
rec_end(struct ctl_conn *c)
{
	evbuffer_add(ctl_out(c), "\n", 1);
}

/* ---- Commands. ---- */

static void
cmd_help(struct ctl_conn *c, int argc, char **argv)
{
	size_t	i;

	(void)argc;
	(void)argv;
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		rec_begin(c, "HE");
		rec_str(c, "command", cmds[i].name);
		rec_str(c, "args", cmds[i].args);
		rec_str(c, "level", cmds[i].operate ? "operate" : "read");
		rec_str(c, "about", cmds[i].what);
		rec_end(c);
	}
	ctl_ok(c);
}

static void
cmd_version(struct ctl_conn *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	rec_begin(c, "VE");
	rec_str(c, "version", PACKAGE_VERSION);
	rec_num(c, "protocol", 1);
	rec_end(c);
	ctl_ok(c);
}

static void
cmd_status(struct ctl_conn *c, int argc, char **argv)
{
	struct service_totals	t;
	time_t			now = time(NULL);
	char			cg[256];

	(void)argc;
	(void)argv;
	service_totals(&t);
	rec_begin(c, "ST");
	rec_str(c, "version", PACKAGE_VERSION);
	rec_num(c, "pid", (unsigned long long)getpid());
	rec_num(c, "uptime", (unsigned long long)(now - ctl.hooks->started()));
	rec_str(c, "config", ctl.hooks->conf_path());
	rec_num(c, "started_at", (unsigned long long)ctl.hooks->started());
	rec_num(c, "loaded_at", (unsigned long long)ctl.hooks->loaded());
	rec_num(c, "services", t.services);
	rec_num(c, "sessions", sessions_count());
	rec_num(c, "running", t.running);
	rec_num(c, "accepted", t.accepted);
	rec_num(c, "refused", t.refused);
	cgroup_status(cg, sizeof(cg));
	rec_str(c, "cgroups", cg);
	rec_str(c, "access", c->operate ? "operate" : "read");
	rec_end(c);
	ctl_ok(c);
}

/* "exit:N", "signal:N" or "-" for a wait status. */
static void
exit_desc(int status, char *buf, size_t len)
{
	if (status == -1)
		snprintf(buf, len, "-");
	else if (WIFEXITED(status))
		snprintf(buf, len, "exit:%d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "signal:%d", WTERMSIG(status));
	else
		snprintf(buf, len, "status:%d", status);
}

/* A service's cgroup accounting, where it has a cgroup. */
static void
rec_cgroup(struct ctl_conn *c, const struct service_info *i)
{
	struct cgroup_acct	a;

	if (cgroup_service_account(i->name, i->proto, &a) == -1)
		return;
	if (a.cpu_usec >= 0)
		rec_num(c, "cpu_usec", (unsigned long long)a.cpu_usec);
	if (a.mem_peak >= 0)
		rec_num(c, "memory_peak", (unsigned long long)a.mem_peak);
	if (a.tasks >= 0)
		rec_num(c, "tasks", (unsigned long long)a.tasks);
	if (a.tasks_peak >= 0)
		rec_num(c, "tasks_peak", (unsigned long long)a.tasks_peak);
}

/* One SV record; arg is the connection. */
static void
rec_service(const struct service_info *i, void *arg)
{
	struct ctl_conn	*c = arg;
	char		 ep[128], key[64], ex[32];
	int		 r;

	if (i->port < 0)
		snprintf(ep, sizeof(ep), "%s", i->address);
	else
		snprintf(ep, sizeof(ep), strchr(i->address, ':') ? "[%s]:%d" :
		    "%s:%d", i->address, i->port);
	exit_desc(i->last_exit, ex, sizeof(ex));
	rec_begin(c, "SV");
	rec_str(c, "name", i->name);
	rec_str(c, "proto", i->proto);
	rec_str(c, "socktype", i->socktype);
	rec_str(c, "state", i->state);
	rec_str(c, "endpoint", ep);
	rec_str(c, "mode", i->mode);
	rec_num(c, "running", i->running);
	rec_num(c, "accepted", i->accepted);
	rec_num(c, "refused", i->refused_total);
	for (r = 0; r < REFUSE_NREASONS; r++) {
		snprintf(key, sizeof(key), "refused.%s",
		    refuse_reason_name((enum refuse_reason)r));
		rec_num(c, key, i->refused[r]);
	}
	rec_str(c, "last_exit", ex);
	rec_num(c, "sources", i->sources);
	if (i->oob_port >= 0)
		rec_num(c, "oob_port", (unsigned long long)i->oob_port);
	if (i->rpc_prog != 0) {
		snprintf(key, sizeof(key), "%lu-%lu", i->rpc_vlo, i->rpc_vhi);
		rec_num(c, "rpc_program", i->rpc_prog);
		rec_str(c, "rpc_versions", key);
		rec_str(c, "rpcbind", i->rpc_registered ? "registered" :
		    "not-registered");
	}
	rec_cgroup(c, i);
	rec_end(c);
}

static void
cmd_services(struct ctl_conn *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	service_foreach_info(rec_service, c);
	ctl_ok(c);
}

/* Filter for cmd_service: the services called name. */
struct svc_filter {
	struct ctl_conn	*c;
	const char	*name;
};

static void
rec_service_named(const struct service_info *i, void *arg)
{
	struct svc_filter	*f = arg;

	if (strcmp(i->name, f->name) == 0)
		rec_service(i, f->c);
}

static void
cmd_service(struct ctl_conn *c, int argc, char **argv)
{
	struct svc_filter	f = { c, argv[1] };

	(void)argc;
	service_foreach_info(rec_service_named, &f);
	if (c->nrec == 0)
		ctl_err(c, PROTO_C_ENOENT, "no service %s", argv[1]);
	else
		ctl_ok(c);
}

/* One SE record when the session's service matches f->name (or any). */
static void
rec_session(struct session *s, void *arg)
{
	struct svc_filter	*f = arg;
	struct ctl_conn		*c = f->c;
	const char		*name = s->service;
	char			 id[32], age[32];
	long long		 us = session_age_usec(s);

	if (f->name != NULL && strcmp(name, f->name) != 0)
		return;
	snprintf(id, sizeof(id), "S%llu", (unsigned long long)s->id);
	snprintf(age, sizeof(age), "%lld.%03lld", us / 1000000,
	    (us / 1000) % 1000);
	rec_begin(c, "SE");
	rec_str(c, "id", id);
	rec_str(c, "service", name);
	rec_str(c, "peer", session_peer_desc(s));
	rec_num(c, "pid", (unsigned long long)(s->pid > 0 ? s->pid : 0));
	rec_num(c, "started", (unsigned long long)s->start_wall);
	rec_str(c, "age", age);
	rec_end(c);
}

static void
cmd_sessions(struct ctl_conn *c, int argc, char **argv)
{
	struct service_info	i;
	struct svc_filter	f = { c, argc > 1 ? argv[1] : NULL };

	if (f.name != NULL && service_get_info(f.name, NULL, &i) == -1) {
		ctl_err(c, PROTO_C_ENOENT, "no service %s", f.name);
		return;
	}
	session_foreach(rec_session, &f);
	ctl_ok(c);
}

static void
cmd_disable(struct ctl_conn *c, int argc, char **argv)
{
	(void)argc;
	if (service_admin_disable(argv[1]) == -1)
		ctl_err(c, PROTO_C_ENOENT, "no service %s", argv[1]);
	else
		ctl_ok(c);
}

static void
cmd_enable(struct ctl_conn *c, int argc, char **argv)
{
	(void)argc;
	if (service_admin_enable(argv[1]) == -1)
		ctl_err(c, PROTO_C_ENOENT, "no service %s", argv[1]);
	else
		ctl_ok(c);
}

/* interrupt SESSION [SIGNAL] [grace=S] */
static void
cmd_interrupt(struct ctl_conn *c, int argc, char **argv)
{
	struct session	*s;
	long		 grace = -1;
	int		 sig = SIGTERM, i;
	char		*end;

	for (i = 2; i < argc; i++) {
		if (strncmp(argv[i], "grace=", 6) == 0) {
			grace = strtol(argv[i] + 6, &end, 10);
			if (argv[i][6] == '\0' || *end != '\0' || grace < 0 ||
			    grace > 3600) {
				ctl_err(c, PROTO_C_EBADREQ,
				    "grace is 0..3600 s");
				return;
			}
		} else if ((sig = control_signal(argv[i])) == -1) {
			ctl_err(c, PROTO_C_EBADREQ, "unknown signal %s",
			    argv[i]);
			return;
		}
	}
	if ((s = session_by_id(control_session_id(argv[1]))) == NULL) {
		ctl_err(c, PROTO_C_ENOENT, "no session %s", argv[1]);
		return;
	}
	if (request_interrupt(s, sig, grace >= 0 ? (unsigned)grace :
	    request_target_of(s)->conf->kill_grace, c->who) == -1) {
		ctl_err(c, PROTO_C_ENOENT, "session %s: %s", argv[1],
		    strerror(errno));
		return;
	}
	ctl_ok(c);
}

/* What a reload said, for the client that asked. */
struct reload_report {
	struct ctl_conn	*c;
	char		 first[512];
};

/* One error line of a reload: an EC record; the first one is kept. */
static void
reload_line(const char *line, void *arg)
{
	struct reload_report	*rr = arg;

	rec_begin(rr->c, "EC");
	rec_str(rr->c, "line", line);
	rec_end(rr->c);
	if (rr->first[0] == '\0')
		snprintf(rr->first, sizeof(rr->first), "%s", line);
}

/* reload: OK, or each config error as an EC record and ERR ECONFIG. */
static void
cmd_reload(struct ctl_conn *c, int argc, char **argv)
{
	struct reload_report	 rr = { .c = c };
	struct errlog		 el;
	FILE			*errs;
	int			 rc;

	(void)argc;
	(void)argv;
	if ((errs = errlog_open(&el)) == NULL) {
		ctl_err(c, PROTO_C_EBUSY, "out of memory");
		return;
	}
	rc = ctl.hooks->reload(errs);
	errlog_flush(&el, reload_line, &rr);
	if (rc == 0)
		ctl_ok(c);
	else
		ctl_err(c, PROTO_C_ECONFIG, "%s", rr.first[0] ? rr.first :
		    "configuration is invalid; the old one is kept");
}

/* drain: answer first; draining may exit the loop at once. */
static void
cmd_drain(struct ctl_conn *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ctl_ok(c);
	c->drain = 1;
}

/* metrics: what GET /metrics gives, each line an MX record. */
static void
cmd_metrics(struct ctl_conn *c, int argc, char **argv)
{
	struct evbuffer	*buf;
	char		*line;
	size_t		 len;

	(void)argc;
	(void)argv;
	if ((buf = evbuffer_new()) == NULL || metrics_render(buf) == -1) {
		evbuffer_free(buf);
		ctl_err(c, PROTO_C_EBUSY, "out of memory");
		return;
	}
	while ((line = evbuffer_readln(buf, &len, EVBUFFER_EOL_LF)) != NULL) {
		rec_begin(c, "MX");
		rec_str(c, "line", line);
		rec_end(c);
		free(line);
	}
	evbuffer_free(buf);
	ctl_ok(c);
}

/*
 * upgrade [BINARY]: on success the process is the new binary and this
 * connection gets its answer from there (control_adopt); here only a
 * refusal found at once is answered (one found later, when the checks
 * of the new binary end, handover.c writes on a copy of the descriptor).
 */
static void
cmd_upgrade(struct ctl_conn *c, int argc, char **argv)
{
	char	err[1024];

	if (ctl.hooks->upgrade(argc > 1 ? argv[1] : NULL,
	    linesrv_conn_fd(c->lc), err, sizeof(err)) == -1) {
		log_warnx("%s: upgrade refused: %s", c->who, err);
		ctl_err(c, PROTO_C_ECONFIG, "upgrade refused: %s", err);
	}
}

void
control_adopt(int fd)
{
	struct linesrv_conn	*lc;
	struct ctl_conn		*c;

	if (ctl.srv == NULL || (lc = linesrv_adopt(ctl.srv, fd)) == NULL) {
		if (ctl.srv == NULL)
			close(fd);
		log_warnx("control: the connection that asked for the "
		    "upgrade could not be answered");
		return;
	}
	c = linesrv_conn_data(lc);
	c->nrec = 0;
	rec_begin(c, "UP");
	rec_str(c, "version", PACKAGE_VERSION);
	rec_num(c, "pid", (unsigned long long)getpid());
	rec_num(c, "sessions", sessions_count());
	rec_end(c);
	ctl_ok(c);
}
