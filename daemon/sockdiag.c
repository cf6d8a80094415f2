/*
 * sockdiag.c: which user owns a TCP socket on this host (see sockdiag.h).
 *
 * One inet_diag dump per family, filtered in the kernel by the local
 * port, then matched here on both ends: the dump is the same code path
 * as ss(8) and does not need the exact remote address (the service may
 * listen on a wildcard).  AF_INET6 is dumped too because a dual-stack
 * socket talking to a v4 peer is listed under AF_INET6 with v4-mapped
 * addresses.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/inet_diag.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockdiag.h"

#define SD_BUFSIZE	16384
#define SD_TIMEOUT_MS	500	/* a dump filtered by port is quick */

/* Owners we can trust: the states of a socket a process still has. */
#define SD_CONNECTED	((1U << TCP_ESTABLISHED) | (1U << TCP_SYN_SENT) | \
	    (1U << TCP_FIN_WAIT1) | (1U << TCP_FIN_WAIT2) | \
	    (1U << TCP_CLOSE_WAIT) | (1U << TCP_LAST_ACK) | \
	    (1U << TCP_CLOSING))

/* What a search found so far. */
struct sd_found {
	int	n;
	int	mixed;
	uid_t	uid;
};

static int	no_netlink;

static const unsigned char v4mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

/* A v4-mapped v6 address becomes plain v4, so both spellings match. */
static void
unmap(int *family, unsigned char addr[16])
{
	if (*family != AF_INET6 || memcmp(addr, v4mapped, 12) != 0)
		return;
	memmove(addr, addr + 12, 4);
	memset(addr + 4, 0, 12);
	*family = AF_INET;
}

/* Address and port of sa into addr (16 bytes) and *port; the family. */
static int
sa_split(const struct sockaddr *sa, unsigned char addr[16], uint16_t *port)
{
	const struct sockaddr_in	*s4 = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6	*s6 = (const struct sockaddr_in6 *)sa;
	int				 family = sa->sa_family;

	memset(addr, 0, 16);
	if (family == AF_INET) {
		memcpy(addr, &s4->sin_addr, 4);
		*port = ntohs(s4->sin_port);
	} else if (family == AF_INET6) {
		memcpy(addr, &s6->sin6_addr, 16);
		*port = ntohs(s6->sin6_port);
	} else
		return -1;
	unmap(&family, addr);
	return family;
}

/* Both ends of the wanted socket, unmapped; a wildcard remote matches any. */
int
sockdiag_key(struct sockdiag_key *k, const struct sockaddr *local,
    const struct sockaddr *remote)
{
	static const unsigned char	 zero[16];
	int				 f1, f2;

	memset(k, 0, sizeof(*k));
	if ((f1 = sa_split(local, k->want.src, &k->want.sport)) == -1 ||
	    (f2 = sa_split(remote, k->want.dst, &k->want.dport)) == -1)
		return -1;
	k->want.family = f1;
	k->any_dst = memcmp(k->want.dst, zero, 16) == 0;
	/* A v4 client of a v6 wildcard listener: the "::" stays a wildcard. */
	return f1 == f2 || k->any_dst ? 0 : -1;
}

/* A connected socket with the key's ends (v4-mapped compares as v4). */
int
sockdiag_match(const struct sockdiag_key *k, const struct sockdiag_sock *s)
{
	struct sockdiag_sock	c = *s;
	int			fam;

	if (c.state < 0 || c.state > 31 || !(SD_CONNECTED & (1U << c.state)))
		return 0;
	fam = c.family;
	unmap(&c.family, c.src);
	unmap(&fam, c.dst);
	if (c.family != k->want.family || c.sport != k->want.sport ||
	    memcmp(c.src, k->want.src, 16) != 0)
		return 0;
	if (k->want.dport != 0 && c.dport != k->want.dport)
		return 0;
	return k->any_dst || memcmp(c.dst, k->want.dst, 16) == 0;
}

/* "0100007F:1F90": words as the kernel printed them (%08X each). */
static int
parse_hexaddr(const char *s, size_t words, unsigned char addr[16],
    uint16_t *port)
{
	char		 w[9];
	uint32_t	 v;
	unsigned long	 p;
	char		*end;
	size_t		 i;

	memset(addr, 0, 16);
	for (i = 0; i < words; i++) {
		memcpy(w, s + i * 8, 8);
		w[8] = '\0';
		if (strspn(w, "0123456789abcdefABCDEF") != 8)
			return -1;
		v = (uint32_t)strtoul(w, NULL, 16);
		memcpy(addr + i * 4, &v, 4);	/* printed in host order */
	}
	if (s[words * 8] != ':')
		return -1;
	p = strtoul(s + words * 8 + 1, &end, 16);
	if (end == s + words * 8 + 1 || p > 65535)
		return -1;
	*port = (uint16_t)p;
	return 0;
}

/* sl, local, remote, state, then uid after three columns we skip. */
int
sockdiag_parse_proc(const char *line, int family, struct sockdiag_sock *s)
{
	char		src[64], dst[64];
	unsigned	state;
	unsigned long	uid;
	size_t		words = family == AF_INET6 ? 4 : 1;

	memset(s, 0, sizeof(*s));
	if (sscanf(line, " %*u: %63s %63s %x %*s %*s %*s %lu", src, dst, &state,
	    &uid) != 4 || strlen(src) != words * 8 + 5 ||
	    strlen(dst) != words * 8 + 5)
		return -1;
	if (parse_hexaddr(src, words, s->src, &s->sport) == -1 ||
	    parse_hexaddr(dst, words, s->dst, &s->dport) == -1)
		return -1;
	s->family = family;
	s->state = (int)state;
	s->uid = (uid_t)uid;
	return 0;
}

