/*
 * test_fuzz_corpus: run every file of the committed fuzz corpus
 * (tests/fuzz/corpus) through the fuzz entry point, so that make check
 * exercises the line protocols' parsers, and the invariants that
 * tests/fuzz/fuzz_proto.c checks, without clang.
 */
#include "config.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#ifndef FUZZ_CORPUS
#error "FUZZ_CORPUS: the corpus directory"
#endif

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Read path whole; its size into *len. */
static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE	*fp;
	uint8_t	*buf;
	long	 n;

	assert_non_null(fp = fopen(path, "rb"));
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	assert_true((n = ftell(fp)) >= 0);
	rewind(fp);
	/* One byte more so that an empty file is a valid allocation. */
	assert_non_null(buf = malloc((size_t)n + 1));
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

/* Every file, in the same entry point as the fuzzer. */
static void
test_corpus(void **state)
{
	DIR		*d;
	struct dirent	*de;
	char		 path[4096];
	uint8_t		*buf;
	size_t		 len, n = 0;

	(void)state;
	assert_non_null(d = opendir(FUZZ_CORPUS));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", FUZZ_CORPUS, de->d_name);
		buf = slurp(path, &len);
		assert_int_equal(LLVMFuzzerTestOneInput(buf, len), 0);
		free(buf);
		n++;
	}
	closedir(d);
	print_message("%zu corpus files\n", n);
	/* A corpus that went missing must not pass as a green run. */
	assert_true(n >= 10);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
