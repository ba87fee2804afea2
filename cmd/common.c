#include "cmd/common.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cmd/cmd.h"
#include "cmd/state.h"
#include "util/gitsrc.h"
#include "providers/prov.h"
#include "reconcile/audit.h"
#include "util/err.h"
#include "util/esc.h"
#include "util/safefile.h"
#include "util/version.h"
#include "util/xalloc.h"

static void
session_init(struct cmd_session *s)
{
	memset(s, 0, sizeof(*s));
	s->secrets = model_secret_cache_new();
	model_state_init(&s->state);
	plan_init(&s->plan);
}

/*
 * The policy's guardrails over a plan: expired waivers become plan
 * warnings (like expired ignore rules), and a trust side the plan would
 * create or leave in violation of an enforced rule refuses the plan, each
 * violation printed at its YAML position.
 */
static int
guard(struct plan *p, const struct model *m, struct err *err)
{
	const struct model_policy *pol = m->policy;
	struct diags d;
	size_t n;

	for (unsigned i = 0; pol != NULL && i < pol->n_waivers; i++) {
		const struct model_waiver *w = &pol->waivers[i];

		if (strcmp(w->until, p->date) >= 0)
			continue;
		p->warnings = xreallocarray(p->warnings, p->n_warnings + 1,
		                            sizeof(*p->warnings));
		p->warnings[p->n_warnings++] =
		        xasprintf("policy.waivers[%u]: the waiver of %s for %s "
		                  "expired on "
		                  "%s (%s): it no longer applies",
		                  i, w->rule, w->trust, w->until, w->reason);
	}
	diags_init(&d);
	n = rec_policy_check(p, m, &d);
	diags_sort(&d);
	for (size_t i = 0; i < d.n; i++)
		err_print(&d.v[i], stderr);
	diags_release(&d);
	if (n == 0)
		return 0;
	for (size_t i = 0; i < p->n_warnings; i++)
		if (strncmp(p->warnings[i], "policy.", 7) == 0)
			fprintf(stderr, "adtrust: warning: %s\n",
			        p->warnings[i]);
	return err_set(err, ERR_DENIED,
	               "the policy of '%s' refuses this desired state: %zu "
	               "violation%s (above); nothing was planned",
	               m->path ? m->path : "", n, n == 1 ? "" : "s");
}

/*
 * The journals dead applies left for the plan's domains, and their repair
 * in the plan.  A state directory that cannot be read safely (another
 * user's, writable by others) is an error: without its journals a trust a
 * dead apply left half-made would plan as "No changes".  root's directory
 * is read by other users too (a monitoring user's drift).
 */
int
cmd_journals(struct rec_leftovers *out, const char *dir, char *const *domains,
             size_t n, struct err *err)
{
	struct err e2;
	int rc;

	memset(out, 0, sizeof(*out));
	err_init(&e2);
	if (dir == NULL)
		dir = state_dir(NULL);
	if ((rc = safefile_dir_check_read(dir, &e2)) < 0) {
		if (rc == ERR_NOTFOUND)
			return 0;
		return err_set(err, rc,
		               "the journals of interrupted applies cannot be "
		               "read (%s): without them a trust a dead apply "
		               "left half-made would look healthy",
		               e2.msg);
	}
	if ((rc = rec_journal_scan(out, dir, (const char *const *)domains, n,
	                           err)) < 0)
		return err_prefix(err, "reading the apply journals");
	return 0;
}

static int
scan_journals(struct cmd_session *s, const char *dir, struct err *err)
{
	int rc;

	if ((rc = cmd_journals(&s->leftovers, dir, s->plan.domains,
	                       s->plan.n_domains, err)) < 0)
		return rc;
	rec_plan_repair(&s->plan, &s->leftovers);
	return 0;
}

int
cmd_read_state(struct model_state *out, const struct prov_cfg *cfg,
               const char *const *domains, size_t n, struct err *err)
{
	struct prov *p = NULL;
	int rc;

	rc = prov_open(&p,
	               cfg->snapshot_dir ? &prov_snapshot_ops : &prov_ldap_ops,
	               cfg, err);
	if (rc == 0)
		rc = prov_read(p, domains, n, out, err);
	prov_close(p);
	return rc;
}

/*
 * Prints each object rec_prints_moved finds changed between plan p and
 * the state st ("adtrust: moved: ..." on stderr) and returns how many.
 */
