/*
 * notify.h: tell systemd how we are (sd_notify); no-ops without systemd.
 */
#ifndef SUPERD_NOTIFY_H
#define SUPERD_NOTIFY_H

struct event_base;

/* Start the watchdog keep-alive and the STATUS= refresh timer. */
void	notify_init(struct event_base *);
void	notify_free(void);
/* READY=1: only once every listener is bound. */
void	notify_ready(void);
/* RELOADING=1 with MONOTONIC_USEC=, before a reload. */
void	notify_reloading(void);
void	notify_stopping(void);
/* STATUS= line now (also logged at info when asked with SIGUSR1). */
void	notify_status(void);

#endif
