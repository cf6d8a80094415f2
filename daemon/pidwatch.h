/*
 * pidwatch.h: learn on the event loop when a process that is not our
 * child exits (pidfd_open: a handler re-adopted after a crash, whose
 * parent is now init, so SIGCHLD and waitpid never tell us).
 */
#ifndef SUPERD_PIDWATCH_H
#define SUPERD_PIDWATCH_H

#include <sys/types.h>

struct event_base;
struct pidwatch;

typedef void	(*pidwatch_fn)(void *arg);

/*
 * Watch pid; fn(arg) once, from the loop, when it has exited.  NULL with
 * errno: ESRCH it is gone already, ENOSYS no pidfd on this kernel.
 */
struct pidwatch	*pidwatch_new(struct event_base *, pid_t, pidwatch_fn,
		    void *arg);
void		 pidwatch_free(struct pidwatch *);

#endif
