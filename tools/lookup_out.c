/*
 * lookup_out.c: superd-lookup's output: plain endpoints, ports, an
 * rpcinfo-like table, and JSON.
 *
 * The daemon speaks key=value text; JSON exists only here, so every
 * string goes through json_string() and the output stays valid whatever
 * bytes a record holds.
 */
#include "config.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lookup.h"

#define NCOLS	8

static int	utf8_len(const unsigned char *);
static void	owner_name(long long, int, char *, size_t);
static void	table_row(const struct superd_endpoint *, int,
		    char [NCOLS][SUPERD_ADDR_MAX]);
static void	json_entry(FILE *, const struct superd_endpoint *);
static void	json_number(FILE *, const char *, long long);

/* Print each endpoint as "addr:port/proto", one a line. */
void
out_plain(FILE *fp, const struct superd_eplist *l)
{
	char	buf[SUPERD_ENDPOINT_STRLEN];

	for (size_t i = 0; i < l->n; i++)
		if (superd_endpoint_format(&l->ep[i], buf, sizeof(buf)) > 0)
			fprintf(fp, "%s\n", buf);
}

/* Print each distinct port once; the number printed. */
int
out_ports(FILE *fp, const struct superd_eplist *l)
{
	int	n = 0;

	for (size_t i = 0; i < l->n; i++) {
		size_t	j;

		if (strcmp(l->ep[i].proto, "unix") == 0)
			continue;
		for (j = 0; j < i; j++)
			if (strcmp(l->ep[j].proto, "unix") != 0 &&
			    l->ep[j].port == l->ep[i].port)
				break;
		if (j == i) {
			fprintf(fp, "%u\n", l->ep[i].port);
			n++;
		}
	}
	return n;
}

/* A uid as a user name; numeric for remote directories or unknown uids. */
static void
owner_name(long long uid, int remote, char *buf, size_t len)
{
	struct passwd	*pw;

	if (uid < 0)
		snprintf(buf, len, "-");
	else if (!remote && (pw = getpwuid((uid_t)uid)) != NULL)
		snprintf(buf, len, "%s", pw->pw_name);
	else
		snprintf(buf, len, "%lld", uid);
}

/* The NCOLS cells of one table row. */
static void
table_row(const struct superd_endpoint *ep, int remote,
    char cell[NCOLS][SUPERD_ADDR_MAX])
{
	int	isunix = strcmp(ep->proto, "unix") == 0;

	snprintf(cell[0], SUPERD_ADDR_MAX, "%s", ep->name);
	snprintf(cell[1], SUPERD_ADDR_MAX, "%s", ep->proto);
	snprintf(cell[2], SUPERD_ADDR_MAX, "%s", ep->addr);
	if (isunix)
		snprintf(cell[3], SUPERD_ADDR_MAX, "-");
	else
		snprintf(cell[3], SUPERD_ADDR_MAX, "%u", ep->port);
	snprintf(cell[4], SUPERD_ADDR_MAX, "%s",
	    ep->source[0] ? ep->source : "-");
	owner_name(ep->uid, remote, cell[5], SUPERD_ADDR_MAX);
	if (ep->expires < 0)
		snprintf(cell[6], SUPERD_ADDR_MAX, "-");
	else
		snprintf(cell[6], SUPERD_ADDR_MAX, "%llds", ep->expires);
	snprintf(cell[7], SUPERD_ADDR_MAX, "%s",
	    ep->state[0] ? ep->state : "-");
}

