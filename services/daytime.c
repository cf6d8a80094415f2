/*
 * daytime.c: RFC 867, the local time as one human-readable line.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "builtin_priv.h"

static size_t	daytime_greet(char *, size_t, time_t);
static size_t	daytime_dgram(const void *, size_t, char *, size_t, time_t);

const struct builtin_ops daytime_ops = {
	.flags = BI_ONCE,
	.greet = daytime_greet,
	.dgram = daytime_dgram,
};

/* Our own names: strftime's %a/%b would follow the locale. */
static const char *const daytime_days[] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};
static const char *const daytime_months[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

/*
 * ctime(3)-style "Thu Jan  1 00:00:00 1970\r\n" as inetd sends it, without
 * a NUL; 0 if it does not fit in max (half a timestamp is no answer).
 * The line changes once a second and a busy daytime service answers
 * thousands of times in one, so each thread keeps the last line it made.
 */
size_t
daytime_format(time_t now, char *buf, size_t max)
{
	static __thread char	 line[64];
	static __thread time_t	 line_time = -1;
	static __thread size_t	 line_len;
	struct tm		 tm;
	int			 n;

	if (now != line_time || line_len == 0) {
		line_len = 0;
		if (localtime_r(&now, &tm) == NULL)
			return 0;
		n = snprintf(line, sizeof(line), "%s %s %2d %02d:%02d:%02d "
		    "%d\r\n", daytime_days[tm.tm_wday % 7],
		    daytime_months[tm.tm_mon % 12], tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
		if (n < 0 || (size_t)n >= sizeof(line))
			return 0;
		line_len = (size_t)n;
		line_time = now;
	}
	if (line_len > max)
		return 0;
	memcpy(buf, line, line_len);
	return line_len;
}

/* The stream answer is the same line, then the connection closes. */
static size_t
daytime_greet(char *buf, size_t max, time_t now)
{
	return daytime_format(now, buf, max);
}

/* One line per datagram, whatever the request held. */
static size_t
daytime_dgram(const void *req, size_t len, char *reply, size_t max,
    time_t now)
{
	return daytime_format(now, reply, max);
}
