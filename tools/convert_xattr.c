/*
 * convert_xattr.c: map one merged xinetd section to a superd service.
 *
 * The attributes that decide together what the service is (type, id,
 * flags, socket, port, server...) are left to convert_xcore.c; every
 * other attribute maps on its own through the table below.  An attribute
 * missing from the table is reported, never skipped.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "convert_xinetd.h"

struct xhandler {
	const char	*name;
	void		(*fn)(struct cv_service *, const struct xop *,
			    const struct xhandler *);
	int		 arg;		/* cv_key, cv_list; h_fail: skip */
	const char	*why;		/* h_note / h_fail text */
};

static void	h_core(struct cv_service *, const struct xop *,
		    const struct xhandler *);
static void	h_scalar(struct cv_service *, const struct xop *,
		    const struct xhandler *);
static void	h_umask(struct cv_service *, const struct xop *,
		    const struct xhandler *);
static void	h_count(struct cv_service *, const struct xop *,
		    const struct xhandler *);
static void	h_bool(struct cv_service *, const struct xop *,
		    const struct xhandler *);
static void	h_rlimit(struct cv_service *, const struct xop *,
		    const struct xhandler *);
static void	h_cps(struct cv_service *, const struct xop *,
		    const struct xhandler *);
static void	h_list(struct cv_service *, const struct xop *,
		    const struct xhandler *);
static void	h_acl(struct cv_service *, const struct xop *,
		    const struct xhandler *);
static void	h_note(struct cv_service *, const struct xop *,
		    const struct xhandler *);
static void	h_banner(struct cv_service *, const struct xop *,
		    const struct xhandler *);
static void	h_load(struct cv_service *, const struct xop *,
		    const struct xhandler *);
static void	h_libwrap(struct cv_service *, const struct xop *,
		    const struct xhandler *);
static void	h_fail(struct cv_service *, const struct xop *,
		    const struct xhandler *);
static void	xattr_one(struct cv_service *, const struct xop *);
static void	xattr_enabled(struct cv_service *, const struct xblock *,
		    const struct xblock *);
static void	xattr_builtin(struct cv_service *, const struct xblock *);
static int	defaults_only(const char *);
static int	one_value(struct cv_service *, const struct xop *);
static int	is_number(const char *);
static char	*joined(const struct strlist *);

#define LOGNOTE	"superd logs every connection and handler exit itself " \
		"(syslog or the journal, level set by log-level)"

static const struct xhandler handlers[] = {
	{ "id", h_core, 0, NULL },
	{ "type", h_core, 0, NULL },
	{ "flags", h_core, 0, NULL },
	{ "socket_type", h_core, 0, NULL },
	{ "protocol", h_core, 0, NULL },
	{ "port", h_core, 0, NULL },
	{ "bind", h_core, 0, NULL },
	{ "interface", h_core, 0, NULL },
	{ "v6only", h_core, 0, NULL },
	{ "server", h_core, 0, NULL },
	{ "server_args", h_core, 0, NULL },
	{ "wait", h_core, 0, NULL },
	{ "rpc_version", h_core, 0, NULL },
	{ "rpc_number", h_core, 0, NULL },
	{ "redirect", h_core, 0, NULL },
	{ "user", h_scalar, K_USER, NULL },
	{ "group", h_scalar, K_GROUP, NULL },
	{ "nice", h_scalar, K_NICE, NULL },
	{ "banner", h_banner, K_BANNER, NULL },
	{ "banner_success", h_banner, K_BANNER_SUCCESS, NULL },
	{ "banner_fail", h_banner, K_BANNER_FAIL, NULL },
	{ "max_load", h_load, K_MAX_LOAD, NULL },
	{ "passenv", h_list, L_ENV_PASS, NULL },
	{ "umask", h_umask, K_UMASK, NULL },
	{ "instances", h_count, K_INSTANCES, NULL },
	{ "per_source", h_count, K_PER_SOURCE, NULL },
	{ "disable", h_bool, K_DISABLE, NULL },
	{ "rlimit_cpu", h_rlimit, K_RLIMIT_CPU, NULL },
	{ "rlimit_as", h_rlimit, K_RLIMIT_AS, NULL },
	{ "rlimit_files", h_rlimit, K_RLIMIT_NOFILE, NULL },
	{ "rlimit_nproc", h_rlimit, K_RLIMIT_NPROC, NULL },
	{ "rlimit_core", h_rlimit, K_RLIMIT_CORE, NULL },
	{ "cps", h_cps, K_RATE, NULL },
	{ "env", h_list, L_ENV, NULL },
	{ "only_from", h_acl, L_ONLY_FROM, NULL },
	{ "no_access", h_acl, L_NO_ACCESS, NULL },
	{ "log_type", h_note, 0, LOGNOTE },
	{ "log_on_success", h_note, 0, LOGNOTE },
	{ "log_on_failure", h_note, 0, LOGNOTE },
	{ "groups", h_note, 0, "superd always gives the handler the "
	    "supplementary groups of its user (initgroups)" },
	{ "mdns", h_note, 0, "no mDNS announcement; ignored" },
	{ "access_times", h_fail, 0, "superd has no time-of-day access "
	    "control" },
	{ "deny_time", h_fail, 0, "superd does not ban sources for a time" },
	{ "libwrap", h_libwrap, K_LIBWRAP, NULL },
	{ "rlimit_data", h_fail, 0, "superd has no rlimit-data" },
	{ "rlimit_rss", h_fail, 0, "superd has no rlimit-rss" },
	{ "rlimit_stack", h_fail, 0, "superd has no rlimit-stack" },
	{ "enabled", h_fail, 0, "only meaningful in the defaults section" },
	{ "disabled", h_fail, 0, "only meaningful in the defaults section" },
	{ NULL, NULL, 0, NULL }
};

