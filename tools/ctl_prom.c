/*
 * ctl_prom.c: the Prometheus text format, read back (see ctl_prom.h).
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_prom.h"

/* Unescape a label value from *p (after its opening quote) in place. */
static char *
label_value(char **p)
{
	char	*r = *p, *w = *p, *v = *p;

	for (; *r != '"'; r++) {
		if (*r == '\0')
			return NULL;
		if (*r == '\\') {
			r++;
			if (*r == '\0')
				return NULL;
			*w++ = *r == 'n' ? '\n' : *r;
		} else
			*w++ = *r;
	}
	*w = '\0';
	*p = r + 1;
	return v;
}

/* key="value" pairs up to '}'; p is after '{'.  0 or -1. */
static int
parse_labels(char **pp, struct prom_sample *s)
{
	char	*p = *pp, *eq;

	while (*p != '}') {
		if ((eq = strchr(p, '=')) == NULL || eq[1] != '"' ||
		    s->nlabels == PROM_MAXLABELS)
			return -1;
		*eq = '\0';
		s->key[s->nlabels] = p;
		p = eq + 2;
		if ((s->val[s->nlabels++] = label_value(&p)) == NULL)
			return -1;
		if (*p == ',')
			p++;
		else if (*p != '}')
			return -1;
	}
	*pp = p + 1;
	return 0;
}

int
prom_parse(char *line, struct prom_sample *s)
{
	char	*p = line, *end;

	memset(s, 0, sizeof(*s));
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '#')
		return 1;
	s->name = p;
	while (isalnum((unsigned char)*p) || *p == '_' || *p == ':')
		p++;
	if (p == s->name)
		return -1;
	if (*p == '{') {
		*p++ = '\0';
		if (parse_labels(&p, s) == -1)
			return -1;
	} else if (*p == ' ')
		*p++ = '\0';
	else
		return -1;
	while (*p == ' ')
		p++;
	s->value = strtod(p, &end);
	if (end == p || (*end != '\0' && *end != ' '))
		return -1;
	return 0;
}

const char *
prom_label(const struct prom_sample *s, const char *key)
{
	int	i;

	for (i = 0; i < s->nlabels; i++)
		if (strcmp(s->key[i], key) == 0)
			return s->val[i];
	return NULL;
}

double
prom_quantile(double q, const double *le, const double *cum, int n)
{
	double	rank, lo, prev;
	int	i;

	if (n < 1 || cum[n - 1] <= 0)
		return -1;
	rank = q * cum[n - 1];
	for (i = 0; i < n - 1 && cum[i] < rank; i++)
		;
	if (i == n - 1)
		return n >= 2 ? le[n - 2] : -1;
	lo = i > 0 ? le[i - 1] : 0;
	prev = i > 0 ? cum[i - 1] : 0;
	if (cum[i] - prev <= 0)
		return le[i];
	return lo + (le[i] - lo) * (rank - prev) / (cum[i] - prev);
}
