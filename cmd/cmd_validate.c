/*
 * adtrust validate [-f FILE] [--json]: report every problem of a
 * desired-state file, as FILE:LINE:COL: message lines or as JSON.
 */
#include <getopt.h>
#include <stdio.h>

#include <string.h>

#include <jansson.h>

#include "cmd/cmd.h"
#include "cmd/common.h"
#include "model/model.h"
#include "util/err.h"

/* {format_version, adtrust_version, file, valid, diagnostics, summary} */
static int
print_json(const char *file, const struct model *m, const struct diags *d,
           const struct err *fatal, struct err *err)
{
	json_t *root = cmd_json_new(), *diags = json_array(),
	       *sum = json_object();

	json_object_set_new(root, "file", json_string(file));
	json_object_set_new(root, "valid", json_boolean(m != NULL));
	for (size_t i = 0; i < d->n + (fatal != NULL); i++) {
		const struct err *e = i < d->n ? &d->v[i] : fatal;
		json_t *o = json_object();

		json_object_set_new(o, "file",
		                    json_string(e->file[0] ? e->file : file));
		json_object_set_new(o, "line",
		                    e->line ? json_integer(e->line)
		                            : json_null());
		json_object_set_new(o, "column",
		                    e->col ? json_integer(e->col)
		                           : json_null());
		json_object_set_new(o, "severity", json_string("error"));
		json_object_set_new(o, "message", json_string(e->msg));
		json_array_append_new(diags, o);
	}
	json_object_set_new(root, "diagnostics", diags);
	json_object_set_new(sum, "errors",
	                    json_integer((json_int_t)json_array_size(diags)));
	json_object_set_new(sum, "domains",
	                    json_integer(m != NULL ? m->n_domains : 0));
	json_object_set_new(sum, "trusts",
	                    json_integer(m != NULL ? m->n_trusts : 0));
	json_object_set_new(root, "summary", sum);
	return cmd_json_print(root, err);
}

int
cmd_validate(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"file", required_argument, NULL, 'f'},
	        {"json", no_argument, NULL, 'j'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *file = "trusts.yaml";
	struct cmd_desired info;
	struct model *m = NULL;
	struct diags d;
	struct err err, werr;
	bool json = false;
	int c, rc;

	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			file = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			printf("usage: adtrust validate [-f FILE] [--json]\n"
			       "Checks FILE (default trusts.yaml) and prints "
			       "every "
			       "problem as FILE:LINE:COL: message (--json: "
			       "one\nobject with a diagnostics list).\n");
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
	err_init(&werr);
	if (json) {
		rc = cmd_load_desired_keep(&m, &info, file, &d, &err);
		cmd_desired_release(&info);
		/* a problem list is in d; anything else (no file) is one more
		 */
		if (print_json(file, m, &d, rc < 0 && d.n == 0 ? &err : NULL,
		               &werr) < 0) {
			cmd_error(&werr);
			rc = -1;
		}
		model_free(m);
		diags_release(&d);
		return rc < 0 ? 1 : 0;
	}
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
