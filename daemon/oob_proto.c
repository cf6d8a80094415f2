/*
 * oob_proto.c: parse the OOB endpoint's request line.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "oob_proto.h"

#define USAGE	"want \"CANCEL <token>\" or \"CANCEL <source-port>\""

static int
all_hex(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int
all_digits(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return n > 0;
}

int
oob_parse(const char *line, struct oob_req *r, char *err, size_t errlen)
{
	const char	*arg;
	size_t		 n = strlen(line);

	memset(r, 0, sizeof(r[0]));
	if (n > 0 && line[n - 1] == '\r')
		n--;
	if (n < 7 || strncasecmp(line, "CANCEL ", 7) != 0) {
		snprintf(err, errlen, "EINVAL %s", USAGE);
		return -1;
	}
	arg = line + 7;
	n -= 7;
	while (n > 0 && *arg == ' ') {
		arg++;
		n--;
	}
	while (n > 0 && arg[n - 1] == ' ')
		n--;
	if (n == OOB_TOKEN_LEN && all_hex(arg, n)) {
		r->by_token = 1;
		for (size_t i = 0; i < n; i++)
			r->token[i] = (char)tolower((unsigned char)arg[i]);
		r->token[n] = '\0';
		return 0;
	}
	if (all_digits(arg, n) && n <= 5) {
		r->port = atoi(arg);
		if (r->port >= 1 && r->port <= 65535)
			return 0;
	}
	snprintf(err, errlen, "EINVAL %s", USAGE);
	return -1;
}
