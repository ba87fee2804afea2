/*
 * libFuzzer target for the saved-plan loader (plan_load_json_buf) and the
 * text renderer that `adtrust show` runs on what it loaded: any input
 * either loads or says why, never a crash or a leak; what renders holds
 * no control character but newlines (a tampered plan must not drive the
 * reviewer's terminal).
 * -DADT_FUZZ_STANDALONE adds a main() that replays the files on argv.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "reconcile/rec.h"
#include "util/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct plan p;
	struct err err;
	char *out = NULL;
	size_t len = 0;
	FILE *fp;

	err_init(&err);
	if (plan_load_json_buf(&p, "fuzz.json", (const char *)data, size,
	                       &err) != 0) {
		if (err.code == ERR_OK)
			abort(); /* a failure must say why */
		plan_release(&p);
		return 0;
	}
	if ((fp = open_memstream(&out, &len)) == NULL)
		abort();
	plan_render_text.render(fp, &p, 0, &err);
	fclose(fp);
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)out[i] < 0x20 && out[i] != '\n') ||
		    out[i] == 0x7f)
			abort();
	free(out);
	plan_release(&p);
	return 0;
}

#include "tests/fuzz/standalone.h"
