/*
 * sidechan.c: start, reconfigure and stop the side channels (the
 * endpoint directory and the control socket) with the daemon.
 */
#include "config.h"

#include "conf.h"
#include "superd.h"

void
side_channels_start(struct event_base *base, const struct superd_conf *conf)
{
	(void)base;
	(void)conf;
}

void
side_channels_reconfigure(const struct superd_conf *conf)
{
	(void)conf;
}

void
side_channels_stop(void)
{
}