/* Count one matching socket. */
static void
found_add(struct sd_found *f, uid_t uid)
{
	if (f->n > 0 && f->uid != uid)
		f->mixed = 1;
	f->uid = uid;
	f->n++;
}

/* One /proc/net file; -1 if it cannot be read. */
static int
proc_scan(const char *path, int family, const struct sockdiag_key *k,
    struct sd_found *f)
{
	struct sockdiag_sock	 s;
	char			 line[512];
	FILE			*fp;

	if ((fp = fopen(path, "re")) == NULL)
		return errno == ENOENT ? 0 : -1;	/* no IPv6: fine */
	while (fgets(line, sizeof(line), fp) != NULL)
		if (sockdiag_parse_proc(line, family, &s) == 0 &&
		    sockdiag_match(k, &s))
			found_add(f, s.uid);
	fclose(fp);
	return 0;
}

/* The kernel's record as ours. */
static void
diag_to_sock(const struct inet_diag_msg *m, struct sockdiag_sock *s)
{
	memset(s, 0, sizeof(*s));
	s->family = m->idiag_family;
	memcpy(s->src, m->id.idiag_src, 16);
	memcpy(s->dst, m->id.idiag_dst, 16);
	if (s->family == AF_INET) {
		memset(s->src + 4, 0, 12);
		memset(s->dst + 4, 0, 12);
	}
	s->sport = ntohs(m->id.idiag_sport);
	s->dport = ntohs(m->id.idiag_dport);
	s->state = m->idiag_state;
	s->uid = m->idiag_uid;
}

/* Ask for a dump of family's connected TCP sockets on the key's port. */
static int
diag_send(int fd, int family, const struct sockdiag_key *k)
{
	struct {
		struct nlmsghdr		nlh;
		struct inet_diag_req_v2	req;
	} msg;
	struct sockaddr_nl	nl;

	memset(&msg, 0, sizeof(msg));
	memset(&nl, 0, sizeof(nl));
	nl.nl_family = AF_NETLINK;
	msg.nlh.nlmsg_len = sizeof(msg);
	msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	msg.req.sdiag_family = (uint8_t)family;
	msg.req.sdiag_protocol = IPPROTO_TCP;
	msg.req.idiag_states = SD_CONNECTED;
	msg.req.id.idiag_sport = htons(k->want.sport);
	msg.req.id.idiag_dport = htons(k->want.dport);
	return sendto(fd, &msg, sizeof(msg), 0, (struct sockaddr *)&nl,
	    sizeof(nl)) == (ssize_t)sizeof(msg) ? 0 : -1;
}

/* Read the dump's replies into f; 0 at NLMSG_DONE, -1 on error. */
static int
diag_recv(int fd, const struct sockdiag_key *k, struct sd_found *f)
{
	long			 buf[SD_BUFSIZE / sizeof(long)];
	struct sockdiag_sock	 s;
	struct nlmsghdr		*h;
	ssize_t			 n;
	int			 len;

	for (;;) {
		if ((n = recv(fd, buf, sizeof(buf), 0)) <= 0)
			return -1;
		len = (int)n;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, len);
		    h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR)
				return -1;
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct
			    inet_diag_msg)))
				continue;
			diag_to_sock(NLMSG_DATA(h), &s);
			if (sockdiag_match(k, &s))
				found_add(f, s.uid);
		}
	}
}

/* Both families through netlink; -1 if netlink cannot answer. */
static int
diag_scan(const struct sockdiag_key *k, struct sd_found *f)
{
	struct timeval	tv = { 0, SD_TIMEOUT_MS * 1000 };
	static const int families[] = { AF_INET, AF_INET6 };
	size_t		i;
	int		fd, ret = 0;

	if ((fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
	    NETLINK_SOCK_DIAG)) == -1)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		if (diag_send(fd, families[i], k) == -1 ||
		    diag_recv(fd, k, f) == -1) {
			/*
			 * A kernel without IPv6 has no AF_INET6 handler:
			 * then there are no v6 sockets to find.
			 */
			if (families[i] != AF_INET6)
				ret = -1;
			break;
		}
	close(fd);
	return ret;
}

/* Netlink first; /proc when netlink cannot answer at all. */
enum sockdiag_res
sockdiag_tcp_owner(const struct sockaddr *local,
    const struct sockaddr *remote, uid_t *uid)
{
	struct sockdiag_key	k;
	struct sd_found		f;

	if (sockdiag_key(&k, local, remote) == -1)
		return SOCKDIAG_NONE;
	memset(&f, 0, sizeof(f));
	if (no_netlink || diag_scan(&k, &f) == -1) {
		memset(&f, 0, sizeof(f));
		if (proc_scan("/proc/net/tcp", AF_INET, &k, &f) == -1 ||
		    proc_scan("/proc/net/tcp6", AF_INET6, &k, &f) == -1)
			return SOCKDIAG_ERROR;
	}
	if (f.n == 0)
		return SOCKDIAG_NONE;
	if (f.mixed)
		return SOCKDIAG_MIXED;
	*uid = f.uid;
	return SOCKDIAG_FOUND;
}

/* Tests: exercise the /proc reader. */
void
sockdiag_test_no_netlink(int on)
{
	no_netlink = on;
}
