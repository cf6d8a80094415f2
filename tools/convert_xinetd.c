/*
 * convert_xinetd.c: read xinetd.conf, its include files and directories
 * (xinetd.d), and translate every service section.
 *
 * Reading and translating are two passes: the first keeps each section's
 * "attr = | += | -= values" operations in order; the second replays the
 * defaults section and then the service's own operations, as xinetd
 * does, and maps the result to superd keys (convert_xattr.c).
 */
#include "config.h"

#include <sys/stat.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "convert_xinetd.h"

#define MAXDEPTH	8	/* include loops end here */
#define MAXWORDS	256

struct xctx {
	struct xblock	  defaults;
	struct xblock	**blk;
	size_t		  nblk;
	struct xblock	 *cur;		/* open section, or NULL */
	int		  pending;	/* "service x" seen, "{" awaited */
	int		  depth;
	const char	 *root;
};

static void	 x_init(struct xctx *);
static void	 x_finish(struct xctx *, struct cv_doc *);
static void	 x_lines(struct xctx *, const struct cv_file *);
static int	 x_file(struct xctx *, const char *, const char *, int);
static int	 x_dir(struct xctx *, const char *, const char *, int);
static int	 x_path(struct xctx *, const char *, const char *, int);
static int	 x_skip_name(const char *);
static void	 x_line(struct xctx *, const char *, int, char *);
static void	 x_top(struct xctx *, const char *, int, char **, size_t);
static void	 x_open(struct xctx *, const char *, int, const char *);
static void	 x_include(struct xctx *, const char *, int, char **, size_t);
static void	 x_op(struct xctx *, const char *, int, char **, size_t);
static void	 x_eof(struct xctx *, const char *);
static void	 x_free(struct xctx *);

static const char *x_root;

/* -R: absolute include paths are looked up below this directory. */
void
xinetd_set_root(const char *root)
{
	x_root = root;
}

/* Is the first active line an xinetd keyword? */
int
xinetd_looks_like(const struct cv_file *f)
{
	char	 buf[1024], *w[2];
	size_t	 i;

	for (i = 0; i < f->n; i++) {
		snprintf(buf, sizeof(buf), "%s", f->line[i]);
		if (split_words(buf, w, 2) == 0 || w[0][0] == '#')
			continue;
		return strcmp(w[0], "service") == 0 ||
		    strcmp(w[0], "defaults") == 0 ||
		    strcmp(w[0], "includedir") == 0 ||
		    strcmp(w[0], "include") == 0 || strcmp(w[0], "{") == 0;
	}
	return 0;
}

/* Read a directory (xinetd.d), then translate its services into d. */
int
xinetd_convert_path(const char *path, struct cv_doc *d)
{
	struct xctx	 c;
	int		 rc;

	x_init(&c);
	if ((rc = x_path(&c, path, NULL, 0)) == 0)
		x_finish(&c, d);
	x_free(&c);
	return rc;
}

/* The same for a file already read (it may be stdin). */
void
xinetd_convert_file(const struct cv_file *f, struct cv_doc *d)
{
	struct xctx	 c;

	x_init(&c);
	x_lines(&c, f);
	x_finish(&c, d);
	x_free(&c);
}

static void
x_init(struct xctx *c)
{
	memset(c, 0, sizeof(*c));
	c->root = x_root;
	c->defaults.name = xstrdup("defaults");
}

/* Second pass: every section, with the defaults applied. */
static void
x_finish(struct xctx *c, struct cv_doc *d)
{
	size_t	 i;

	d->kind = "xinetd";
	xattr_defaults(&c->defaults);
	for (i = 0; i < c->nblk; i++)
		doc_add(d, xattr_translate(&c->defaults, c->blk[i]));
}

static void
x_lines(struct xctx *c, const struct cv_file *f)
{
	size_t	 i;

	c->depth++;
	for (i = 0; i < f->n; i++)
		x_line(c, f->path, (int)i + 1, f->line[i]);
	x_eof(c, f->path);
	c->depth--;
}

/* A path named on the command line or by include/includedir. */
static int
x_path(struct xctx *c, const char *path, const char *from, int line)
{
	struct stat	 st;

	if (stat(path, &st) == -1) {
		if (from == NULL)
			return -1;
		cv_ioerr(from, line, "%s: %s", path, strerror(errno));
		return 0;
	}
	if (S_ISDIR(st.st_mode))
		return x_dir(c, path, from, line);
	return x_file(c, path, from, line);
}

static int
x_file(struct xctx *c, const char *path, const char *from, int line)
{
	struct cv_file	 f;

	if (c->depth >= MAXDEPTH) {
		cv_fail(NULL, from, line, "%s: includes nested deeper than "
		    "%d, not read", path, MAXDEPTH);
		return 0;
	}
	if (file_read(path, &f) == -1) {
		if (from == NULL)
			return -1;
		cv_ioerr(from, line, "%s: %s", path, strerror(errno));
		return 0;
	}
	x_lines(c, &f);
	file_free(&f);
	return 0;
}

