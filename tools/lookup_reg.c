/*
 * lookup_reg.c: superd-lookup --register and --unregister.
 *
 * With a command, superd-lookup stays the command's parent and holds the
 * lease for exactly as long as the command runs: the directory
 * connection stays open (a connection-bound lease dies with it even on
 * kill -9), a TTL lease is renewed at TTL/2, and if superd restarts the
 * lease is registered again with back-off.  Signals arrive through a
 * signalfd, so nothing runs in signal context.
 */
#include "config.h"

#include <sys/signalfd.h>
#include <sys/wait.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lookup.h"

#define RETRY_MIN_MS	100
#define RETRY_MAX_MS	30000

struct runner {
	const struct lookup_reg	*opt;
	struct superd		*h;
	char			 id[SUPERD_ID_MAX];	/* "" when none */
	int			 live;		/* lease known to exist */
	unsigned		 ttl;		/* granted */
	pid_t			 child;
	int			 status;	/* wait status once reaped */
	int			 sfd;
	long long		 due;		/* ms clock of the next action */
	int			 retry_ms;
};

static long long now_ms(void);
static struct superd *dir_open(const char *);
static void	reg_fill(const struct lookup_reg *, struct superd_reg *);
static int	lease_get(struct runner *, int);
static void	lease_lost(struct runner *, const char *);
static void	lease_tick(struct runner *);
static int	child_start(struct runner *, const sigset_t *);
static int	on_signal(struct runner *);
static int	run_loop(struct runner *);
static int	exit_status(int);

/* A monotonic clock in milliseconds. */
static long long
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Open the directory or say why not (naming the socket). */
static struct superd *
dir_open(const char *path)
{
	struct superd	*h;

	if ((h = superd_open(path, 0)) == NULL)
		fprintf(stderr, "superd-lookup: cannot connect to %s: %s "
		    "(is superd running?)\n",
		    path ? path : superd_default_path(), strerror(errno));
	return h;
}

/* The library's registration from our options. */
static void
reg_fill(const struct lookup_reg *o, struct superd_reg *r)
{
	memset(r, 0, sizeof(*r));
	r->name = o->name;
	r->proto = o->proto;
	r->addr = o->addr;
	r->port = o->port;
	r->ttl = o->ttl;
	r->prio = o->prio;
	r->weight = o->weight;
	r->tags = o->tags;
	r->ntags = o->ntags;
	r->export = o->export;
}

/*
 * (Re)connect and make the lease exist: renew a TTL lease we still hold
 * an id for, else register anew.  quiet: retrying, keep stderr calm.
 */
static int
lease_get(struct runner *r, int quiet)
{
	struct superd_reg	reg;

	if (r->h == NULL &&
	    (r->h = quiet ? superd_open(r->opt->socket, 0) :
	    dir_open(r->opt->socket)) == NULL)
		return -1;
	if (r->id[0] != '\0' && r->opt->ttl > 0 &&
	    superd_renew(r->h, r->id, &r->ttl) == 0) {
		r->live = 1;
		return 0;
	}
	reg_fill(r->opt, &reg);
	if (superd_register(r->h, &reg, r->id, &r->ttl) == -1) {
		int	err = errno;

		if (!quiet)
			fprintf(stderr, "superd-lookup: register %s: %s\n",
			    r->opt->name, superd_strerror(r->h));
		r->id[0] = '\0';
		errno = err;
		return -1;
	}
	r->live = 1;
	return 0;
}

/* The lease or its connection went away: drop it and retry later. */
static void
lease_lost(struct runner *r, const char *why)
{
	if (r->live)
		fprintf(stderr, "superd-lookup: %s: %s; registering again\n",
		    r->opt->name, why);
	r->live = 0;
	superd_close(r->h);
	r->h = NULL;
	r->due = now_ms() + r->retry_ms;
	r->retry_ms = r->retry_ms * 2 > RETRY_MAX_MS ? RETRY_MAX_MS :
	    r->retry_ms * 2;
}

/* Timer: renew a live TTL lease, or try again to get one. */
static void
lease_tick(struct runner *r)
{
	if (r->live && r->ttl > 0) {
		if (superd_renew(r->h, r->id, &r->ttl) == 0) {
			r->due = now_ms() + r->ttl * 500LL;
			return;
		}
		if (errno == ENOENT)
			r->id[0] = '\0';	/* expired: register anew */
		lease_lost(r, superd_strerror(r->h));
		return;
	}
	if (lease_get(r, 1) == -1) {
		lease_lost(r, "directory unavailable");
		return;
	}
	fprintf(stderr, "superd-lookup: %s registered again as %s\n",
	    r->opt->name, r->id);
	r->retry_ms = RETRY_MIN_MS;
	r->due = r->ttl > 0 ? now_ms() + r->ttl * 500LL : -1;
}

