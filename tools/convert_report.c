/*
 * convert_report.c: what superd-convert tells the user on stderr.
 *
 * Every message is "FILE:LINE: text", the form editors and grep jump to.
 * A failure (something not carried over) makes the exit status 1 and is
 * also kept as a comment inside the service it belongs to, so a reader of
 * the output sees it too; a note only informs.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "convert.h"

static int		status = CV_EXIT_OK;
static struct strlist	said;

static void	report(struct cv_service *, const char *, int, const char *,
		    const char *, va_list)
		    __attribute__((format(printf, 5, 0)));

/* Print one message and keep it with the service, if any. */
static void
report(struct cv_service *s, const char *file, int line, const char *tag,
    const char *fmt, va_list ap)
{
	char	 msg[1024], note[1200];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	snprintf(note, sizeof(note), "%s:%d: %s%s", file, line, tag, msg);
	/* An xinetd default applies to many services: say it once. */
	if (!strlist_has(&said, note)) {
		fprintf(stderr, "%s\n", note);
		strlist_add(&said, note);
	}
	if (s == NULL)
		return;
	snprintf(note, sizeof(note), "%s%s (line %d)", tag[0] ? tag :
	    "not translated: ", msg, line);
	strlist_add(&s->notes, note);
}

/* Something of the source has no superd equivalent. */
void
cv_fail(struct cv_service *s, const char *file, int line, const char *fmt,
    ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	report(s, file, line, "", fmt, ap);
	va_end(ap);
	if (status == CV_EXIT_OK)
		status = CV_EXIT_PARTIAL;
}

/* Translated, but the admin should know how the meaning shifts. */
void
cv_note(struct cv_service *s, const char *file, int line, const char *fmt,
    ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	report(s, file, line, "note: ", fmt, ap);
	va_end(ap);
}

/* A file that cannot be read; the exit status becomes 2. */
void
cv_ioerr(const char *file, int line, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	report(NULL, file, line, "", fmt, ap);
	va_end(ap);
	status = CV_EXIT_USAGE;
}

int
cv_status(void)
{
	return status;
}
