#include "util/gitsrc.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <git2.h>

#include "util/err.h"
#include "util/safefile.h"
#include "util/xalloc.h"

static enum err_code
code_of(int grc)
{
	switch (grc) {
	case GIT_ENOTFOUND:
		return ERR_NOTFOUND;
	case GIT_EAMBIGUOUS:
	case GIT_EINVALIDSPEC:
	case GIT_EINVALID:
		return ERR_INVALID;
	default:
		return ERR_BACKEND;
	}
}

/*
 * Sets err to "<what>: <libgit2's message>" with code and libgit2's return
 * code in sys.  Must run before git_libgit2_shutdown(), which frees the
 * message.
 */
static int git_fail(struct err *err, enum err_code code, int grc,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
git_fail(struct err *err, enum err_code code, int grc, const char *fmt, ...)
{
	const git_error *e = git_error_last();
	char what[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (e != NULL && e->message != NULL && e->message[0] != '\0')
		err_set(err, code, "%s: %s", what, e->message);
	else
		err_set(err, code, "%s (libgit2 error %d)", what, grc);
	err->sys = grc;
	return code;
}

/*
 * Opens the repository at or above path.  libgit2 1.5.1 refuses a
 * repository owned by another uid with a misleading "config value
 * 'safe.directory' was not found" (fixed upstream after 1.5.1), which
 * breaks CI containers whose checkout belongs to another uid.  Owner
 * validation is a libgit2-global switch, so it is turned off only around
 * the open (ownership is checked there and nowhere else) and restored.
 */
static int
repo_open(git_repository **out, const char *path, struct err *err)
{
	int saved = 1, grc;

	git_libgit2_opts(GIT_OPT_GET_OWNER_VALIDATION, &saved);
	git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
	grc = git_repository_open_ext(out, path, 0, NULL);
	git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, saved);
	if (grc < 0)
		return git_fail(err, code_of(grc), grc,
		                "cannot open git repository '%s'", path);
	return 0;
}

int
gitsrc_spec_parse(char **repo, char **rev, char **path, const char *spec,
                  struct err *err)
{
	const char *body, *colon, *at = NULL;

	*repo = *rev = *path = NULL;
	if (strncmp(spec, "git:", 4) != 0)
		return err_set(err, ERR_INVALID,
		               "git source '%s' does not start with 'git:'",
		               spec);
	body = spec + 4;
	if ((colon = strchr(body, ':')) == NULL)
		return err_set(err, ERR_INVALID,
		               "git source '%s' has no ':PATH' "
		               "(expected git:REPO@REV:PATH)",
		               spec);
	/* The last '@' that does not open "@{...}" (as in "main@{1}"). */
	for (const char *p = body; p < colon; p++)
		if (*p == '@' && p[1] != '{')
			at = p;
	if (at == NULL)
		return err_set(err, ERR_INVALID,
		               "git source '%s' has no '@REV' "
		               "(expected git:REPO@REV:PATH)",
		               spec);
	if (at == body)
		return err_set(err, ERR_INVALID,
		               "git source '%s' has an empty repository", spec);
	if (at + 1 == colon)
		return err_set(err, ERR_INVALID,
		               "git source '%s' has an empty revision", spec);
	if (colon[1] == '\0')
		return err_set(err, ERR_INVALID,
		               "git source '%s' has an empty path", spec);
	if (colon[1] == '/')
		return err_set(err, ERR_INVALID,
		               "git source '%s': path must be relative to the "
		               "repository root",
		               spec);
	*repo = xstrndup(body, (size_t)(at - body));
	*rev = xstrndup(at + 1, (size_t)(colon - at - 1));
	*path = xstrdup(colon + 1);
	return 0;
}

/*
 * Whether the work tree's path differs from tree (the resolved commit's,
 * which need not be HEAD's).  git_status_* would compare with HEAD only.
 */
static int
work_dirty(bool *out, git_repository *r, git_tree *tree, const char *path,
           struct err *err)
{
	const char *wd = git_repository_workdir(r);
	git_diff_options opts;
	git_diff *diff = NULL;
	struct stat st;
	char *full = NULL, *spec[1];
	int rc = 0, grc;

	*out = false;
	if (wd == NULL)
		return 0;
	full = xasprintf("%s%s", wd, path); /* wd ends with '/' */
	if (lstat(full, &st) < 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			rc = err_set_errno(err, ERR_IO, "cannot stat '%s'",
			                   full);
		goto out;
	}
	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	spec[0] = full + strlen(wd);
	opts.pathspec.strings = spec;
	opts.pathspec.count = 1;
	opts.flags |= GIT_DIFF_DISABLE_PATHSPEC_MATCH;
	if ((grc = git_diff_tree_to_workdir_with_index(&diff, r, tree, &opts)) <
	    0) {
		rc = git_fail(err, ERR_BACKEND, grc,
		              "cannot compare '%s' with the work tree of '%s'",
		              path, wd);
		goto out;
	}
	*out = git_diff_num_deltas(diff) > 0;
out:
	git_diff_free(diff);
	free(full);
	return rc;
}

int
gitsrc_read(char **buf, size_t *len, struct gitsrc_src *src, const char *repo,
            const char *rev, const char *path, struct err *err)
{
	git_repository *r = NULL;
	git_object *obj = NULL, *cobj = NULL;
	git_tree *tree = NULL;
	git_tree_entry *te = NULL;
	git_blob *blob = NULL;
	git_object_size_t size;
	size_t n;
	int rc, grc;

	*buf = NULL;
	*len = 0;
	memset(src, 0, sizeof(*src));
	if (path[0] == '\0' || path[0] == '/')
		return err_set(err, ERR_INVALID,
		               "path '%s' in '%s' must be relative to the "
		               "repository root",
		               path, repo);
	git_libgit2_init();
	if ((rc = repo_open(&r, repo, err)) < 0)
		goto out;
	if ((grc = git_revparse_single(&obj, r, rev)) < 0) {
		if (grc == GIT_ENOTFOUND)
			rc = git_fail(err, ERR_NOTFOUND, grc,
			              "revision '%s' not found in '%s'", rev,
			              repo);
		else
			rc = git_fail(err, code_of(grc), grc,
			              "cannot resolve revision '%s' in '%s'",
			              rev, repo);
		goto out;
	}
	if ((grc = git_object_peel(&cobj, obj, GIT_OBJECT_COMMIT)) < 0) {
		rc = git_fail(err, ERR_INVALID, grc,
		              "revision '%s' in '%s' is not a commit", rev,
		              repo);
		goto out;
	}
	git_oid_tostr(src->commit, sizeof(src->commit), git_object_id(cobj));
	if ((grc = git_commit_tree(&tree, (git_commit *)cobj)) < 0) {
		rc = git_fail(err, ERR_BACKEND, grc,
		              "cannot read the tree of commit %.7s of '%s'",
		              src->commit, repo);
		goto out;
	}
	if ((grc = git_tree_entry_bypath(&te, tree, path)) < 0) {
		rc = git_fail(err, code_of(grc), grc,
		              "'%s' is not in commit %.7s of '%s'", path,
		              src->commit, repo);
		goto out;
	}
	if (git_tree_entry_type(te) != GIT_OBJECT_BLOB) {
		rc = err_set(err, ERR_INVALID,
		             "'%s' in commit %.7s of '%s' is not a file", path,
		             src->commit, repo);
		goto out;
	}
	if ((grc = git_blob_lookup(&blob, r, git_tree_entry_id(te))) < 0) {
		rc = git_fail(err, ERR_BACKEND, grc,
		              "cannot read '%s' in commit %.7s of '%s'", path,
		              src->commit, repo);
		goto out;
	}
	size = git_blob_rawsize(blob);
	if ((uint64_t)size > SAFEFILE_INPUT_MAX) {
		rc = err_set(err, ERR_INVALID,
		             "'%s' in commit %.7s of '%s' is larger than %zu "
		             "bytes",
		             path, src->commit, repo,
		             (size_t)SAFEFILE_INPUT_MAX);
		goto out;
	}
	src->bare = git_repository_is_bare(r) != 0;
	if ((rc = work_dirty(&src->dirty, r, tree, path, err)) < 0)
		goto out;
	src->repo_path = xstrdup(git_repository_path(r));
	n = strlen(src->repo_path);
	if (n > 1 && src->repo_path[n - 1] == '/')
		src->repo_path[n - 1] = '\0'; /* libgit2 appends one */
	n = (size_t)size;
	*buf = xmalloc(n + 1);
	memcpy(*buf, git_blob_rawcontent(blob), n);
	(*buf)[n] = '\0';
	*len = n;
out:
	if (rc < 0)
		gitsrc_src_release(src);
	git_blob_free(blob);
	git_tree_entry_free(te);
	git_tree_free(tree);
	git_object_free(cobj);
	git_object_free(obj);
	git_repository_free(r);
	git_libgit2_shutdown();
	return rc;
}

void
gitsrc_src_release(struct gitsrc_src *src)
{
	if (src == NULL)
		return;
	free(src->repo_path);
	memset(src, 0, sizeof(*src));
}

/* A refname we may write or read: valid and under refs/ (never HEAD). */
static int
check_refname(const char *refname, struct err *err)
{
	int valid = 0;

	if (strncmp(refname, "refs/", 5) != 0 ||
	    git_reference_name_is_valid(&valid, refname) < 0 || !valid)
		return err_set(err, ERR_INVALID,
		               "'%s' is not a valid ref name under refs/",
		               refname);
	return 0;
}

/*
 * Makes sure refname's reflog ends with an entry for oid once the ref was
 * updated: libgit2 writes one only where core.logAllRefUpdates says so
 * (not in bare repositories by default), while git appends to any reflog
 * that exists.  before is the entry count before the update.
 */
static int
reflog_note(git_repository *r, const char *refname, const git_oid *oid,
            size_t before, const char *message)
{
	git_reflog *log = NULL;
	git_signature *sig = NULL;
	int grc;

	if ((grc = git_reflog_read(&log, r, refname)) < 0 ||
	    git_reflog_entrycount(log) != before)
		goto out;
	if (git_signature_default(&sig, r) < 0 &&
	    (grc = git_signature_now(&sig, "unknown", "unknown")) < 0)
		goto out;
	if ((grc = git_reflog_append(log, oid, sig, message)) < 0)
		goto out;
	grc = git_reflog_write(log);
out:
	git_signature_free(sig);
	git_reflog_free(log);
	return grc;
}

int
gitsrc_ref_set(const char *repo, const char *refname, const char *commit,
               const char *message, struct err *err)
{
	git_repository *r = NULL;
	git_commit *c = NULL;
	git_reference *ref = NULL;
	git_reflog *log = NULL;
	size_t before;
	git_oid oid;
	int rc, grc;

	git_libgit2_init();
	if ((rc = check_refname(refname, err)) < 0)
		goto out;
	if (strlen(commit) != GIT_OID_HEXSZ ||
	    strspn(commit, "0123456789abcdefABCDEF") != GIT_OID_HEXSZ ||
	    git_oid_fromstr(&oid, commit) < 0) {
		rc = err_set(err, ERR_INVALID, "'%s' is not a full commit id",
		             commit);
		goto out;
	}
	if ((rc = repo_open(&r, repo, err)) < 0)
		goto out;
	if ((grc = git_commit_lookup(&c, r, &oid)) < 0) {
		rc = git_fail(err, code_of(grc), grc,
		              "commit %s not found in '%s'", commit, repo);
		goto out;
	}
	if ((grc = git_reference_ensure_log(r, refname)) < 0 ||
	    (grc = git_reflog_read(&log, r, refname)) < 0) {
		rc = git_fail(err, ERR_BACKEND, grc,
		              "cannot read the reflog of '%s' in '%s'", refname,
		              repo);
		goto out;
	}
	before = git_reflog_entrycount(log);
	if ((grc = git_reference_create(&ref, r, refname, &oid, 1, message)) <
	    0) {
		rc = git_fail(err, code_of(grc), grc,
		              "cannot set '%s' to %.7s in '%s'", refname,
		              commit, repo);
		goto out;
	}
	if ((grc = reflog_note(r, refname, &oid, before, message)) < 0) {
		rc = git_fail(err, ERR_BACKEND, grc,
		              "cannot write the reflog of '%s' in '%s'",
		              refname, repo);
		goto out;
	}
out:
	git_reflog_free(log);
	git_reference_free(ref);
	git_commit_free(c);
	git_repository_free(r);
	git_libgit2_shutdown();
	return rc;
}

int
gitsrc_ref_get(char out[41], const char *repo, const char *refname,
               struct err *err)
{
	git_repository *r = NULL;
	git_reference *ref = NULL, *res = NULL;
	int rc, grc;

	out[0] = '\0';
	git_libgit2_init();
	if ((rc = check_refname(refname, err)) < 0)
		goto out;
	if ((rc = repo_open(&r, repo, err)) < 0)
		goto out;
	if ((grc = git_reference_lookup(&ref, r, refname)) < 0 ||
	    (grc = git_reference_resolve(&res, ref)) < 0) {
		if (grc == GIT_ENOTFOUND)
			rc = git_fail(err, ERR_NOTFOUND, grc,
			              "ref '%s' not found in '%s'", refname,
			              repo);
		else
			rc = git_fail(err, code_of(grc), grc,
			              "cannot read ref '%s' in '%s'", refname,
			              repo);
		goto out;
	}
	git_oid_tostr(out, GIT_OID_HEXSZ + 1, git_reference_target(res));
out:
	git_reference_free(res);
	git_reference_free(ref);
	git_repository_free(r);
	git_libgit2_shutdown();
	return rc;
}

static bool
ref_char_ok(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '/' ||
	       c == '-';
}

/* Ends the component out[start, end): no trailing '.' or ".lock". */
static void
ref_component_end(char *out, size_t start, size_t end)
{
	if (end > start && out[end - 1] == '.')
		out[end - 1] = '_';
	else if (end - start >= 5 && memcmp(out + end - 5, ".lock", 5) == 0)
		out[end - 5] = '_';
}

void
gitsrc_refname(char *out, size_t len, const char *prefix, const char *path)
{
	size_t o = 0, start, comp;

	assert(len > 0);
	for (; prefix[o] != '\0' && o + 1 < len; o++)
		out[o] = prefix[o];
	start = comp = o;
	for (const char *p = path; *p != '\0' && o + 1 < len; p++) {
		/* PATH starts a component, as if it followed a '/'. */
		char c = *p, prev = o > start ? out[o - 1] : '/';

		if (!ref_char_ok(c))
			c = '_';
		else if (c == '.' && (prev == '.' || prev == '/'))
			c = '_';
		else if (c == '/' && prev == '/')
			c = '_';
		if (c == '/') {
			ref_component_end(out, comp, o);
			comp = o + 1;
		}
		out[o++] = c;
	}
	if (o > start && out[o - 1] == '/')
		out[o - 1] = '_';
	else if (o == start && o + 1 < len)
		out[o++] = '_';
	ref_component_end(out, comp, o);
	out[o] = '\0';
}