static size_t
moved_print(const struct plan *p, const struct model_state *st)
{
	char **moved = NULL;
	size_t n = rec_prints_moved(p, st, &moved);

	for (size_t i = 0; i < n; i++) {
		fputs("adtrust: moved: ", stderr);
		esc_fputs(moved[i], stderr);
		fputc('\n', stderr);
		free(moved[i]);
	}
	free(moved);
	return n;
}

int
cmd_session_plan(struct cmd_session *s, const struct cmd_source *src,
                 struct err *err)
{
	struct prov_cfg cfg = {0};
	struct rec_opts ro = {0};
	struct cmd_desired info = {0};
	char **names = NULL;
	size_t n = 0;
	struct diags d;
	int rc;

	session_init(s);
	diags_init(&d);
	if ((rc = cmd_load_desired(&s->model, &info, src->file, err)) < 0)
		goto out;
	if ((rc = rec_managed_domains(&names, &n, s->model, err)) < 0)
		goto out;
	cfg.model = s->model;
	cfg.snapshot_dir = src->snapshot_dir;
	cfg.secrets = s->secrets;
	cfg.trace = cmd_trace();
	if ((rc = cmd_read_state(&s->state, &cfg, (const char *const *)names, n,
	                         err)) < 0)
		goto out;
	ro.allow_destroy = src->allow_destroy;
	ro.today = getenv("ADTRUST_TODAY");
	rc = rec_diff(&s->plan, s->model, &s->state, &ro, err);
	if (rc == 0)
		rc = guard(&s->plan, s->model, err);
	if (rc == 0 && src->snapshot_dir != NULL)
		s->plan.snapshot = xstrdup(src->snapshot_dir);
	else if (rc == 0)
		rc = scan_journals(s, src->state_dir, err);
	if (rc == 0 && info.git_repo == NULL && strcmp(src->file, "-") != 0)
		s->plan.source_abspath = realpath(src->file, NULL);
	if (rc == 0 && info.git_repo != NULL) {
		s->plan.git_commit = xstrdup(info.git_commit);
		s->plan.git_dirty = info.git_dirty;
		s->plan.git_repo = xstrdup(info.git_repo);
		s->plan.git_path = xstrdup(info.git_path);
	}
out:
	cmd_desired_release(&info);
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
	model_secret_cache_free(s->secrets);
	rec_leftovers_release(&s->leftovers);
	memset(s, 0, sizeof(*s));
}

int
cmd_write_file(const char *path, const char *data, size_t len, unsigned mode,
               struct err *err)
{
	/* a random O_EXCL temp, renamed over path: see util/safefile.h */
	return safefile_write(path, data, len, (mode_t)mode, err);
}

static bool
same_plan(const struct plan *a, const struct plan *b)
{
	size_t na = 0, nb = 0;

	for (size_t i = 0; i < a->n_items; i++)
		na += a->items[i].action != PLAN_NOOP;
	for (size_t i = 0; i < b->n_items; i++)
		nb += b->items[i].action != PLAN_NOOP;
	if (na != nb || a->n_items != b->n_items)
		return false;
	for (size_t i = 0; i < a->n_items; i++) {
		const struct plan_item *x = &a->items[i], *y = &b->items[i];

		if (x->action != y->action || strcmp(x->address, y->address) ||
		    x->n_changes != y->n_changes)
			return false;
		for (size_t j = 0; j < x->n_changes; j++)
			if (strcmp(x->changes[j].field, y->changes[j].field) ||
			    strcmp(x->changes[j].after, y->changes[j].after))
				return false;
	}
	return true;
}

int
cmd_session_saved(struct cmd_session *s, const char *plan_path,
                  bool allow_destroy, bool git_check, const char *sdir,
                  struct err *err)
{
	struct prov_cfg cfg = {0};
	struct rec_opts ro = {0};
	struct plan saved;
	struct diags d;
	size_t n_moved;
	int rc;

