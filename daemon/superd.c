/*
 * superd.c: main(): options, config, the event loop and its signals.
 */
#include "config.h"

#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "capcheck.h"
#include "cgroup.h"
#include "child.h"
#include "conf.h"
#include "control.h"
#include "errlog.h"
#include "log.h"
#include "export.h"
#include "inetd_compat.h"
#include "inetd_watch.h"
#include "inherit.h"
#include "logq.h"
#include "metrics.h"
#include "metrics_http.h"
#include "notify.h"
#include "oob.h"
#include "policy.h"
#include "rundir.h"
#include "rpcreg.h"
#include "service.h"
#include "request.h"
#include "session.h"
#include "urgent.h"
#include "spawn.h"
#include "sidechan.h"

#define DEFAULT_CONF	SYSCONFDIR "/superd.conf"

struct superd_opts {
	const char	*conf_path;
	int		 foreground;
	int		 debug;
	int		 check_only;
};

/* Daemon-wide runtime facts for status replies (not configuration). */
static struct superd_state {
	struct event_base	*base;
	const char		*conf_path;
	time_t			 started;
	time_t			 loaded;
	int			 draining;
	int			 stopping;
	struct event		*stop_timer;
	int			 keep_handlers;
	int			 debug;		/* -d outlives reloads */
	unsigned		 shutdown_grace;
	char			*pidfile;
} st;


static void __attribute__((noreturn))
usage(const char *why)
{
	if (why != NULL)
		fprintf(stderr, "superd: %s\n", why);
	fprintf(stderr, "usage: superd [-dftV] [-c file]\n");
	exit(why ? 64 : 0);
}

static void
parse_args(int argc, char **argv, struct superd_opts *o)
{
	int	ch;

	memset(o, 0, sizeof(*o));
	o->conf_path = DEFAULT_CONF;
	opterr = 0;
	while ((ch = getopt(argc, argv, "c:dfhtV")) != -1) {
		switch (ch) {
		case 'c':
			o->conf_path = optarg;
			break;
		case 'd':
			o->debug = 1;
			o->foreground = 1;
			break;
		case 'f':
			o->foreground = 1;
			break;
		case 't':
			o->check_only = 1;
			break;
		case 'V':
			printf("superd %s\n", PACKAGE_VERSION);
			exit(0);
		case 'h':
			usage(NULL);
		default:
			fprintf(stderr, "superd: unknown option -%c\n", optopt);
			usage(optopt == 'c' ? "-c needs a file name" :
			    "bad option");
		}
	}
	if (optind < argc)
		usage("unexpected argument");
}

static const char *
superd_conf_path(void)
{
	return st.conf_path;
}

static time_t
superd_started(void)
{
	return st.started;
}

static time_t
superd_loaded(void)
{
	return st.loaded;
}

/* Keep fds 0-2 taken, so no socket ever lands there by accident. */
static void
sanitize_stdio(void)
{
	int	fd;

	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2)
		;
	if (fd > 2)
		close(fd);
}

static void
daemonize(void)
{
	pid_t	pid;
	int	fd;

	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid > 0)
		_exit(0);
	if (setsid() == -1)
		fatal("setsid");
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid > 0)
		_exit(0);
	if (chdir("/") == -1)
		fatal("chdir /");
	if ((fd = open("/dev/null", O_RDWR)) != -1) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
}

static void
write_pidfile(const char *path)
{
	FILE	*f;

	if (path == NULL)
		return;
	if ((f = fopen(path, "w")) == NULL) {
		log_warn("pidfile %s", path);
		return;
	}
	fprintf(f, "%ld\n", (long)getpid());
	fclose(f);
}

/*
 * Create the runtime directory (rundir.h) before the sockets in it are
 * bound.  A /tmp one that is not ours stops the start: our sockets
 * would be in someone else's hands.
 */
static void
prepare_rundir(const struct superd_conf *conf, int starting)
{
	const char	*socks[] = { conf->control_socket,
			    conf->directory_socket };
	char		 err[512];
	int		 r;

	if ((r = rundir_prepare(socks, 2, err, sizeof(err))) == -2 &&
	    starting)
		fatalx("runtime directory: %s", err);
	if (r != 0)
		log_warnx("runtime directory: %s", err);
}

/* Take on the global settings of a (new) config. */
static void
apply_globals(const struct superd_conf *conf)
{
	cgroup_configure(conf->cgroup_root, conf->cgroup_why);
	log_setlevel(st.debug ? LOG_DEBUG : conf->log_level);
	st.keep_handlers = conf->keep_handlers;
	st.shutdown_grace = conf->shutdown_grace;
	free(st.pidfile);
	st.pidfile = conf->pidfile ? strdup(conf->pidfile) : NULL;
}

