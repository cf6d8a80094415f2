/*
 * sandbox.h: what a handler is confined with between clone and exec
 * (namespaces, read-only and hidden paths, capabilities, a seccomp deny
 * list).  The config side (parsing, probing the kernel, building the
 * seccomp program) runs at load; the child side only makes system calls
 * (the spawn child shares superd's memory and must not allocate).
 */
#ifndef SUPERD_SANDBOX_H
#define SUPERD_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

struct sandbox_conf;
struct sandbox_filter;

/* ---- at config load ---- */

/*
 * Build the seccomp program for a deny list ("@mount @reboot kexec_load"):
 * each listed call fails with EPERM.  0, or -1 with err.
 */
int	sandbox_filter_build(const char *spec, struct sandbox_filter **,
	    char *err, size_t errlen);
void	sandbox_filter_free(struct sandbox_filter *);
/* "CAP_NET_BIND_SERVICE cap_setuid" into a mask; -1 with err. */
int	sandbox_parse_caps(const char *list, uint64_t *mask, char *err,
	    size_t errlen);
/*
 * Can this kernel (and superd's privileges) honour sb?  0, or -1 with
 * *key the key that cannot and err why.
 */
int	sandbox_check(const struct sandbox_conf *, const char **key,
	    char *err, size_t errlen);
int	sandbox_wanted(const struct sandbox_conf *);
int	sandbox_conf_equal(const struct sandbox_conf *,
	    const struct sandbox_conf *);
void	sandbox_conf_free(struct sandbox_conf *);

/* ---- in the spawn child (system calls only; *step names a failure) ---- */

/* Namespaces, mounts and the bounding set: before the identity switch. */
int	sandbox_child_enter(const struct sandbox_conf *, const char **step);
/* Ambient capabilities, after it (uid != 0 only). */
int	sandbox_child_ambient(const struct sandbox_conf *, const char **step);
/* The seccomp filter: the last step before execve. */
int	sandbox_child_filter(const struct sandbox_conf *, const char **step);

#endif
