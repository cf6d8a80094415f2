/*
 * dynlib.h: an optional library loaded with dlopen(3) when a feature
 * first needs it, instead of linked.
 *
 * A linked library costs every superd its relocated data (RELRO, .data,
 * .got: copied on write, so private to the process) and that of every
 * library it pulls in, whether the feature is configured or not:
 * OpenSSL's ~470 KiB, libtirpc's Kerberos chain ~150 KiB.  A user lists
 * the functions it calls in an X-macro, declares the table with
 * DYNLIB_POINTER (each pointer typed from the library's own prototype
 * by __typeof__), makes its bind function with DYNLIB_BINDER, calls
 * dynlib_load before using the table, and calls through it:
 * table.function(...).
 */
#ifndef SUPERD_DYNLIB_H
#define SUPERD_DYNLIB_H

#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>

/* A member of a table of functions: pointer to f, of f's type. */
#define DYNLIB_POINTER(f)	__typeof__(f) *f;
/* Set table.f from handle h; NULL if h has no f. */
#define DYNLIB_BIND(table, h, f)	(*(void **)&(table).f = dlsym((h), #f))

/*
 * static const char *fn(void *handle): every function FUNCS lists into
 * table; NULL, or the name of the first one the library lacks.
 */
#define DYNLIB_BIND_ONE_(f)						\
	if (DYNLIB_BIND(*dynlib_table_, dynlib_handle_, f) == NULL)	\
		return #f;
#define DYNLIB_BINDER(fn, table, FUNCS)					\
static const char *							\
fn(void *dynlib_handle_)						\
{									\
	__typeof__(table)	*dynlib_table_ = &(table);		\
									\
	FUNCS(DYNLIB_BIND_ONE_)						\
	return NULL;							\
}

struct dynlib {
	const char	*soname;
	/* Fill the table from the handle: NULL, or the missing name. */
	const char	*(*bind)(void *);
	pthread_mutex_t	 lock;
	void		*handle;	/* set once the table is full */
};

#define DYNLIB_INITIALIZER(soname, bind)				\
	{ (soname), (bind), PTHREAD_MUTEX_INITIALIZER, NULL }

/*
 * Load d's library and fill its table, once (later calls answer at once,
 * from any thread); 0, or -1 with why in err.  A failure is tried again
 * on the next call.
 */
int	dynlib_load(struct dynlib *d, char *err, size_t len);

#endif
