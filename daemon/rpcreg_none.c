/*
 * rpcreg_none.c: rpcreg.h for a superd built without libtirpc.  The
 * config refuses type = rpc (conf.c), so nothing is ever registered.
 */
#include "config.h"

#include <stddef.h>

#include "rpcreg.h"

int
rpcreg_init(void)
{
	return 0;
}

struct rpcreg *
rpcreg_add(const char *name, unsigned long prog, unsigned long vlo,
    unsigned long vhi, int fd)
{
	(void)name;
	(void)prog;
	(void)vlo;
	(void)vhi;
	(void)fd;
	return NULL;
}

struct rpcreg *
rpcreg_add_addr(const char *name, unsigned long prog, unsigned long vlo,
    unsigned long vhi, const struct sockaddr *sa, socklen_t len, int type,
    int v6only)
{
	(void)name;
	(void)prog;
	(void)vlo;
	(void)vhi;
	(void)sa;
	(void)len;
	(void)type;
	(void)v6only;
	return NULL;
}

int
rpcreg_registered(struct rpcreg *r)
{
	(void)r;
	return 0;
}

void
rpcreg_remove(struct rpcreg *r)
{
	(void)r;
}

void
rpcreg_stop(void)
{
}

int
rpcreg_available(void)
{
	return 0;
}
