/*
 * superd.c: main(): options, config, the event loop and its signals.
 */
#include "config.h"

#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#ifdef HAVE_MALLOC_TRIM
#include <malloc.h>
#endif
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
#include "confload.h"
#include "control.h"
#include "errlog.h"
#include "log.h"
#include "export.h"
#include "handover.h"
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
#include "upcheck.h"
#include "urgent.h"
#include "spawn.h"
#include "sidechan.h"
#include "statefile.h"
#include "stats.h"

#define DEFAULT_CONF	SYSCONFDIR "/superd.conf"

struct superd_opts {
	const char	*conf_path;
	int		 foreground;
	int		 debug;
	int		 check_only;
	const char	*handover;	/* HANDOVER_ENV: an upgrade */
};

/* Daemon-wide runtime facts for status replies (not configuration). */
static struct superd_state {
	struct event_base	*base;
	const char		*conf_path;
	time_t			 loaded;
	int			 draining;
	int			 stopping;
	struct event		*stop_timer;
	int			 keep_handlers;
	int			 debug;		/* -d outlives reloads */
	int			 reload_again;	/* SIGHUP during a reload */
	unsigned		 shutdown_grace;
	char			*pidfile;
} st;


static void __attribute__((noreturn))
usage(const char *why)
{
	if (why != NULL)
		fprintf(stderr, "superd: %s\n", why);
	fprintf(stderr, "usage: superd [-dftV] [-c file] | "
	    "--handover-version\n");
	exit(why ? 64 : 0);
}

