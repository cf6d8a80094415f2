/*
 * convert_systemd.c: a systemd socket unit and the service unit it
 * activates, as superd services (one per Listen line).
 *
 *   Accept=yes  one handler per connection: wait = no
 *   Accept=no   the handler gets the listening socket: wait = yes
 *
 * The handler keeps getting its socket the systemd way (fd 3 with
 * LISTEN_FDS, pass-fds = systemd) unless the service reads it on stdin
 * (StandardInput=socket), the inetd way.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"

#define MAXWORDS	256

/* One "Key=value" of a unit file, with its section. */
struct sd_kv {
	char		*sect;
	char		*key;
	char		*val;
	int		 line;
};

struct sd_unit {
	char		*path;
	struct sd_kv	*kv;
	size_t		 n;
};

/* What the socket unit says. */
struct sd_sock {
	int		 accept;
	const char	*service;
	const char	*bind6;
	const char	*key[K_NKEYS];	/* SocketMode=, MaxConnections=... */
	struct sd_kv	*listen[64];
	size_t		 nlisten;
};

/* Service keys that map to one superd key as they are. */
static const struct {
	const char	*name;
	enum cv_key	 key;
} simple[] = {
	{ "User", K_USER }, { "Group", K_GROUP }, { "Nice", K_NICE },
	{ "UMask", K_UMASK }, { "LimitCPU", K_RLIMIT_CPU },
	{ "LimitAS", K_RLIMIT_AS }, { "LimitNOFILE", K_RLIMIT_NOFILE },
	{ "LimitNPROC", K_RLIMIT_NPROC }, { "LimitCORE", K_RLIMIT_CORE },
};

static int	 sd_read(const char *, struct sd_unit *);
static void	 sd_line(struct sd_unit *, char *, char **, int);
static void	 sd_free(struct sd_unit *);
static size_t	 sd_words(char *, char **, size_t);
static void	 sd_socket(const struct sd_unit *, struct sd_sock *,
		    struct cv_service *);
static void	 sd_socket_key(const struct sd_unit *, struct sd_kv *,
		    struct sd_sock *, struct cv_service *);
static char	*sd_service_path(const char *, const char *,
		    const struct sd_sock *);
static void	 sd_service(const struct sd_unit *, struct cv_service *);
static void	 sd_service_key(const struct sd_unit *, const struct sd_kv *,
		    struct cv_service *);
static void	 sd_exec(const struct sd_unit *, const struct sd_kv *,
		    struct cv_service *);
static void	 sd_listen(const struct sd_unit *, const struct sd_kv *,
		    const struct sd_sock *, struct cv_service *);
static void	 sd_port(const char *, const struct sd_sock *,
		    struct cv_service *);
static void	 sd_other(const struct sd_unit *, const struct sd_kv *,
		    struct cv_service *);

/* Read path (a .socket unit) and its service unit into d. */
int
systemd_convert_path(const char *path, struct cv_doc *d)
{
	struct sd_unit		 su, sv;
	struct sd_sock		 ss;
	struct cv_service	*tmpl, *s;
	char			*name, *dot, *svpath;
	size_t			 i;

	d->kind = "systemd";
	if (sd_read(path, &su) == -1)
		return -1;
	name = xstrdup(base_name(path));
	if ((dot = strrchr(name, '.')) != NULL && strcmp(dot, ".socket") == 0)
		*dot = '\0';
	tmpl = svc_new(name, path, 1);
	sd_socket(&su, &ss, tmpl);
	svpath = sd_service_path(path, name, &ss);
	memset(&sv, 0, sizeof(sv));
	if (sd_read(svpath, &sv) == -1) {
		cv_fail(tmpl, path, 1, "service unit %s: %s: no server to run",
		    svpath, strerror(errno));
		tmpl->skip = 1;
	} else
		sd_service(&sv, tmpl);
	if (ss.nlisten == 0)
		cv_fail(NULL, path, 1, "no ListenStream= or ListenDatagram=: "
		    "nothing to convert");
	for (i = 0; i < ss.nlisten; i++) {
		s = svc_new(name, path, ss.listen[i]->line);
		svc_copy(s, tmpl);
		strlist_copy(&s->notes, &tmpl->notes);
		s->skip = tmpl->skip;
		sd_listen(&su, ss.listen[i], &ss, s);
		sockopt_fit(s, path, ss.listen[i]->line);
		if (!s->skip && port_check(s, path, s->line) == -1)
			s->skip = 1;
		doc_add(d, s);
	}
	svc_free(tmpl);
	free(svpath);
	free(name);
	sd_free(&sv);
	sd_free(&su);
	return 0;
}