	session_init(s);
	diags_init(&d);
	/* the reviewed plan: nobody but us (or root) may have changed it */
	if ((rc = plan_load_json(&saved, plan_path, SAFEFILE_OWNED, err)) < 0) {
		if (rc == ERR_DENIED) {
			char why[sizeof(err->msg)];

			snprintf(why, sizeof(why), "%s", err->msg);
			err_set(err, ERR_DENIED,
			        "%s; another user could have changed the plan "
			        "after it was reviewed: make it again with "
			        "'adtrust plan -o' as the user who applies it",
			        why);
		}
		return rc;
	}
	if (saved.snapshot != NULL) {
		rc = err_set(err, ERR_INVALID,
		             "'%s' was planned against the snapshot '%s', not "
		             "the live domains: it cannot be applied",
		             plan_path, saved.snapshot);
		goto out;
	}
	if (saved.desired_text == NULL) {
		rc = err_set(err, ERR_INVALID,
		             "'%s' does not hold its desired state", plan_path);
		goto out;
	}
	rc = model_load_buf(&s->model, saved.source_path, saved.desired_text,
	                    strlen(saved.desired_text), &d, err);
	for (size_t i = 0; i < d.n; i++)
		err_print(&d.v[i], stderr);
	if (rc < 0)
		goto out;
	if (strcmp(s->model->sha256, saved.source_sha256) != 0) {
		rc = err_set(err, ERR_INVALID,
		             "'%s': the desired state it holds does not match "
		             "its recorded sha256 (the plan file was altered)",
		             plan_path);
		goto out;
	}
	if (saved.git_repo != NULL && saved.git_commit != NULL &&
	    saved.git_path != NULL) {
		struct gitsrc_src gs = {0};
		struct err e2;
		char *buf = NULL;
		size_t len = 0;

		err_init(&e2);
		if (gitsrc_read(&buf, &len, &gs, saved.git_repo,
		                saved.git_commit, saved.git_path, &e2) < 0) {
			if (git_check) {
				rc = err_set(
				        err, ERR_INVALID,
				        "'%s': cannot check its desired state "
				        "against commit %.12s (%s); "
				        "--no-git-check applies it on its "
				        "sha256 alone",
				        plan_path, saved.git_commit, e2.msg);
			} else {
				char *c = esc_str(saved.git_commit);

				fprintf(stderr,
				        "adtrust: note: not checked against "
				        "commit %.12s (--no-git-check)\n",
				        c);
				free(c);
			}
		} else if (len != strlen(saved.desired_text) ||
		           memcmp(buf, saved.desired_text, len) != 0) {
			rc = err_set(err, ERR_INVALID,
			             "'%s': its desired state is not '%s' at "
			             "commit %.12s",
			             plan_path, saved.git_path,
			             saved.git_commit);
		}
		free(buf);
		gitsrc_src_release(&gs);
		if (rc < 0)
			goto out;
	}
	cfg.model = s->model;
	cfg.secrets = s->secrets;
	cfg.trace = cmd_trace();
	if ((rc = cmd_read_state(&s->state, &cfg,
	                         (const char *const *)saved.domains,
	                         saved.n_domains, err)) < 0)
		goto out;
	if ((n_moved = moved_print(&saved, &s->state)) > 0) {
		rc = err_set(err, ERR_CONFLICT,
		             "'%s' is stale: %zu object%s changed since it was "
		             "planned; nothing was applied (plan again)",
		             plan_path, n_moved, n_moved == 1 ? "" : "s");
		goto out;
	}
	ro.allow_destroy = allow_destroy;
	ro.today = saved.date;
	if ((rc = rec_diff(&s->plan, s->model, &s->state, &ro, err)) < 0)
		goto out;
	if ((rc = guard(&s->plan, s->model, err)) < 0)
		goto out;
	if ((rc = scan_journals(s, sdir, err)) < 0)
		goto out;
	if (!same_plan(&s->plan, &saved)) {
		rc = err_set(err, ERR_CONFLICT,
		             "'%s' no longer describes the live domains; "
		             "nothing was applied (plan again)",
		             plan_path);
		goto out;
	}
	s->plan.git_commit = saved.git_commit;
	saved.git_commit = NULL;
	s->plan.source_abspath = saved.source_abspath;
	saved.source_abspath = NULL;
	s->plan.git_repo = saved.git_repo;
	saved.git_repo = NULL;
	s->plan.git_path = saved.git_path;
	saved.git_path = NULL;
out:
	plan_release(&saved);
	diags_release(&d);
	return rc;
}

int
cmd_record_applied(const struct plan *p, const char *dir, struct err *err)
{
	char ref[512], *msg;
	int rc;

	if (p->git_repo != NULL && p->git_commit != NULL) {
		gitsrc_refname(ref, sizeof(ref), "refs/adtrust/applied/",
		               p->git_path);
		msg = xasprintf("adtrust apply of %s", p->git_path);
		rc = gitsrc_ref_set(p->git_repo, ref, p->git_commit, msg, err);
		free(msg);
		return rc;
	}
	if (p->desired_text == NULL)
		return 0;
	return state_applied_write(
	        dir, p->source_abspath ? p->source_abspath : p->source_path,
	        p->desired_text, err);
}

