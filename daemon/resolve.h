/*
 * resolve.h: host names of only-from / no-access to addresses, at load.
 *
 * conf_load runs on the event loop (a reload answers superdctl with its
 * result), so a name server that does not answer must not hold the loop
 * for resolv.conf's full retry schedule.  resolve_names looks every name
 * of a configuration up at once, each on its own thread, and waits for
 * all of them together for at most a fixed budget; a lookup still
 * running then is abandoned (its thread frees what it made).  Nothing
 * here runs per connection.
 */
#ifndef SUPERD_RESOLVE_H
#define SUPERD_RESOLVE_H

#include <stddef.h>

#include "conf.h"

/*
 * Milliseconds: the most one batch waits; the most one load waits in
 * all; what a batch still gets past that (enough for /etc/hosts).
 */
#define RESOLVE_TIMEOUT_MS	2000
#define RESOLVE_BUDGET_MS	4000
#define RESOLVE_MIN_MS		100

struct resolve_result {
	const char		*name;		/* the caller's */
	struct acl_entry	*addrs;		/* owned by the caller after */
	size_t			 n;
	char			 why[128];	/* n == 0: why not */
};

/*
 * Look up res[0..n).name (IPv4 and IPv6 addresses); fill addrs/n or why.
 * Waits at most timeout_ms in all.  0, or -1 when out of memory (every
 * result then says so).
 */
int	resolve_names(struct resolve_result *res, size_t n,
	    unsigned timeout_ms);
void	resolve_results_free(struct resolve_result *res, size_t n);

#endif
