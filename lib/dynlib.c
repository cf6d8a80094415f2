/*
 * dynlib.c: optional libraries through dlopen.  See dynlib.h.
 */
#include "config.h"

#include <stdio.h>

#include "dynlib.h"

/* dlopen and bind with d->lock held; 0 or -1 (err says why). */
static int
dynlib_open(struct dynlib *d, char *err, size_t len)
{
	const char	*missing;
	void		*h;

	/* RTLD_LOCAL: its symbols stay out of the global scope; dlsym on
	 * the handle still finds those of its own dependencies. */
	if ((h = dlopen(d->soname, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		snprintf(err, len, "cannot load %s: %s", d->soname,
		    dlerror());
		return -1;
	}
	if ((missing = d->bind(h)) != NULL) {
		snprintf(err, len, "%s has no %s", d->soname, missing);
		dlclose(h);
		return -1;
	}
	d->handle = h;
	return 0;
}

int
dynlib_load(struct dynlib *d, char *err, size_t len)
{
	int	rc = 0;

	pthread_mutex_lock(&d->lock);
	if (d->handle == NULL)
		rc = dynlib_open(d, err, len);
	pthread_mutex_unlock(&d->lock);
	return rc;
}