/* An aligned table with a header, like rpcinfo -p. */
void
out_table(FILE *fp, const struct superd_eplist *l, int remote)
{
	static const char *const head[NCOLS] = { "NAME", "PROTO", "ADDRESS",
	    "PORT", "SOURCE", "OWNER", "EXPIRES", "STATE" };
	char	(*rows)[NCOLS][SUPERD_ADDR_MAX];
	size_t	 w[NCOLS], i;
	int	 c;

	if ((rows = calloc(l->n ? l->n : 1, sizeof(*rows))) == NULL)
		return;
	for (c = 0; c < NCOLS; c++)
		w[c] = strlen(head[c]);
	for (i = 0; i < l->n; i++) {
		table_row(&l->ep[i], remote, rows[i]);
		for (c = 0; c < NCOLS; c++)
			if (strlen(rows[i][c]) > w[c])
				w[c] = strlen(rows[i][c]);
	}
	/* The last column is not padded: no trailing blanks. */
	w[NCOLS - 1] = 0;
	for (c = 0; c < NCOLS; c++)
		fprintf(fp, "%-*s%s", (int)w[c], head[c],
		    c < NCOLS - 1 ? "  " : "\n");
	for (i = 0; i < l->n; i++)
		for (c = 0; c < NCOLS; c++)
			fprintf(fp, "%-*s%s", (int)w[c], rows[i][c],
			    c < NCOLS - 1 ? "  " : "\n");
	free(rows);
}

/* Length of the valid UTF-8 sequence at s, 0 if it is not one. */
static int
utf8_len(const unsigned char *s)
{
	int		n, i;
	unsigned	cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and past U+10FFFF are not UTF-8. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/* A JSON string literal: quotes, escapes, invalid UTF-8 as U+FFFD. */
void
json_string(FILE *fp, const char *str)
{
	const unsigned char	*s = (const unsigned char *)str;
	int			 n;

	fputc('"', fp);
	while (*s != '\0') {
		if (*s == '"' || *s == '\\')
			fprintf(fp, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", fp);
		else if (*s == '\t')
			fputs("\\t", fp);
		else if (*s == '\r')
			fputs("\\r", fp);
		else if (*s < 0x20 || *s == 0x7f)
			fprintf(fp, "\\u%04x", *s);
		else if ((n = utf8_len(s)) == 0)
			fputs("\\ufffd", fp);
		else {
			fwrite(s, 1, n, fp);
			s += n;
			continue;
		}
		s++;
	}
	fputc('"', fp);
}

/* ,"key":N or ,"key":null when the daemon did not say (-1). */
static void
json_number(FILE *fp, const char *key, long long v)
{
	if (v < 0)
		fprintf(fp, ",\"%s\":null", key);
	else
		fprintf(fp, ",\"%s\":%lld", key, v);
}

/* One endpoint as a JSON object. */
static void
json_entry(FILE *fp, const struct superd_endpoint *ep)
{
	fputs("{\"name\":", fp);
	json_string(fp, ep->name);
	fputs(",\"proto\":", fp);
	json_string(fp, ep->proto);
	fputs(",\"address\":", fp);
	json_string(fp, ep->addr);
	fprintf(fp, ",\"port\":%u,\"source\":", ep->port);
	json_string(fp, ep->source);
	fputs(",\"state\":", fp);
	json_string(fp, ep->state);
	json_number(fp, "uid", ep->uid);
	json_number(fp, "pid", ep->pid);
	json_number(fp, "expires_in", ep->expires);
	fprintf(fp, ",\"prio\":%u,\"weight\":%u,\"tags\":{", ep->prio,
	    ep->weight);
	for (size_t i = 0; i < ep->ntags; i++) {
		if (i > 0)
			fputc(',', fp);
		json_string(fp, ep->tags[i].key);
		fputc(':', fp);
		json_string(fp, ep->tags[i].value);
	}
	fputs("}}", fp);
}

/* {"v":1,"entries":[...]} on one line. */
void
out_json(FILE *fp, const struct superd_eplist *l)
{
	fprintf(fp, "{\"v\":%d,\"entries\":[", SUPERD_PROTO_VERSION);
	for (size_t i = 0; i < l->n; i++) {
		if (i > 0)
			fputc(',', fp);
		json_entry(fp, &l->ep[i]);
	}
	fputs("]}\n", fp);
}
