/*
 * upcheck.c: the new binary's checks before an upgrade, watched from the
 * loop.  See upcheck.h.
 *
 * Each step is one child process with its output on a pipe.  Its exit
 * comes from the reaper (upcheck_child_exited: superd reaps every child
 * with waitpid(-1), so a pidfd would find the status gone); by then all
 * it wrote is in the pipe, so the step ends on the exit alone, and a
 * grandchild that keeps the pipe open cannot hold it up.  The child
 * leads a process group of its own, so that a timeout kills whatever it
 * started as well (a script's sleep).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "statefile.h"
#include "upcheck.h"

enum step {
	STEP_CONF,		/* BIN -t -c CONF */
	STEP_VERSION		/* BIN --handover-version */
};

static struct {
	struct event_base	*base;
	int			 running;
	char			*bin;
	char			*conf_path;
	enum step		 step;
	pid_t			 pid;		/* the step's process, 0 none */
	int			 fd;		/* its output, -1 */
	struct event		*rd;
	struct event		*timer;		/* the whole check's bound */
	char			 out[768];	/* the first of its output */
	size_t			 got;
	upcheck_done_fn		 done;
	void			*arg;
} uc = { .fd = -1 };

/* In the child: plain signals, output to out, then bin. */
static void __attribute__((noreturn))
child_exec(char *const args[], int out)
{
	static const int handled[] = { SIGHUP, SIGTERM, SIGINT, SIGUSR1,
	    SIGUSR2, SIGCHLD, SIGPIPE };
	sigset_t	none;
	size_t		i;
	int		null;

	for (i = 0; i < sizeof(handled) / sizeof(handled[0]); i++)
		signal(handled[i], SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	(void)setpgid(0, 0);
	if ((null = open("/dev/null", O_RDONLY)) != -1)
		dup2(null, 0);
	dup2(out, 1);
	dup2(out, 2);
	execv(args[0], args);
	_exit(127);
}

/* Read what the pipe holds now (the first bytes kept); 1 at its end. */
static int
output_drain(void)
{
	char	buf[4096];
	ssize_t	n;
	size_t	room;

	for (;;) {
		if ((n = read(uc.fd, buf, sizeof(buf))) == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 || errno != EAGAIN;
		room = sizeof(uc.out) - 1 - uc.got;
		if ((size_t)n < room)
			room = (size_t)n;
		memcpy(uc.out + uc.got, buf, room);
		uc.got += room;
		uc.out[uc.got] = '\0';
	}
}

/* The pipe is not left to fill up (a child blocked on it never ends). */
static void
output_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	if (output_drain() && uc.rd != NULL)
		event_del(uc.rd);
}

static void
output_close(void)
{
	if (uc.rd != NULL)
		event_free(uc.rd);
	uc.rd = NULL;
	if (uc.fd != -1)
		close(uc.fd);
	uc.fd = -1;
}

/* Start the current step's process; 0, or -1 with err. */
static int
step_start(char *err, size_t errlen)
{
	char *const	 conf_args[] = { uc.bin, "-t", "-c", uc.conf_path,
			    NULL };
	char *const	 ver_args[] = { uc.bin, "--handover-version", NULL };
	sigset_t	 all, old;
	int		 p[2];

	uc.got = 0;
	uc.out[0] = '\0';
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) == -1) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	/* No libevent signal handler may run in the child. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	if ((uc.pid = fork()) == 0)
		child_exec(uc.step == STEP_CONF ? conf_args : ver_args, p[1]);
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(p[1]);
	if (uc.pid == -1) {
		uc.pid = 0;
		close(p[0]);
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -1;
	}
	(void)setpgid(uc.pid, uc.pid);	/* whichever of the two runs first */
	uc.fd = p[0];
	if ((uc.rd = event_new(uc.base, uc.fd, EV_READ | EV_PERSIST,
	    output_cb, NULL)) != NULL)
		event_add(uc.rd, NULL);
	return 0;
}

