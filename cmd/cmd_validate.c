/* adtrust validate [-f FILE]: report every problem of a desired-state file. */
#include <getopt.h>
#include <stdio.h>

#include <string.h>

#include "cmd/cmd.h"
#include "cmd/common.h"
#include "model/model.h"
#include "util/err.h"

int
cmd_validate(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"file", required_argument, NULL, 'f'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *file = "trusts.yaml";
	struct cmd_desired info;
	struct model *m = NULL;
	struct diags d;
	struct err err;
	int c, rc;

	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			file = optarg;
			break;
		case 'h':
			printf("usage: adtrust validate [-f FILE]\n"
			       "Checks FILE (default trusts.yaml) and prints "
			       "every "
			       "problem as FILE:LINE:COL: message.\n");
			return 0;
		default:
			return cmd_usage("validate", "unknown option");
		}
	}
	if (optind < argc)
		return cmd_usage("validate", "unexpected argument '%s'",
		                 argv[optind]);
	diags_init(&d);
	err_init(&err);
	rc = cmd_load_desired(&m, &info, file, &err);
	cmd_desired_release(&info);
	if (rc < 0 && err.code != ERR_INVALID)
		cmd_error(&err);
	else if (rc < 0 && strstr(err.msg, "problem") == NULL)
		cmd_error(&err);
	else if (rc == 0 && !cmd_g.quiet)
		printf("%s: valid (%u domain%s, %u trust%s)\n", file,
		       m->n_domains, m->n_domains == 1 ? "" : "s", m->n_trusts,
		       m->n_trusts == 1 ? "" : "s");
	model_free(m);
	diags_release(&d);
	return rc < 0 ? 1 : 0;
}
