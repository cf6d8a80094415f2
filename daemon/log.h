/*
 * log.h: the one logging API (after OpenSMTPD's log.c).
 *
 * In the foreground messages go to stderr; otherwise to syslog (daemon
 * facility), or to the journal with fields when systemd started us.
 * log_warn appends strerror(errno) and preserves errno.
 */
#ifndef SUPERD_LOG_H
#define SUPERD_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <syslog.h>

#define LOG_ATTR(f, a)	__attribute__((format(printf, f, a)))

void	log_init(int foreground, int level, const char *ident);
void	log_setlevel(int level);
int	log_getlevel(void);
/* Parse "err", "warning", "notice", "info", "debug"; -1 if unknown. */
int	log_level_from_name(const char *);
const char *log_level_name(int);

void	log_warn(const char *, ...) LOG_ATTR(1, 2);
void	log_warnx(const char *, ...) LOG_ATTR(1, 2);
void	log_notice(const char *, ...) LOG_ATTR(1, 2);
void	log_info(const char *, ...) LOG_ATTR(1, 2);
void	log_debug(const char *, ...) LOG_ATTR(1, 2);
void	log_vmsg(int pri, const char *, va_list) LOG_ATTR(2, 0);
__attribute__((noreturn)) void fatal(const char *, ...) LOG_ATTR(1, 2);
__attribute__((noreturn)) void fatalx(const char *, ...) LOG_ATTR(1, 2);

/*
 * A message about one request, with structured fields for the journal
 * (SUPERD_SERVICE=, REMOTE_ADDR=, REMOTE_PORT=, HANDLER_PID=,
 * EXIT_STATUS=, DURATION_USEC=).  Fields that do not apply are NULL / -1.
 */
struct log_fields {
	const char	*service;
	const char	*remote_addr;
	int		 remote_port;
	long		 pid;
	int		 exit_status;		/* -1: none */
	long long	 duration_usec;		/* -1: none */
};
void	log_request(int pri, const struct log_fields *, const char *, ...)
	    LOG_ATTR(3, 4);
/*
 * Makes a deferred message: data (len bytes, as given to
 * log_request_deferred) into buf (size > 0 bytes, NUL-ended), with the
 * line's fields.  It runs on the log writer thread, so data must hold
 * everything it reads; it may not assume data is aligned.
 */
typedef void	(*log_format_fn)(const struct log_fields *, const void *data,
		    size_t len, char *buf, size_t size);
/*
 * log_request, but the caller hands over facts, not text: a copy of data
 * goes to the log queue and fn makes the message off the event loop (at
 * once, on this thread, when the queue does not run).
 */
void	log_request_deferred(int pri, const struct log_fields *,
	    log_format_fn fn, const void *data, size_t len);
/* The sink itself, bypassing the queue. */
void	log_sink_write(int pri, const struct log_fields *, const char *);
/* For logq.c's writer thread: one line into the batch, and the batch out. */
void	log_sink_batch(int pri, const struct log_fields *, const char *);
void	log_sink_flush(void);

#endif
