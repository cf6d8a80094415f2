/*
 * tlslib.c: OpenSSL through dlopen, for https etcd endpoints.  See
 * tlslib.h for why it is not linked.
 */
#include "config.h"

#include <stdio.h>

#include "tlslib.h"

struct tlslib_funcs	tlslib;

/* Each of TLSLIB_FUNCS into tlslib. */
DYNLIB_BINDER(tlslib_bind, tlslib, TLSLIB_FUNCS)

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