/*
 * Merge the defaults section in place, and say once what it holds that
 * will not reach the services.
 */
void
xattr_defaults(struct xblock *defs)
{
	struct xblock	 m;
	size_t		 i;

	memset(&m, 0, sizeof(m));
	for (i = 0; i < defs->nop; i++)
		xblock_merge(&m, &defs->op[i]);
	for (i = 0; i < m.nop; i++)
		if (strncmp(m.op[i].name, "log_", 4) == 0)
			cv_note(NULL, m.op[i].file, m.op[i].line, "defaults "
			    "%s: %s", m.op[i].name, LOGNOTE);
	m.name = defs->name;
	defs->name = NULL;
	xblock_free(defs);
	*defs = m;
}

/* defaults entries that are not copied into each service. */
static int
defaults_only(const char *name)
{
	return strcmp(name, "enabled") == 0 ||
	    strcmp(name, "disabled") == 0 || strncmp(name, "log_", 4) == 0;
}

/* The service for section b, defaults applied first, as xinetd does. */
struct cv_service *
xattr_translate(const struct xblock *defs, const struct xblock *b)
{
	struct cv_service	*s = svc_new(b->name, b->file, b->line);
	const struct xop	*id;
	struct xblock		 m;
	size_t			 i;

	memset(&m, 0, sizeof(m));
	for (i = 0; i < defs->nop; i++)
		if (!defaults_only(defs->op[i].name))
			xblock_merge(&m, &defs->op[i]);
	for (i = 0; i < b->nop; i++)
		xblock_merge(&m, &b->op[i]);
	xcore_translate(s, &m);
	if ((id = xblock_find(&m, "id")) != NULL && id->v.n == 1 &&
	    strcmp(id->v.v[0], s->name) != 0)
		s->id = xstrdup(id->v.v[0]);
	for (i = 0; i < m.nop; i++)
		xattr_one(s, &m.op[i]);
	xattr_enabled(s, defs, &m);
	xattr_builtin(s, &m);
	if (!s->skip)
		port_check(s, b->file, b->line);
	xblock_free(&m);
	return s;
}

static void
xattr_one(struct cv_service *s, const struct xop *a)
{
	const struct xhandler	*h;

	for (h = handlers; h->name != NULL; h++) {
		if (strcmp(h->name, a->name) == 0) {
			h->fn(s, a, h);
			return;
		}
	}
	cv_fail(s, a->file, a->line, "unknown xinetd attribute \"%s\"",
	    a->name);
}

/*
 * A builtin runs inside superd, so process settings do not apply (superd
 * refuses them); they mostly come from the defaults section.
 */
static void
xattr_builtin(struct cv_service *s, const struct xblock *m)
{
	static const struct {
		const char	*attr;
		enum cv_key	 key;
	} proc[] = {
		{ "umask", K_UMASK }, { "nice", K_NICE },
		{ "rlimit_cpu", K_RLIMIT_CPU }, { "rlimit_as", K_RLIMIT_AS },
		{ "rlimit_files", K_RLIMIT_NOFILE },
		{ "rlimit_nproc", K_RLIMIT_NPROC },
		{ "rlimit_core", K_RLIMIT_CORE },
	};
	const struct xop	*o;
	size_t			 i;

	if (s->key[K_TYPE] == NULL || strcmp(s->key[K_TYPE], "builtin") != 0)
		return;
	for (i = 0; i < sizeof(proc) / sizeof(proc[0]); i++) {
		if (s->key[proc[i].key] == NULL ||
		    (o = xblock_find(m, proc[i].attr)) == NULL)
			continue;
		svc_set(s, proc[i].key, NULL);
		cv_note(s, o->file, o->line, "%s is left out of builtin "
		    "services: they run inside superd", o->name);
	}
}

