/*
 * reqline.c: the log lines of a request's start and end.  See reqline.h.
 *
 * What the log queue holds for one line: struct packed, then `what' and
 * `acct', each NUL-ended.  The writer copies the header out (the queue
 * does not align it) and makes the text with fmt.c's formatter.
 */
#include "config.h"

#include <sys/wait.h>
#include <string.h>

#include "addr.h"
#include "fmt.h"
#include "log.h"
#include "reqline.h"
#include "request.h"

#define WHAT_MAX	1024	/* a server path or a redirect target */
#define ACCT_MAX	256	/* cgroup or redirect accounting */

struct packed {
	unsigned long long	session;
	int			status;
	int			kind;
	size_t			what_len;	/* with its NUL */
};

/* The writer's side: unpack and format. */
static void
format_packed(const struct log_fields *lf, const void *data, size_t len,
    char *buf, size_t size)
{
	struct packed	h;
	struct reqline	rl;

	buf[0] = '\0';
	if (len < sizeof(h) + 2)
		return;
	memcpy(&h, data, sizeof(h));
	if (h.what_len > len - sizeof(h) - 1)
		return;
	rl.kind = (enum reqline_kind)h.kind;
	rl.session = h.session;
	rl.status = h.status;
	rl.what = (const char *)data + sizeof(h);
	rl.acct = rl.what + h.what_len;
	reqline_format(lf, &rl, buf, size);
}

void
reqline_log(int pri, const struct log_fields *lf, const struct reqline *rl)
{
	char		buf[sizeof(struct packed) + WHAT_MAX + ACCT_MAX];
	struct packed	h;
	size_t		n = sizeof(h);

	if (pri > log_getlevel())
		return;
	memset(&h, 0, sizeof(h));
	h.session = rl->session;
	h.status = rl->status;
	h.kind = rl->kind;
	h.what_len = fmt_pack_str(buf + n, rl->what, WHAT_MAX);
	n += h.what_len;
	n += fmt_pack_str(buf + n, rl->acct, ACCT_MAX);
	memcpy(buf, &h, sizeof(h));
	log_request_deferred(pri, lf, format_packed, buf, n);
}

void
reqline_status(int status, char *buf, size_t size)
{
	if (status == -1)
		fmt_print(buf, size, "closed");
	else if (status == REQUEST_STATUS_UNKNOWN)
		fmt_print(buf, size, "exited (adopted: its status went to "
		    "its new parent)");
	else if (WIFEXITED(status))
		fmt_print(buf, size, "exited with status %d",
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		fmt_print(buf, size, "killed by signal %d (%s)%s",
		    WTERMSIG(status), strsignal(WTERMSIG(status)),
		    WCOREDUMP(status) ? ", core dumped" : "");
	else
		fmt_print(buf, size, "ended (status 0x%x)", status);
}

size_t
reqline_format(const struct log_fields *lf, const struct reqline *rl,
    char *buf, size_t size)
{
	const char	*addr = lf->remote_addr != NULL ? lf->remote_addr : "-";
	const char	*what = rl->what != NULL ? rl->what : "";
	const char	*service = lf->service != NULL ? lf->service : "-";
	long long	 usec = lf->duration_usec > 0 ? lf->duration_usec : 0;
	char		 peer[96], desc[96];

	/* A unix peer ("uid=N") has no port. */
	if (lf->remote_port >= 0)
		addr = addr_desc(addr, lf->remote_port, peer, sizeof(peer));
	switch (rl->kind) {
	case REQLINE_SPAWNED:
		return fmt_print(buf, size, "service %s: session S%llu from "
		    "%s: pid %ld", service, rl->session, addr, lf->pid);
	case REQLINE_BUILTIN:
		return fmt_print(buf, size, "service %s: session S%llu from "
		    "%s: builtin %s", service, rl->session, addr, what);
	case REQLINE_REDIRECT:
		return fmt_print(buf, size, "service %s: session S%llu from "
		    "%s: redirect to %s", service, rl->session, addr, what);
	case REQLINE_ENDED:
		break;
	}
	reqline_status(rl->status, desc, sizeof(desc));
	return fmt_print(buf, size, "service %s: session S%llu pid %ld (peer "
	    "%s) %s after %lld.%03llds%s%s%s%s", service, rl->session,
	    lf->pid, addr, desc, usec / 1000000, (usec / 1000) % 1000,
	    what[0] != '\0' ? " (interrupted by " : "", what,
	    what[0] != '\0' ? ")" : "", rl->acct != NULL ? rl->acct : "");
}