/* superd.conf and, with inetd-compat, the inetd.conf lines it can serve. */
static struct superd_conf *
load_conf(const char *path, FILE *errs)
{
	struct superd_conf	*conf;

	if ((conf = conf_load(path, errs)) != NULL)
		inetd_compat_add(conf);
	return conf;
}

static void	inetd_changed(void *);

static int
superd_reload(FILE *errs)
{
	struct superd_conf	*conf;

	log_info("reloading %s", st.conf_path);
	notify_reloading();
	if ((conf = load_conf(st.conf_path, errs)) == NULL) {
		log_warnx("reload of %s failed; keeping the running "
		    "configuration", st.conf_path);
		metrics_reloaded(0);
		notify_ready();
		return -1;
	}
	if (services_apply(conf, errs) == -1) {
		conf_free(conf);
		log_warnx("reload of %s failed; keeping the running "
		    "configuration", st.conf_path);
		metrics_reloaded(0);
		notify_ready();
		return -1;
	}
	prepare_rundir(conf, 0);
	apply_globals(conf);
	inetd_watch_set(st.base, conf->inetd_compat, inetd_changed, NULL);
	side_channels_reconfigure(conf);
	inherit_report_unused();
	export_configure(st.base, conf);
	metrics_http_configure(st.base, conf);
	metrics_reloaded(1);
	st.loaded = time(NULL);
	notify_ready();
	log_info("reloaded %s", st.conf_path);
	return 0;
}

/* Log every error of a failed reload through the logger. */
static void
reload_from_signal(void)
{
	struct errlog	el;

	superd_reload(errlog_open(&el));
	errlog_flush(&el, NULL, NULL);
}

/* inetd.conf changed (update-inetd): reload exactly as SIGHUP does. */
static void
inetd_changed(void *arg)
{
	(void)arg;
	reload_from_signal();
}

static void
finish(void)
{
	notify_stopping();
	inetd_watch_stop();
	export_stop();
	metrics_http_stop();
	side_channels_stop();
	services_shutdown();
	rpcreg_stop();		/* after every listener's rpcreg_remove */
	if (st.pidfile != NULL)
		unlink(st.pidfile);
	event_base_loopexit(st.base, NULL);
}

/* Shutdown: grace for handlers is over. */
static void
stop_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	if (sessions_count() > 0) {
		log_notice("%u handlers still running after %us: SIGKILL",
		    sessions_count(), st.shutdown_grace);
		requests_signal_all(SIGKILL);
	}
	finish();
}

static void
superd_shutdown(void)
{
	if (st.stopping)
		return;
	st.stopping = 1;
	log_info("shutting down");
	services_stop_accepting();
	if (st.keep_handlers || sessions_count() == 0) {
		finish();
		return;
	}
	requests_signal_all(SIGTERM);
	st.stop_timer = evtimer_new(st.base, stop_timer_cb, NULL);
	evtimer_add(st.stop_timer, &((struct timeval){ st.shutdown_grace, 0 }));
}

static void
superd_drain(void)
{
	log_info("draining: no new requests; exiting when %u handlers end",
	    sessions_count());
	st.draining = 1;
	services_stop_accepting();
	if (sessions_count() == 0)
		finish();
}

/* After children end: finish a drain or a graceful stop. */
static void
check_done(void)
{
	if ((st.draining || st.stopping) && sessions_count() == 0 &&
	    !(st.stopping && st.keep_handlers)) {
		if (st.stop_timer != NULL)
			evtimer_del(st.stop_timer);
		finish();
	}
}


static void
dump_service(const struct service_info *i, void *arg)
{
	char	endpoint[96];

	if (i->port >= 0)
		snprintf(endpoint, sizeof(endpoint), "%s port %d%s", i->address,
		    i->port, i->dynamic ? " (dynamic)" : "");
	else
		snprintf(endpoint, sizeof(endpoint), "%s", i->address);
	log_notice("service %s/%s: %s, %s on %s, %u running, %llu accepted, "
	    "%llu refused", i->name, i->proto, i->state, i->mode, endpoint,
	    i->running, (unsigned long long)i->accepted,
	    (unsigned long long)i->refused_total);
}

/*
 * SIGUSR1: the state of every service into the log, for admins used to
 * xinetd's dump (superdctl gives the same and more, as JSON too).
 */
