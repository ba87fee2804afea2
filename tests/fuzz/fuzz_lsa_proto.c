/*
 * libFuzzer target for the adtrust <-> adtrust-lsa pipe protocol
 * (providers/lsa_proto.c).  Whatever decodes as a frame must encode back
 * to exactly the same bytes (the encoding is canonical), and anything else
 * must be rejected as ERR_INVALID.  The input is also tried as a bare
 * payload.  With -DADT_FUZZ_STANDALONE it gets a main() that runs the files
 * on argv, so gcc (without libFuzzer) can build it and replay a corpus:
 *
 *   clang -std=c11 -D_DEFAULT_SOURCE -I. -g -O1 \
 *     -fsanitize=fuzzer,address,undefined util/err.c util/xalloc.c \
 *     providers/lsa_proto.c tests/fuzz/fuzz_lsa_proto.c -o /tmp/fuzz_lsa &&
 *   /tmp/fuzz_lsa -max_total_time=120 /tmp/lsa-corpus \
 *     tests/fuzz/corpus/lsa_proto
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/lsa_proto.h"
#include "util/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lsa_msg m;
	struct lsa_buf b;
	struct err err;
	size_t used = 0;

	err_init(&err);
	lsa_buf_init(&b);
	if (lsa_proto_decode_frame(&m, data, size, &used, &err) == 0) {
		if (lsa_proto_encode(&b, &m, &err) < 0 || b.len != used ||
		    memcmp(b.p, data, used) != 0)
			abort();
	} else if (err.code != ERR_INVALID) {
		abort();
	}
	lsa_msg_release(&m);
	lsa_buf_release(&b);

	if (lsa_proto_decode(&m, data, size, &err) == 0) {
		if (lsa_proto_encode(&b, &m, &err) < 0 || b.len != size + 4 ||
		    memcmp(b.p + 4, data, size) != 0)
			abort();
	} else if (err.code != ERR_INVALID) {
		abort();
	}
	lsa_msg_release(&m);
	lsa_buf_release(&b);
	return 0;
}

#include "tests/fuzz/standalone.h"
