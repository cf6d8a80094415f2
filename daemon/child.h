/*
 * child.h: reaping handler processes (SIGCHLD through libevent).
 */
#ifndef SUPERD_CHILD_H
#define SUPERD_CHILD_H

#include <sys/types.h>

/* A child exited with a wait status. */
typedef void	(*child_exit_fn)(pid_t, int status, void *arg);

/* Collect every exited child and tell exited.  Never blocks. */
void	child_reap(child_exit_fn exited, void *arg);

#endif
