/*
 * tlslib.c: OpenSSL through dlopen, for https etcd endpoints.  See
 * tlslib.h for why it is not linked.
 */
#include "config.h"

#include <stdio.h>

#include "tlslib.h"

struct tlslib_funcs	tlslib;

/* Each function of TLSLIB_FUNCS from h into tlslib: NULL, or the first
 * that is missing. */
static const char *
tlslib_bind(void *h)
{
#define TLSLIB_BIND(f)							\
	if (DYNLIB_BIND(tlslib, h, f) == NULL)				\
		return #f;
	TLSLIB_FUNCS(TLSLIB_BIND)
#undef TLSLIB_BIND
	return NULL;
}

static struct dynlib	lib = DYNLIB_INITIALIZER(OPENSSL_SONAME, tlslib_bind);

int
tlslib_load(char *err, size_t len)
{
	char	why[200];

	if (dynlib_load(&lib, why, sizeof(why)) == -1) {
		snprintf(err, len, "TLS: %s", why);
		return -1;
	}
	return 0;
}
