/*
 * ref_spawn: the reference for exec nowait services: accept4 until EAGAIN,
 * posix_spawn the program with the connection on fds 0, 1 and 2, close it
 * in the parent, reap on SIGCHLD (through a signalfd) with waitpid.  The
 * spawn attributes and argv are built once; glibc's posix_spawn uses
 * clone(CLONE_VM|CLONE_VFORK), the fastest way to start a process.
 *
 * usage: ref_spawn [-T lifetime_s] [-6] port program [args...]
 */
#include "config.h"

#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <unistd.h>

#include "benchnet.h"

extern char	**environ;

static posix_spawnattr_t	 attr;
static char			**child_argv;

static void	setup_spawn(char **);
static void	spawn_one(int);
static void	accept_all(int);
static void	reap_all(int);

/* Build the attributes once: default signals, an empty mask. */
static void
setup_spawn(char **argv)
{
	sigset_t	all, none;

	sigfillset(&all);
	sigemptyset(&none);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF |
	    POSIX_SPAWN_SETSIGMASK);
	child_argv = argv;
}

/* Start the program on connection fd; the parent's copy is closed. */
static void
spawn_one(int fd)
{
	posix_spawn_file_actions_t	fa;
	pid_t				pid;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fd, 0);
	posix_spawn_file_actions_adddup2(&fa, fd, 1);
	posix_spawn_file_actions_adddup2(&fa, fd, 2);
	if (posix_spawn(&pid, child_argv[0], &fa, &attr, child_argv,
	    environ) != 0)
		perror("ref_spawn: posix_spawn");
	posix_spawn_file_actions_destroy(&fa);
	close(fd);
}

/* Accept until EAGAIN, one child per connection. */
static void
accept_all(int lfd)
{
	int	fd;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) != -1)
		spawn_one(fd);
}

/* Drain the signalfd, then reap every child that has exited. */
static void
reap_all(int sfd)
{
	struct signalfd_siginfo	si;
	int			st;

	while (read(sfd, &si, sizeof(si)) == sizeof(si))
		;
	while (waitpid(-1, &st, WNOHANG) > 0)
		;
}

int
main(int argc, char **argv)
{
	struct epoll_event	evs[64], ev;
	struct bn_opts		o;
	sigset_t		chld;
	int			ep, lfd, sfd, n, i, first;

	first = bn_parse(argc, argv, &o, "[-T lifetime_s] [-6] port "
	    "program [args...]");
	if (first == -1 || first >= argc)
		return 2;
	setup_spawn(argv + first);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	sfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
	lfd = bn_socket("ref_spawn", SOCK_STREAM | SOCK_NONBLOCK, &o);
	if (sfd == -1 || (ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		perror("ref_spawn: signalfd/epoll");
		return 1;
	}
	ev.events = EPOLLIN;
	ev.data.fd = lfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	ev.data.fd = sfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);
	for (;;) {
		n = epoll_wait(ep, evs, 64, -1);
		for (i = 0; i < n; i++) {
			if (evs[i].data.fd == lfd)
				accept_all(lfd);
			else
				reap_all(sfd);
		}
	}
}
