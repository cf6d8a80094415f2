/*
 * convert_inetd.c: translate inetd.conf (Debian openbsd-inetd, OpenBSD,
 * FreeBSD and NetBSD flavours) to superd services.
 *
 * daemon/inetd_parse.c splits each line and daemon/inetd_xlate.c decides
 * what every field means for superd: the same code superd runs for
 * inetd-compat, so the converter and the daemon never disagree.  This
 * file only carries the result into a cv_service.  Debian's update-inetd
 * disables a line by prefixing "#<off># "; such lines become services
 * with disable = yes, so that enabling one later is a one-word edit.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "inetd_parse.h"
#include "inetd_xlate.h"

/* Where a line is, and the default address an "addr:" line set. */
struct inetd_ctx {
	const char		*file;
	int			 line;
	char			 defaddr[256];
	struct cv_doc		*doc;
	struct cv_service	*svc;
};

/* superd-convert's key for each key of the translation. */
static const enum cv_key cv_keys[IX_NKEYS] = {
	[IX_TYPE] = K_TYPE,
	[IX_SOCKET] = K_SOCKET,
	[IX_PROTOCOL] = K_PROTOCOL,
	[IX_ADDRESS] = K_ADDRESS,
	[IX_V6ONLY] = K_V6ONLY,
	[IX_PORT] = K_PORT,
	[IX_RPC_PROGRAM] = K_RPC_PROGRAM,
	[IX_RPC_VERSIONS] = K_RPC_VERSIONS,
	[IX_WAIT] = K_WAIT,
	[IX_USER] = K_USER,
	[IX_GROUP] = K_GROUP,
	[IX_SERVER] = K_SERVER,
	[IX_ARGV0] = K_ARGV0,
	[IX_DISABLE] = K_DISABLE,
	[IX_INSTANCES] = K_INSTANCES,
	[IX_PER_SOURCE] = K_PER_SOURCE,
	[IX_RATE] = K_RATE,
	[IX_TCPMUX] = K_TCPMUX,
};

static void	 inetd_line(struct inetd_ctx *, char *);
static void	 inetd_say(void *, int, const char *);
static void	 inetd_service(struct inetd_ctx *, const struct inetd_entry *);

/* Translate every line of f into d. */
void
inetd_convert(const struct cv_file *f, struct cv_doc *d)
{
	struct inetd_ctx	 c;
	size_t			 i;

	memset(&c, 0, sizeof(c));
	c.file = f->path;
	c.doc = d;
	d->kind = "inetd.conf";
	for (i = 0; i < f->n; i++) {
		c.line = (int)i + 1;
		inetd_line(&c, f->line[i]);
	}
}

/* One line: comment, "addr:" default, a service, or an error. */
static void
inetd_line(struct inetd_ctx *c, char *text)
{
	struct inetd_entry	 e;
	char			 err[INETD_ERRLEN];

	switch (inetd_parse_line(text, &e, err, sizeof(err))) {
	case INETD_LINE_NONE:
		break;
	case INETD_LINE_HOST:
		/* OpenBSD/FreeBSD "addr:" alone; "*:" resets it. */
		snprintf(c->defaddr, sizeof(c->defaddr), "%s",
		    strcmp(e.host, "*") == 0 ? "" : e.host);
		break;
	case INETD_LINE_ERROR:
		cv_fail(NULL, c->file, c->line, "%s%s: line not translated",
		    e.disabled ? "disabled entry: " : "", err);
		break;
	case INETD_LINE_ENTRY:
		inetd_service(c, &e);
		break;
	}
}

/* What the translation says goes on stderr and into the service. */
static void
inetd_say(void *arg, int fail, const char *msg)
{
	struct inetd_ctx	*c = arg;

	if (fail)
		cv_fail(c->svc, c->file, c->line, "%s", msg);
	else
		cv_note(c->svc, c->file, c->line, "%s", msg);
}

static void
inetd_service(struct inetd_ctx *c, const struct inetd_entry *e)
{
	struct inetd_svc	 x;
	struct cv_service	*s;
	size_t			 i;

	/* The name comes first: messages are kept with the service. */
	s = c->svc = svc_new("", c->file, c->line);
	doc_add(c->doc, s);
	if (inetd_xlate(e, c->defaddr, &x, inetd_say, c) == -1)
		s->skip = 1;
	free(s->name);
	s->name = xstrdup(x.name);
	if (x.alt[0] != '\0')
		s->alt = xstrdup(x.alt);
	for (i = 0; i < IX_NKEYS; i++)
		svc_set(s, cv_keys[i], x.key[i]);
	for (i = 0; i < x.nargs; i++)
		strlist_add(&s->list[L_ARGS], x.args[i]);
	if (x.key[IX_TYPE] != NULL && strcmp(x.key[IX_TYPE], "builtin") == 0 &&
	    !builtin_known(s->name)) {
		cv_fail(s, c->file, c->line, "internal service \"%s\" is not "
		    "built into superd (echo, discard, daytime, time, "
		    "chargen)", s->name);
		s->skip = 1;
	}
	if (!s->skip && port_check(s, c->file, c->line) == -1)
		s->skip = 1;
}
