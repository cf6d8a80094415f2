/*
 * lookup_net.c: superd-lookup --net NAME: the endpoints DNS-SD finds on
 * the local network (libsuperd's superd_net_lookup), printed like the
 * local directory's.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lookup.h"

int
net_main(const char *name, const char *proto, int json, unsigned timeout_ms)
{
	struct superd_eplist	l = { 0 };
	int			rc = EXIT_FOUND;

	if (superd_net_lookup(name, proto, (int)timeout_ms, &l) == -1) {
		if (errno == ENOENT) {
			fprintf(stderr, "superd-lookup: _%s._%s: not found on "
			    "the network\n", name, proto);
			rc = EXIT_NOTFOUND;
		} else if (errno == ENOTSUP) {
			fprintf(stderr, "superd-lookup: --net: built without "
			    "Avahi\n");
			return EXIT_ERROR;
		} else if (errno == ECONNREFUSED) {
			fprintf(stderr, "superd-lookup: --net: cannot reach "
			    "avahi-daemon\n");
			return EXIT_ERROR;
		} else {
			fprintf(stderr, "superd-lookup: --net: %s\n",
			    strerror(errno));
			return EXIT_ERROR;
		}
	}
	if (json)
		out_json(stdout, &l);
	else
		out_plain(stdout, &l);
	superd_eplist_free(&l);
	if (fflush(stdout) == EOF || ferror(stdout))
		return EXIT_ERROR;
	return rc;
}
