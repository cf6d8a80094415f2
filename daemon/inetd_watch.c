/*
 * inetd_watch.c: inotify on the directory of inetd.conf, on the event
 * loop, debounced by a timer.
 *
 * The directory is watched because the file is replaced by rename: a
 * watch on the file would follow the old inode and fall silent after the
 * first update-inetd.  Only events naming the file count.
 */
#include "config.h"

#include <sys/inotify.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "inetd_watch.h"
#include "log.h"

#define WATCH_MASK	(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | \
			    IN_CREATE | IN_DELETE | IN_ATTRIB)

static struct {
	int		 fd;
	char		*path;
	char		*name;		/* the file's name in its directory */
	struct event	*ev;
	struct event	*settle;
	inetd_watch_fn	*fn;
	void		*arg;
} w = { -1, NULL, NULL, NULL, NULL, NULL, NULL };

static void	 watch_read_cb(evutil_socket_t, short, void *);
static void	 watch_settle_cb(evutil_socket_t, short, void *);
static int	 watch_names_file(const struct inotify_event *);
static int	 watch_open(struct event_base *, const char *);

int
inetd_watch_set(struct event_base *base, const char *path, inetd_watch_fn *fn,
    void *arg)
{
	w.fn = fn;
	w.arg = arg;
	if (path != NULL && w.path != NULL && strcmp(path, w.path) == 0)
		return 0;
	inetd_watch_stop();
	if (path == NULL)
		return 0;
	if (watch_open(base, path) == -1) {
		inetd_watch_stop();
		return -1;
	}
	log_info("inetd-compat: watching %s for changes", path);
	return 0;
}

void
inetd_watch_stop(void)
{
	if (w.ev != NULL)
		event_free(w.ev);
	if (w.settle != NULL)
		event_free(w.settle);
	if (w.fd != -1)
		close(w.fd);
	free(w.path);
	free(w.name);
	w.ev = w.settle = NULL;
	w.fd = -1;
	w.path = w.name = NULL;
}

/* The inotify instance, the watch on the directory and both events. */
static int
watch_open(struct event_base *base, const char *path)
{
	char	*copy, dir[PATH_MAX];

	if ((w.path = strdup(path)) == NULL || (copy = strdup(path)) == NULL)
		goto nomem;
	snprintf(dir, sizeof(dir), "%s", dirname(copy));
	free(copy);
	if ((copy = strdup(path)) == NULL)
		goto nomem;
	w.name = strdup(basename(copy));
	free(copy);
	if (w.name == NULL)
		goto nomem;
	if ((w.fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1) {
		log_warn("inetd-compat: inotify; changes to %s need a reload",
		    path);
		return -1;
	}
	if (inotify_add_watch(w.fd, dir, WATCH_MASK | IN_ONLYDIR) == -1) {
		log_warn("inetd-compat: cannot watch %s; changes to %s need a "
		    "reload", dir, path);
		return -1;
	}
	w.ev = event_new(base, w.fd, EV_READ | EV_PERSIST, watch_read_cb, NULL);
	w.settle = evtimer_new(base, watch_settle_cb, NULL);
	if (w.ev == NULL || w.settle == NULL || event_add(w.ev, NULL) == -1)
		goto nomem;
	return 0;
nomem:
	log_warn("inetd-compat: watching %s", path);
	return -1;
}

static int
watch_names_file(const struct inotify_event *ie)
{
	if (ie->mask & IN_Q_OVERFLOW)
		return 1;	/* events were lost: it may have changed */
	return ie->len > 0 && strcmp(ie->name, w.name) == 0;
}

/* Drain the inotify queue; a change of the file (re)starts the timer. */
static void
watch_read_cb(evutil_socket_t fd, short what, void *arg)
{
	char				 buf[4096]
					    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event	*ie;
	struct timeval			 tv = { 0, INETD_WATCH_SETTLE_MS * 1000 };
	ssize_t				 n;
	char				*p;
	int				 changed = 0;

	(void)what;
	(void)arg;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (p = buf; p < buf + n; p += sizeof(*ie) + ie->len) {
			ie = (const struct inotify_event *)p;
			changed |= watch_names_file(ie);
			if (ie->mask & IN_IGNORED)
				log_warnx("inetd-compat: the directory of %s "
				    "is gone; changes need a reload", w.path);
		}
	if (n == -1 && errno != EAGAIN && errno != EINTR)
		log_warn("inetd-compat: inotify read");
	if (changed)
		evtimer_add(w.settle, &tv);
}

/* Quiet for INETD_WATCH_SETTLE_MS: reload once. */
static void
watch_settle_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	log_info("inetd-compat: %s changed; reloading", w.path);
	if (w.fn != NULL)
		w.fn(w.arg);
}
