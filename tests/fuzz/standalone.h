#ifndef ADT_TESTS_FUZZ_STANDALONE_H
#define ADT_TESTS_FUZZ_STANDALONE_H

/*
 * The replay driver of every fuzz target: with -DADT_FUZZ_STANDALONE a
 * target gets a main() that feeds it each file named on argv, so gcc
 * (without libFuzzer) can build it and make check can replay the corpora.
 * Include it at the end of a target, after LLVMFuzzerTestOneInput.
 */
#include <stddef.h>
#include <stdint.h>

/* The libFuzzer entry point every target defines. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifdef ADT_FUZZ_STANDALONE
#include <stdio.h>
#include <stdlib.h>

int
main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		FILE *fp = fopen(argv[i], "rb");
		uint8_t *buf;
		long n;

		if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 ||
		    (n = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0) {
			perror(argv[i]);
			return 1;
		}
		buf = malloc((size_t)n + 1);
		if (buf == NULL || fread(buf, 1, (size_t)n, fp) != (size_t)n) {
			perror(argv[i]);
			return 1;
		}
		fclose(fp);
		LLVMFuzzerTestOneInput(buf, (size_t)n);
		free(buf);
	}
	printf("replayed %d inputs\n", argc - 1);
	return 0;
}
#endif

#endif
