/*
 * errlog.c: a memory stream for reporting code, flushed to the log one
 * line at a time, so a reload from a signal, from the control channel or
 * from an inetd.conf change logs its errors the same way.
 */
#include <stdlib.h>
#include <string.h>

#include "errlog.h"
#include "log.h"

FILE *
errlog_open(struct errlog *el)
{
	el->buf = NULL;
	el->len = 0;
	el->fp = open_memstream(&el->buf, &el->len);
	return el->fp;
}

void
errlog_flush(struct errlog *el, void (*each)(const char *, void *),
    void *arg)
{
	char	*line, *save = NULL;

	if (el->fp != NULL)
		fclose(el->fp);
	el->fp = NULL;
	for (line = el->buf ? strtok_r(el->buf, "\n", &save) : NULL;
	    line != NULL; line = strtok_r(NULL, "\n", &save)) {
		log_warnx("%s", line);
		if (each != NULL)
			each(line, arg);
	}
	free(el->buf);
	el->buf = NULL;
}
