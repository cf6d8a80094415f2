/*
 * lookup.h: the parts of superd-lookup, shared with its unit test.
 */
#ifndef SUPERD_LOOKUP_H
#define SUPERD_LOOKUP_H

#include <stdio.h>

#include "superd.h"

#define EXIT_FOUND	0
#define EXIT_ERROR	1
#define EXIT_NOTFOUND	2

/* Options for --register. */
struct lookup_reg {
	const char	 *socket;	/* NULL: the default */
	const char	 *name;
	const char	 *proto;
	const char	 *addr;
	unsigned	  port;
	unsigned	  ttl;
	int		  prio, weight;
	const char	**tags;
	size_t		  ntags;
	char		**command;	/* NULL: no command */
	int		  export;	/* --export */
};

/* lookup_out.c: output formats (remote hides local user names) and: */
void	 out_plain(FILE *, const struct superd_eplist *);
int	 out_ports(FILE *, const struct superd_eplist *);
void	 out_table(FILE *, const struct superd_eplist *, int remote);
void	 out_json(FILE *, const struct superd_eplist *);
void	 out_net_table(FILE *, const struct superd_eplist *);
void	 out_json_string(FILE *, const char *);

/* Keep only the endpoints of proto (NULL: all). */
void	 lookup_filter_proto(struct superd_eplist *, const char *);

/* lookup_reg.c */
int	 reg_main(const struct lookup_reg *);
/* lookup_net.c: --net, etcd or DNS-SD; exit status as for lookups.
 * name NULL: every endpoint in etcd; conf: -c, or NULL. */
int	 net_main(const char *name, const char *proto, int json, int list,
	    unsigned timeout_ms, const char *conf);
int	 unreg_main(const char *socket, const char *id);
/* lookup_watch.c: --net --watch; returns only on failure. */
int	 watch_main(const char *name, const char *proto, const char *conf);

#endif /* SUPERD_LOOKUP_H */
