/*
 * child.c: waitpid loop; each exited handler ends its session.
 */
#include "config.h"

#include <sys/wait.h>
#include <errno.h>

#include "child.h"
#include "log.h"
#include "session.h"

void
child_reap(void)
{
	struct session	*s;
	pid_t		 pid;
	int		 status;

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
		/* No session: a child whose setup failed (already logged). */
		if ((s = session_by_pid(pid)) != NULL)
			session_end(s, status);
	}
}
