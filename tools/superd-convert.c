/*
 * superd-convert: print a superd.conf equivalent to an inetd.conf, an
 * xinetd configuration (file or xinetd.d directory), or systemd socket
 * units with their services.
 *
 * Exit status: 0 everything translated, 1 output printed but some parts
 * were reported on stderr, 2 usage or I/O error.
 */
#include "config.h"

#include <sys/stat.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "convert.h"

enum format {
	FMT_AUTO,
	FMT_INETD,
	FMT_XINETD,
	FMT_SYSTEMD
};

static void	usage(void) __attribute__((noreturn));
static int	convert_dir(const char *, enum format, struct cv_doc *);
static int	convert_file(const char *, enum format, struct cv_doc *);

static void
usage(void)
{
	fprintf(stderr, "usage: superd-convert [-i | -s | -x] [-R root] "
	    "[file | directory | - ...]\n");
	exit(CV_EXIT_USAGE);
}

/* A directory can only be xinetd.d. */
static int
convert_dir(const char *path, enum format fmt, struct cv_doc *d)
{
	if (fmt == FMT_INETD || fmt == FMT_SYSTEMD) {
		fprintf(stderr, "superd-convert: %s: -%c given, but a "
		    "directory can only be an xinetd.d\n", path,
		    fmt == FMT_INETD ? 'i' : 's');
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
	size_t		 len = strlen(path);

	if (fmt == FMT_SYSTEMD || (fmt == FMT_AUTO && len > 7 &&
	    strcmp(path + len - 7, ".socket") == 0)) {
		if (systemd_convert_path(path, d) == 0)
			return 0;
		fprintf(stderr, "superd-convert: %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
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
	static const struct option longopts[] = {
		{ "inetd", no_argument, NULL, 'i' },
		{ "systemd", no_argument, NULL, 's' },
		{ "xinetd", no_argument, NULL, 'x' },
		{ "root", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 }
	};
	char		*dash[] = { "-", NULL }, src[1024];
	int		 ch, rc = 0, i;

	while ((ch = getopt_long(argc, argv, "isxR:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'i':
			fmt = FMT_INETD;
			break;
		case 's':
			fmt = FMT_SYSTEMD;
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
	if (argc == 0) {
		argc = 1;
		argv = dash;
	}
	memset(&d, 0, sizeof(d));
	d.source = strcmp(argv[0], "-") == 0 ? "<stdin>" : argv[0];
	if (argc > 1) {
		snprintf(src, sizeof(src), "%s and %d more", d.source,
		    argc - 1);
		d.source = src;
	}
	for (i = 0; i < argc && rc == 0; i++) {
		if (strcmp(argv[i], "-") != 0 && stat(argv[i], &st) == 0 &&
		    S_ISDIR(st.st_mode))
			rc = convert_dir(argv[i], fmt, &d);
		else
			rc = convert_file(argv[i], fmt, &d);
	}
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
