/*
 * convert_xacl.c: xinetd only_from / no_access values to superd
 * address prefixes.
 *
 * xinetd takes addresses, "a.b.c.0" (trailing zero octets are wild),
 * "a.b.{c,d}.0" factorized forms, addr/len, addr/netmask, host, domain
 * and network names.  Everything numeric translates exactly; host names
 * are kept (superd resolves them when it reads its configuration);
 * .domain names (a reverse lookup per client) and /etc/networks names
 * are reported.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert_xinetd.h"

static void	acl_one(struct cv_service *, const struct xop *, const char *,
		    struct strlist *);
static int	acl_brace(struct cv_service *, const struct xop *,
		    const char *, struct strlist *);
static int	acl_v4(const char *, struct strlist *);
static int	acl_name(struct cv_service *, const struct xop *, const char *,
		    struct strlist *);
static int	host_name(const char *);
static int	mask_len(const char *);
static int	wild_len(const struct in_addr *);

void
xacl_translate(struct cv_service *s, const struct xop *a,
    struct strlist *out)
{
	size_t	 i;

	strlist_clear(out);
	if (a->v.n == 0 && strcmp(a->name, "only_from") == 0) {
		/* xinetd: an empty only_from lets nobody in. */
		strlist_clear(&s->list[L_NO_ACCESS]);
		strlist_add(&s->list[L_NO_ACCESS], "0.0.0.0/0");
		strlist_add(&s->list[L_NO_ACCESS], "::/0");
		cv_note(s, a->file, a->line, "empty only_from refuses every "
		    "client: written as no-access for all addresses");
		return;
	}
	for (i = 0; i < a->v.n; i++)
		acl_one(s, a, a->v.v[i], out);
}

static void
acl_one(struct cv_service *s, const struct xop *a, const char *v,
    struct strlist *out)
{
	unsigned char	 buf[16];
	char		 addr[64];

	if (strchr(v, '{') != NULL && acl_brace(s, a, v, out) == 0)
		return;
	if (strcmp(v, "localhost") == 0) {
		strlist_add(out, "127.0.0.1");
		strlist_add(out, "::1");
		return;
	}
	snprintf(addr, sizeof(addr), "%s", v);
	addr[strcspn(addr, "/")] = '\0';
	if (strchr(v, ':') != NULL && inet_pton(AF_INET6, addr, buf) == 1) {
		strlist_add(out, v);
		return;
	}
	if (acl_v4(v, out) == 0 || acl_name(s, a, v, out) == 0)
		return;
	cv_fail(s, a->file, a->line, "%s \"%s\" is not an address, prefix or "
	    "host name", a->name, v);
}

/* Letters, digits, '-', '_' and dots, with a letter: not "10.1". */
static int
host_name(const char *v)
{
	return v[0] != '.' && v[0] != '-' && v[strspn(v, "abcdefghijklmnopq"
	    "rstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")] == '\0' &&
	    strpbrk(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
	    != NULL;
}

/*
 * A name: kept when it is a host name (superd looks it up at load and
 * reload); 0 when handled (kept or reported), -1 when not a name.
 */
static int
acl_name(struct cv_service *s, const struct xop *a, const char *v,
    struct strlist *out)
{
	if (v[0] == '.' && host_name(v + 1)) {
		cv_fail(s, a->file, a->line, "%s \"%s\": superd does not match "
		    "domains (that needs a reverse lookup of every client); "
		    "write the addresses or host names", a->name, v);
		return 0;
	}
	if (!host_name(v))
		return -1;
	if (getnetbyname(v) != NULL) {
		cv_fail(s, a->file, a->line, "%s \"%s\" is a network name "
		    "(/etc/networks); write its prefix", a->name, v);
		return 0;
	}
	strlist_add(out, v);
	cv_note(s, a->file, a->line, "%s \"%s\": a host name, looked up "
	    "when superd reads its configuration (start, reload), not per "
	    "connection", a->name, v);
	return 0;
}

/* "128.138.{10,11}.0": one entry per alternative. */
static int
acl_brace(struct cv_service *s, const struct xop *a, const char *v,
    struct strlist *out)
{
	const char	*open = strchr(v, '{'), *close = strchr(v, '}');
	char		 buf[128], alt[64];
	const char	*p;
	size_t		 n;

	if (close == NULL || close < open)
		return -1;
	for (p = open + 1; p < close; p += n + (p[n] == ',')) {
		n = strcspn(p, ",}");
		if (n == 0 || n >= sizeof(alt))
			return -1;
		snprintf(alt, sizeof(alt), "%.*s", (int)n, p);
		snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(open - v), v,
		    alt, close + 1);
		acl_one(s, a, buf, out);
	}
	return 0;
}

/* An IPv4 address, a.b.c.0 wildcard, addr/len or addr/netmask. */
static int
acl_v4(const char *v, struct strlist *out)
{
	struct in_addr	 in;
	char		 addr[32], res[64];
	const char	*slash = strchr(v, '/');
	int		 len;

	snprintf(addr, sizeof(addr), "%.*s", slash != NULL ?
	    (int)(slash - v) : (int)strlen(v), v);
	if (inet_pton(AF_INET, addr, &in) != 1)
		return -1;
	if (slash == NULL)
		len = wild_len(&in);
	else if ((len = mask_len(slash + 1)) < 0)
		return -1;
	if (len == 0 && in.s_addr == 0) {
		/* xinetd's 0.0.0.0 matches every client, IPv6 ones too. */
		strlist_add(out, "0.0.0.0/0");
		strlist_add(out, "::/0");
		return 0;
	}
	if (len == 32)
		snprintf(res, sizeof(res), "%s", addr);
	else
		snprintf(res, sizeof(res), "%s/%d", addr, len);
	strlist_add(out, res);
	return 0;
}

/* Trailing zero octets are wildcards: 10.1.0.0 is 10.1.0.0/16. */
static int
wild_len(const struct in_addr *in)
{
	unsigned long	 a = ntohl(in->s_addr);
	int		 len = 32;

	while (len > 0 && (a & 0xff) == 0) {
		a >>= 8;
		len -= 8;
	}
	return len;
}

/* "24" or "255.255.255.0"; -1 when neither (or a non-contiguous mask). */
static int
mask_len(const char *m)
{
	struct in_addr	 in;
	unsigned long	 a;
	char		*end;
	long		 n;
	int		 len = 0;

	if (strchr(m, '.') == NULL) {
		n = strtol(m, &end, 10);
		return *m != '\0' && *end == '\0' && n >= 0 && n <= 32 ?
		    (int)n : -1;
	}
	if (inet_pton(AF_INET, m, &in) != 1)
		return -1;
	for (a = ntohl(in.s_addr); a & 0x80000000UL; a = (a << 1) &
	    0xffffffffUL)
		len++;
	return a == 0 ? len : -1;
}
