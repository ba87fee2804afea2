/*
 * adtrust show [--json] [--show-unchanged] PLAN.json: render a saved plan
 * (offline).
 */
#include <getopt.h>
#include <stdio.h>

#include "cmd/cmd.h"
#include "reconcile/rec.h"
#include "util/err.h"

int
cmd_show(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"json", no_argument, NULL, 'j'},
	        {"show-unchanged", no_argument, NULL, 'u'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	struct plan p;
	struct err err;
	bool json = false;
	unsigned flags = cmd_g.colour ? PLAN_RENDER_COLOUR : 0u;
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'u':
			flags |= PLAN_RENDER_UNCHANGED;
			break;
		case 'h':
			printf("usage: adtrust show [--json] "
			       "[--show-unchanged] "
			       "PLAN.json\n"
			       "Renders a plan saved by 'adtrust plan -o'; the "
			       "JSON's no_op says whether it changes "
			       "anything.\n");
			return 0;
		default:
			return cmd_usage("show", "unknown option");
		}
	}
	if (optind + 1 != argc)
		return cmd_usage("show", "give one saved plan (PLAN.json)");
	err_init(&err);
	if ((rc = plan_load_json(&p, argv[optind], 0, &err)) < 0) {
		cmd_error(&err);
		return 1;
	}
	rc = (json ? &plan_render_json : &plan_render_text)
	             ->render(stdout, &p, flags, &err);
	plan_release(&p);
	if (rc < 0) {
		cmd_error(&err);
		return 1;
	}
	return 0;
}
