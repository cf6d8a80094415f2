/*
 * control.h: the admin control socket (superdctl's side of the daemon).
 *
 * One text line per request; replies are zero or more "KEY k=v ..."
 * record lines, then one "OK <n>" or "ERR <CODE> <text>".  The protocol
 * is documented in superdctl(8).
 */
#ifndef SUPERD_CONTROL_H
#define SUPERD_CONTROL_H

#include <stddef.h>

struct event_base;
struct superd_conf;

#include <stdio.h>
#include <time.h>

/* What control asks of the daemon (superd.c fills it in). */
struct control_hooks {
	/* Re-read the config; errors to errs.  0 applied, -1 kept old. */
	int		 (*reload)(FILE *errs);
	/* Stop accepting; exit when the last request ends. */
	void		 (*drain)(void);
	const char	*(*conf_path)(void);
	time_t		 (*started)(void);
	time_t		 (*loaded)(void);
	/*
	 * Replace the running binary (binary NULL: the one running); fd is
	 * the asking connection, answered by the new binary (or, if it fails
	 * later, with an ERR line).  -1 with the reason in err: refused.
	 */
	int		 (*upgrade)(const char *binary, int fd, char *err,
			    size_t errlen);
};

/* Bind conf->control_socket and serve it on base at priority 0; 0 / -1. */
int	 control_start(struct event_base *, const struct superd_conf *,
	    const struct control_hooks *);
/* Follow a reloaded config (socket path, group); connections stay. */
void	 control_reconfigure(const struct superd_conf *);
/*
 * Take over the connection that asked the previous binary for the
 * upgrade and give it its answer (an UP record and OK).
 */
void	 control_adopt(int fd);
/* Close every connection and the socket, and unlink it. */
void	 control_stop(void);

/* ---- Pure helpers, exposed for tests/unit/test_control.c. ---- */

/*
 * Requests are cut into words by proto_split() (proto.h) with blanks as
 * separators; these helpers read the words.
 *
 * "TERM", "SIGTERM" or a number 1..64 to a signal; -1 if unknown.
 */
int	 control_signal(const char *);
/* "S42" or "42" to a session id; 0 if malformed. */
unsigned long long control_session_id(const char *);
/*
 * Percent-encode s into out (size n) so that it is one record value:
 * bytes outside the token set of proto.h, '%' and '=' become %XX.
 * Returns the length it needed (like snprintf).
 */
size_t	 control_encode(const char *s, char *out, size_t n);

#endif
