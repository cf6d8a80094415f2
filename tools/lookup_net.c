/*
 * lookup_net.c: superd-lookup --net: the endpoints on the network, from
 * etcd when it is set ($SUPERD_ETCD_ENDPOINTS, else etcd-endpoints in
 * superd.conf), else from DNS-SD (libsuperd's superd_net_lookup),
 * printed like the local directory's; --net -l lists the etcd directory.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lookup.h"
#include "etcd.h"
#include "sockpath.h"

/* Why the lookup failed, on stderr; the exit status. */
static int
net_error(const char *name, const char *proto)
{
	int	etcd = getenv(SUPERD_ETCD_ENV) != NULL;

	if (errno == ENOENT) {
		if (etcd)
			fprintf(stderr, "superd-lookup: %s%s%s: not in etcd\n",
			    name ? name : "nothing", proto ? "/" : "",
			    proto ? proto : "");
		else
			fprintf(stderr, "superd-lookup: _%s._%s: not found on "
			    "the network\n", name, proto ? proto : "tcp");
		return EXIT_NOTFOUND;
	}
	if (errno == ENOTSUP)
		fprintf(stderr, "superd-lookup: --net%s: no etcd-endpoints "
		    "set%s\n", name ? "" : " -l", name ? " and built without "
		    "Avahi" : " ($SUPERD_ETCD_ENDPOINTS or superd.conf)");
	else if (errno == ECONNREFUSED && etcd)
		fprintf(stderr, "superd-lookup: --net: no etcd endpoint "
		    "answered (%s)%s%s\n", getenv(SUPERD_ETCD_ENV),
		    etcd_last_error()[0] ? ": " : "", etcd_last_error());
	else if (errno == ECONNREFUSED)
		fprintf(stderr, "superd-lookup: --net: cannot reach "
		    "avahi-daemon\n");
	else
		fprintf(stderr, "superd-lookup: --net: %s\n", strerror(errno));
	return EXIT_ERROR;
}

int
net_main(const char *name, const char *proto, int json, int list,
    unsigned timeout_ms, const char *conf)
{
	struct superd_eplist	l = { 0 };
	char			err[1024];
	int			r;

	if (sockpath_etcd_env(conf, err, sizeof(err)) == -1) {
		fprintf(stderr, "superd-lookup: %s\n", err);
		return EXIT_ERROR;
	}
	if (name == NULL)
		r = superd_net_list((int)timeout_ms, &l);
	else
		r = superd_net_lookup(name, proto, (int)timeout_ms, &l);
	if (r == -1) {
		superd_eplist_free(&l);
		return net_error(name, proto);
	}
	if (name == NULL && proto != NULL)
		lookup_filter_proto(&l, proto);
	if (json)
		out_json(stdout, &l);
	else if (list)
		out_net_table(stdout, &l);
	else
		out_plain(stdout, &l);
	superd_eplist_free(&l);
	if (fflush(stdout) == EOF || ferror(stdout))
		return EXIT_ERROR;
	return EXIT_FOUND;
}
