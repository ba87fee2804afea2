#include "cmd/common.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "providers/prov.h"
#include "util/err.h"
#include "util/xalloc.h"

int
cmd_session_plan(struct cmd_session *s, const struct cmd_source *src,
		 struct err *err)
{
	struct prov_cfg cfg = { 0 };
	struct rec_opts ro = { 0 };
	struct prov *p = NULL;
	char **names = NULL;
	size_t n = 0;
	struct diags d;
	int rc;

	memset(s, 0, sizeof(*s));
	model_state_init(&s->state);
	plan_init(&s->plan);
	diags_init(&d);
	rc = model_load_file(&s->model, src->file, &d, err);
	for (size_t i = 0; i < d.n; i++)
		err_print(&d.v[i], stderr);
	if (rc < 0) {
		if (d.n > 0)
			err_set(err, ERR_INVALID, "'%s' has %zu problem%s",
				src->file, d.n, d.n == 1 ? "" : "s");
		goto out;
	}
	if ((rc = rec_managed_domains(&names, &n, s->model, err)) < 0)
		goto out;
	cfg.model = s->model;
	cfg.snapshot_dir = src->snapshot_dir;
	rc = prov_open(&p,
		       src->snapshot_dir ? &prov_snapshot_ops : &prov_ldap_ops,
		       &cfg, err);
	if (rc < 0)
		goto out;
	if ((rc = prov_read(p, (const char *const *)names, n, &s->state,
			    err)) < 0)
		goto out;
	ro.allow_destroy = src->allow_destroy;
	ro.today = getenv("ADTRUST_TODAY");
	rc = rec_diff(&s->plan, s->model, &s->state, &ro, err);
out:
	prov_close(p);
	rec_names_free(names);
	diags_release(&d);
	return rc;
}

void
cmd_session_release(struct cmd_session *s)
{
	plan_release(&s->plan);
	model_state_release(&s->state);
	model_free(s->model);
	memset(s, 0, sizeof(*s));
}

int
cmd_write_file(const char *path, const char *data, size_t len, unsigned mode,
	       struct err *err)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	int fd, rc = 0;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, (mode_t)mode);
	if (fd < 0) {
		rc = err_set_errno(err, ERR_IO, "cannot create '%s'", tmp);
		goto out;
	}
	if (fchmod(fd, (mode_t)mode) < 0 ||
	    write(fd, data, len) != (ssize_t)len || fsync(fd) < 0) {
		rc = err_set_errno(err, ERR_IO, "cannot write '%s'", tmp);
		close(fd);
		unlink(tmp);
		goto out;
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		rc = err_set_errno(err, ERR_IO, "cannot rename '%s' to '%s'",
				   tmp, path);
		unlink(tmp);
	}
out:
	free(tmp);
	return rc;
}
