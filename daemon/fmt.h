/*
 * fmt.h: printf-style formatting for the request path's log lines.
 *
 * glibc's vsnprintf costs about 3000 instructions for a request's log
 * line, as much as the rest of a daytime answer; a builtin request
 * makes two lines.  fmt_line handles the conversions those lines use
 * (%s %c %d %i %u %x with h/l/ll/z, a '0' or '-' flag and a width) in
 * one pass, and hands any other format to vsnprintf, so every format
 * works and the compiler still checks the callers' formats.
 */
#ifndef SUPERD_FMT_H
#define SUPERD_FMT_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Format into buf (size > 0), cut to fit and NUL-ended; the length of
 * what is in buf.
 */
size_t	fmt_line(char *buf, size_t size, const char *fmt, va_list ap);
size_t	fmt_print(char *buf, size_t size, const char *fmt, ...)
	    __attribute__((__format__(__printf__, 3, 4)));
/*
 * s (NULL: "") and its NUL at p, cut to max bytes in all (max > 0);
 * the bytes used.  For packing strings into a log record.
 */
size_t	fmt_pack_str(char *p, const char *s, size_t max);

#endif
