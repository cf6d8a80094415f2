/*
 * log.c: stderr, syslog or the systemd journal, behind one API.
 */
#include "config.h"

#include <sys/stat.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "fmt.h"
#include "journal.h"
#include "log.h"
#include "logq.h"

enum log_sink {
	SINK_STDERR,
	SINK_SYSLOG,
	SINK_JOURNAL
};

static enum log_sink	 log_sink = SINK_STDERR;
static int		 log_level = LOG_INFO;
static const char	*log_ident = "superd";
static long		 log_pid;	/* ours, as of log_init */

static const char *const level_names[] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"
};

/* Is stderr the journal stream systemd gave us (see systemd.exec(5))? */
static int
stderr_is_journal(void)
{
	const char	*js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat	 st;

	if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2)
		return 0;
	if (fstat(STDERR_FILENO, &st) == -1)
		return 0;
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

/*
 * Choose where messages go; safe to call again (after daemonizing).
 * Under systemd the journal's own socket keeps the fields; if it cannot
 * be reached, stderr (the journal's stream) still carries the lines.
 */
void
log_init(int foreground, int level, const char *ident)
{
	log_ident = ident;
	log_level = level;
	log_pid = (long)getpid();
	log_sink = foreground ? SINK_STDERR : SINK_SYSLOG;
	journal_close();
	if (stderr_is_journal())
		log_sink = journal_open(JOURNAL_SOCKET, ident) == 0 ?
		    SINK_JOURNAL : SINK_STDERR;
	if (log_sink == SINK_SYSLOG)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	tzset();
}

void
log_setlevel(int level)
{
	log_level = level;
}

int
log_getlevel(void)
{
	return log_level;
}

int
log_level_from_name(const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (strcmp(name, level_names[i]) == 0)
			return (int)i;
	if (strcmp(name, "error") == 0)
		return LOG_ERR;
	if (strcmp(name, "warn") == 0)
		return LOG_WARNING;
	return -1;
}

const char *
log_level_name(int level)
{
	if (level < 0 || level > LOG_DEBUG)
		return "?";
	return level_names[level];
}

/* Write one formatted message to the chosen sink, now. */
void
log_sink_write(int pri, const struct log_fields *lf, const char *msg)
{
	switch (log_sink) {
	case SINK_STDERR:
		fprintf(stderr, "%s[%ld]: %s\n", log_ident, (long)getpid(),
		    msg);
		break;
	case SINK_SYSLOG:
		syslog(pri, "%s", msg);
		break;
	case SINK_JOURNAL:
		journal_send(pri, lf, msg);
		break;
	}
}

/*
 * The writer thread's stderr sink: lines gather in a buffer that
 * log_sink_flush writes with one write() per batch.  Only that thread
 * uses it.  The journal batches its own entries (one sendmmsg() per
 * batch); syslog gets each line at once.
 */
static struct {
	char	buf[16384];
	size_t	len;
} batch;

static void
stderr_flush(void)
{
	size_t	off = 0;
	ssize_t	n;

	while (off < batch.len) {
		n = write(STDERR_FILENO, batch.buf + off, batch.len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;		/* nowhere to report it */
		off += (size_t)n;
	}
	batch.len = 0;
}

void
log_sink_flush(void)
{
	if (log_sink == SINK_JOURNAL)
		journal_flush();
	else
		stderr_flush();
}

static void
stderr_batch(int pri, const struct log_fields *lf, const char *msg)
{
	size_t	n;

	for (;;) {
		/* A line that fills the room to its last byte may be cut. */
		n = fmt_print(batch.buf + batch.len, sizeof(batch.buf) -
		    batch.len, "%s[%ld]: %s\n", log_ident, log_pid, msg);
		if (n < sizeof(batch.buf) - batch.len - 1) {
			batch.len += n;
			return;
		}
		if (batch.len == 0)
			break;		/* longer than the buffer */
		stderr_flush();
	}
	log_sink_write(pri, lf, msg);
}

void
log_sink_batch(int pri, const struct log_fields *lf, const char *msg)
{
	switch (log_sink) {
	case SINK_STDERR:
		stderr_batch(pri, lf, msg);
		break;
	case SINK_JOURNAL:
		journal_batch(pri, lf, msg);
		break;
	case SINK_SYSLOG:
		log_sink_write(pri, lf, msg);
		break;
	}
}

/* Through the writer thread when it runs (logq.c), else at once. */
static void
log_emit(int pri, const struct log_fields *lf, const char *fmt, va_list ap)
{
	char	msg[2048];

	if (logq_vput(pri, lf, fmt, ap) == 0)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	log_sink_write(pri, lf, msg);
}

void
log_vmsg(int pri, const char *fmt, va_list ap)
{
	if (pri > log_level)
		return;
	log_emit(pri, NULL, fmt, ap);
}

void
log_request(int pri, const struct log_fields *lf, const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	if (pri > log_level)
		return;
	va_start(ap, fmt);
	log_emit(pri, lf, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_request_deferred(int pri, const struct log_fields *lf, log_format_fn fn,
    const void *data, size_t len)
{
	char	msg[2048];
	int	saved = errno;

	if (pri > log_level)
		return;
	if (logq_put(pri, lf, fn, data, len) != 0) {
		fn(lf, data, len, msg, sizeof(msg));
		log_sink_write(pri, lf, msg);
	}
	errno = saved;
}

/* Append ": strerror(errno)" and keep errno for the caller. */
static void
log_vwarn(int pri, const char *fmt, va_list ap)
{
	char	fmtbuf[1024];
	int	saved = errno;

	snprintf(fmtbuf, sizeof(fmtbuf), "%s: %s", fmt, strerror(saved));
	log_vmsg(pri, fmtbuf, ap);
	errno = saved;
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwarn(LOG_WARNING, fmt, ap);
	va_end(ap);
}

#define LOG_WRAPPER(fn, pri)				\
void							\
fn(const char *fmt, ...)				\
{							\
	va_list	ap;					\
	int	saved = errno;				\
							\
	va_start(ap, fmt);				\
	log_vmsg(pri, fmt, ap);				\
	va_end(ap);					\
	errno = saved;					\
}

LOG_WRAPPER(log_warnx, LOG_WARNING)
LOG_WRAPPER(log_notice, LOG_NOTICE)
LOG_WRAPPER(log_info, LOG_INFO)
LOG_WRAPPER(log_debug, LOG_DEBUG)

void
fatal(const char *fmt, ...)
{
	va_list	ap;

	logq_stop();		/* what came before, then this */
	va_start(ap, fmt);
	log_vwarn(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	logq_stop();
	va_start(ap, fmt);
	log_vmsg(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}
