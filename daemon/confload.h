/*
 * confload.h: read the configuration off the event loop.
 *
 * Parsing a configuration of thousands of services takes most of a
 * second (libconfuse looks for a duplicate title through every section
 * already read, and host names in access lists are looked up), and the
 * loop serves nothing meanwhile.  A reload from a signal reads the file
 * on a thread instead and hands the result to the loop, which then only
 * applies it.  One load at a time; the loader must not touch loop state.
 */
#ifndef SUPERD_CONFLOAD_H
#define SUPERD_CONFLOAD_H

#include <stdio.h>

#include <event2/event.h>

struct superd_conf;

/* Read path, writing errors to errs; the conf or NULL. */
typedef struct superd_conf *(*confload_fn)(const char *path, FILE *errs);
/* On the loop: the result and the error text ("" when none). */
typedef void	(*confload_done_fn)(struct superd_conf *, const char *errors,
		    void *arg);

/* Start reading path on a thread; 0, or -1 (busy, or no thread/memory). */
int	confload_start(struct event_base *, const char *path, confload_fn,
	    confload_done_fn, void *arg);
/* Is a load in flight? */
int	confload_busy(void);
/*
 * Wait for a load in flight and hand its result to its done callback now
 * (deliver), or free it unread (shutdown).
 */
void	confload_finish(int deliver);

#endif