static void
parse_args(int argc, char **argv, struct superd_opts *o)
{
	int	ch;

	memset(o, 0, sizeof(*o));
	o->conf_path = DEFAULT_CONF;
	/* Asked by the running superd before it upgrades to this binary. */
	if (argc == 2 && strcmp(argv[1], "--handover-version") == 0) {
		statefile_versions_print(stdout);
		exit(0);
	}
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
	return stats_started();
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
static void	release_freed_memory(void);

/* load_conf on confload's thread, then the garbage given back there. */
static struct superd_conf *
load_conf_off_loop(const char *path, FILE *errs)
{
	struct superd_conf	*conf = load_conf(path, errs);

	release_freed_memory();
	return conf;
}

/*
 * Parsing leaves the heap full of freed memory (libconfuse's sections:
 * some 15 KiB a service), which malloc keeps for later: 5000 services
 * idled with 74 MiB of private memory, 12 MiB after giving it back.
 * Giving back 60 MiB takes some 25 ms of madvise: a SIGHUP's reload does
 * it on its thread (load_conf_off_loop), others where they parsed.
 */
static void
release_freed_memory(void)
{
#ifdef HAVE_MALLOC_TRIM
	malloc_trim(0);
#endif
}

/* Milliseconds on clock since *t0. */
static double
ms_since(clockid_t clock, const struct timespec *t0)
{
	struct timespec	t;

	clock_gettime(clock, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

/*
 * Apply a configuration read for a reload (taken; NULL: unreadable).
 * The "reloaded" line says how long the loop spent on it, in all and on
 * the CPU (on a busy machine the first also counts waiting for a CPU).
 */
static int
reload_apply(struct superd_conf *conf, FILE *errs)
{
	struct timespec	wall, cpu;
	unsigned	n = conf != NULL ? conf->nservices : 0;

	clock_gettime(CLOCK_MONOTONIC, &wall);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
	if (conf == NULL) {
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
	handover_configure(conf);
	inetd_watch_set(st.base, conf->inetd_compat, inetd_changed, NULL);
	side_channels_reconfigure(conf);
	inherit_report_unused();
	export_configure(st.base, conf);
	metrics_http_configure(st.base, conf);
	metrics_reloaded(1);
	st.loaded = time(NULL);
	notify_ready();
	log_info("reloaded %s: %u services, applied in %.1f ms on the event "
	    "loop (%.1f ms CPU)", st.conf_path, n,
	    ms_since(CLOCK_MONOTONIC, &wall),
	    ms_since(CLOCK_THREAD_CPUTIME_ID, &cpu));
	return 0;
}

/* The control socket's reload: read and apply now, errors to errs. */
static int
superd_reload(FILE *errs)
{
	int	rc;

	/* One from a signal in flight goes first (and one it queued). */
	while (confload_busy())
		confload_finish(1);
	log_info("reloading %s", st.conf_path);
	notify_reloading();
	rc = reload_apply(load_conf(st.conf_path, errs), errs);
	release_freed_memory();
	return rc;
}

static void	reload_from_signal(void);

/* On the loop: the configuration a signal asked for has been read. */
static void
reload_loaded(struct superd_conf *conf, const char *errors, void *arg)
{
	struct errlog	 el;
	FILE		*errs = errlog_open(&el);

	(void)arg;
	if (errs != NULL)
		fputs(errors, errs);
	reload_apply(conf, errs);
	errlog_flush(&el, NULL, NULL);
	if (st.reload_again) {
		st.reload_again = 0;
		reload_from_signal();
	}
}

/*
 * SIGHUP: the file is read on a thread (confload.h) and applied when it
 * is in; a signal meanwhile reads it again after.  Without a thread, as
 * the control socket does.  Errors go to the log.
 */
static void
reload_from_signal(void)
{
	struct errlog	el;

	if (confload_busy()) {
		st.reload_again = 1;
		return;
	}
	if (confload_start(st.base, st.conf_path, load_conf_off_loop,
	    reload_loaded, NULL) == -1) {
		superd_reload(errlog_open(&el));
		errlog_flush(&el, NULL, NULL);
		return;
	}
	log_info("reloading %s", st.conf_path);
	notify_reloading();
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
	confload_finish(0);
	inetd_watch_stop();
	export_stop();
	metrics_http_stop();
	side_channels_stop();
	handover_exit();
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
	handover_upgrade_cancel("superd is stopping");
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
	handover_upgrade_cancel("superd is draining");
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

/* Replace the binary in place (control "upgrade", SIGUSR2). */
static int
superd_upgrade(const char *binary, int fd, char *err, size_t errlen)
{
	if (st.stopping || st.draining) {
		snprintf(err, errlen, "superd is %s", st.stopping ?
		    "stopping" : "draining");
		return -1;
	}
	return handover_upgrade(binary, fd, err, errlen);
}

/* One child exited: an upgrade's check of a new binary, or a handler. */
static void
child_exited(pid_t pid, int status, void *arg)
{
	if (!upcheck_child_exited(pid, status))
		request_child_exited(pid, status, arg);
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	char	err[1024];

	switch (sig) {
	case SIGHUP:
		reload_from_signal();
		break;
	case SIGTERM:
	case SIGINT:
		superd_shutdown();
		break;
	case SIGCHLD:
		child_reap(child_exited, NULL);
		check_done();
		break;
	case SIGUSR1:
		notify_status();
		dump_state();
		break;
	case SIGUSR2:
		log_notice("SIGUSR2: upgrading in place");
		if (superd_upgrade(NULL, -1, err, sizeof(err)) == -1)
			log_warnx("upgrade refused: %s", err);
		break;
	}
}

/* SIGCHLD through the signalfd (child.h): reap, then see if we are done. */
static void
chld_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)what;
	(void)arg;
	child_signalfd_drain(fd);
	child_reap(child_exited, NULL);
	check_done();
}

/* SIGCHLD's event watches chld_fd when open, else the signal. */
static void
setup_signals(struct event_base *base, struct event **evs, int chld_fd)
{
	static const int sigs[] = { SIGHUP, SIGTERM, SIGINT, SIGUSR1, SIGUSR2,
	    SIGCHLD };
	size_t	i;

	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		if (sigs[i] == SIGCHLD && chld_fd != -1)
			evs[i] = event_new(base, chld_fd, EV_READ | EV_PERSIST,
			    chld_cb, NULL);
		else
			evs[i] = evsignal_new(base, sigs[i], signal_cb, NULL);
		event_priority_set(evs[i], 0);
		event_add(evs[i], NULL);
	}
	/* Children that exited before the watch began. */
	child_reap(child_exited, NULL);
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
	superd_loaded, superd_upgrade
};

int
main(int argc, char **argv)
{
	struct superd_opts	 o;
	struct superd_conf	*conf;
	struct event		*sigevs[6];
	int			 ctl_fd;
	size_t			 i;
	int			 chld_fd;

	parse_args(argc, argv, &o);
	sanitize_stdio();
	if ((o.handover = getenv(HANDOVER_ENV)) != NULL &&
	    (o.handover = strdup(o.handover)) != NULL)
		unsetenv(HANDOVER_ENV);
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
	/* An upgrade is this very process: it daemonized already. */
	if (!o.foreground && o.handover == NULL)
		daemonize();
	log_init(o.foreground, o.debug ? LOG_DEBUG : conf->log_level,
	    "superd");
	/* Before any thread: each must have SIGCHLD blocked too. */
	chld_fd = child_signalfd_open();
	/* After daemonize(): a thread does not survive fork. */
	if (logq_start(log_sink_batch, log_sink_flush) == -1)
		log_warnx("log writer thread: not started; logging directly");
	st.conf_path = o.conf_path;
	st.loaded = time(NULL);
	/* An upgrade puts its process's start back (carry.c). */
	stats_set_started(st.loaded);
	if ((st.base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	/* 0: signals and control, 1: directory, 2: data listeners. */
	event_base_priority_init(st.base, 3);
	st.debug = o.debug;
	prepare_rundir(conf, 1);
	apply_globals(conf);
	spawn_init();
	sessions_init();
	metrics_init();
	oob_init(st.base);
	if (urgent_init(st.base, 0) == -1)
		log_warnx("urgent data: not watched (urgent = interrupt will "
		    "not work)");
	services_init(st.base, check_done);
	policy_set_own_port_check(service_is_own_udp);
	setup_signals(st.base, sigevs, chld_fd);
	notify_init(st.base);
	/* Before anything binds: sockets an upgrade handed over. */
	handover_init(st.base, argv, o.conf_path);
	handover_configure(conf);
	handover_prepare(o.handover);
	side_channels_start(st.base, conf, &control_hooks);
	metrics_http_configure(st.base, conf);
	if (services_apply(conf, stderr) == -1)
		fatalx("cannot set up the services");
	ctl_fd = handover_adopt();
	/* Handlers that exited while no binary was listening for SIGCHLD. */
	child_reap(child_exited, NULL);
	if (ctl_fd >= 0)
		control_adopt(ctl_fd);
	request_set_change_hook(handover_changed);
	handover_changed(1);
	inetd_watch_set(st.base, conf->inetd_compat, inetd_changed, NULL);
	inherit_report_unused();
	export_configure(st.base, conf);
	write_pidfile(st.pidfile);
	release_freed_memory();
	notify_ready();
	if (o.handover != NULL)
		log_notice("superd %s upgraded in place (pid %ld) with %s",
		    PACKAGE_VERSION, (long)getpid(), o.conf_path);
	else
		log_notice("superd %s started with %s", PACKAGE_VERSION,
		    o.conf_path);
	free((char *)o.handover);
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