int
cmd_session_recheck(const struct cmd_session *s, struct err *err)
{
	struct prov_cfg cfg = {
	        .model = s->model, .secrets = s->secrets, .trace = cmd_trace()};
	struct model_state st;
	size_t n;
	int rc;

	model_state_init(&st);
	if ((rc = cmd_read_state(&st, &cfg,
	                         (const char *const *)s->plan.domains,
	                         s->plan.n_domains, err)) < 0)
		goto out;
	if ((n = moved_print(&s->plan, &st)) > 0) {
		rc = err_set(err, ERR_CONFLICT,
		             "%zu object%s changed while waiting for the apply "
		             "lock; nothing was applied (plan again)",
		             n, n == 1 ? "" : "s");
	}
out:
	model_state_release(&st);
	return rc;
}

/* The policy block names rules that exist and can be enforced. */
static int
policy_ok(struct model **m, struct diags *d, struct err *err)
{
	rec_policy_validate(*m, d);
	if (d->n == 0)
		return 0;
	model_free(*m);
	*m = NULL;
	return err_set(err, ERR_INVALID, "invalid policy");
}

static int
load_desired(struct model **out, struct cmd_desired *info, const char *spec,
             struct diags *keep, struct err *err)
{
	struct gitsrc_src src = {0};
	char *repo = NULL, *rev = NULL, *path = NULL, *buf = NULL;
	size_t len = 0;
	struct diags d;
	int rc;

	*out = NULL;
	memset(info, 0, sizeof(*info));
	diags_init(&d);
	if (strncmp(spec, "git:", 4) != 0) {
		rc = model_load_file(out, spec, &d, err);
		if (rc == 0)
			rc = policy_ok(out, &d, err);
		goto out;
	}
	if ((rc = gitsrc_spec_parse(&repo, &rev, &path, spec, err)) < 0)
		goto out;
	if ((rc = gitsrc_read(&buf, &len, &src, repo, rev, path, err)) < 0)
		goto out;
	rc = model_load_buf(out, spec, buf, len, &d, err);
	if (rc == 0)
		rc = policy_ok(out, &d, err);
	if (rc == 0) {
		info->git_repo = xstrdup(src.repo_path);
		info->git_path = xstrdup(path);
		memcpy(info->git_commit, src.commit, sizeof(info->git_commit));
		info->git_dirty = src.dirty;
	}
out:
	for (size_t i = 0; i < d.n; i++)
		if (keep != NULL)
			*diags_add(keep) = d.v[i];
		else
			err_print(&d.v[i], stderr);
	if (rc < 0 && d.n > 0)
		err_set(err, ERR_INVALID, "'%s' has %zu problem%s", spec, d.n,
		        d.n == 1 ? "" : "s");
	diags_release(&d);
	gitsrc_src_release(&src);
	free(repo);
	free(rev);
	free(path);
	free(buf);
	return rc;
}

int
cmd_load_desired(struct model **out, struct cmd_desired *info, const char *spec,
                 struct err *err)
{
	return load_desired(out, info, spec, NULL, err);
}

int
cmd_load_desired_keep(struct model **out, struct cmd_desired *info,
                      const char *spec, struct diags *keep, struct err *err)
{
	return load_desired(out, info, spec, keep, err);
}

json_t *
cmd_json_new(void)
{
	json_t *o = json_object();

	json_object_set_new(o, "format_version", json_string("1"));
	json_object_set_new(o, "adtrust_version",
	                    json_string(version_string()));
	return o;
}

int
cmd_json_print(json_t *doc, struct err *err)
{
	int rc = 0;

	if (json_dumpf(doc, stdout, JSON_INDENT(2)) != 0 ||
	    putchar('\n') == EOF || ferror(stdout))
		rc = err_set(err, ERR_IO, "cannot write the JSON output");
	json_decref(doc);
	return rc;
}

void
cmd_desired_release(struct cmd_desired *info)
{
	free(info->git_repo);
	free(info->git_path);
	memset(info, 0, sizeof(*info));
}

int
cmd_applied_text(char **out, const struct cmd_desired *info, const char *spec,
                 const char *dir, struct err *err)
{
	struct gitsrc_src src = {0};
	char ref[512], commit[41];
	size_t len;
	int rc;

	*out = NULL;
	if (info->git_repo == NULL)
		return state_applied_read(out, dir, spec, err);
	gitsrc_refname(ref, sizeof(ref), "refs/adtrust/applied/",
	               info->git_path);
	if ((rc = gitsrc_ref_get(commit, info->git_repo, ref, err)) < 0)
		return rc;
	rc = gitsrc_read(out, &len, &src, info->git_repo, commit,
	                 info->git_path, err);
	gitsrc_src_release(&src);
	return rc;
}
