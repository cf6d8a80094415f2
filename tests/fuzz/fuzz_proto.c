/*
 * fuzz_proto.c: one fuzz entry point for superd's line protocols.
 *
 * The input is cut at its newlines, as the line server does, and every
 * line goes through the pure parsing of all three protocols: the shared
 * tokenizer with both separator rules, the directory's key=value layer
 * and its commands (on a lease table that lives for one input, so that a
 * sequence of lines can register, renew and list), the OOB request, and
 * the control socket's word readers.  Beyond crashes and sanitizer
 * reports, each layer's promises are checked and a broken one aborts.
 *
 * Built as a libFuzzer target with ./configure --enable-fuzz, and linked
 * into tests/unit/test_fuzz_corpus, which runs the committed corpus
 * through this same function in make check.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <event2/buffer.h>

#include "control.h"
#include "directory.h"
#include "directory_cmd.h"
#include "log.h"
#include "oob_proto.h"
#include "proto.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(x)	do {						\
	if (!(x)) {							\
		fprintf(stderr, "fuzz_proto: %s:%d: %s\n", __FILE__,	\
		    __LINE__, #x);					\
		abort();						\
	}								\
} while (0)

/* A copy of line with one more byte, as the line server hands it over. */
static char *
dup_line(const char *line, size_t len)
{
	char	*p;

	if ((p = malloc(len + 1)) == NULL)
		abort();
	memcpy(p, line, len);
	p[len] = '\0';
	return p;
}

/* Every word is a non-empty run of token bytes. */
static void
check_words(const struct proto_words *w)
{
	size_t	i, j;

	CHECK(w->n >= 1 && w->n <= PROTO_MAX_WORDS);
	for (i = 0; i < w->n; i++) {
		CHECK(w->v[i][0] != '\0');
		for (j = 0; w->v[i][j] != '\0'; j++)
			CHECK(proto_token_byte((unsigned char)w->v[i][j]));
	}
}

/* The words, glued by sep (or by nothing), into a fresh string. */
static char *
join(const struct proto_words *w, const char *sep, size_t max)
{
	char	*out = malloc(max + 1);
	size_t	 i, off = 0, n;

	if (out == NULL)
		abort();
	for (i = 0; i < w->n; i++) {
		n = strlen(w->v[i]) + (i > 0 ? strlen(sep) : 0);
		CHECK(off + n <= max);
		off += (size_t)sprintf(out + off, "%s%s", i > 0 ? sep : "",
		    w->v[i]);
	}
	out[off] = '\0';
	return out;
}

/* The line without its blanks and one final CR. */
static char *
squeeze(const char *line, size_t len)
{
	char	*out = malloc(len + 1);
	size_t	 i, o = 0;

	if (out == NULL)
		abort();
	if (len > 0 && line[len - 1] == '\r')
		len--;
	for (i = 0; i < len; i++)
		if (line[i] != ' ' && line[i] != '\t')
			out[o++] = line[i];
	out[o] = '\0';
	return out;
}

/* The tokenizer, both rules: words are the line, nothing added or lost. */
static void
fuzz_split(const char *line, size_t len)
{
	struct proto_words	 w;
	enum proto_err		 e;
	char			*p, *j, *sq;

	p = dup_line(line, len);
	e = proto_split(p, len, PROTO_SEP_ONE, &w);
	CHECK((unsigned)e < PROTO_NERRS);
	CHECK(proto_strerror(e) != NULL && proto_errcode(e) != NULL);
	if (e == PROTO_OK) {
		check_words(&w);
		j = join(&w, " ", len);
		CHECK(strlen(j) == len && memcmp(j, line, len) == 0);
		free(j);
	} else
		CHECK(w.n == 0 && proto_err_code(e) == PROTO_C_EBADREQ);
	free(p);

	p = dup_line(line, len);
	e = proto_split(p, len, PROTO_SEP_BLANKS, &w);
	if (e == PROTO_OK) {
		check_words(&w);
		j = join(&w, "", len);
		sq = squeeze(line, len);
		CHECK(strcmp(j, sq) == 0);
		free(sq);
		free(j);
	} else
		CHECK(w.n == 0);
	free(p);
}

/* The directory's layer: a lower-case command and unique key=values. */
static void
fuzz_kv(const char *line, size_t len)
{
	static const char * const keys[] = { "name", "proto", NULL };
	struct proto_req	req;
	unsigned long		v;
	size_t			i, j;

	if (proto_parse(&req, line, len) != PROTO_OK) {
		CHECK(req.cmd == NULL && req.nargs == 0);
		return;
	}
	CHECK(len < PROTO_LINE_MAX);
	CHECK(req.cmd != NULL && req.cmd[0] >= 'a' && req.cmd[0] <= 'z');
	CHECK(req.nargs < PROTO_MAX_WORDS);
	for (i = 0; i < req.nargs; i++) {
		CHECK(req.args[i].key[0] != '\0');
		CHECK(strlen(req.args[i].key) <= PROTO_KEY_MAX);
		CHECK(proto_get(&req, req.args[i].key) == req.args[i].val);
		for (j = 0; j < i; j++)
			CHECK(strcmp(req.args[i].key, req.args[j].key) != 0);
		if (proto_get_uint(&req, req.args[i].key, 65535, &v) == 0)
			CHECK(v <= 65535);
	}
	(void)proto_unknown_key(&req, keys, "tag.");
}

