/*
 * child.h: reaping handler processes (SIGCHLD through libevent).
 */
#ifndef SUPERD_CHILD_H
#define SUPERD_CHILD_H

/* Collect every exited child and end its session.  Never blocks. */
void	child_reap(void);

#endif
