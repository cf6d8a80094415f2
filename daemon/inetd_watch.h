/*
 * inetd_watch.h: notice that inetd.conf changed (inetd-compat).
 *
 * update-inetd writes a new file and renames it over the old one, so the
 * file's directory is watched (inotify) and not the file itself.  A burst
 * of changes (a package adding several lines, an editor's write) makes
 * one call, INETD_WATCH_SETTLE_MS after the last change.
 */
#ifndef SUPERD_INETD_WATCH_H
#define SUPERD_INETD_WATCH_H

#define INETD_WATCH_SETTLE_MS	500

struct event_base;

typedef void	 inetd_watch_fn(void *);

/*
 * Watch path (NULL: stop watching), calling fn(arg) on the loop of base
 * once it has changed and settled.  Setting the path watched already
 * keeps the watch.  Returns -1 (logged) when path cannot be watched.
 */
int		 inetd_watch_set(struct event_base *base, const char *path,
		    inetd_watch_fn *fn, void *arg);
void		 inetd_watch_stop(void);

#endif