/* includedir: every file, in name order, as xinetd reads them. */
static int
x_dir(struct xctx *c, const char *dir, const char *from, int line)
{
	struct dirent	**ent;
	char		 *p;
	int		  n, i;

	if ((n = scandir(dir, &ent, NULL, alphasort)) == -1) {
		if (from == NULL)
			return -1;
		cv_ioerr(from, line, "%s: %s", dir, strerror(errno));
		return 0;
	}
	for (i = 0; i < n; i++) {
		p = path_join(dir, ent[i]->d_name);
		if (!x_skip_name(ent[i]->d_name))
			x_path(c, p, from != NULL ? from : dir, line);
		else if (ent[i]->d_name[0] != '.')
			cv_note(NULL, from != NULL ? from : dir, line, "%s "
			    "skipped, as xinetd skips file names with a dot "
			    "or ending in ~", p);
		free(p);
		free(ent[i]);
	}
	free(ent);
	return 0;
}

/* xinetd ignores names with a '.' or a trailing '~' (editor, dpkg). */
static int
x_skip_name(const char *name)
{
	size_t	 len = strlen(name);

	return strchr(name, '.') != NULL || len == 0 || name[len - 1] == '~';
}

static void
x_line(struct xctx *c, const char *file, int line, char *text)
{
	char	*w[MAXWORDS];
	size_t	 n;

	n = split_words(text, w, MAXWORDS);
	if (n == 0 || w[0][0] == '#')
		return;
	if (c->cur == NULL)
		x_top(c, file, line, w, n);
	else if (strcmp(w[0], "}") == 0)
		c->cur = NULL;
	else if (c->pending && strcmp(w[0], "{") == 0)
		c->pending = 0;
	else
		x_op(c, file, line, w, n);
}

/* Outside a section: service, defaults, include, includedir. */
static void
x_top(struct xctx *c, const char *file, int line, char **w, size_t n)
{
	if (strcmp(w[0], "service") == 0 && n >= 2)
		x_open(c, file, line, w[1]);
	else if (strcmp(w[0], "defaults") == 0)
		x_open(c, file, line, NULL);
	else if (strcmp(w[0], "include") == 0 ||
	    strcmp(w[0], "includedir") == 0)
		x_include(c, file, line, w, n);
	else {
		cv_fail(NULL, file, line, "\"%s\" outside a section: "
		    "ignored", w[0]);
		return;
	}
	if (c->cur != NULL && n >= 2 && strcmp(w[n - 1], "{") == 0)
		c->pending = 0;
}

/* Start a section; name NULL is the defaults section. */
static void
x_open(struct xctx *c, const char *file, int line, const char *name)
{
	struct xblock	**v, *b;

	if (name == NULL) {
		c->cur = &c->defaults;
		c->pending = 1;
		return;
	}
	if ((v = reallocarray(c->blk, c->nblk + 1, sizeof(*v))) == NULL)
		return;
	c->blk = v;
	b = xcalloc(1, sizeof(*b));
	b->name = xstrdup(name);
	b->file = xstrdup(file);
	b->line = line;
	c->blk[c->nblk++] = b;
	c->cur = b;
	c->pending = 1;
}

/* include FILE / includedir DIR, relative to the including file. */
static void
x_include(struct xctx *c, const char *file, int line, char **w, size_t n)
{
	char	*dir, *slash, *p;

	if (n != 2) {
		cv_fail(NULL, file, line, "%s needs one path", w[0]);
		return;
	}
	dir = xstrdup(file);
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	else
		dir[0] = '\0';
	if (w[1][0] == '/' && c->root != NULL)
		p = path_join(c->root, w[1] + 1);
	else
		p = path_join(dir, w[1]);
	x_path(c, p, file, line);
	free(p);
	free(dir);
}

/* "name op value..." inside a section, kept for the second pass. */
static void
x_op(struct xctx *c, const char *file, int line, char **w, size_t n)
{
	struct xop	 op;
	size_t		 i;

	memset(&op, 0, sizeof(op));
	if (n < 2 || (strcmp(w[1], "=") != 0 && strcmp(w[1], "+=") != 0 &&
	    strcmp(w[1], "-=") != 0)) {
		cv_fail(NULL, file, line, "expected \"attribute = value\"");
		return;
	}
	op.name = w[0];
	op.op = w[1][0];
	op.file = (char *)file;
	op.line = line;
	for (i = 2; i < n; i++)
		strlist_add(&op.v, w[i]);
	xblock_add(c->cur, &op);
	strlist_clear(&op.v);
}

/* A section left open at the end of a file is closed there. */
static void
x_eof(struct xctx *c, const char *file)
{
	if (c->cur == NULL)
		return;
	cv_fail(NULL, file, c->cur->line, "section \"%s\" has no closing "
	    "brace; closed at the end of the file", c->cur->name);
	c->cur = NULL;
	c->pending = 0;
}

static void
x_free(struct xctx *c)
{
	size_t	 i;

	for (i = 0; i < c->nblk; i++) {
		xblock_free(c->blk[i]);
		free(c->blk[i]);
	}
	free(c->blk);
	xblock_free(&c->defaults);
}