/* Every Key=value line of a unit file, with its [Section]. */
static int
sd_read(const char *path, struct sd_unit *u)
{
	struct cv_file	 f;
	char		*sect = NULL;
	size_t		 i;

	memset(u, 0, sizeof(*u));
	if (file_read(path, &f) == -1)
		return -1;
	u->path = xstrdup(f.path);
	for (i = 0; i < f.n; i++)
		sd_line(u, f.line[i], &sect, (int)i + 1);
	free(sect);
	file_free(&f);
	return 0;
}

static void
sd_line(struct sd_unit *u, char *p, char **sect, int line)
{
	struct sd_kv	*v, *kv;
	char		*eq, *end;

	p += strspn(p, " \t");
	end = p + strlen(p);
	while (end > p && strchr(" \t\r", end[-1]) != NULL)
		*--end = '\0';
	if (*p == '\0' || *p == '#' || *p == ';')
		return;
	if (*p == '[' && end[-1] == ']') {
		end[-1] = '\0';
		free(*sect);
		*sect = xstrdup(p + 1);
		return;
	}
	if ((eq = strchr(p, '=')) == NULL || *sect == NULL) {
		cv_fail(NULL, u->path, line, "not a Key=value line in a "
		    "[Section]: ignored");
		return;
	}
	if (end[-1] == '\\')
		cv_fail(NULL, u->path, line, "continued lines are not "
		    "read; only this one is");
	for (end = eq; end > p && strchr(" \t", end[-1]) != NULL; end--)
		;
	*end = '\0';
	eq++;
	eq += strspn(eq, " \t");
	v = reallocarray(u->kv, u->n + 1, sizeof(*v));
	if (v == NULL)
		return;
	u->kv = v;
	kv = &u->kv[u->n++];
	kv->sect = xstrdup(*sect);
	kv->key = xstrdup(p);
	kv->val = xstrdup(eq);
	kv->line = line;
}

static void
sd_free(struct sd_unit *u)
{
	size_t	 i;

	for (i = 0; i < u->n; i++) {
		free(u->kv[i].sect);
		free(u->kv[i].key);
		free(u->kv[i].val);
	}
	free(u->kv);
	free(u->path);
	memset(u, 0, sizeof(*u));
}

/* Split at blanks, in place, honouring "..." and '...' quoting. */
static size_t
sd_words(char *p, char **w, size_t max)
{
	char	*out, q;
	size_t	 n = 0;

	while (n < max) {
		p += strspn(p, " \t");
		if (*p == '\0')
			break;
		w[n++] = out = p;
		for (q = 0; *p != '\0' && (q || (*p != ' ' && *p != '\t'));
		    p++) {
			if ((*p == '"' || *p == '\'') && (q == 0 || q == *p))
				q = q ? 0 : *p;
			else if (*p == '\\' && p[1] != '\0')
				*out++ = *++p;
			else
				*out++ = *p;
		}
		if (*p != '\0')
			p++;
		*out = '\0';
	}
	return n;
}

/* The [Socket] section. */
static void
sd_socket(const struct sd_unit *u, struct sd_sock *ss, struct cv_service *s)
{
	size_t	 i;

	memset(ss, 0, sizeof(*ss));
	for (i = 0; i < u->n; i++) {
		if (strcmp(u->kv[i].sect, "Socket") == 0)
			sd_socket_key(u, &u->kv[i], ss, s);
		else
			sd_other(u, &u->kv[i], s);
	}
}

