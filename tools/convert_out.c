/*
 * convert_out.c: print the converted services as superd.conf.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"

struct key_out {
	const char	*name;
	int		 quote;		/* a string, always quoted */
};

static const struct key_out keys[K_NKEYS] = {
	[K_TYPE] = { "type", 0 },
	[K_SOCKET] = { "socket", 0 },
	[K_PROTOCOL] = { "protocol", 0 },
	[K_ADDRESS] = { "address", 1 },
	[K_V6ONLY] = { "v6only", 0 },
	[K_PORT] = { "port", 0 },
	[K_RPC_PROGRAM] = { "rpc-program", 1 },
	[K_RPC_VERSIONS] = { "rpc-versions", 1 },
	[K_WAIT] = { "wait", 0 },
	[K_USER] = { "user", 1 },
	[K_GROUP] = { "group", 1 },
	[K_SERVER] = { "server", 1 },
	[K_ARGV0] = { "argv0", 1 },
	[K_DISABLE] = { "disable", 0 },
	[K_INSTANCES] = { "instances", 0 },
	[K_NICE] = { "nice", 0 },
	[K_UMASK] = { "umask", 1 },
	[K_PER_SOURCE] = { "per-source", 0 },
	[K_RATE] = { "rate", 1 },
	[K_MAX_LOAD] = { "max-load", 0 },
	[K_LIBWRAP] = { "libwrap", 0 },
	[K_BANNER] = { "banner", 1 },
	[K_BANNER_SUCCESS] = { "banner-success", 1 },
	[K_BANNER_FAIL] = { "banner-fail", 1 },
	[K_RLIMIT_CPU] = { "rlimit-cpu", 0 },
	[K_RLIMIT_AS] = { "rlimit-as", 1 },
	[K_RLIMIT_NOFILE] = { "rlimit-nofile", 0 },
	[K_RLIMIT_NPROC] = { "rlimit-nproc", 0 },
	[K_RLIMIT_CORE] = { "rlimit-core", 0 },
	[K_PASS_FDS] = { "pass-fds", 0 },
	[K_SOCKET_MODE] = { "socket-mode", 1 },
	[K_SOCKET_OWNER] = { "socket-owner", 1 },
	[K_SOCKET_GROUP] = { "socket-group", 1 },
	[K_TCPMUX] = { "tcpmux", 0 },
	[K_REDIRECT] = { "redirect", 1 },
	[K_KEEPALIVE] = { "keepalive", 0 },
	[K_KEEPALIVE_IDLE] = { "keepalive-idle", 0 },
	[K_KEEPALIVE_INTERVAL] = { "keepalive-interval", 0 },
	[K_KEEPALIVE_COUNT] = { "keepalive-count", 0 },
	[K_NODELAY] = { "nodelay", 0 },
	[K_REUSE_PORT] = { "reuse-port", 0 },
	[K_FREEBIND] = { "freebind", 0 },
	[K_TRANSPARENT] = { "transparent", 0 },
	[K_DEFER_ACCEPT] = { "defer-accept", 0 },
	[K_MARK] = { "mark", 0 },
	[K_BIND_TO_DEVICE] = { "bind-to-device", 1 },
	[K_IP_TOS] = { "ip-tos", 1 },
	[K_PRIORITY] = { "priority", 0 },
	[K_TCP_CONGESTION] = { "tcp-congestion", 1 },
	[K_RECEIVE_BUFFER] = { "receive-buffer", 1 },
	[K_SEND_BUFFER] = { "send-buffer", 1 },
	[K_PASS_CREDENTIALS] = { "pass-credentials", 0 },
	[K_PASS_PACKET_INFO] = { "pass-packet-info", 0 },
};

static const char *const lists[L_NLISTS] = {
	[L_ARGS] = "args",
	[L_ENV] = "env",
	[L_ENV_PASS] = "env-pass",
	[L_ONLY_FROM] = "only-from",
	[L_NO_ACCESS] = "no-access",
};

const char *
out_key_name(enum cv_key k)
{
	return keys[k].name;
}

