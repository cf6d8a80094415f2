/*
 * carry.c: the counters an in-place upgrade carries over.  See carry.h.
 *
 * The records, by name:
 *	requests	per service: accepted, then refused by reason
 *			(service.c's counts)
 *	stats		daemon-wide: stats.h's counters in enum order
 *	process		when the process started (an upgrade keeps it)
 *	exits, durations, reloads
 *			metrics.c's own (metrics.h)
 * Vectors are positional; a reader takes what both binaries count.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "carry.h"
#include "log.h"
#include "metrics.h"
#include "service.h"
#include "statefile.h"
#include "stats.h"

struct sink {
	struct statefile	*sf;
	int			 failed;
};

/* One vector into the state file (cut at STATE_COUNT_MAX). */
static void
add_count(struct sink *k, const char *name, const char *service,
    const char *proto, const uint64_t *v, size_t n)
{
	struct state_count	c;

	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "%s", name);
	snprintf(c.service, sizeof(c.service), "%s", service);
	snprintf(c.proto, sizeof(c.proto), "%s", proto);
	c.nv = n < STATE_COUNT_MAX ? n : STATE_COUNT_MAX;
	memcpy(c.v, v, c.nv * sizeof(*v));
	if (statefile_add_count(k->sf, &c) == -1)
		k->failed = 1;
}

static void
service_cb(const struct service_info *i, void *arg)
{
	uint64_t	v[1 + REFUSE_NREASONS];

	v[0] = i->accepted;
	memcpy(v + 1, i->refused, sizeof(i->refused));
	add_count(arg, "requests", i->name, i->proto, v, 1 + REFUSE_NREASONS);
}

static void
metrics_cb(const char *name, const char *service, const char *proto,
    const uint64_t *v, size_t n, void *arg)
{
	add_count(arg, name, service, proto, v, n);
}

int
carry_export(struct statefile *sf)
{
	struct sink	k = { sf, 0 };
	uint64_t	v[STATS_NCOUNTERS];
	int		i;

	service_foreach_info(service_cb, &k);
	metrics_foreach_count(metrics_cb, &k);
	for (i = 0; i < STATS_NCOUNTERS; i++)
		v[i] = stats_get((enum stats_counter)i);
	add_count(&k, "stats", "", "", v, STATS_NCOUNTERS);
	v[0] = (uint64_t)stats_started();
	add_count(&k, "process", "", "", v, 1);
	return k.failed ? -1 : 0;
}

static void
import_stats(const struct state_count *c)
{
	size_t	i;

	for (i = 0; i < c->nv && i < STATS_NCOUNTERS; i++)
		stats_set((enum stats_counter)i, c->v[i]);
}

void
carry_import(const struct statefile *sf)
{
	const struct state_count	*c;
	size_t				 i;

	for (i = 0; i < sf->ncounts; i++) {
		c = &sf->counts[i];
		if (strcmp(c->name, "stats") == 0)
			import_stats(c);
		else if (strcmp(c->name, "process") == 0 && c->nv > 0)
			stats_set_started((time_t)c->v[0]);
		else if (strcmp(c->name, "requests") == 0)
			/* A service gone from the configuration: dropped. */
			(void)service_restore_counts(c->service, c->proto,
			    c->v, c->nv);
		else if (metrics_restore_count(c->name, c->service, c->proto,
		    c->v, c->nv) == -1)
			log_debug("upgrade: counters \"%s\" unknown to this "
			    "binary; dropped", c->name);
	}
	stats_inc(STATS_UPGRADES);
}
