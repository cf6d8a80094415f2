/*
 * upcheck.h: before an upgrade, the new binary's checks (-t on the
 * configuration, then --handover-version), run as child processes the
 * event loop watches: superd goes on serving while they run, and learns
 * the verdict through a callback.  A check that has not finished after
 * UPCHECK_TIMEOUT_MS is killed (with everything it started) and fails.
 */
#ifndef SUPERD_UPCHECK_H
#define SUPERD_UPCHECK_H

#include <sys/types.h>
#include <stddef.h>

struct event_base;

#define UPCHECK_TIMEOUT_MS	5000	/* both steps together */

/* The verdict: ok 1, or 0 with the reason (one line) in why. */
typedef void	(*upcheck_done_fn)(int ok, const char *why, void *arg);

/*
 * Start checking bin against the configuration at conf_path; done(...)
 * runs later, from the loop, once.  0, or -1 with the reason in err
 * (nothing started, done is not called).
 */
int	upcheck_start(struct event_base *, const char *bin,
	    const char *conf_path, upcheck_done_fn done, void *arg,
	    char *err, size_t errlen);
/* Is a check running? */
int	upcheck_running(void);
/* Stop a running check: its processes are killed, done is not called. */
void	upcheck_cancel(void);
/*
 * The reaper asks first: was pid a check's process?  1: its exit is
 * taken (the check goes on or ends); 0: not ours.
 */
int	upcheck_child_exited(pid_t pid, int status);

#endif
