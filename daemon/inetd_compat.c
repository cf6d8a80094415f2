/*
 * inetd_compat.c: serve the lines of /etc/inetd.conf (inetd-compat).
 *
 * Each line is split by inetd_parse.c and translated by inetd_xlate.c,
 * the code superd-convert uses, into superd.conf text that conf.c then
 * parses and checks like any service section.  One line at a time, so a
 * line superd cannot serve costs only itself: it is logged with its
 * file:line and skipped.  The text keeps the line's number (it starts
 * with as many newlines), so conf.c's own messages name the inetd.conf
 * line too.  "#<off>#" lines are services update-inetd disabled: skipped.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "inetd_compat.h"
#include "inetd_parse.h"
#include "inetd_xlate.h"
#include "errlog.h"
#include "log.h"

struct ic_ctx {
	struct superd_conf	*conf;
	const char		*path;
	int			 line;
	char			 defaddr[256];
	unsigned		 added;
	unsigned		 skipped;
};

static void	 ic_line(struct ic_ctx *, char *);
static void	 ic_say(void *, int, const char *);
static void	 ic_skip(struct ic_ctx *, const char *);
static void	 ic_entry(struct ic_ctx *, const struct inetd_entry *);
static const struct service_conf *ic_find(const struct ic_ctx *,
		    const char *, const char *);
static const char *ic_name(struct ic_ctx *, const struct inetd_svc *);
static void	 ic_put_str(FILE *, const char *);
static char	*ic_text(const struct ic_ctx *, const struct inetd_svc *,
		    const char *);
static struct service_conf *ic_build(struct ic_ctx *, const char *);
static int	 ic_from_here(const struct ic_ctx *,
		    const struct service_conf *);
static int	 ic_any(const struct service_conf *);
static int	 ic_overlap(const struct service_conf *,
		    const struct service_conf *);
static int	 ic_place(struct ic_ctx *, struct service_conf *);

unsigned
inetd_compat_add(struct superd_conf *conf)
{
	struct ic_ctx	 c;
	FILE		*fp;
	char		*buf = NULL;
	size_t		 cap = 0;

	if (conf->inetd_compat == NULL)
		return 0;
	memset(&c, 0, sizeof(c));
	c.conf = conf;
	c.path = conf->inetd_compat;
	if ((fp = fopen(c.path, "r")) == NULL) {
		/* No package has registered a service yet. */
		if (errno == ENOENT)
			log_info("inetd-compat: %s does not exist; no inetd.conf "
			    "services", c.path);
		else
			log_warn("inetd-compat: %s", c.path);
		return 0;
	}
	while (getline(&buf, &cap, fp) != -1) {
		c.line++;
		ic_line(&c, buf);
	}
	if (ferror(fp))
		log_warn("inetd-compat: %s: read error after line %d", c.path,
		    c.line);
	fclose(fp);
	free(buf);
	log_info("inetd-compat: %s: %u services, %u lines skipped", c.path,
	    c.added, c.skipped);
	return c.skipped;
}

/* One line: comment, "addr:" default, a service, or an error. */
static void
ic_line(struct ic_ctx *c, char *text)
{
	struct inetd_entry	 e;
	char			 err[INETD_ERRLEN];

	switch (inetd_parse_line(text, &e, err, sizeof(err))) {
	case INETD_LINE_NONE:
		break;
	case INETD_LINE_HOST:
		snprintf(c->defaddr, sizeof(c->defaddr), "%s",
		    strcmp(e.host, "*") == 0 ? "" : e.host);
		break;
	case INETD_LINE_ERROR:
		if (e.disabled)
			log_debug("%s:%d: disabled line: %s", c->path, c->line,
			    err);
		else {
			log_warnx("%s:%d: %s", c->path, c->line, err);
			ic_skip(c, "line skipped");
		}
		break;
	case INETD_LINE_ENTRY:
		if (e.disabled)
			log_debug("%s:%d: disabled (%s): not served", c->path,
			    c->line, INETD_OFF_MARK);
		else
			ic_entry(c, &e);
		break;
	}
}

