/*
 * superd.h: daemon-wide actions that side channels (control, signals)
 * may trigger, and the runtime facts they report.
 */
#ifndef SUPERD_SUPERD_H
#define SUPERD_SUPERD_H

#include <stdio.h>
#include <time.h>

struct event_base;
struct superd_conf;

/* Re-read the config; errors go to errs.  0 applied, -1 kept the old. */
int		 superd_reload(FILE *errs);
/* Stop accepting and exit (handlers per on-exit). */
void		 superd_shutdown(void);
/* Stop accepting everywhere; exit when the last handler ends. */
void		 superd_drain(void);
const char	*superd_conf_path(void);
time_t		 superd_started(void);
time_t		 superd_loaded(void);

/* sidechan.c: the directory and control sockets. */
void		 side_channels_start(struct event_base *,
		    const struct superd_conf *);
void		 side_channels_reconfigure(const struct superd_conf *);
void		 side_channels_stop(void);

#endif
