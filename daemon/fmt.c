/*
 * fmt.c: a one-pass formatter for log lines; see fmt.h.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fmt.h"

/* Where the line is being written: never past end - 1 (the NUL). */
struct out {
	char	*p;
	char	*end;
};

static void
put_bytes(struct out *o, const char *s, size_t n)
{
	size_t	room = (size_t)(o->end - o->p);

	if (n > room)
		n = room;
	memcpy(o->p, s, n);
	o->p += n;
}

static void
put_fill(struct out *o, char c, size_t n)
{
	size_t	room = (size_t)(o->end - o->p);

	if (n > room)
		n = room;
	memset(o->p, c, n);
	o->p += n;
}

/* s padded to width: on the left, with pad, unless left-justified. */
static void
put_field(struct out *o, const char *s, size_t n, size_t width, char pad,
    int left)
{
	if (!left && width > n)
		put_fill(o, pad, width - n);
	put_bytes(o, s, n);
	if (left && width > n)
		put_fill(o, ' ', width - n);
}

/* Digits of v in base (10 or 16), most significant first, into end. */
static char *
digits(char *end, unsigned long long v, unsigned base)
{
	do {
		*--end = "0123456789abcdef"[v % base];
		v /= base;
	} while (v != 0);
	return end;
}

/* A signed or unsigned integer conversion. */
static void
put_integer(struct out *o, unsigned long long mag, int neg, unsigned base,
    size_t width, char pad, int left)
{
	char	 buf[24];
	char	*s = digits(buf + sizeof(buf), mag, base);

	if (neg) {
		if (pad == '0' && !left) {
			put_bytes(o, "-", 1);
			if (width > 0)
				width--;
		} else
			*--s = '-';
	}
	put_field(o, s, (size_t)(buf + sizeof(buf) - s), width, pad, left);
}

size_t
fmt_pack_str(char *p, const char *s, size_t max)
{
	size_t	n = s != NULL ? strnlen(s, max - 1) : 0;

	if (n > 0)
		memcpy(p, s, n);
	p[n] = '\0';
	return n + 1;
}

size_t
fmt_print(char *buf, size_t size, const char *fmt, ...)
{
	va_list	ap;
	size_t	n;

	va_start(ap, fmt);
	n = fmt_line(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

size_t
fmt_line(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out	 o = { buf, buf + size - 1 };
	const char	*f, *s, *lit;
	va_list		 start;
	size_t		 width;
	long long	 sv;
	unsigned long long uv;
	int		 left, len, n;
	char		 pad, c;

	va_copy(start, ap);
	for (f = fmt; *f != '\0'; ) {
		if (*f != '%') {
			lit = f;
			f = strchrnul(f, '%');
			put_bytes(&o, lit, (size_t)(f - lit));
			continue;
		}
		f++;
		left = 0;
		pad = ' ';
		for (;; f++) {
			if (*f == '-')
				left = 1;
			else if (*f == '0')
				pad = '0';
			else
				break;
		}
		for (width = 0; *f >= '0' && *f <= '9'; f++)
			width = width * 10 + (size_t)(*f - '0');
		if (width > 64)
			goto other;
		len = 0;		/* 1: l or z, 2: ll; h is promoted */
		for (;; f++) {
			if (*f == 'l')
				len++;
			else if (*f == 'z')
				len = 1;
			else if (*f != 'h')
				break;
		}
		switch (c = *f++) {
		case '%':
			put_bytes(&o, "%", 1);
			break;
		case 's':
			if ((s = va_arg(ap, const char *)) == NULL)
				s = "(null)";
			put_field(&o, s, strlen(s), width, ' ', left);
			break;
		case 'c':
			c = (char)va_arg(ap, int);
			put_field(&o, &c, 1, width, ' ', left);
			break;
		case 'd':
		case 'i':
			sv = len == 2 ? va_arg(ap, long long) : len == 1 ?
			    va_arg(ap, long) : va_arg(ap, int);
			uv = sv < 0 ? 0ULL - (unsigned long long)sv :
			    (unsigned long long)sv;
			put_integer(&o, uv, sv < 0, 10, width, pad, left);
			break;
		case 'u':
		case 'x':
			uv = len == 2 ? va_arg(ap, unsigned long long) :
			    len == 1 ? va_arg(ap, unsigned long) :
			    va_arg(ap, unsigned);
			put_integer(&o, uv, 0, c == 'x' ? 16 : 10, width, pad,
			    left);
			break;
		default:
			goto other;
		}
	}
	*o.p = '\0';
	va_end(start);
	return (size_t)(o.p - buf);

other:
	/* A conversion this file does not do: the C library does it all. */
	n = vsnprintf(buf, size, fmt, start);
	va_end(start);
	if (n < 0) {
		buf[0] = '\0';
		return 0;
	}
	return (size_t)n < size ? (size_t)n : size - 1;
}
