/*
 * superd-convert: print a superd.conf equivalent to an inetd.conf or an
 * xinetd configuration (file or xinetd.d directory).
 *
 * Exit status: 0 everything translated, 1 output printed but some parts
 * were reported on stderr, 2 usage or I/O error.
 */
#include "config.h"

#include <sys/stat.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "convert.h"

enum format {
	FMT_AUTO,
	FMT_INETD,
	FMT_XINETD
};

static void	usage(void) __attribute__((noreturn));
static int	convert_dir(const char *, enum format, struct cv_doc *);
static int	convert_file(const char *, enum format, struct cv_doc *);

static void
usage(void)
{
	fprintf(stderr, "usage: superd-convert [-ix] [-R root] "
	    "[file | directory | -]\n");
	exit(CV_EXIT_USAGE);
}

/* A directory can only be xinetd.d. */
static int
convert_dir(const char *path, enum format fmt, struct cv_doc *d)
{
	if (fmt == FMT_INETD) {
		fprintf(stderr, "superd-convert: %s: -i given, but a directory "
		    "can only be an xinetd.d\n", path);
		return -1;
	}
	if (xinetd_convert_path(path, d) == -1) {
		fprintf(stderr, "superd-convert: %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

static int
convert_file(const char *path, enum format fmt, struct cv_doc *d)
{
	struct cv_file	 f;

	if (file_read(path, &f) == -1) {
		fprintf(stderr, "superd-convert: %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	if (fmt == FMT_AUTO)
		fmt = xinetd_looks_like(&f) ? FMT_XINETD : FMT_INETD;
	if (fmt == FMT_XINETD)
		xinetd_convert_file(&f, d);
	else
		inetd_convert(&f, d);
	file_free(&f);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct cv_doc	 d;
	struct stat	 st;
	enum format	 fmt = FMT_AUTO;
	const char	*path = "-";
	int		 ch, rc;

	while ((ch = getopt(argc, argv, "ixR:")) != -1) {
		switch (ch) {
		case 'i':
			fmt = FMT_INETD;
			break;
		case 'x':
			fmt = FMT_XINETD;
			break;
		case 'R':
			xinetd_set_root(optarg);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 1)
		usage();
	if (argc == 1)
		path = argv[0];
	memset(&d, 0, sizeof(d));
	d.source = strcmp(path, "-") == 0 ? "<stdin>" : path;
	if (strcmp(path, "-") != 0 && stat(path, &st) == 0 &&
	    S_ISDIR(st.st_mode))
		rc = convert_dir(path, fmt, &d);
	else
		rc = convert_file(path, fmt, &d);
	if (rc == -1)
		return CV_EXIT_USAGE;
	doc_unique(&d);
	out_doc(stdout, &d);
	doc_free(&d);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "superd-convert: stdout: %s\n",
		    strerror(errno));
		return CV_EXIT_USAGE;
	}
	return cv_status();
}
