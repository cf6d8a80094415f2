/*
 * directory_cmd.h: the directory's commands (hello, register, renew,
 * unregister, lookup, list): one request line in, one reply out.
 *
 * Kept apart from the socket code so that the whole protocol can be
 * tested with an evbuffer and no sockets.
 */
#ifndef SUPERD_DIRECTORY_CMD_H
#define SUPERD_DIRECTORY_CMD_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

struct evbuffer;
struct directory;
struct dir_cred;

#define DIRCMD_LIST_MAX		200	/* records in one list page */
#define DIRCMD_REPLY_BUDGET	65536	/* bytes of records in one reply */

/* dircmd_line() result bits. */
#define DIRCMD_CLOSE		0x01	/* close once the reply is sent */
#define DIRCMD_CHANGED		0x02	/* the lease table changed */

struct dircmd_ctx {
	struct directory	*dir;
	const struct dir_cred	*cred;		/* NULL: remote, read-only */
	uint64_t		 conn;		/* connection id (local) */
	uint64_t		 now_ms;	/* monotonic */
};

/*
 * Run one request line (len bytes, without its "\n") and append the
 * reply (records, then exactly one OK or ERR line) to out.  Returns
 * DIRCMD_* bits.
 */
int	 dircmd_line(const struct dircmd_ctx *, const char *line, size_t len,
	    struct evbuffer *out);
/* Append "ERR <code> <text>\n" to out. */
void	 dircmd_err(struct evbuffer *out, const char *code, const char *text);

#endif
