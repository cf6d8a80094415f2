/*
 * jsonout.h: any bytes as a jansson string (invalid UTF-8 as U+FFFD).
 */
#ifndef SUPERD_JSONOUT_H
#define SUPERD_JSONOUT_H

#include <jansson.h>

/* A copy of s with every byte outside valid UTF-8 as U+FFFD, or NULL. */
char	*jsonout_clean(const char *s);
/* s as a JSON string (a new reference). */
json_t	*jsonout_str(const char *s);

#endif
