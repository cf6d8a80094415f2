/*
 * child.h: reaping handler processes.
 *
 * SIGCHLD comes through a signalfd when the kernel has one: the signal
 * stays blocked (in every thread: child_signalfd_open runs before any
 * thread starts) and the loop reads it like any descriptor.  Through
 * libevent's signal handler each exit costs a handler frame, a write to
 * its socketpair and a read back.  Handlers start with no signal blocked
 * (spawn.c empties the mask before execve).
 */
#ifndef SUPERD_CHILD_H
#define SUPERD_CHILD_H

#include <sys/types.h>

/* A child exited with a wait status. */
typedef void	(*child_exit_fn)(pid_t, int status, void *arg);

/* Collect every exited child and tell exited.  Never blocks. */
void	child_reap(child_exit_fn exited, void *arg);
/* Block SIGCHLD and open a signalfd for it; the fd, or -1 (unblocked). */
int	child_signalfd_open(void);
/* Read what the signalfd holds (the exits are then reaped). */
void	child_signalfd_drain(int fd);

#endif