static void
sd_socket_key(const struct sd_unit *u, struct sd_kv *kv, struct sd_sock *ss,
    struct cv_service *s)
{
	static const struct {
		const char	*name;
		enum cv_key	 key;
	} keys[] = {
		{ "SocketMode", K_SOCKET_MODE },
		{ "SocketUser", K_SOCKET_OWNER },
		{ "SocketGroup", K_SOCKET_GROUP },
		{ "MaxConnections", K_INSTANCES },
		{ "MaxConnectionsPerSource", K_PER_SOURCE },
	};
	char	 why[256];
	size_t	 i;
	int	 r;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(kv->key, keys[i].name) == 0) {
			ss->key[keys[i].key] = kv->val;
			return;
		}
	}
	/* KeepAlive=, NoDelay=, ...: superd keys of the same meaning. */
	if ((r = sockopt_from_systemd(kv->key, kv->val, ss->key, why,
	    sizeof(why))) != 0) {
		if (r == -1)
			cv_fail(s, u->path, kv->line, "%s", why);
		return;
	}

	if (strcmp(kv->key, "ListenStream") == 0 ||
	    strcmp(kv->key, "ListenDatagram") == 0) {
		if (kv->val[0] == '\0')
			ss->nlisten = 0;	/* systemd: empty resets */
		else if (ss->nlisten < sizeof(ss->listen) /
		    sizeof(ss->listen[0]))
			ss->listen[ss->nlisten++] = kv;
	} else if (strcmp(kv->key, "Accept") == 0) {
		ss->accept = strcmp(kv->val, "yes") == 0 ||
		    strcmp(kv->val, "true") == 0 || strcmp(kv->val, "1") == 0 ||
		    strcmp(kv->val, "on") == 0;
	} else if (strcmp(kv->key, "Service") == 0)
		ss->service = kv->val;
	else if (strcmp(kv->key, "BindIPv6Only") == 0)
		ss->bind6 = kv->val;
	else
		sd_other(u, kv, s);
}

/* Service=, else NAME.service, or NAME@.service with Accept=yes. */
static char *
sd_service_path(const char *sock, const char *name, const struct sd_sock *ss)
{
	char	 buf[1024], *dir, *slash, *p;

	if (ss->service != NULL)
		snprintf(buf, sizeof(buf), "%s", ss->service);
	else
		snprintf(buf, sizeof(buf), "%s%s.service", name,
		    ss->accept ? "@" : "");
	dir = xstrdup(sock);
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	else
		dir[0] = '\0';
	p = path_join(dir, buf);
	free(dir);
	return p;
}

/* The [Service] section, into the template every listener copies. */
static void
sd_service(const struct sd_unit *u, struct cv_service *s)
{
	size_t	 i;

	svc_set(s, K_PASS_FDS, "systemd");
	for (i = 0; i < u->n; i++) {
		if (strcmp(u->kv[i].sect, "Service") == 0)
			sd_service_key(u, &u->kv[i], s);
		else
			sd_other(u, &u->kv[i], s);
	}
	if (s->key[K_SERVER] == NULL) {
		cv_fail(s, u->path, 1, "no ExecStart=: no server to run");
		s->skip = 1;
	}
}

static void
sd_service_key(const struct sd_unit *u, const struct sd_kv *kv,
    struct cv_service *s)
{
	char	*w[MAXWORDS], *copy;
	size_t	 i, n;

	for (i = 0; i < sizeof(simple) / sizeof(simple[0]); i++) {
		if (strcmp(kv->key, simple[i].name) == 0) {
			svc_set(s, simple[i].key, strcmp(kv->val, "infinity")
			    == 0 ? "unlimited" : kv->val);
			return;
		}
	}
	if (strcmp(kv->key, "ExecStart") == 0)
		sd_exec(u, kv, s);
	else if (strcmp(kv->key, "Environment") == 0) {
		copy = xstrdup(kv->val);
		n = sd_words(copy, w, MAXWORDS);
		for (i = 0; i < n; i++)
			strlist_add(&s->list[L_ENV], w[i]);
		free(copy);
	} else if (strcmp(kv->key, "StandardInput") == 0) {
		/* The inetd way: the socket on fds 0 and 1. */
		svc_set(s, K_PASS_FDS, strcmp(kv->val, "socket") == 0 ?
		    NULL : "systemd");
	} else if (strcmp(kv->key, "StandardOutput") == 0 ||
	    strcmp(kv->key, "Type") == 0)
		cv_note(s, u->path, kv->line, "%s=%s: superd starts the "
		    "handler with the socket as the other keys say", kv->key,
		    kv->val);
	else
		sd_other(u, kv, s);
}

/* ExecStart=[@-:+!]path args: "@" gives argv[0] as the next word. */
static void
sd_exec(const struct sd_unit *u, const struct sd_kv *kv,
    struct cv_service *s)
{
	char	*w[MAXWORDS], *copy = xstrdup(kv->val), *p = copy;
	int	 at = 0;
	size_t	 n, i;

