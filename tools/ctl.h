/*
 * ctl.h: what superdctl's parts share: the request and its reply, read
 * over the control socket (ctl_client.c), the commands (superdctl.c) and
 * the live view (ctl_top.c).
 */
#ifndef SUPERD_CTL_H
#define SUPERD_CTL_H

#include <stddef.h>

#define MAX_KV		64
#define MAX_REQUEST	4096		/* one request line */

#define EXIT_OK		0
#define EXIT_ERR	1
#define EXIT_NOTFOUND	2

struct rec {
	char	*line;		/* owns the strings below */
	char	*type;
	int	 n;
	char	*key[MAX_KV];
	char	*val[MAX_KV];
};

struct reply {
	struct rec	*recs;
	size_t		 nrecs;
	int		 ok;
	char		*code;		/* ERR code */
	char		*text;		/* ERR text */
};

struct opts {
	const char	*socket;	/* -S */
	const char	*conf;		/* -c */
	char		 path[4096];	/* the socket used */
	char		 from[4200];	/* where path came from */
	int		 json;
	int		 timeout;	/* seconds */
};

/* ---- ctl_client.c ---- */

/* An error that ends the program with status 1. */
void		die(const char *, ...)
		    __attribute__((noreturn, format(printf, 1, 2)));
/* Connect to o->path with o->timeout; dies saying why not. */
int		ctl_connect(const struct opts *);
/* Write the words as one request line. */
void		send_request(int, int, char **);
/* Records until OK or ERR; every string is a private copy. */
void		read_reply(int, struct reply *);
void		free_reply(struct reply *);
/* The value of key in a record, or NULL. */
const char     *rec_get(const struct rec *, const char *);

/* ---- ctl_top.c ---- */

/* superdctl top [sort=KEY] [delay=SECS] [count=N]: exit status. */
int		top_main(const struct opts *, int, char **);

#endif