/* The check is over: forget it, then give the verdict. */
static void
finish(int ok, const char *why)
{
	upcheck_done_fn	 done = uc.done;
	void		*arg = uc.arg;
	char		 msg[1024];

	snprintf(msg, sizeof(msg), "%s", why != NULL ? why : "");
	upcheck_cancel();
	done(ok, ok ? NULL : msg, arg);
}

/* The output as one line (the first few lines of a check's output). */
static const char *
output_line(void)
{
	size_t	i, n;

	for (i = 0; i < uc.got; i++)
		if (uc.out[i] == '\n' || uc.out[i] == '\r')
			uc.out[i] = ' ';
	n = uc.got;
	while (n > 0 && uc.out[n - 1] == ' ')
		uc.out[--n] = '\0';
	return uc.out;
}

static int
exit_code(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* -t passed: on to --handover-version. */
static void
step_conf_ended(int rc)
{
	char	why[1024];

	if (rc != 0) {
		snprintf(why, sizeof(why), "%s -t -c %s failed (status %d): %s",
		    uc.bin, uc.conf_path, rc, output_line());
		finish(0, why);
		return;
	}
	uc.step = STEP_VERSION;
	if (step_start(why, sizeof(why)) == -1)
		finish(0, why);
}

static void
step_version_ended(int rc)
{
	char	why[1024];

	if (rc == 0 && statefile_versions_read(uc.out)) {
		finish(1, NULL);
		return;
	}
	snprintf(why, sizeof(why), "%s does not read handover format %d "
	    "(--handover-version: status %d, \"%s\")", uc.bin,
	    STATEFILE_VERSION, rc, output_line());
	finish(0, why);
}

int
upcheck_child_exited(pid_t pid, int status)
{
	if (!uc.running || pid != uc.pid)
		return 0;
	uc.pid = 0;
	/* All it wrote is in the pipe by now. */
	(void)output_drain();
	output_close();
	if (uc.step == STEP_CONF)
		step_conf_ended(exit_code(status));
	else
		step_version_ended(exit_code(status));
	return 1;
}

/* Too slow: kill the step with all it started, and refuse. */
static void
timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	char	why[1024];

	(void)fd;
	(void)what;
	(void)arg;
	snprintf(why, sizeof(why), "%s %s: no answer within %d ms; killed",
	    uc.bin, uc.step == STEP_CONF ? "-t" : "--handover-version",
	    UPCHECK_TIMEOUT_MS);
	finish(0, why);
}

int
upcheck_start(struct event_base *base, const char *bin, const char *conf_path,
    upcheck_done_fn done, void *arg, char *err, size_t errlen)
{
	struct timeval	tv = { UPCHECK_TIMEOUT_MS / 1000,
			    UPCHECK_TIMEOUT_MS % 1000 * 1000 };

	if (uc.running) {
		snprintf(err, errlen, "a check of %s is running", uc.bin);
		return -1;
	}
	uc.base = base;
	uc.done = done;
	uc.arg = arg;
	uc.step = STEP_CONF;
	if ((uc.bin = strdup(bin)) == NULL ||
	    (uc.conf_path = strdup(conf_path)) == NULL ||
	    (uc.timer = evtimer_new(base, timeout_cb, NULL)) == NULL) {
		upcheck_cancel();
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	uc.running = 1;
	if (step_start(err, errlen) == -1) {
		upcheck_cancel();
		return -1;
	}
	evtimer_add(uc.timer, &tv);
	return 0;
}

int
upcheck_running(void)
{
	return uc.running;
}

void
upcheck_cancel(void)
{
	/*
	 * A process still running is killed, with its group (not reaped
	 * yet: the reaper tells us first, so the group is still its); the
	 * reaper collects it as a stranger.
	 */
	if (uc.pid > 0) {
		(void)kill(-uc.pid, SIGKILL);
		(void)kill(uc.pid, SIGKILL);
	}
	uc.pid = 0;
	output_close();
	if (uc.timer != NULL)
		event_free(uc.timer);
	uc.timer = NULL;
	free(uc.bin);
	free(uc.conf_path);
	uc.bin = uc.conf_path = NULL;
	uc.running = 0;
}
