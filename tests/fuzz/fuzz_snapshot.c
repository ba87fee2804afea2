/*
 * libFuzzer target for the LDIF snapshot reader (providers/snapshot.c on
 * libldap's LDIF parser, and the TDO mapping of providers/tdo.c): the
 * input is written as the one .ldif file of a snapshot directory and the
 * domains a.test and b.test are read from it.  Any input reads or says
 * why (with a file), never a crash or a leak.
 * -DADT_FUZZ_STANDALONE adds a main() that replays the files on argv.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/model.h"
#include "providers/prov.h"
#include "util/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];
static char path[96];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *const doms[] = {"a.test", "b.test"};
	struct prov_cfg cfg;
	struct prov *p = NULL;
	struct model_state st;
	struct err err;
	FILE *fp;
	int rc;

	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "/tmp/adt-fuzz-snap.XXXXXX");
		if (mkdtemp(dir) == NULL)
			abort();
		snprintf(path, sizeof(path), "%s/x.ldif", dir);
	}
	if ((fp = fopen(path, "wb")) == NULL)
		abort();
	if (size > 0 && fwrite(data, 1, size, fp) != size)
		abort();
	fclose(fp);
	memset(&cfg, 0, sizeof(cfg));
	cfg.snapshot_dir = dir;
	model_state_init(&st);
	err_init(&err);
	if (prov_open(&p, &prov_snapshot_ops, &cfg, &err) != 0)
		abort();
	rc = prov_read(p, doms, 2, &st, &err);
	if (rc < 0 && err.code == ERR_OK)
		abort(); /* a failure must say why */
	if (rc == 0 && st.n_domains != 2)
		abort();
	prov_close(p);
	model_state_release(&st);
	return 0;
}

#include "tests/fuzz/standalone.h"
