/*
 * ref_wait: the reference for wait-mode UDP services: wait until the bound
 * socket is readable, posix_spawn the handler with the socket on fds 0, 1
 * and 2, wait for it to exit, and watch the socket again.
 *
 * usage: ref_wait [-T lifetime_s] [-6] port program [args...]
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "benchnet.h"

extern char	**environ;

static pid_t	spawn_handler(int, char **);

/* Start the handler on the socket; -1 if it could not be started. */
static pid_t
spawn_handler(int fd, char **argv)
{
	posix_spawn_file_actions_t	fa;
	pid_t				pid;
	int				rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fd, 0);
	posix_spawn_file_actions_adddup2(&fa, fd, 1);
	posix_spawn_file_actions_adddup2(&fa, fd, 2);
	rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		fprintf(stderr, "ref_wait: posix_spawn %s: %s\n", argv[0],
		    strerror(rc));
		return -1;
	}
	return pid;
}

int
main(int argc, char **argv)
{
	struct bn_opts	o;
	struct pollfd	pfd;
	pid_t		pid;
	int		first, st;

	first = bn_parse(argc, argv, &o, "[-T lifetime_s] [-6] port "
	    "program [args...]");
	if (first == -1 || first >= argc)
		return 2;
	pfd.fd = bn_socket("ref_wait", SOCK_DGRAM, &o);
	pfd.events = POLLIN;
	for (;;) {
		if (poll(&pfd, 1, -1) <= 0)
			continue;
		if ((pid = spawn_handler(pfd.fd, argv + first)) == -1) {
			poll(NULL, 0, 1000);	/* do not spin on a bad path */
			continue;
		}
		while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
			;
	}
}
