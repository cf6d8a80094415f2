/*
 * notify.c: sd_notify READY/RELOADING/STOPPING/STATUS/WATCHDOG.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <event2/event.h>
#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "log.h"
#include "notify.h"
#include "service.h"

#define STATUS_REFRESH_SEC	5

static struct event	*status_ev;
static struct event	*watchdog_ev;

/* "6 services, 2 running, 100 accepted, 3 refused" */
static void
status_line(char *buf, size_t len)
{
	struct service_totals	t;

	service_totals(&t);
	snprintf(buf, len, "%u services, %u handlers running, %llu accepted, "
	    "%llu refused", t.services, t.running,
	    (unsigned long long)t.accepted, (unsigned long long)t.refused);
}

static void
send_notify(const char *msg)
{
#ifdef HAVE_SYSTEMD
	sd_notify(0, msg);
#else
	(void)msg;
#endif
}

/* Send prefix (other assignments, or "") with a fresh STATUS= line. */
static void
send_with_status(const char *prefix)
{
	char	line[256], msg[320];

	status_line(line, sizeof(line));
	snprintf(msg, sizeof(msg), "%sSTATUS=%s", prefix, line);
	send_notify(msg);
}

void
notify_status(void)
{
	send_with_status("");
}

static void
status_cb(evutil_socket_t fd, short what, void *arg)
{
	notify_status();
}

static void
watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	send_notify("WATCHDOG=1");
}

void
notify_init(struct event_base *base)
{
#ifdef HAVE_SYSTEMD
	uint64_t	usec;
	struct timeval	tv;

	if (getenv("NOTIFY_SOCKET") == NULL)
		return;
	status_ev = event_new(base, -1, EV_PERSIST, status_cb, NULL);
	event_add(status_ev, &(struct timeval){ STATUS_REFRESH_SEC, 0 });
	if (sd_watchdog_enabled(0, &usec) > 0) {
		/* Ping at half the interval, on the loop: a stuck loop misses. */
		usec /= 2;
		tv.tv_sec = (time_t)(usec / 1000000);
		tv.tv_usec = (suseconds_t)(usec % 1000000);
		watchdog_ev = event_new(base, -1, EV_PERSIST, watchdog_cb, NULL);
		event_priority_set(watchdog_ev, 0);
		event_add(watchdog_ev, &tv);
	}
#else
	(void)base;
	(void)status_cb;
	(void)watchdog_cb;
#endif
}

void
notify_free(void)
{
	if (status_ev != NULL)
		event_free(status_ev);
	if (watchdog_ev != NULL)
		event_free(watchdog_ev);
	status_ev = watchdog_ev = NULL;
}

void
notify_ready(void)
{
	send_with_status("READY=1\n");
}

void
notify_reloading(void)
{
	struct timespec	ts;
	char		msg[96];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000ULL);
	send_notify(msg);
}

void
notify_stopping(void)
{
	send_notify("STOPPING=1");
}
