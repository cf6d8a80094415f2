/*
 * benchnet: what the reference servers share: a bound loopback socket and
 * their common options.
 */
#ifndef BENCHNET_H
#define BENCHNET_H

struct bn_opts {
	int		 port;
	int		 v6;		/* ::1 instead of 127.0.0.1 */
	unsigned	 lifetime;	/* seconds before SIGALRM ends us */
	const char	*mode;		/* -m, or NULL */
};

int	bn_parse(int, char **, struct bn_opts *, const char *);
int	bn_socket(const char *, int, const struct bn_opts *);

#endif