static void	put_quoted(FILE *, const char *);
static void	put_value(FILE *, const char *, int);
static void	put_list(FILE *, const char *, const char *,
		    const struct strlist *);
static void	put_service(FILE *, const struct cv_service *, const char *);
static char	*title_for(const struct cv_service *, struct strlist *);

/* A libconfuse double-quoted string: only '"' and '\' need a backslash. */
static void
put_quoted(FILE *fp, const char *s)
{
	putc('"', fp);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			putc('\\', fp);
		putc(*s, fp);
	}
	putc('"', fp);
}

/* Bare when libconfuse reads the word unchanged, else quoted. */
static void
put_value(FILE *fp, const char *v, int quote)
{
	if (quote || v[0] == '\0' || v[strspn(v, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")] != '\0')
		put_quoted(fp, v);
	else
		fputs(v, fp);
}

static void
put_list(FILE *fp, const char *pfx, const char *name, const struct strlist *l)
{
	size_t	 i;

	if (l->n == 0)
		return;
	fprintf(fp, "%s\t%s = {", pfx, name);
	for (i = 0; i < l->n; i++) {
		if (i > 0)
			fputs(", ", fp);
		put_quoted(fp, l->v[i]);
	}
	fputs("}\n", fp);
}

/*
 * superd section titles are unique, while inetd and xinetd repeat a name
 * for its tcp and udp variants: the later ones get "name-proto" (or a
 * number) as title and keep the real name in a name key.
 */
static char *
title_for(const struct cv_service *s, struct strlist *used)
{
	const char	*proto = s->key[K_PROTOCOL];
	char		 buf[512];
	int		 i;

	if (proto == NULL)
		proto = "svc";
	snprintf(buf, sizeof(buf), "%s", s->name);
	for (i = 1; strlist_has(used, buf); i++) {
		if (i == 1)
			snprintf(buf, sizeof(buf), "%s-%s", s->name, proto);
		else
			snprintf(buf, sizeof(buf), "%s-%s-%d", s->name, proto,
			    i);
	}
	if (!s->skip)
		strlist_add(used, buf);
	return xstrdup(buf);
}

/* One section; a service superd cannot run is printed commented out. */
static void
put_service(FILE *fp, const struct cv_service *s, const char *title)
{
	const char	*pfx = s->skip ? "#" : "";
	size_t		 i;

	fprintf(fp, "\n# from %s:%d%s\n", s->file, s->line,
	    s->skip ? " (not converted, kept as a comment)" : "");
	for (i = 0; i < s->notes.n; i++)
		fprintf(fp, "# %s\n", s->notes.v[i]);
	fprintf(fp, "%sservice ", pfx);
	put_value(fp, title, 0);
	fputs(" {\n", fp);
	if (strcmp(title, s->name) != 0) {
		fprintf(fp, "%s\tname = ", pfx);
		put_quoted(fp, s->name);
		putc('\n', fp);
	}
	for (i = 0; i < K_NKEYS; i++) {
		if (s->key[i] == NULL)
			continue;
		fprintf(fp, "%s\t%s = ", pfx, keys[i].name);
		put_value(fp, s->key[i], keys[i].quote);
		putc('\n', fp);
	}
	for (i = 0; i < L_NLISTS; i++)
		put_list(fp, pfx, lists[i], &s->list[i]);
	fprintf(fp, "%s}\n", pfx);
}

/* The whole output: a header naming the source, then every service. */
void
out_doc(FILE *fp, const struct cv_doc *d)
{
	struct strlist	 used = { NULL, 0 };
	char		*title;
	size_t		 i;

	fprintf(fp, "# superd.conf converted by superd-convert %s\n"
	    "# from %s (%s format)\n"
	    "#\n"
	    "# Review before use.  \"not translated\" comments mark what\n"
	    "# needs a decision; superd-convert reported the same on stderr.\n",
	    PACKAGE_VERSION, d->source, d->kind);
	if (d->n == 0)
		fputs("\n# (no services found)\n", fp);
	for (i = 0; i < d->n; i++) {
		title = title_for(d->svc[i], &used);
		put_service(fp, d->svc[i], title);
		free(title);
	}
	strlist_clear(&used);
}