/* defaults "disabled = id..." and "enabled = id..." lists. */
static void
xattr_enabled(struct cv_service *s, const struct xblock *defs,
    const struct xblock *m)
{
	const struct xop	*id = xblock_find(m, "id"), *o;
	const char		*name = s->name;

	if (id != NULL && id->v.n > 0)
		name = id->v.v[0];
	o = xblock_find(defs, "disabled");
	if (o != NULL && (strlist_has(&o->v, name) ||
	    strlist_has(&o->v, s->name)))
		svc_set(s, K_DISABLE, "yes");
	o = xblock_find(defs, "enabled");
	if (o != NULL && !strlist_has(&o->v, name) &&
	    !strlist_has(&o->v, s->name))
		svc_set(s, K_DISABLE, "yes");
}

static int
one_value(struct cv_service *s, const struct xop *a)
{
	if (a->v.n == 1)
		return 1;
	cv_fail(s, a->file, a->line, "%s takes one value, not %zu",
	    a->name, a->v.n);
	return 0;
}

static int
is_number(const char *v)
{
	size_t	 i;

	for (i = 0; isdigit((unsigned char)v[i]); i++)
		;
	return i > 0 && v[i] == '\0';
}

/* The values of a, space separated, for messages. */
static char *
joined(const struct strlist *l)
{
	size_t	 i, len = 1;
	char	*p;

	for (i = 0; i < l->n; i++)
		len += strlen(l->v[i]) + 1;
	p = xcalloc(1, len);
	for (i = 0; i < l->n; i++) {
		if (i > 0)
			strcat(p, " ");
		strcat(p, l->v[i]);
	}
	return p;
}

/* Handled by convert_xcore.c. */
static void
h_core(struct cv_service *s, const struct xop *a, const struct xhandler *h)
{
}

static void
h_scalar(struct cv_service *s, const struct xop *a, const struct xhandler *h)
{
	if (one_value(s, a))
		svc_set(s, h->arg, a->v.v[0]);
}

static void
h_umask(struct cv_service *s, const struct xop *a, const struct xhandler *h)
{
	if (!one_value(s, a))
		return;
	if (strspn(a->v.v[0], "01234567") != strlen(a->v.v[0]))
		cv_fail(s, a->file, a->line, "umask \"%s\" is not octal",
		    a->v.v[0]);
	else
		svc_set(s, h->arg, a->v.v[0]);
}

/* instances, per_source: a number or UNLIMITED (superd: 0). */
static void
h_count(struct cv_service *s, const struct xop *a, const struct xhandler *h)
{
	if (!one_value(s, a))
		return;
	if (strcasecmp(a->v.v[0], "UNLIMITED") == 0)
		svc_set(s, h->arg, "0");
	else if (is_number(a->v.v[0]))
		svc_set(s, h->arg, a->v.v[0]);
	else
		cv_fail(s, a->file, a->line, "%s \"%s\" is not a number nor "
		    "UNLIMITED", a->name, a->v.v[0]);
}

static void
h_bool(struct cv_service *s, const struct xop *a, const struct xhandler *h)
{
	if (!one_value(s, a))
		return;
	if (strcmp(a->v.v[0], "yes") == 0 || strcmp(a->v.v[0], "no") == 0)
		svc_set(s, h->arg, a->v.v[0]);
	else
		cv_fail(s, a->file, a->line, "%s \"%s\" is neither yes nor no",
		    a->name, a->v.v[0]);
}

/* A number with an optional K or M, or UNLIMITED. */
static void
h_rlimit(struct cv_service *s, const struct xop *a, const struct xhandler *h)
{
	const char	*v;
	size_t		 n;

	if (!one_value(s, a))
		return;
	v = a->v.v[0];
	n = strspn(v, "0123456789");
	if (strcasecmp(v, "UNLIMITED") == 0)
		svc_set(s, h->arg, "unlimited");
	else if (n > 0 && (v[n] == '\0' || (strchr("KkMm", v[n]) != NULL &&
	    v[n + 1] == '\0')))
		svc_set(s, h->arg, v);
	else
		cv_fail(s, a->file, a->line, "%s \"%s\" is not a number, "
		    "NK, NM or UNLIMITED", a->name, v);
}

/* "cps = N WAIT": N connections a second; xinetd then pauses WAIT s. */
static void
h_cps(struct cv_service *s, const struct xop *a, const struct xhandler *h)
{
	char	 buf[64];

	if (a->v.n < 1 || a->v.n > 2 || !is_number(a->v.v[0]) ||
	    strcmp(a->v.v[0], "0") == 0) {
		cv_fail(s, a->file, a->line, "cps needs \"N [SECONDS]\" "
		    "with N > 0");
		return;
	}
	snprintf(buf, sizeof(buf), "%s/s", a->v.v[0]);
	svc_set(s, h->arg, buf);
	cv_note(s, a->file, a->line, "cps %s -> rate \"%s\": superd refuses "
	    "connections over the rate instead of pausing the service%s%s%s",
	    a->v.v[0], buf, a->v.n == 2 ? " for " : "",
	    a->v.n == 2 ? a->v.v[1] : "", a->v.n == 2 ? " s" : "");
}

