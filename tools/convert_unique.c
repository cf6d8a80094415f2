/*
 * convert_unique.c: make the converted services load together.
 *
 * superd refuses two services with one name and protocol, and two on one
 * endpoint, disabled or not.  inetd.conf and xinetd.d repeat both: a
 * service's tcp4 and tcp6 lines, Debian's xinetd "echo" file next to its
 * "echo-udp" file, an active line next to another package's "#<off>#"
 * one.  Enabled services are placed first, in file order, so a disabled
 * copy never takes the name or port from the one that runs.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"

static int	 enabled(const struct cv_service *);
static int	 port_num(const struct cv_service *);
static int	 is_any(const char *);
static int	 addr_overlap(const struct cv_service *,
		    const struct cv_service *);
static int	 same_endpoint(const struct cv_service *,
		    const struct cv_service *);
static int	 same_but_family(const struct cv_service *,
		    const struct cv_service *);
static void	 merge_pairs(struct cv_doc *);
static void	 endpoints(struct cv_doc *, int);
static int	 name_taken(struct cv_doc *, size_t, const char *);
static void	 rename_one(struct cv_doc *, size_t);
static void	 names(struct cv_doc *, int);

void
doc_unique(struct cv_doc *d)
{
	merge_pairs(d);
	endpoints(d, 1);
	endpoints(d, 0);
	names(d, 1);
	names(d, 0);
}

static int
enabled(const struct cv_service *s)
{
	return s->key[K_DISABLE] == NULL ||
	    strcmp(s->key[K_DISABLE], "yes") != 0;
}

/* The port as a number (names through /etc/services), or -1. */
static int
port_num(const struct cv_service *s)
{
	const char	*p = s->key[K_PORT];
	struct servent	*se;
	char		*end;
	long		 v;

	if (p == NULL)
		return -1;
	v = strtol(p, &end, 10);
	if (end != p && *end == '\0')
		return (int)v;
	se = getservbyname(p, s->key[K_PROTOCOL]);
	return se != NULL ? ntohs(se->s_port) : -1;
}

/* 0: a specific address, 4: 0.0.0.0, 6: "::", 46: "*". */
static int
is_any(const char *a)
{
	if (strcmp(a, "*") == 0)
		return 46;
	if (strcmp(a, "0.0.0.0") == 0)
		return 4;
	if (strcmp(a, "::") == 0 || strcmp(a, "[::]") == 0)
		return 6;
	return 0;
}

/*
 * Would the two addresses fight over the port?  Linux refuses a
 * wildcard bind next to a specific one of its family, so they overlap
 * too; "::" without v6only takes IPv4 as well.
 */
static int
addr_overlap(const struct cv_service *a, const struct cv_service *b)
{
	const char	*x = a->key[K_ADDRESS], *y = b->key[K_ADDRESS];
	int		 ax, ay, v6x, v6y;

	if (x == NULL || y == NULL)
		return x == y;
	if (strcmp(x, y) == 0)
		return 1;
	ax = is_any(x);
	ay = is_any(y);
	if (ax == 6 && a->key[K_V6ONLY] == NULL)
		ax = 46;
	if (ay == 6 && b->key[K_V6ONLY] == NULL)
		ay = 46;
	if (ax == 46 || ay == 46)
		return 1;
	v6x = strchr(x, ':') != NULL;
	v6y = strchr(y, ':') != NULL;
	return (ax != 0 && v6x == v6y) || (ay != 0 && v6x == v6y);
}

static int
same_endpoint(const struct cv_service *a, const struct cv_service *b)
{
	const char	*pa = a->key[K_PROTOCOL], *pb = b->key[K_PROTOCOL];

	if (pa == NULL || pb == NULL || strcmp(pa, pb) != 0)
		return 0;
	if (strcmp(pa, "unix") == 0)
		return addr_overlap(a, b);
	return port_num(a) != -1 && port_num(a) == port_num(b) &&
	    addr_overlap(a, b);
}

/* Equal in everything but 0.0.0.0 against "::" with v6only. */
static int
same_but_family(const struct cv_service *a, const struct cv_service *b)
{
	int	 i;

	if (a->skip || b->skip || strcmp(a->name, b->name) != 0 ||
	    a->key[K_ADDRESS] == NULL || b->key[K_ADDRESS] == NULL ||
	    is_any(a->key[K_ADDRESS]) + is_any(b->key[K_ADDRESS]) != 10 ||
	    (a->key[K_V6ONLY] == NULL) == (b->key[K_V6ONLY] == NULL))
		return 0;
	for (i = 0; i < K_NKEYS; i++) {
		if (i == K_ADDRESS || i == K_V6ONLY)
			continue;
		if ((a->key[i] == NULL) != (b->key[i] == NULL) ||
		    (a->key[i] != NULL && strcmp(a->key[i], b->key[i]) != 0))
			return 0;
	}
	for (i = 0; i < L_NLISTS; i++)
		if (!strlist_same(&a->list[i], &b->list[i]))
			return 0;
	return 1;
}

