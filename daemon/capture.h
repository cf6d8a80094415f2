/*
 * capture.h: a handler's stderr into superd's log (stderr = log).
 */
#ifndef SUPERD_CAPTURE_H
#define SUPERD_CAPTURE_H

#include <sys/types.h>

struct event_base;
struct capture;

/*
 * Read the pipe fd (taken over) on base and log each line as
 * "service NAME[PID]: line"; NULL (fd closed) when out of memory.
 */
struct capture	*capture_new(struct event_base *, int fd, const char *name,
		    pid_t);
/* Log what is still in the pipe and the unended last line; free. */
void		 capture_free(struct capture *);
/* The pipe it reads (an upgrade keeps it open), or -1. */
int		 capture_fd(const struct capture *);

#endif
