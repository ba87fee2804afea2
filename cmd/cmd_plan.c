/*
 * adtrust plan [-f FILE] [--snapshot DIR] [--json] [-o PLAN.json]
 *              [--detailed-exitcode] [--allow-destroy] [--show-unchanged]
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd/cmd.h"
#include "cmd/common.h"
#include "util/err.h"
#include "util/xalloc.h"

static void
help(void)
{
	printf("usage: adtrust plan [-f FILE] [--snapshot DIR] [--json] "
	       "[-o PLAN.json]\n"
	       "                    [--detailed-exitcode] [--allow-destroy] "
	       "[--show-unchanged]\n\n"
	       "Reads the live state of every domain FILE manages (over LDAP, "
	       "or from the\nLDIF files in DIR) and shows what apply would "
	       "change.\n\n"
	       "  -f FILE              desired state (default trusts.yaml), "
	       "or\n"
	       "                       git:REPO@REV:PATH (read at REV, no "
	       "checkout needed)\n"
	       "  --git-dir DIR --rev REV  the same: FILE at REV of DIR\n"
	       "  --snapshot DIR       read LDIF exports instead of the DCs\n"
	       "  --json               print the plan as JSON\n"
	       "  -o PLAN.json         also save the plan (mode 0600) for "
	       "'adtrust apply PLAN.json'\n"
	       "  --detailed-exitcode  exit 2 when there are changes\n"
	       "  --allow-destroy      do not block deletes/replaces of "
	       "protected trusts\n"
	       "  --show-unchanged     list each unchanged trust side (by "
	       "default one line\n"
	       "                       counts them)\n"
	       "  --state-dir DIR      where applies journal their steps "
	       "(default\n"
	       "                       $ADTRUST_STATE_DIR or "
	       "/var/lib/adtrust): "
	       "a trust an\n"
	       "                       interrupted apply left unfinished is "
	       "shown and repaired\n");
}

int
cmd_plan(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"file", required_argument, NULL, 'f'},
	        {"snapshot", required_argument, NULL, 's'},
	        {"json", no_argument, NULL, 'j'},
	        {"out", required_argument, NULL, 'o'},
	        {"detailed-exitcode", no_argument, NULL, 'd'},
	        {"allow-destroy", no_argument, NULL, 'a'},
	        {"git-dir", required_argument, NULL, 'g'},
	        {"rev", required_argument, NULL, 'r'},
	        {"state-dir", required_argument, NULL, 'S'},
	        {"show-unchanged", no_argument, NULL, 'u'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	struct cmd_source src = {.file = "trusts.yaml"};
	struct cmd_session s;
	const char *out = NULL, *gitdir = NULL, *rev = NULL;
	char *spec = NULL;
	bool json = false, detailed = false;
	unsigned flags = cmd_g.colour ? PLAN_RENDER_COLOUR : 0u;
	struct err err;
	int c, rc;

	while ((c = getopt_long(argc, argv, "f:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			src.file = optarg;
			break;
		case 's':
			src.snapshot_dir = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'o':
			out = optarg;
			break;
		case 'd':
			detailed = true;
			break;
		case 'a':
			src.allow_destroy = true;
			break;
		case 'g':
			gitdir = optarg;
			break;
		case 'r':
			rev = optarg;
			break;
		case 'S':
			src.state_dir = optarg;
			break;
		case 'u':
			flags |= PLAN_RENDER_UNCHANGED;
			break;
		case 'h':
			help();
			return 0;
		default:
			return cmd_usage("plan", "unknown option");
		}
	}
	if (optind < argc)
		return cmd_usage("plan", "unexpected argument '%s'",
		                 argv[optind]);
	if (gitdir != NULL || rev != NULL) {
		spec = xasprintf("git:%s@%s:%s", gitdir ? gitdir : ".",
		                 rev ? rev : "HEAD", src.file);
		src.file = spec;
	}
	err_init(&err);
	if ((rc = cmd_session_plan(&s, &src, &err)) < 0)
		goto fail;
	if (out != NULL) {
		char *buf = NULL;
		size_t len = 0;
		FILE *mem = open_memstream(&buf, &len);

		rc = plan_render_json.render(mem, &s.plan, 0, &err);
		fclose(mem);
		if (rc == 0)
			rc = cmd_write_file(out, buf, len, 0600, &err);
		free(buf);
		if (rc < 0)
			goto fail;
	}
	rc = (json ? &plan_render_json : &plan_render_text)
	             ->render(stdout, &s.plan, flags, &err);
	if (rc < 0)
		goto fail;
	rc = detailed && !plan_is_noop(&s.plan) ? EXIT_CHANGES : 0;
	cmd_session_release(&s);
	free(spec);
	return rc;
fail:
	cmd_error(&err);
	cmd_session_release(&s);
	free(spec);
	return 1;
}
