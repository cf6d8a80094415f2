/*
 * urgent.h: watching a handler's connection for TCP urgent data.
 *
 * superd keeps a copy of an accepted connection and waits for urgent
 * data on it (EPOLLPRI, which libevent cannot ask for, so a private
 * epoll set does, registered on the loop), then tells its owner; the
 * owner decides what an interrupt means.  See oob.h for why urgent data
 * is only one of two interrupt paths.
 */
#ifndef SUPERD_URGENT_H
#define SUPERD_URGENT_H

struct event_base;
struct urgent_watch;

/* Urgent data arrived (the byte is read and dropped). */
typedef void	(*urgent_fn)(void *arg);

/* 0, or -1 when the epoll set cannot be made (then nothing is watched). */
int	urgent_init(struct event_base *, int prio);
void	urgent_shutdown(void);
/*
 * Watch a copy of fd (the caller keeps and closes its own); NULL when it
 * cannot be watched.  The watch stops by itself when the client stops
 * sending, but stays allocated until urgent_watch_free.
 */
struct urgent_watch *urgent_watch_new(int fd, urgent_fn, void *arg);
void	urgent_watch_free(struct urgent_watch *);
/* The copy it watches (an upgrade hands it over), or -1. */
int	urgent_watch_fd(const struct urgent_watch *);

#endif
