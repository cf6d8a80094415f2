/*
 * convert_xblock.c: the operations of an xinetd section, and replaying
 * them the way xinetd does ("=" replaces, "+=" adds, "-=" removes).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "convert_xinetd.h"

/* Append a copy of op as read. */
void
xblock_add(struct xblock *b, const struct xop *op)
{
	struct xop	*v, *o;

	v = reallocarray(b->op, b->nop + 1, sizeof(*v));
	if (v == NULL) {
		cv_ioerr(op->file, op->line, "out of memory");
		return;
	}
	b->op = v;
	o = &b->op[b->nop++];
	memset(o, 0, sizeof(*o));
	o->name = xstrdup(op->name);
	o->op = op->op;
	o->file = xstrdup(op->file);
	o->line = op->line;
	strlist_copy(&o->v, &op->v);
}

struct xop *
xblock_find(const struct xblock *b, const char *name)
{
	size_t	 i;

	for (i = 0; i < b->nop; i++)
		if (strcmp(b->op[i].name, name) == 0)
			return &b->op[i];
	return NULL;
}

/* Apply op to a merged block; the value remembers the last line. */
void
xblock_merge(struct xblock *b, const struct xop *op)
{
	struct xop	*o;
	size_t		 i;

	if ((o = xblock_find(b, op->name)) == NULL) {
		xblock_add(b, op);
		if ((o = xblock_find(b, op->name)) != NULL && o->op == '-')
			strlist_clear(&o->v);
		if (o != NULL)
			o->op = '=';
		return;
	}
	free(o->file);
	o->file = xstrdup(op->file);
	o->line = op->line;
	if (op->op == '=')
		strlist_clear(&o->v);
	for (i = 0; i < op->v.n; i++) {
		if (op->op == '-')
			strlist_del(&o->v, op->v.v[i]);
		else
			strlist_add(&o->v, op->v.v[i]);
	}
}

void
xblock_free(struct xblock *b)
{
	size_t	 i;

	for (i = 0; i < b->nop; i++) {
		free(b->op[i].name);
		free(b->op[i].file);
		strlist_clear(&b->op[i].v);
	}
	free(b->op);
	free(b->name);
	free(b->file);
	memset(b, 0, sizeof(*b));
}
