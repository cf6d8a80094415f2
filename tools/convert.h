/*
 * convert.h: superd-convert, inetd.conf and xinetd.conf to superd.conf.
 *
 * The readers (convert_inetd.c, convert_xinetd.c) fill one struct
 * cv_service per service with values already in superd's spelling;
 * convert_out.c prints them.  Everything a reader cannot carry over goes
 * through cv_fail() so that it is printed on stderr and also left as a
 * comment in the service it belongs to: nothing is dropped silently.
 */
#ifndef SUPERD_CONVERT_H
#define SUPERD_CONVERT_H

#include <stddef.h>
#include <stdio.h>

/* Exit statuses, see superd-convert(1). */
#define CV_EXIT_OK	0	/* everything translated */
#define CV_EXIT_PARTIAL	1	/* output printed, some parts reported */
#define CV_EXIT_USAGE	2	/* usage or I/O error */

struct strlist {
	char		**v;
	size_t		  n;
};

/* Scalar keys, in the order they are printed. */
enum cv_key {
	K_TYPE,
	K_SOCKET,
	K_PROTOCOL,
	K_ADDRESS,
	K_V6ONLY,
	K_PORT,
	K_RPC_PROGRAM,
	K_RPC_VERSIONS,
	K_WAIT,
	K_USER,
	K_GROUP,
	K_SERVER,
	K_ARGV0,
	K_DISABLE,
	K_INSTANCES,
	K_NICE,
	K_UMASK,
	K_PER_SOURCE,
	K_RATE,
	K_MAX_LOAD,
	K_LIBWRAP,
	K_BANNER,
	K_BANNER_SUCCESS,
	K_BANNER_FAIL,
	K_RLIMIT_CPU,
	K_RLIMIT_AS,
	K_RLIMIT_NOFILE,
	K_RLIMIT_NPROC,
	K_RLIMIT_CORE,
	K_PASS_FDS,
	K_SOCKET_MODE,
	K_SOCKET_OWNER,
	K_SOCKET_GROUP,
	K_TCPMUX,
	K_REDIRECT,
	/* Socket options (K_SO_FIRST..K_SO_LAST: convert_sockopt.c). */
	K_KEEPALIVE,
	K_KEEPALIVE_IDLE,
	K_KEEPALIVE_INTERVAL,
	K_KEEPALIVE_COUNT,
	K_NODELAY,
	K_REUSE_PORT,
	K_FREEBIND,
	K_TRANSPARENT,
	K_DEFER_ACCEPT,
	K_MARK,
	K_BIND_TO_DEVICE,
	K_IP_TOS,
	K_PRIORITY,
	K_TCP_CONGESTION,
	K_RECEIVE_BUFFER,
	K_SEND_BUFFER,
	K_PASS_CREDENTIALS,
	K_PASS_PACKET_INFO,
	K_NKEYS
};

/* List keys, printed after the scalars. */
enum cv_list {
	L_ARGS,
	L_ENV,
	L_ENV_PASS,
	L_ONLY_FROM,
	L_NO_ACCESS,
	L_NLISTS
};

struct cv_service {
	char		 *name;
	char		 *alt;		/* name to try when name is taken */
	char		 *id;		/* xinetd id, unique in xinetd */
	char		 *file;
	int		  line;
	int		  skip;		/* cannot run under superd at all */
	int		  placed;	/* its name is final (convert_unique.c) */
	char		 *key[K_NKEYS];
	struct strlist	  list[L_NLISTS];
	struct strlist	  notes;	/* printed as comments in the block */
};

struct cv_doc {
	const char	 *kind;		/* "inetd.conf" or "xinetd" */
	const char	 *source;
	struct cv_service **svc;
	size_t		  n;
};

/* A file read whole, split into lines (no newline kept). */
struct cv_file {
	char		 *path;
	char		 *text;
	char		**line;
	size_t		  n;
};

/* convert_util.c */
void		*xcalloc(size_t, size_t);
char		*xstrdup(const char *);
void		 strlist_add(struct strlist *, const char *);
void		 strlist_del(struct strlist *, const char *);
void		 strlist_clear(struct strlist *);
void		 strlist_copy(struct strlist *, const struct strlist *);
int		 strlist_has(const struct strlist *, const char *);
int		 strlist_same(const struct strlist *, const struct strlist *);
size_t		 split_words(char *, char **, size_t);
int		 file_read(const char *, struct cv_file *);
void		 file_free(struct cv_file *);
char		*path_join(const char *, const char *);
const char	*base_name(const char *);

/* convert_report.c */
void		 cv_fail(struct cv_service *, const char *, int, const char *,
		    ...) __attribute__((format(printf, 4, 5)));
void		 cv_note(struct cv_service *, const char *, int, const char *,
		    ...) __attribute__((format(printf, 4, 5)));
void		 cv_ioerr(const char *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
int		 cv_status(void);

/* convert_svc.c */
struct cv_service *svc_new(const char *, const char *, int);
void		 svc_free(struct cv_service *);
void		 svc_set(struct cv_service *, enum cv_key, const char *);
void		 svc_copy(struct cv_service *, const struct cv_service *);
void		 doc_add(struct cv_doc *, struct cv_service *);
void		 doc_free(struct cv_doc *);
int		 builtin_known(const char *);
int		 port_check(struct cv_service *, const char *, int);

/* convert_sockopt.c */
/*
 * A [Socket] key of a .socket unit into key[] (indexed by enum cv_key):
 * 1 taken, 0 not a socket option, -1 a bad value (why says).
 */
int		 sockopt_from_systemd(const char *name, const char *val,
		    const char **key, char *why, size_t whylen);
/* Drop the options that do not fit the listener s became (a note each). */
void		 sockopt_fit(struct cv_service *, const char *file, int line);

/* convert_unique.c */
void		 doc_unique(struct cv_doc *);

/* convert_out.c */
void		 out_doc(FILE *, const struct cv_doc *);
const char	*out_key_name(enum cv_key);

/* convert_inetd.c */
void		 inetd_convert(const struct cv_file *, struct cv_doc *);

/* convert_systemd.c */
int		 systemd_convert_path(const char *, struct cv_doc *);

/* convert_xinetd.c */
int		 xinetd_convert_path(const char *, struct cv_doc *);
void		 xinetd_convert_file(const struct cv_file *, struct cv_doc *);
void		 xinetd_set_root(const char *);
int		 xinetd_looks_like(const struct cv_file *);

#endif
