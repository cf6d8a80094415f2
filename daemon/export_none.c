/*
 * export_none.c: export.h for a superd built without Avahi.  The config
 * refuses directory-export = avahi (conf.c asks export_available()).
 */
#include "config.h"

#include "export.h"

void
export_configure(struct event_base *base, const struct superd_conf *conf)
{
	(void)base;
	(void)conf;
}

void
export_stop(void)
{
}

int
export_available(void)
{
	return 0;
}
