/*
 * child.c: the waitpid loop; its caller learns of each exit.
 */
#include "config.h"

#include <sys/wait.h>
#include <errno.h>

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
