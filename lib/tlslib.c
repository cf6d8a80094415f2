/*
 * tlslib.c: OpenSSL through dlopen, for https etcd endpoints.  See
 * tlslib.h for why it is not linked.
 */
#include "config.h"

#include <dlfcn.h>
#include <stdio.h>

#include "tlslib.h"

struct tlslib_funcs	tlslib;

/* dlopen's handle once every pointer is set; NULL before. */
static void		*handle;

/* Each function of TLSLIB_FUNCS from h into tlslib, or -1 naming the
 * first that is missing. */
static int
tlslib_bind(void *h, char *err, size_t len)
{
#define TLSLIB_BIND(f)							\
	if ((*(void **)&tlslib.f = dlsym(h, #f)) == NULL) {		\
		snprintf(err, len, "TLS: %s has no %s", OPENSSL_SONAME,	\
		    #f);						\
		return -1;						\
	}
	TLSLIB_FUNCS(TLSLIB_BIND)
#undef TLSLIB_BIND
	return 0;
}

int
tlslib_load(char *err, size_t len)
{
	void	*h;

	if (handle != NULL)
		return 0;
	/* RTLD_LOCAL: its symbols stay out of the global scope; dlsym on
	 * the handle still finds libssl's and libcrypto's, its own
	 * dependencies. */
	if ((h = dlopen(OPENSSL_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		snprintf(err, len, "TLS: cannot load %s: %s", OPENSSL_SONAME,
		    dlerror());
		return -1;
	}
	if (tlslib_bind(h, err, len) == -1) {
		dlclose(h);
		return -1;
	}
	handle = h;
	return 0;
}
