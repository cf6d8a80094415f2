/*
 * journal_recv: stand in for journald's native socket in tests.
 * usage: journal_recv PATH SECONDS
 * Binds a datagram socket at PATH and, until SECONDS have passed, reads
 * each datagram as one entry of the native protocol: FIELD=value lines,
 * or FIELD, newline, a 64-bit little-endian length, the value, newline.
 * Prints each entry as FIELD=value lines (a newline in a value printed as
 * \n, a backslash as \\), then "--".  A datagram that breaks the protocol,
 * or carries more than one entry (an empty line, or a field twice), gets a
 * line BAD=why.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_FIELDS	64

static unsigned char	buf[256 * 1024];

/* journald's rule: A-Z, 0-9 and _, not first a digit or _, 64 at most. */
static int
valid_name(const unsigned char *p, size_t n)
{
	size_t	i;

	if (n == 0 || n > 64 || (p[0] >= '0' && p[0] <= '9') || p[0] == '_')
		return 0;
	for (i = 0; i < n; i++)
		if (!((p[i] >= 'A' && p[i] <= 'Z') ||
		    (p[i] >= '0' && p[i] <= '9') || p[i] == '_'))
			return 0;
	return 1;
}

static void
print_field(const unsigned char *name, size_t nlen, const unsigned char *v,
    size_t vlen)
{
	size_t	i;

	fwrite(name, 1, nlen, stdout);
	putchar('=');
	for (i = 0; i < vlen; i++) {
		if (v[i] == '\n')
			fputs("\\n", stdout);
		else if (v[i] == '\\')
			fputs("\\\\", stdout);
		else
			putchar(v[i]);
	}
	putchar('\n');
}

/* Was this field name in the entry already?  Remember it if not. */
static int
seen_before(const unsigned char **names, size_t *lens, size_t *n,
    const unsigned char *name, size_t len)
{
	size_t	i;

	for (i = 0; i < *n; i++)
		if (lens[i] == len && memcmp(names[i], name, len) == 0)
			return 1;
	if (*n < MAX_FIELDS) {
		names[*n] = name;
		lens[(*n)++] = len;
	}
	return 0;
}

/* One datagram: one entry.  NULL, or what is wrong with it. */
static const char *
parse_entry(const unsigned char *p, const unsigned char *end)
{
	const unsigned char	*names[MAX_FIELDS], *nl, *eq, *v;
	size_t			 lens[MAX_FIELDS], nnames = 0, nlen, vlen;
	uint64_t		 len;
	int			 i;

	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return "a field without its newline";
		if (nl == p)
			return "an empty line: more than one entry";
		if ((eq = memchr(p, '=', (size_t)(nl - p))) != NULL) {
			nlen = (size_t)(eq - p);
			v = eq + 1;
			vlen = (size_t)(nl - v);
		} else {
			nlen = (size_t)(nl - p);
			if (end - nl - 1 < 8)
				return "a binary field without its length";
			for (len = 0, i = 7; i >= 0; i--)
				len = len << 8 | nl[1 + i];
			v = nl + 9;
			if (len >= (uint64_t)(end - v) || v[len] != '\n')
				return "a binary field of the wrong length";
			vlen = (size_t)len;
			nl = v + vlen;
		}
		if (!valid_name(p, nlen))
			return "an invalid field name";
		if (seen_before(names, lens, &nnames, p, nlen))
			return "a field twice: more than one entry";
		print_field(p, nlen, v, vlen);
		p = nl + 1;
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	struct sockaddr_un	sun = { .sun_family = AF_UNIX };
	struct pollfd		pfd;
	const char		*bad;
	time_t			end;
	ssize_t			n;

	if (argc != 3 || strlen(argv[1]) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "usage: journal_recv PATH SECONDS\n");
		return 2;
	}
	strcpy(sun.sun_path, argv[1]);
	unlink(argv[1]);
	pfd.fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (pfd.fd == -1 || bind(pfd.fd, (struct sockaddr *)&sun,
	    sizeof(sun)) == -1) {
		perror(argv[1]);
		return 1;
	}
	pfd.events = POLLIN;
	end = time(NULL) + atoi(argv[2]);
	while (time(NULL) < end) {
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		if ((n = recv(pfd.fd, buf, sizeof(buf), MSG_TRUNC)) < 0)
			break;
		if ((size_t)n > sizeof(buf))
			bad = "a datagram too long";
		else
			bad = parse_entry(buf, buf + n);
		if (bad != NULL)
			printf("BAD=%s\n", bad);
		printf("--\n");
		fflush(stdout);
	}
	unlink(argv[1]);
	return 0;
}
