/*
 * convert_util.c: memory, string lists and whole-file reading for
 * superd-convert.  A converter is short-lived, so out of memory ends it.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"

static void	nomem(void) __attribute__((noreturn));
static void	split_lines(struct cv_file *);

/* Out of memory: nothing useful can be printed any more. */
static void
nomem(void)
{
	fputs("superd-convert: out of memory\n", stderr);
	exit(CV_EXIT_USAGE);
}

void *
xcalloc(size_t n, size_t size)
{
	void	*p;

	if ((p = calloc(n ? n : 1, size ? size : 1)) == NULL)
		nomem();
	return p;
}

char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		nomem();
	return p;
}

/* Append a copy of s. */
void
strlist_add(struct strlist *l, const char *s)
{
	char	**v;

	if ((v = reallocarray(l->v, l->n + 1, sizeof(*v))) == NULL)
		nomem();
	l->v = v;
	l->v[l->n++] = xstrdup(s);
}

/* Remove every entry equal to s (xinetd "-="). */
void
strlist_del(struct strlist *l, const char *s)
{
	size_t	 i, j;

	for (i = j = 0; i < l->n; i++) {
		if (strcmp(l->v[i], s) == 0)
			free(l->v[i]);
		else
			l->v[j++] = l->v[i];
	}
	l->n = j;
}

void
strlist_clear(struct strlist *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* dst becomes a deep copy of src. */
void
strlist_copy(struct strlist *dst, const struct strlist *src)
{
	size_t	 i;

	strlist_clear(dst);
	for (i = 0; i < src->n; i++)
		strlist_add(dst, src->v[i]);
}

int
strlist_has(const struct strlist *l, const char *s)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

/* The same strings in the same order. */
int
strlist_same(const struct strlist *a, const struct strlist *b)
{
	size_t	 i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return 0;
	return 1;
}

/*
 * Cut s in place at blanks; returns the number of words, at most max
 * (the rest of the line stays in the last word).
 */
size_t
split_words(char *s, char **w, size_t max)
{
	size_t	 n = 0;

	while (n < max) {
		s += strspn(s, " \t\r");
		if (*s == '\0')
			break;
		w[n++] = s;
		if (n == max)
			break;
		s += strcspn(s, " \t\r");
		if (*s != '\0')
			*s++ = '\0';
	}
	return n;
}

/* Index the lines of f->text, cutting it at each newline. */
static void
split_lines(struct cv_file *f)
{
	char	*p, *nl;
	size_t	 cap = 0;

	for (p = f->text; *p != '\0'; p = nl + 1) {
		if (f->n == cap) {
			cap = cap ? cap * 2 : 64;
			f->line = reallocarray(f->line, cap, sizeof(char *));
			if (f->line == NULL)
				nomem();
		}
		f->line[f->n++] = p;
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		*nl = '\0';
	}
}

/* Read path whole ("-" is stdin); -1 with errno set on failure. */
int
file_read(const char *path, struct cv_file *f)
{
	FILE	*fp = stdin;
	size_t	 len = 0, cap = 4096, got;
	int	 bad;

	memset(f, 0, sizeof(*f));
	if (strcmp(path, "-") != 0 && (fp = fopen(path, "r")) == NULL)
		return -1;
	f->text = xcalloc(1, cap);
	while ((got = fread(f->text + len, 1, cap - len - 1, fp)) > 0) {
		len += got;
		if (cap - len - 1 == 0) {
			if ((f->text = realloc(f->text, cap * 2)) == NULL)
				nomem();
			cap *= 2;
		}
	}
	f->text[len] = '\0';
	bad = ferror(fp);
	if (fp != stdin && fclose(fp) != 0)
		bad = 1;
	if (bad) {
		free(f->text);
		f->text = NULL;
		errno = EIO;
		return -1;
	}
	f->path = xstrdup(strcmp(path, "-") == 0 ? "<stdin>" : path);
	split_lines(f);
	return 0;
}

void
file_free(struct cv_file *f)
{
	free(f->path);
	free(f->text);
	free(f->line);
	memset(f, 0, sizeof(*f));
}

/* dir/name; a name that is already absolute is returned as is. */
char *
path_join(const char *dir, const char *name)
{
	char	*p;
	size_t	 len;

	if (name[0] == '/' || dir[0] == '\0')
		return xstrdup(name);
	len = strlen(dir) + strlen(name) + 2;
	p = xcalloc(1, len);
	snprintf(p, len, "%s/%s", dir, name);
	return p;
}

const char *
base_name(const char *path)
{
	const char	*s = strrchr(path, '/');

	return s != NULL && s[1] != '\0' ? s + 1 : path;
}
