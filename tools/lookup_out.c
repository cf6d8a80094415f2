/*
 * lookup_out.c: superd-lookup's output: plain endpoints, ports, an
 * rpcinfo-like table, and JSON.
 *
 * The daemon speaks key=value text; the JSON is written with jansson,
 * every string made valid UTF-8 first (jansson refuses anything else), so
 * the output stays valid whatever bytes a record holds.
 */
#include "config.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonout.h"
#include "lookup.h"

#define NCOLS	8

static void	owner_name(long long, int, char *, size_t);
static void	table_row(const struct superd_endpoint *, int,
		    char [NCOLS][SUPERD_ADDR_MAX]);
static json_t	*json_entry(const struct superd_endpoint *);

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

/* Rows of ncols cells under head, aligned, the last column unpadded. */
static void
table_print(FILE *fp, int ncols, const char *const *head,
    char (*cell)[SUPERD_ADDR_MAX], size_t nrows)
{
	size_t	w[NCOLS], i;
	int	c;

	for (c = 0; c < ncols; c++)
		w[c] = strlen(head[c]);
	for (i = 0; i < nrows; i++)
		for (c = 0; c < ncols; c++)
			if (strlen(cell[i * ncols + c]) > w[c])
				w[c] = strlen(cell[i * ncols + c]);
	/* The last column is not padded: no trailing blanks. */
	w[ncols - 1] = 0;
	for (c = 0; c < ncols; c++)
		fprintf(fp, "%-*s%s", (int)w[c], head[c],
		    c < ncols - 1 ? "  " : "\n");
	for (i = 0; i < nrows; i++)
		for (c = 0; c < ncols; c++)
			fprintf(fp, "%-*s%s", (int)w[c], cell[i * ncols + c],
			    c < ncols - 1 ? "  " : "\n");
}

/* An aligned table with a header, like rpcinfo -p. */
void
out_table(FILE *fp, const struct superd_eplist *l, int remote)
{
	static const char *const head[NCOLS] = { "NAME", "PROTO", "ADDRESS",
	    "PORT", "SOURCE", "OWNER", "EXPIRES", "STATE" };
	char	(*rows)[NCOLS][SUPERD_ADDR_MAX];

	if ((rows = calloc(l->n ? l->n : 1, sizeof(*rows))) == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		table_row(&l->ep[i], remote, rows[i]);
	table_print(fp, NCOLS, head, rows[0], l->n);
	free(rows);
}

/* The network's endpoints (--net -l): which host publishes each. */
void
out_net_table(FILE *fp, const struct superd_eplist *l)
{
	static const char *const head[] = { "NAME", "PROTO", "ADDRESS",
	    "PORT", "HOST", "PRIO", "WEIGHT" };
	char		(*rows)[7][SUPERD_ADDR_MAX];
	const char	*host;

	if ((rows = calloc(l->n ? l->n : 1, sizeof(*rows))) == NULL)
		return;
	for (size_t i = 0; i < l->n; i++) {
		const struct superd_endpoint *ep = &l->ep[i];

		host = superd_endpoint_tag(ep, "host");
		snprintf(rows[i][0], SUPERD_ADDR_MAX, "%s", ep->name);
		snprintf(rows[i][1], SUPERD_ADDR_MAX, "%s", ep->proto);
		snprintf(rows[i][2], SUPERD_ADDR_MAX, "%s", ep->addr);
		snprintf(rows[i][3], SUPERD_ADDR_MAX, "%u", ep->port);
		snprintf(rows[i][4], SUPERD_ADDR_MAX, "%s", host ? host : "-");
		snprintf(rows[i][5], SUPERD_ADDR_MAX, "%u", ep->prio);
		snprintf(rows[i][6], SUPERD_ADDR_MAX, "%u", ep->weight);
	}
	table_print(fp, 7, head, rows[0], l->n);
	free(rows);
}

/* A JSON string literal: jansson's escapes, invalid UTF-8 as U+FFFD. */
void
out_json_string(FILE *fp, const char *str)
{
	json_t	*j = jsonout_str(str);

	json_dumpf(j, fp, JSON_ENCODE_ANY);
	json_decref(j);
}

/* N, or null when the daemon did not say (-1). */
static json_t *
jnum(long long v)
{
	return v < 0 ? json_null() : json_integer(v);
}

/* One endpoint as a JSON object. */
static json_t *
json_entry(const struct superd_endpoint *ep)
{
	json_t	*tags = json_object();

	for (size_t i = 0; i < ep->ntags; i++) {
		char	*k = jsonout_clean(ep->tags[i].key);

		json_object_set_new(tags, k != NULL ? k : "",
		    jsonout_str(ep->tags[i].value));
		free(k);
	}
	return json_pack("{s:o, s:o, s:o, s:I, s:o, s:o, s:o, s:o, s:o, "
	    "s:I, s:I, s:o}", "name", jsonout_str(ep->name), "proto", jsonout_str(ep->proto),
	    "address", jsonout_str(ep->addr), "port", (json_int_t)ep->port,
	    "source", jsonout_str(ep->source), "state", jsonout_str(ep->state),
	    "uid", jnum(ep->uid), "pid", jnum(ep->pid),
	    "expires_in", jnum(ep->expires), "prio", (json_int_t)ep->prio,
	    "weight", (json_int_t)ep->weight, "tags", tags);
}

/* {"v":1,"entries":[...]} on one line. */
void
out_json(FILE *fp, const struct superd_eplist *l)
{
	json_t	*all = json_array(), *doc;

	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(all, json_entry(&l->ep[i]));
	doc = json_pack("{s:i, s:o}", "v", SUPERD_PROTO_VERSION, "entries",
	    all);
	json_dumpf(doc, fp, JSON_COMPACT);
	fputc('\n', fp);
	json_decref(doc);
}

/* Keep only the endpoints of proto (a list is not filtered by superd). */
void
lookup_filter_proto(struct superd_eplist *l, const char *proto)
{
	size_t	i, k = 0;

	if (proto == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		if (strcmp(l->ep[i].proto, proto) == 0)
			l->ep[k++] = l->ep[i];
		else
			superd_endpoint_clear(&l->ep[i]);
	}
	l->n = k;
}