/* CANCEL <token> | CANCEL <port>. */
static void
fuzz_oob(const char *line, size_t len)
{
	struct oob_req	 r;
	enum proto_err	 e;
	char		*p = dup_line(line, len);
	size_t		 i;

	e = oob_parse(p, len, &r);
	if (e == PROTO_OK && r.by_token) {
		CHECK(strlen(r.token) == OOB_TOKEN_LEN);
		for (i = 0; i < OOB_TOKEN_LEN; i++)
			CHECK(strchr("0123456789abcdef", r.token[i]) != NULL);
	} else if (e == PROTO_OK)
		CHECK(r.port >= 1 && r.port <= 65535);
	else
		CHECK(!r.by_token && r.port == 0);
	free(p);
}

/* Control: its words, and a record value encoded whole or not at all. */
static void
fuzz_control(const char *line, size_t len)
{
	struct proto_words	 w;
	char			*p = dup_line(line, len), small[16], *big;
	size_t			 i, need;

	if (proto_split(p, len, PROTO_SEP_BLANKS, &w) == PROTO_OK)
		for (i = 0; i < w.n; i++) {
			(void)control_signal(w.v[i]);
			(void)control_session_id(w.v[i]);
		}
	free(p);
	p = dup_line(line, len);	/* up to its first NUL */
	need = control_encode(p, small, sizeof(small));
	CHECK(strlen(small) <= need && strlen(small) < sizeof(small));
	if ((big = malloc(need + 1)) == NULL)
		abort();
	CHECK(control_encode(p, big, need + 1) == need);
	CHECK(strlen(big) == need);
	CHECK(strncmp(big, small, strlen(small)) == 0);
	for (i = 0; i < need; i++)
		CHECK(big[i] != '=' && (big[i] == '%' ||
		    proto_token_byte((unsigned char)big[i])));
	free(big);
	free(p);
}

/* Configured names: one, so that the refusal path runs too. */
static int
config_name(const char *name, void *arg)
{
	(void)arg;
	return strcmp(name, "echo") == 0;
}

/* One reply: records, then exactly one OK or ERR, every line whole. */
static void
check_reply(struct evbuffer *out)
{
	size_t	 n = evbuffer_get_length(out);
	char	*s, *last;

	if ((s = malloc(n + 1)) == NULL)
		abort();
	evbuffer_remove(out, s, n);
	s[n] = '\0';
	CHECK(n > 0 && s[n - 1] == '\n' && strlen(s) == n);
	s[n - 1] = '\0';
	last = strrchr(s, '\n');
	last = last == NULL ? s : last + 1;
	CHECK(strncmp(last, "OK ", 3) == 0 || strncmp(last, "ERR ", 4) == 0);
	free(s);
}

/* The directory's commands, local and remote, on one table per input. */
static void
fuzz_dircmd(struct directory *dir, const char *line, size_t len,
    uint64_t now)
{
	static const gid_t	 groups[] = { 100 };
	struct dir_cred		 cred = { 1000, 1000, 4242, groups, 1 };
	struct dircmd_ctx	 ctx = { dir, &cred, 1, now };
	struct evbuffer		*out;

	if ((out = evbuffer_new()) == NULL)
		abort();
	(void)dircmd_line(&ctx, line, len, out);
	check_reply(out);
	ctx.cred = NULL;
	ctx.conn = 0;
	(void)dircmd_line(&ctx, line, len, out);
	check_reply(out);
	dir_expire(dir, now, NULL, NULL);
	evbuffer_free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int		 logs;
	struct dir_policy	 pol;
	struct directory	*dir;
	const char		*s = (const char *)data, *nl;
	size_t			 len;
	uint64_t		 now = 1000;

	if (!logs++)
		log_init(1, LOG_ERR, "fuzz_proto");
	memset(&pol, 0, sizeof(pol));
	pol.ttl_min = 5;
	pol.ttl_max = 3600;
	pol.max_entries = 32;
	pol.max_per_uid = 8;
	pol.config_name = config_name;
	if ((dir = dir_new(&pol)) == NULL)
		abort();
	while (size > 0) {
		nl = memchr(s, '\n', size);
		len = nl != NULL ? (size_t)(nl - s) : size;
		fuzz_split(s, len);
		fuzz_kv(s, len);
		fuzz_oob(s, len);
		fuzz_control(s, len);
		fuzz_dircmd(dir, s, len, now);
		now += 700;
		if (nl == NULL)
			break;
		s += len + 1;
		size -= len + 1;
	}
	dir_free(dir);
	return 0;
}
