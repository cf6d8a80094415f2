/*
 * child.c: the waitpid loop; its caller learns of each exit.
 */
#include "config.h"

#include <sys/signalfd.h>
#include <sys/wait.h>
#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "child.h"
#include "log.h"

void
child_reap(child_exit_fn exited, void *arg)
{
	pid_t	pid;
	int	status;

	for (;;) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid == 0 || (pid == -1 && errno == ECHILD))
			return;
		if (pid == -1) {
			if (errno == EINTR)
				continue;
			log_warn("waitpid");
			return;
		}
		exited(pid, status, arg);
	}
}

int
child_signalfd_open(void)
{
	sigset_t	set;
	int		fd;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		return -1;
	if ((fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		sigprocmask(SIG_UNBLOCK, &set, NULL);
	return fd;
}

void
child_signalfd_drain(int fd)
{
	struct signalfd_siginfo	si[16];

	while (read(fd, si, sizeof(si)) == (ssize_t)sizeof(si))
		;
}