/*
 * banner, banner_success, banner_fail: superd sends them on the stream
 * connections it accepts, so not on a datagram or wait = yes service.
 */
static void
h_banner(struct cv_service *s, const struct xop *a, const struct xhandler *h)
{
	const char	*sock = s->key[K_SOCKET], *wait = s->key[K_WAIT];

	if (!one_value(s, a))
		return;
	if (sock != NULL && strcmp(sock, "dgram") == 0)
		cv_fail(s, a->file, a->line, "%s = %s: superd sends banners on "
		    "stream connections only", a->name, a->v.v[0]);
	else if (wait != NULL && strcmp(wait, "yes") == 0)
		cv_fail(s, a->file, a->line, "%s = %s: with wait = yes the "
		    "server accepts the connections, superd cannot send a "
		    "banner", a->name, a->v.v[0]);
	else
		svc_set(s, h->arg, a->v.v[0]);
}

/* max_load: a load average above 0 ("2", "2.5"). */
static void
h_load(struct cv_service *s, const struct xop *a, const struct xhandler *h)
{
	char	*end;
	double	 d;

	if (!one_value(s, a))
		return;
	d = strtod(a->v.v[0], &end);
	if (end == a->v.v[0] || *end != '\0' || !(d > 0) || d > 10000)
		cv_fail(s, a->file, a->line, "max_load \"%s\" is not a load "
		    "average above 0", a->v.v[0]);
	else
		svc_set(s, h->arg, a->v.v[0]);
}

static void
h_list(struct cv_service *s, const struct xop *a, const struct xhandler *h)
{
	strlist_copy(&s->list[h->arg], &a->v);
}

static void
h_acl(struct cv_service *s, const struct xop *a, const struct xhandler *h)
{
	xacl_translate(s, a, &s->list[h->arg]);
}

static void
h_note(struct cv_service *s, const struct xop *a, const struct xhandler *h)
{
	char	*v = joined(&a->v);

	cv_note(s, a->file, a->line, "%s = %s: %s", a->name, v, h->why);
	free(v);
}

/*
 * "libwrap = NAME": xinetd checks hosts.allow and hosts.deny under the
 * daemon name NAME (the service id without it); superd under the
 * handler's argv[0] (a builtin: the service name), so rules naming NAME
 * may need another name.  flags = NOLIBWRAP (convert_xcore.c) switches
 * libwrap off whatever this says, in xinetd as here.
 */
static void
h_libwrap(struct cv_service *s, const struct xop *a, const struct xhandler *h)
{
	const char	*lw = s->key[h->arg], *daemon;

	if (!one_value(s, a))
		return;
	if (lw != NULL && strcmp(lw, "no") == 0) {
		cv_note(s, a->file, a->line, "libwrap = %s: flags NOLIBWRAP "
		    "switches libwrap off: libwrap = no", a->v.v[0]);
		return;
	}
	if (s->key[K_WAIT] != NULL && strcmp(s->key[K_WAIT], "yes") == 0 &&
	    s->key[K_SOCKET] != NULL && strcmp(s->key[K_SOCKET], "stream") == 0) {
		cv_fail(s, a->file, a->line, "libwrap = %s: with wait = yes "
		    "the server accepts the connections, superd has no client "
		    "address to check", a->v.v[0]);
		return;
	}
	svc_set(s, h->arg, "yes");
	if (s->key[K_TYPE] != NULL && strcmp(s->key[K_TYPE], "builtin") == 0)
		daemon = s->name;
	else if (s->key[K_ARGV0] != NULL)
		daemon = base_name(s->key[K_ARGV0]);
	else if (s->key[K_SERVER] != NULL)
		daemon = base_name(s->key[K_SERVER]);
	else
		return;
	if (strcmp(daemon, a->v.v[0]) != 0)
		cv_note(s, a->file, a->line, "libwrap = %s -> libwrap = yes: "
		    "superd checks hosts.allow and hosts.deny under the "
		    "daemon name \"%s\" (the handler's argv[0]), not \"%s\"",
		    a->v.v[0], daemon, a->v.v[0]);
}

static void
h_fail(struct cv_service *s, const struct xop *a, const struct xhandler *h)
{
	char	*v = joined(&a->v);

	cv_fail(s, a->file, a->line, "%s = %s: %s", a->name, v, h->why);
	free(v);
	if (h->arg)
		s->skip = 1;
}
