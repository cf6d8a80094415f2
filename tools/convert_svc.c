/*
 * convert_svc.c: the converted service, shared by both readers.
 */
#include "config.h"

#include <ctype.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"

/* The internal services superd has (services/builtin.c). */
static const char *const builtins[] = {
	"echo", "discard", "daytime", "time", "chargen", "tcpmux", NULL
};

struct cv_service *
svc_new(const char *name, const char *file, int line)
{
	struct cv_service	*s = xcalloc(1, sizeof(*s));

	s->name = xstrdup(name);
	s->file = xstrdup(file);
	s->line = line;
	return s;
}

void
svc_free(struct cv_service *s)
{
	int	 i;

	if (s == NULL)
		return;
	for (i = 0; i < K_NKEYS; i++)
		free(s->key[i]);
	for (i = 0; i < L_NLISTS; i++)
		strlist_clear(&s->list[i]);
	strlist_clear(&s->notes);
	free(s->name);
	free(s->alt);
	free(s->id);
	free(s->file);
	free(s);
}

/* Set (or with NULL, unset) one scalar key. */
void
svc_set(struct cv_service *s, enum cv_key k, const char *v)
{
	free(s->key[k]);
	s->key[k] = v != NULL ? xstrdup(v) : NULL;
}

/* Take every key and list of src (xinetd defaults into a service). */
void
svc_copy(struct cv_service *dst, const struct cv_service *src)
{
	int	 i;

	for (i = 0; i < K_NKEYS; i++)
		svc_set(dst, i, src->key[i]);
	for (i = 0; i < L_NLISTS; i++)
		strlist_copy(&dst->list[i], &src->list[i]);
}

void
doc_add(struct cv_doc *d, struct cv_service *s)
{
	struct cv_service	**v;

	v = reallocarray(d->svc, d->n + 1, sizeof(*v));
	if (v == NULL) {
		svc_free(s);
		return;
	}
	d->svc = v;
	d->svc[d->n++] = s;
}

void
doc_free(struct cv_doc *d)
{
	size_t	 i;

	for (i = 0; i < d->n; i++)
		svc_free(d->svc[i]);
	free(d->svc);
	d->svc = NULL;
	d->n = 0;
}

int
builtin_known(const char *name)
{
	int	 i;

	for (i = 0; builtins[i] != NULL; i++)
		if (strcmp(builtins[i], name) == 0)
			return 1;
	return 0;
}

/*
 * superd resolves a port name through /etc/services when it loads the
 * file, so a name unknown here would make the output fail to load.
 */
int
port_check(struct cv_service *s, const char *file, int line)
{
	const char	*p = s->key[K_PORT], *proto = s->key[K_PROTOCOL];
	size_t		 i;

	if (p == NULL || proto == NULL || strcmp(proto, "unix") == 0)
		return 0;
	for (i = 0; isdigit((unsigned char)p[i]); i++)
		;
	if (i > 0 && p[i] == '\0')
		return 0;
	if (getservbyname(p, proto) != NULL)
		return 0;
	cv_fail(s, file, line, "port \"%s\" is not a %s service in "
	    "/etc/services: add it there or write the number", p, proto);
	return -1;
}