/* Fork and exec the command with the signal mask we found. */
static int
child_start(struct runner *r, const sigset_t *oldmask)
{
	char	**cmd = r->opt->command;

	if ((r->child = fork()) == -1) {
		fprintf(stderr, "superd-lookup: fork: %s\n", strerror(errno));
		return -1;
	}
	if (r->child == 0) {
		sigprocmask(SIG_SETMASK, oldmask, NULL);
		execvp(cmd[0], cmd);
		fprintf(stderr, "superd-lookup: %s: %s\n", cmd[0],
		    strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	return 0;
}

/*
 * Read pending signals: reap the child (1 when it has exited), forward
 * the others.  A terminal's ^C already reached the whole process group,
 * so only signals sent to us alone (not SI_KERNEL) are passed on.
 */
static int
on_signal(struct runner *r)
{
	struct signalfd_siginfo	si;
	pid_t			pid;

	while (read(r->sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo != SIGCHLD) {
			if (si.ssi_code != SI_KERNEL)
				kill(r->child, si.ssi_signo);
			continue;
		}
		while ((pid = waitpid(-1, &r->status, WNOHANG)) > 0)
			if (pid == r->child)
				return 1;
	}
	return 0;
}

/* Wait for the child, the directory connection and the lease timer. */
static int
run_loop(struct runner *r)
{
	struct pollfd	pfd[2];
	long long	wait;
	int		n;

	for (;;) {
		pfd[0] = (struct pollfd){ .fd = r->sfd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = r->h ? superd_fd(r->h) : -1,
		    .events = POLLIN };
		wait = r->due < 0 ? -1 : r->due - now_ms();
		if (r->due >= 0 && wait < 0)
			wait = 0;
		n = poll(pfd, 2, wait > 86400000 ? 86400000 : (int)wait);
		if (n == -1 && errno != EINTR)
			return -1;
		if (n > 0 && (pfd[0].revents & POLLIN) && on_signal(r))
			return 0;
		/* Nothing is in flight, so readable means EOF or junk. */
		if (n > 0 && pfd[1].revents != 0)
			lease_lost(r, "directory connection closed");
		else if (n == 0)
			lease_tick(r);
	}
}

/* A shell-style exit status for a wait status. */
static int
exit_status(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return EXIT_ERROR;
}

/* --register: register, then print the id or run the command. */
int
reg_main(const struct lookup_reg *opt)
{
	struct runner	r = { .opt = opt, .sfd = -1, .due = -1,
			    .retry_ms = RETRY_MIN_MS };
	sigset_t	mask, oldmask;

	if (opt->command == NULL) {
		if (lease_get(&r, 0) == -1) {
			superd_close(r.h);
			return EXIT_ERROR;
		}
		printf("%s\n", r.id);
		superd_close(r.h);
		return EXIT_FOUND;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGQUIT);
	sigprocmask(SIG_BLOCK, &mask, &oldmask);
	if ((r.sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) == -1) {
		fprintf(stderr, "superd-lookup: signalfd: %s\n",
		    strerror(errno));
		return EXIT_ERROR;
	}
	if (lease_get(&r, 0) == -1) {
		/* Not bound yet is fine: the command is about to bind it. */
		if (errno != EADDRNOTAVAIL)
			return EXIT_ERROR;
		lease_lost(&r, "port not bound yet");
	} else if (r.ttl > 0)
		r.due = now_ms() + r.ttl * 500LL;
	if (child_start(&r, &oldmask) == -1 || run_loop(&r) == -1)
		return EXIT_ERROR;
	if (r.live)
		superd_unregister(r.h, r.id);
	superd_close(r.h);
	close(r.sfd);
	return exit_status(r.status);
}

/* --unregister ID. */
int
unreg_main(const char *socket, const char *id)
{
	struct superd	*h;
	int		 rc = EXIT_FOUND;

	if ((h = dir_open(socket)) == NULL)
		return EXIT_ERROR;
	if (superd_unregister(h, id) == -1) {
		fprintf(stderr, "superd-lookup: unregister %s: %s\n", id,
		    superd_strerror(h));
		rc = errno == ENOENT ? EXIT_NOTFOUND : EXIT_ERROR;
	}
	superd_close(h);
	return rc;
}