/* What the translation says about the line, with its place. */
static void
ic_say(void *arg, int fail, const char *msg)
{
	struct ic_ctx	*c = arg;

	if (fail)
		log_warnx("%s:%d: %s", c->path, c->line, msg);
	else
		log_info("%s:%d: note: %s", c->path, c->line, msg);
}

static void
ic_skip(struct ic_ctx *c, const char *why)
{
	log_warnx("%s:%d: %s", c->path, c->line, why);
	c->skipped++;
}

static void
ic_entry(struct ic_ctx *c, const struct inetd_entry *e)
{
	struct inetd_svc	 x;
	struct service_conf	*sc;
	const char		*name;
	char			*text;

	if (inetd_xlate(e, c->defaddr, &x, ic_say, c) == -1) {
		ic_skip(c, "superd cannot serve this line; skipped");
		return;
	}
	if ((name = ic_name(c, &x)) == NULL)
		return;
	if ((text = ic_text(c, &x, name)) == NULL) {
		log_warn("%s:%d", c->path, c->line);
		ic_skip(c, "line skipped");
		return;
	}
	sc = ic_build(c, text);
	free(text);
	if (sc == NULL) {
		ic_skip(c, "line skipped");
		return;
	}
	if (ic_place(c, sc) == -1) {
		service_conf_free(sc);
		c->skipped++;
		return;
	}
	c->added++;
}

/* Did sc come from inetd.conf (not from superd.conf)? */
static int
ic_from_here(const struct ic_ctx *c, const struct service_conf *sc)
{
	return sc->file != NULL && strcmp(sc->file, c->path) == 0;
}

static const struct service_conf *
ic_find(const struct ic_ctx *c, const char *name, const char *proto)
{
	const struct service_conf	*sc;

	TAILQ_FOREACH(sc, &c->conf->services, entry)
		if (strcmp(sc->name, name) == 0 &&
		    strcmp(conf_proto_name(sc->proto), proto) == 0)
			return sc;
	return NULL;
}

/*
 * The name the service gets: its own, or "name-tcp6" when a tcp4 line
 * already took the name.  NULL (line skipped) when superd.conf has it.
 */
static const char *
ic_name(struct ic_ctx *c, const struct inetd_svc *x)
{
	const struct service_conf	*sc;
	const char			*proto = x->key[IX_PROTOCOL];

	if ((sc = ic_find(c, x->name, proto)) == NULL)
		return x->name;
	if (ic_from_here(c, sc) && x->alt[0] != '\0' &&
	    ic_find(c, x->alt, proto) == NULL)
		return x->alt;
	if (ic_from_here(c, sc))
		log_warnx("%s:%d: service \"%s\"/%s is already on line %d; "
		    "line skipped", c->path, c->line, x->name, proto, sc->line);
	else
		log_warnx("%s:%d: service \"%s\"/%s is defined in %s:%d too; "
		    "superd.conf wins, inetd.conf line skipped", c->path,
		    c->line, x->name, proto, sc->file, sc->line);
	c->skipped++;
	return NULL;
}

/* A libconfuse double-quoted string: '"' and '\' take a backslash. */
static void
ic_put_str(FILE *fp, const char *s)
{
	putc('"', fp);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			putc('\\', fp);
		putc(*s, fp);
	}
	putc('"', fp);
}

/*
 * The service as superd.conf text, on the line it has in inetd.conf.
 * include-dir points where no drop-in can be, so that only this service
 * is read (the text is parsed as a whole file of its own).
 */
