/*
 * libFuzzer target for the desired-state loader (libyaml walk + libcyaml
 * load + semantic checks): any input either loads or yields diagnostics,
 * never a crash or a leak; a loaded model expands without error.
 * -DADT_FUZZ_STANDALONE adds a main() that replays the files on argv.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "model/model.h"
#include "util/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct model *m = NULL;
	struct model_expected e;
	struct diags d;
	struct err err;

	diags_init(&d);
	err_init(&err);
	if (model_load_buf(&m, "fuzz.yaml", (const char *)data, size, &d,
	                   &err) == 0) {
		if (d.n != 0 || model_expand(&e, m, &err) != 0)
			abort(); /* loaded means valid and expandable */
		model_expected_release(&e);
	} else if (m != NULL || (d.n == 0 && err.code == ERR_OK)) {
		abort(); /* a failure must say why and return nothing */
	}
	model_free(m);
	diags_release(&d);
	return 0;
}

#ifdef ADT_FUZZ_STANDALONE
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
