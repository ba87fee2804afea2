/*
 * libFuzzer target for the msDS-TrustForestTrustInfo decoder: whatever
 * decodes must encode back to the same bytes and decode to the same records.
 * With -DADT_FUZZ_STANDALONE it gets a main() that runs the files on argv,
 * so gcc (without libFuzzer) can build it and replay a corpus.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/fti.h"
#include "util/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
str_eq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	       (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int
rec_eq(const struct fti_record *a, const struct fti_record *b)
{
	return a->type == b->type && a->flags == b->flags &&
	       memcmp(a->ts, b->ts, 8) == 0 && str_eq(a->name, b->name) &&
	       str_eq(a->netbios, b->netbios) && str_eq(a->sid, b->sid) &&
	       a->raw_len == b->raw_len &&
	       (a->raw == NULL) == (b->raw == NULL) &&
	       (a->raw_len == 0 || memcmp(a->raw, b->raw, a->raw_len) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fti a, b;
	struct err err;
	uint8_t *enc = NULL;
	size_t len;

	fti_init(&b);
	if (fti_decode(&a, data, size, &err) < 0) {
		if (err.code != ERR_INVALID)
			abort();
		return 0;
	}
	if (fti_encode(&enc, &len, &a, &err) < 0 || len != size ||
	    memcmp(enc, data, size) != 0)
		abort();
	if (fti_decode(&b, enc, len, &err) < 0 || b.n != a.n)
		abort();
	for (size_t i = 0; i < a.n; i++)
		if (!rec_eq(&a.rec[i], &b.rec[i]))
			abort();
	free(enc);
	fti_release(&a);
	fti_release(&b);
	return 0;
}

#include "tests/fuzz/standalone.h"