static char *
ic_text(const struct ic_ctx *c, const struct inetd_svc *x, const char *name)
{
	FILE	*fp;
	char	*text = NULL;
	size_t	 len = 0, i;
	int	 k;

	if ((fp = open_memstream(&text, &len)) == NULL)
		return NULL;
	for (k = 1; k < c->line; k++)
		putc('\n', fp);
	fputs("include-dir = \"/dev/null\" service ", fp);
	ic_put_str(fp, name);
	fputs(" {", fp);
	for (k = 0; k < IX_NKEYS; k++) {
		if (x->key[k] == NULL)
			continue;
		fprintf(fp, " %s = ", inetd_key_name(k));
		if (inetd_key_quoted(k))
			ic_put_str(fp, x->key[k]);
		else
			fputs(x->key[k], fp);
	}
	if (x->nargs > 0) {
		fputs(" args = {", fp);
		for (i = 0; i < x->nargs; i++) {
			fputs(i > 0 ? ", " : "", fp);
			ic_put_str(fp, x->args[i]);
		}
		fputs("}", fp);
	}
	fputs(" }\n", fp);
	if (fclose(fp) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* conf.c checks the service; its messages already say file:line. */
static struct service_conf *
ic_build(struct ic_ctx *c, const char *text)
{
	struct superd_conf	*one;
	struct service_conf	*sc = NULL;
	struct errlog		 el;

	one = conf_load_buf(c->path, text, errlog_open(&el));
	errlog_flush(&el, NULL, NULL);
	if (one == NULL)
		return NULL;
	if ((sc = TAILQ_FIRST(&one->services)) != NULL) {
		TAILQ_REMOVE(&one->services, sc, entry);
		one->nservices--;
	}
	conf_free(one);
	return sc;
}

/* A wildcard address: it takes the port on every address. */
static int
ic_any(const struct service_conf *sc)
{
	const struct sockaddr_in	*s4;
	const struct sockaddr_in6	*s6;

	if (sc->family == AF_INET) {
		s4 = (const struct sockaddr_in *)&sc->addr;
		return s4->sin_addr.s_addr == htonl(INADDR_ANY);
	}
	s6 = (const struct sockaddr_in6 *)&sc->addr;
	return sc->family == AF_INET6 && IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr);
}

/*
 * Would both bind the same port?  Linux refuses a wildcard next to a
 * specific address of its family, and "::" without v6only (superd's "*")
 * takes IPv4 too.
 */
static int
ic_overlap(const struct service_conf *a, const struct service_conf *b)
{
	const struct service_conf	*v6;

	/* Reached through tcpmux only: no socket to clash. */
	if (a->no_listener || b->no_listener)
		return 0;
	/* Dynamic ports never collide (two rpc lines have one each). */
	if (a->port == 0 || b->port == 0)
		return 0;
	if (service_conf_same_endpoint(a, b))
		return 1;
	if (a->proto != b->proto || a->proto == PROTO_UNIX ||
	    a->port <= 0 || a->port != b->port)
		return 0;
	if (a->family == b->family)
		return ic_any(a) || ic_any(b);
	v6 = a->family == AF_INET6 ? a : b;
	return ic_any(v6) && (v6->dualstack || !v6->v6only);
}

/*
 * Append sc to the configuration unless its endpoint, or the RPC program
 * versions it would register with rpcbind, are taken.
 */
static int
ic_place(struct ic_ctx *c, struct service_conf *sc)
{
	const struct service_conf	*o;

	TAILQ_FOREACH(o, &c->conf->services, entry) {
		if (service_conf_rpc_overlap(o, sc)) {
			log_warnx("%s:%d: service \"%s\": RPC program %lu/%s is "
			    "already registered for service \"%s\" (%s:%d); "
			    "line skipped", c->path, c->line, sc->name,
			    sc->rpc_prog, conf_proto_name(sc->proto), o->name,
			    o->file, o->line);
			return -1;
		}
		if (!ic_overlap(o, sc))
			continue;
		if (ic_from_here(c, o))
			log_warnx("%s:%d: service \"%s\": port %d/%s is "
			    "already served by line %d; line skipped", c->path,
			    c->line, sc->name, sc->port,
			    conf_proto_name(sc->proto), o->line);
		else
			log_warnx("%s:%d: service \"%s\": %s port %d/%s is "
			    "taken by service \"%s\" (%s:%d); superd.conf "
			    "wins, inetd.conf line skipped", c->path, c->line,
			    sc->name, sc->address, sc->port,
			    conf_proto_name(sc->proto), o->name, o->file,
			    o->line);
		return -1;
	}
	TAILQ_INSERT_TAIL(&c->conf->services, sc, entry);
	c->conf->nservices++;
	return 0;
}
