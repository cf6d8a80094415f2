/*
 * sidechan.h: the side channels (the control socket and the endpoint
 * directory) started, reconfigured and stopped with the daemon.
 */
#ifndef SUPERD_SIDECHAN_H
#define SUPERD_SIDECHAN_H

struct event_base;
struct superd_conf;
struct control_hooks;

void	side_channels_start(struct event_base *, const struct superd_conf *,
	    const struct control_hooks *);
void	side_channels_reconfigure(const struct superd_conf *);
void	side_channels_stop(void);

#endif
