/*
 * inetd_parse.h: one line of inetd.conf, split into its fields.
 *
 * Pure: no allocation, no globals, no printing.  The line is cut in place
 * and every string of the entry points into it, so the caller keeps the
 * line alive as long as the entry and copies what it wants to keep.
 * Used by superd-convert and by superd's inetd-compat (inetd_compat.c),
 * with inetd_xlate.c after it: one parser and one translation, not two.
 */
#ifndef SUPERD_INETD_PARSE_H
#define SUPERD_INETD_PARSE_H

#include <stddef.h>

/* Debian's update-inetd disables a line by prefixing it with this. */
#define INETD_OFF_MARK		"#<off>#"
#define INETD_MAXARGS		64
#define INETD_ERRLEN		160

enum inetd_line {
	INETD_LINE_NONE,	/* blank or comment */
	INETD_LINE_HOST,	/* "addr:" alone: default address from here */
	INETD_LINE_ENTRY,	/* a service */
	INETD_LINE_ERROR	/* see err */
};

/* Which sockets a protocol column asks for (Debian openbsd-inetd). */
enum inetd_family {
	INETD_AF_BOTH,		/* tcp, udp: IPv4 and IPv6 */
	INETD_AF_INET,		/* tcp4, udp4 */
	INETD_AF_INET6,		/* tcp6, udp6: IPv6 only */
	INETD_AF_MAPPED,	/* tcp46, udp46: one IPv6 socket, v4 mapped */
	INETD_AF_UNIX		/* unix */
};

struct inetd_entry {
	int		 disabled;	/* "#<off>#" line */
	char		*host;		/* "host:" prefix, brackets removed */
	char		*service;	/* name, port, path, or RPC name */
	char		*socktype;	/* stream, dgram, raw, ... as written */
	const char	*proto;		/* tcp, udp or unix */
	char		*proto_col;	/* the column as written, no options */
	char		*proto_opts;	/* ",sndbuf=N..." after the comma */
	enum inetd_family family;
	int		 rpc;		/* rpc/tcp, rpc/udp */
	unsigned long	 rpc_low;	/* versions "name/low-high" */
	unsigned long	 rpc_high;
	int		 wait;
	int		 max;		/* "nowait.N" or ":N", -1 unset */
	int		 fb_child;	/* FreeBSD "nowait/C/R/S", -1 unset */
	int		 fb_cpm;
	int		 fb_perip;
	char		*user;
	char		*group;		/* "user.group" or "user:group" */
	char		*login_class;	/* FreeBSD "user/class" */
	char		*server;	/* path or "internal" */
	char		*argv[INETD_MAXARGS + 1];	/* NULL-terminated */
	size_t		 argc;
};

enum inetd_line	 inetd_parse_line(char *, struct inetd_entry *, char *,
		    size_t);

#endif
