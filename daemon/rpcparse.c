/*
 * rpcparse.c: RPC program numbers and version ranges.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "rpcparse.h"

static int	 get_ulong(const char *, const char *, unsigned long *);

/* Decimal digits from s up to end (NULL: the end of s); no sign, no space. */
static int
get_ulong(const char *s, const char *end, unsigned long *out)
{
	unsigned long long	 v = 0;
	const char		*p;

	if (end == NULL)
		end = s + strlen(s);
	if (s == end)
		return -1;
	for (p = s; p < end; p++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		v = v * 10 + (unsigned)(*p - '0');
		if (v > UINT32_MAX)
			return -1;
	}
	*out = (unsigned long)v;
	return 0;
}

int
rpcparse_versions(const char *s, unsigned long *lo, unsigned long *hi,
    char *err, size_t errlen)
{
	const char	*dash = strchr(s, '-');

	if (get_ulong(s, dash, lo) == -1 ||
	    get_ulong(dash != NULL ? dash + 1 : s, NULL, hi) == -1) {
		snprintf(err, errlen, "\"%s\" is not a version N or a range "
		    "LOW-HIGH", s);
		return -1;
	}
	if (*hi < *lo) {
		snprintf(err, errlen, "\"%s\": the range ends before it "
		    "starts", s);
		return -1;
	}
	if (*hi - *lo >= RPC_VERS_SPAN) {
		snprintf(err, errlen, "\"%s\": more than %d versions", s,
		    RPC_VERS_SPAN);
		return -1;
	}
	return 0;
}

int
rpcparse_program(const char *s, unsigned long *prog, char *err,
    size_t errlen)
{
	struct rpcent	 ent, *r = NULL;
	char		 buf[1024];

	if (isdigit((unsigned char)s[0])) {
		if (get_ulong(s, NULL, prog) == -1 || *prog == 0) {
			snprintf(err, errlen, "\"%s\" is not a program number "
			    "(1 to 4294967295)", s);
			return -1;
		}
		return 0;
	}
	if (getrpcbyname_r(s, &ent, buf, sizeof(buf), &r) != 0 || r == NULL) {
		snprintf(err, errlen, "\"%s\" is not a program number nor a "
		    "name in /etc/rpc", s);
		return -1;
	}
	*prog = (unsigned long)(unsigned)r->r_number;
	return 0;
}
