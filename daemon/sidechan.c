/*
 * sidechan.c: start, reconfigure and stop the side channels (the
 * endpoint directory and the control socket) with the daemon.  Neither
 * is fatal: superd keeps serving its services without them.
 */
#include "config.h"

#include "conf.h"
#include "control.h"
#include "directory_server.h"
#include "log.h"
#include "oob.h"
#include "sidechan.h"

/* The OOB endpoints belong to services; their limits come from here. */
static void
oob_limits_apply(const struct superd_conf *conf)
{
	oob_set_limits(&(struct oob_limits){ conf->line.oob_line_timeout *
	    1000, conf->line.max_per_peer });
}

void
side_channels_start(struct event_base *base, const struct superd_conf *conf,
    const struct control_hooks *hooks)
{
	oob_limits_apply(conf);
	if (control_start(base, conf, hooks) == -1)
		log_warnx("control socket unavailable; superdctl will not work");
	if (directory_start(base, conf) == -1)
		log_warnx("endpoint directory unavailable; superd-lookup will "
		    "not work");
}

void
side_channels_reconfigure(const struct superd_conf *conf)
{
	oob_limits_apply(conf);
	control_reconfigure(conf);
	directory_reconfigure(conf);
}

void
side_channels_stop(void)
{
	directory_stop();
	control_stop();
}
