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

#include "tests/fuzz/standalone.h"