static void
dump_state(void)
{
	log_notice("state: config %s loaded %lds ago, %u handlers running%s",
	    st.conf_path, (long)(time(NULL) - st.loaded),
	    services_running_total(), st.draining ? ", draining" : "");
	service_foreach_info(dump_service, NULL);
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	switch (sig) {
	case SIGHUP:
		reload_from_signal();
		break;
	case SIGTERM:
	case SIGINT:
		superd_shutdown();
		break;
	case SIGCHLD:
		child_reap(request_child_exited, NULL);
		check_done();
		break;
	case SIGUSR1:
		notify_status();
		dump_state();
		break;
	}
}

static void
setup_signals(struct event_base *base, struct event **evs)
{
	static const int sigs[] = { SIGHUP, SIGTERM, SIGINT, SIGCHLD, SIGUSR1 };
	size_t	i;

	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		evs[i] = evsignal_new(base, sigs[i], signal_cb, NULL);
		event_priority_set(evs[i], 0);
		evsignal_add(evs[i], NULL);
	}
}

/* -t: check the config and say so. */
static int
check_config(const char *path)
{
	struct superd_conf	*conf;

	if ((conf = load_conf(path, stderr)) == NULL) {
		fprintf(stderr, "superd: %s: configuration is invalid\n", path);
		return EX_CONFIG_STATUS;
	}
	/* Only warnings: what this superd could not do for a service. */
	capcheck_conf(conf, stderr);
	printf("superd: %s: configuration OK (%u services)\n", path,
	    conf->nservices);
	conf_free(conf);
	return 0;
}

/* What the control socket may ask of the daemon. */
static const struct control_hooks control_hooks = {
	superd_reload, superd_drain, superd_conf_path, superd_started,
	superd_loaded
};

int
main(int argc, char **argv)
{
	struct superd_opts	 o;
	struct superd_conf	*conf;
	struct event		*sigevs[5];
	size_t			 i;

	parse_args(argc, argv, &o);
	sanitize_stdio();
	if (o.check_only)
		return check_config(o.conf_path);
	log_init(1, o.debug ? LOG_DEBUG : LOG_INFO, "superd");
	if ((conf = load_conf(o.conf_path, stderr)) == NULL) {
		fprintf(stderr, "superd: %s: configuration is invalid, not "
		    "starting\n", o.conf_path);
		return EX_CONFIG_STATUS;
	}
	/* Before daemonize(): LISTEN_PID names this process. */
	inherit_init();
	if (!o.foreground)
		daemonize();
	log_init(o.foreground, o.debug ? LOG_DEBUG : conf->log_level,
	    "superd");
	/* After daemonize(): a thread does not survive fork. */
	if (logq_start(log_sink_write) == -1)
		log_warnx("log writer thread: not started; logging directly");
	st.conf_path = o.conf_path;
	st.started = st.loaded = time(NULL);
	if ((st.base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	/* 0: signals and control, 1: directory, 2: data listeners. */
	event_base_priority_init(st.base, 3);
	st.debug = o.debug;
	prepare_rundir(conf, 1);
	apply_globals(conf);
	spawn_init();
	sessions_init();
	metrics_init(st.started);
	oob_init(st.base);
	if (urgent_init(st.base, 0) == -1)
		log_warnx("urgent data: not watched (urgent = interrupt will "
		    "not work)");
	services_init(st.base, check_done);
	policy_set_own_port_check(service_is_own_udp);
	setup_signals(st.base, sigevs);
	notify_init(st.base);
	side_channels_start(st.base, conf, &control_hooks);
	metrics_http_configure(st.base, conf);
	if (services_apply(conf, stderr) == -1)
		fatalx("cannot set up the services");
	inetd_watch_set(st.base, conf->inetd_compat, inetd_changed, NULL);
	inherit_report_unused();
	export_configure(st.base, conf);
	write_pidfile(st.pidfile);
	notify_ready();
	log_notice("superd %s started with %s", PACKAGE_VERSION, o.conf_path);
	event_base_dispatch(st.base);
	for (i = 0; i < sizeof(sigevs) / sizeof(sigevs[0]); i++)
		event_free(sigevs[i]);
	if (st.stop_timer != NULL)
		event_free(st.stop_timer);
	notify_free();
	urgent_shutdown();
	requests_shutdown();
	inherit_free();
	metrics_free();
	free(st.pidfile);
	event_base_free(st.base);
	log_info("exited");
	logq_stop();
	return 0;
}