	if (s->key[K_SERVER] != NULL)
		cv_fail(s, u->path, kv->line, "a second ExecStart=: only the "
		    "first is run");
	for (; *p != '\0' && strchr("@-:+!", *p) != NULL; p++)
		if (*p == '@')
			at = 1;
		else
			cv_note(s, u->path, kv->line, "ExecStart prefix '%c' "
			    "dropped", *p);
	n = sd_words(p, w, MAXWORDS);
	if (s->key[K_SERVER] != NULL || n == 0 || w[0][0] != '/') {
		if (s->key[K_SERVER] == NULL)
			cv_fail(s, u->path, kv->line, "ExecStart=%s: superd "
			    "needs an absolute path", kv->val);
		free(copy);
		return;
	}
	svc_set(s, K_TYPE, "exec");
	svc_set(s, K_SERVER, w[0]);
	if (at && n > 1 && strcmp(w[1], base_name(w[0])) != 0)
		svc_set(s, K_ARGV0, w[1]);
	for (i = at ? 2 : 1; i < n; i++) {
		if (strpbrk(w[i], "%$") != NULL)
			cv_fail(s, u->path, kv->line, "argument \"%s\": superd "
			    "does not expand systemd %%-specifiers or "
			    "$VARIABLES", w[i]);
		strlist_add(&s->list[L_ARGS], w[i]);
	}
	free(copy);
}

/* One ListenStream=/ListenDatagram= value. */
static void
sd_listen(const struct sd_unit *u, const struct sd_kv *kv,
    const struct sd_sock *ss, struct cv_service *s)
{
	int	 stream = strcmp(kv->key, "ListenStream") == 0, k;

	svc_set(s, K_SOCKET, stream ? "stream" : "dgram");
	/* A datagram service waits: superd's default, systemd's only way. */
	svc_set(s, K_WAIT, !stream ? NULL : ss->accept ? "no" : "yes");
	if (ss->accept && !stream)
		cv_fail(s, u->path, kv->line, "Accept=yes on a datagram "
		    "socket: systemd refuses it; written as wait = yes");
	for (k = 0; k < K_NKEYS; k++)
		if (ss->key[k] != NULL && (kv->val[0] == '/' ||
		    k == K_INSTANCES || k == K_PER_SOURCE || k >= K_KEEPALIVE))
			svc_set(s, k, ss->key[k]);
	if (kv->val[0] == '/') {
		svc_set(s, K_PROTOCOL, "unix");
		svc_set(s, K_ADDRESS, kv->val);
		return;
	}
	svc_set(s, K_PROTOCOL, stream ? "tcp" : "udp");
	if (kv->val[0] == '@' || strchr(kv->val, ' ') != NULL ||
	    strncmp(kv->val, "vsock:", 6) == 0) {
		cv_fail(s, u->path, kv->line, "%s=%s: superd listens on "
		    "TCP, UDP and unix sockets in the file system only",
		    kv->key, kv->val);
		s->skip = 1;
		return;
	}
	sd_port(kv->val, ss, s);
}

/* "PORT", "ADDR:PORT", "[V6]:PORT". */
static void
sd_port(const char *v, const struct sd_sock *ss, struct cv_service *s)
{
	char	*copy = xstrdup(v), *colon, *host = NULL;
	int	 v6only = ss->bind6 != NULL &&
		    strcmp(ss->bind6, "ipv6-only") == 0;

	if ((colon = strrchr(copy, ':')) != NULL) {
		*colon = '\0';
		host = copy;
		if (host[0] == '[' && colon[-1] == ']') {
			colon[-1] = '\0';
			host++;
		}
		svc_set(s, K_PORT, colon + 1);
	} else
		svc_set(s, K_PORT, copy);
	if (host == NULL)
		svc_set(s, K_ADDRESS, v6only ? "::" : "*");
	else
		svc_set(s, K_ADDRESS, host);
	if (v6only && strchr(s->key[K_ADDRESS], ':') != NULL)
		svc_set(s, K_V6ONLY, "yes");
	free(copy);
}

/*
 * Anything else is reported: [Unit] and [Install] decide when systemd
 * starts the socket (superd starts every service it has), the rest has
 * no superd key.
 */
static void
sd_other(const struct sd_unit *u, const struct sd_kv *kv,
    struct cv_service *s)
{
	if (strcmp(kv->key, "Description") == 0 ||
	    strcmp(kv->key, "Documentation") == 0)
		return;
	if (strcmp(kv->sect, "Unit") == 0 || strcmp(kv->sect, "Install") == 0)
		cv_note(s, u->path, kv->line, "[%s] %s=%s: superd listens "
		    "on every service it is given, from its own start",
		    kv->sect, kv->key, kv->val);
	else
		cv_fail(s, u->path, kv->line, "[%s] %s=%s: no superd equivalent",
		    kv->sect, kv->key, kv->val);
}
