/*
 * jsonout.c: strings for the JSON that superdctl and superd-lookup write
 * with jansson.  jansson takes valid UTF-8 only; what the daemon sends
 * may hold any bytes, so each invalid byte becomes U+FFFD first.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "jsonout.h"

static int	utf8_len(const unsigned char *);

/* Length of the valid UTF-8 sequence at s, 0 if it is not one. */
static int
utf8_len(const unsigned char *s)
{
	int		n, i;
	unsigned	cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and past U+10FFFF are not UTF-8. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/* s with every byte that is not part of valid UTF-8 as U+FFFD. */
char *
jsonout_clean(const char *str)
{
	const unsigned char	*s = (const unsigned char *)str;
	char			*out, *o;
	int			 n;

	if ((o = out = malloc(strlen(str) * 3 + 1)) == NULL)
		return NULL;
	while (*s != '\0') {
		if ((n = utf8_len(s)) == 0) {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
			s++;
			continue;
		}
		memcpy(o, s, (size_t)n);
		o += n;
		s += n;
	}
	*o = '\0';
	return out;
}

/* A JSON string of any bytes (a new reference, never NULL for jansson). */
json_t *
jsonout_str(const char *s)
{
	char	*clean = jsonout_clean(s);
	json_t	*j = json_string(clean != NULL ? clean : "");

	free(clean);
	return j;
}