/*
 * An IPv4-only and an IPv6-only copy of one service (git's README.Debian
 * tcp4 + tcp6 lines) are one dual-stack service for superd.
 */
static void
merge_pairs(struct cv_doc *d)
{
	struct cv_service	*a, *b;
	size_t			 i, j, k;

	for (i = 0; i < d->n; i++) {
		for (j = i + 1; j < d->n; j++) {
			a = d->svc[i];
			b = d->svc[j];
			if (!same_but_family(a, b))
				continue;
			svc_set(a, K_ADDRESS, "*");
			svc_set(a, K_V6ONLY, NULL);
			cv_note(a, b->file, b->line, "\"%s\" on IPv4 (%s:%d) and "
			    "on IPv6 only: merged into one service on both, "
			    "address \"*\"", a->name, a->file, a->line);
			for (k = 0; k < b->notes.n; k++)
				if (!strlist_has(&a->notes, b->notes.v[k]))
					strlist_add(&a->notes, b->notes.v[k]);
			svc_free(b);
			memmove(&d->svc[j], &d->svc[j + 1],
			    (d->n - j - 1) * sizeof(d->svc[0]));
			d->n--;
			j--;
		}
	}
}

/*
 * One endpoint, one service: a later one on a taken endpoint is kept as
 * a comment (superd refuses it even disabled).  xinetd allows disabled
 * copies, and inetd fails to bind the later active one.
 */
static void
endpoints(struct cv_doc *d, int on)
{
	struct cv_service	*s, *o;
	size_t			 i, j;

	for (i = 0; i < d->n; i++) {
		s = d->svc[i];
		if (s->skip || enabled(s) != on)
			continue;
		for (j = 0; j < d->n; j++) {
			o = d->svc[j];
			if (o == s || o->skip || (enabled(o) == on && j > i) ||
			    (!enabled(o) && on))
				continue;
			if (!same_endpoint(s, o))
				continue;
			s->skip = 1;
			if (on)
				cv_fail(s, s->file, s->line, "\"%s\" listens "
				    "where \"%s\" (%s:%d) already does; the "
				    "first one is kept", s->name, o->name,
				    o->file, o->line);
			else
				cv_note(s, s->file, s->line, "disabled \"%s\" "
				    "is on the endpoint of \"%s\" (%s:%d); "
				    "superd refuses a second service there "
				    "even disabled: kept as a comment", s->name,
				    o->name, o->file, o->line);
			break;
		}
	}
}

/* Is name already given to a placed service of the same protocol? */
static int
name_taken(struct cv_doc *d, size_t self, const char *name)
{
	const struct cv_service	*s = d->svc[self], *o;
	size_t			 i;

	for (i = 0; i < d->n; i++) {
		o = d->svc[i];
		if (i == self || o->skip || !o->placed)
			continue;
		if (strcmp(o->name, name) == 0 && s->key[K_PROTOCOL] != NULL &&
		    o->key[K_PROTOCOL] != NULL &&
		    strcmp(o->key[K_PROTOCOL], s->key[K_PROTOCOL]) == 0)
			return 1;
	}
	return 0;
}

/* A taken name becomes the xinetd id, the inetd "name-tcp6", or name-N. */
static void
rename_one(struct cv_doc *d, size_t i)
{
	struct cv_service	*s = d->svc[i];
	char			 buf[300];
	int			 n;

	if (!name_taken(d, i, s->name))
		return;
	if (s->alt != NULL && !name_taken(d, i, s->alt))
		snprintf(buf, sizeof(buf), "%s", s->alt);
	else if (s->id != NULL && !name_taken(d, i, s->id))
		snprintf(buf, sizeof(buf), "%s", s->id);
	else {
		n = 2;
		do
			snprintf(buf, sizeof(buf), "%s-%d", s->name, n++);
		while (name_taken(d, i, buf));
	}
	cv_note(s, s->file, s->line, "a %s service \"%s\" is already "
	    "defined: this one is named \"%s\"", s->key[K_PROTOCOL], s->name,
	    buf);
	free(s->name);
	s->name = xstrdup(buf);
}

static void
names(struct cv_doc *d, int on)
{
	size_t	 i;

	for (i = 0; i < d->n; i++) {
		if (d->svc[i]->skip || enabled(d->svc[i]) != on)
			continue;
		rename_one(d, i);
		d->svc[i]->placed = 1;
	}
}
