/*
 * echo_static: the tiny exec handler of the benchmark: copy stdin to
 * stdout until EOF.  It is linked -static where the toolchain can, so the
 * figures measure process creation rather than the dynamic loader.
 */
#include <errno.h>
#include <unistd.h>

int
main(void)
{
	char	buf[4096];
	ssize_t	n, w, off;

	for (;;) {
		n = read(0, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		for (off = 0; off < n; off += w)
			if ((w = write(1, buf + off, (size_t)(n - off))) <= 0)
				return 1;
	}
}
