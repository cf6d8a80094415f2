/*
 * convert_xinetd.h: xinetd sections between reading and translating.
 */
#ifndef SUPERD_CONVERT_XINETD_H
#define SUPERD_CONVERT_XINETD_H

#include "convert.h"

/* One "name op values" line, op being '=', '+' or '-'. */
struct xop {
	char		*name;
	int		 op;
	struct strlist	 v;
	char		*file;
	int		 line;
};

/* A section: its operations as read, or (merged) one '=' per name. */
struct xblock {
	char		*name;
	char		*file;
	int		 line;
	struct xop	*op;
	size_t		 nop;
};

/* convert_xblock.c */
void		 xblock_add(struct xblock *, const struct xop *);
void		 xblock_merge(struct xblock *, const struct xop *);
struct xop	*xblock_find(const struct xblock *, const char *);
void		 xblock_free(struct xblock *);

/* convert_xattr.c */
void		 xattr_defaults(struct xblock *);
struct cv_service *xattr_translate(const struct xblock *,
		    const struct xblock *);

/* convert_xcore.c */
void		 xcore_translate(struct cv_service *, const struct xblock *);

/* convert_xacl.c */
void		 xacl_translate(struct cv_service *, const struct xop *,
		    struct strlist *);

#endif
