#include <criterion/criterion.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "util/gitsrc.h"
#include "util/err.h"
#include "util/xalloc.h"

/*
 * Each test gets a fresh tree under a mkdtemp directory T, built with the
 * git CLI (HOME=T, no system config):
 *   T/up        upstream: "v1" (tagged v1, annotated), then "v2"
 *   T/clone     clone of up (origin/main = v2), branch old = v1, then a
 *               local commit "v3" (HEAD)
 *   T/bare.git  bare clone of up (HEAD = v2)
 *   T/empty     not a repository
 * Criterion forks per test, so the chdir/setenv below stay in the test.
 */
static char T[64];

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Runs a shell command in T; returns its exit status. */
static int
run(const char *fmt, ...)
{
	char cmd[2048];
	int n, st;
	va_list ap;

	n = snprintf(cmd, sizeof(cmd), "cd '%s' && { ", T);
	va_start(ap, fmt);
	vsnprintf(cmd + n, sizeof(cmd) - (size_t)n, fmt, ap);
	va_end(ap);
	strncat(cmd, "; } >/dev/null 2>&1", sizeof(cmd) - strlen(cmd) - 1);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The first line a git command prints in T (new string, no newline). */
static char *
git_out(const char *args)
{
	char *cmd = xasprintf("cd '%s' && git %s 2>/dev/null", T, args);
	char line[256] = "";
	FILE *fp;

	cr_assert_not_null(fp = popen(cmd, "r"));
	if (fgets(line, sizeof(line), fp) == NULL)
		line[0] = '\0';
	pclose(fp);
	free(cmd);
	line[strcspn(line, "\n")] = '\0';
	return xstrdup(line);
}

static char *
tpath(const char *rel)
{
	return xasprintf("%s/%s", T, rel);
}

static void
setup(void)
{
	snprintf(T, sizeof(T), "/tmp/adt-git-XXXXXX");
	cr_assert_not_null(mkdtemp(T));
	setenv("HOME", T, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	unsetenv("GIT_DIR");
	unsetenv("GIT_WORK_TREE");
	cr_assert_eq(
	        run("git config --global user.name t &&"
	            " git config --global user.email t@t.test &&"
	            " git init -q -b main up && cd up && mkdir desired &&"
	            " echo v1 >desired/trusts.yaml && git add . &&"
	            " git commit -q -m one && git tag -a v1 -m v1 &&"
	            " echo v2 >desired/trusts.yaml && git commit -q -am two &&"
	            " cd .. && git clone -q up clone && cd clone &&"
	            " git branch old v1 && echo v3 >desired/trusts.yaml &&"
	            " git commit -q -am three && cd .. &&"
	            " git clone -q --bare up bare.git && mkdir empty"),
	        0);
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", T);
	cr_expect_eq(system(cmd), 0);
}

TestSuite(gitsrc, .init = setup, .fini = teardown);

/* Reads rel/path at rev; asserts success and the content. */
static void
read_ok(struct gitsrc_src *src, const char *rel, const char *rev,
        const char *want)
{
	char *repo = tpath(rel), *buf = NULL;
	struct err err;
	size_t len = 0;

	err_init(&err);
	cr_assert_eq(gitsrc_read(&buf, &len, src, repo, rev,
	                         "desired/trusts.yaml", &err),
	             0, "%s@%s: %s", rel, rev, err.msg);
	cr_expect_str_eq(buf, want);
	cr_expect_eq(len, strlen(want));
	cr_expect_eq(strlen(src->commit), 40);
	free(buf);
	free(repo);
}

/* Asserts that src->commit is what `git rev-parse <rev>` says in rel. */
static void
expect_commit(const struct gitsrc_src *src, const char *rel, const char *rev)
{
	char *args = xasprintf("-C %s rev-parse '%s^{commit}'", rel, rev);
	char *want = git_out(args);

	cr_expect_str_eq(src->commit, want, "%s", rev);
	free(want);
	free(args);
}

Test(gitsrc, reads_head_without_checkout)
{
	struct gitsrc_src src;
	char *gitdir = tpath("clone/.git");

	read_ok(&src, "clone", "HEAD", "v3\n");
	expect_commit(&src, "clone", "HEAD");
	cr_expect_not(src.dirty);
	cr_expect_not(src.bare);
	cr_expect_str_eq(src.repo_path, gitdir);
	gitsrc_src_release(&src);
	free(gitdir);
}

Test(gitsrc, reads_older_revisions)
{
	static const struct {
		const char *rev, *want;
	} cases[] = {
	        {"HEAD~1", "v2\n"},      {"v1", "v1\n"},   {"old", "v1\n"},
	        {"origin/main", "v2\n"}, {"main", "v3\n"},
	};
	struct gitsrc_src src;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		read_ok(&src, "clone", cases[i].rev, cases[i].want);
		/* an annotated tag peels to its commit, not the tag object */
		expect_commit(&src, "clone", cases[i].rev);
		gitsrc_src_release(&src);
	}
}

Test(gitsrc, reads_short_sha)
{
	struct gitsrc_src src;
	char *full = git_out("-C clone rev-parse HEAD~1");
	char shortid[8];

	snprintf(shortid, sizeof(shortid), "%s", full);
	read_ok(&src, "clone", shortid, "v2\n");
	cr_expect_str_eq(src.commit, full);
	gitsrc_src_release(&src);
	free(full);
}

Test(gitsrc, reads_bare_repository)
{
	struct gitsrc_src src;
	char *gitdir = tpath("bare.git");

	read_ok(&src, "bare.git", "HEAD", "v2\n");
	expect_commit(&src, "bare.git", "HEAD");
	cr_expect(src.bare);
	cr_expect_not(src.dirty);
	cr_expect_str_eq(src.repo_path, gitdir);
	gitsrc_src_release(&src);
	free(gitdir);
}

Test(gitsrc, finds_repository_above_and_relative)
{
	struct gitsrc_src src;
	char *gitdir = tpath("clone/.git");

	read_ok(&src, "clone/desired", "HEAD", "v3\n");
	gitsrc_src_release(&src);
	cr_assert_eq(chdir(T), 0);
	read_ok(&src, "clone", "HEAD", "v3\n");
	cr_expect_str_eq(src.repo_path, gitdir); /* absolute */
	gitsrc_src_release(&src);
	free(gitdir);
}

Test(gitsrc, dirty_when_work_tree_differs_from_commit)
{
	struct gitsrc_src src;

	/* the clean work tree holds v3, so it differs from HEAD~1's v2 */
	read_ok(&src, "clone", "HEAD~1", "v2\n");
	cr_expect(src.dirty);
	gitsrc_src_release(&src);
	cr_assert_eq(run("echo edit >>clone/desired/trusts.yaml"), 0);
	read_ok(&src, "clone", "HEAD", "v3\n");
	cr_expect(src.dirty);
	gitsrc_src_release(&src);
	/* staged but otherwise equal is still a difference from HEAD */
	cr_assert_eq(run("cd clone && git add desired/trusts.yaml"), 0);
	read_ok(&src, "clone", "HEAD", "v3\n");
	cr_expect(src.dirty);
	gitsrc_src_release(&src);
	cr_assert_eq(run("cd clone && git checkout -q HEAD -- desired"), 0);
	read_ok(&src, "clone", "HEAD", "v3\n");
	cr_expect_not(src.dirty);
	gitsrc_src_release(&src);
}

Test(gitsrc, not_dirty_when_absent_from_work_tree)
{
	struct gitsrc_src src;

	cr_assert_eq(run("rm -r clone/desired"), 0);
	read_ok(&src, "clone", "HEAD", "v3\n");
	cr_expect_not(src.dirty);
	gitsrc_src_release(&src);
}

/* Reads and asserts failure with code and two message fragments. */
static void
read_fails(const char *rel, const char *rev, const char *path, int code,
           const char *frag1, const char *frag2)
{
	char junk[] = "x", *repo = tpath(rel), *buf = junk;
	struct gitsrc_src src;
	struct err err;
	size_t len = 7;

	err_init(&err);
	cr_assert_eq(gitsrc_read(&buf, &len, &src, repo, rev, path, &err), code,
	             "%s@%s:%s: %s", rel, rev, path, err.msg);
	cr_expect_eq(err.code, code);
	cr_expect_null(buf);
	cr_expect_eq(len, 0);
	cr_expect_null(src.repo_path);
	cr_expect_str_eq(src.commit, "");
	cr_expect_not_null(strstr(err.msg, frag1), "%s", err.msg);
	cr_expect_not_null(strstr(err.msg, frag2), "%s", err.msg);
	gitsrc_src_release(&src);
	free(repo);
}

Test(gitsrc, errors_name_repo_rev_and_path)
{
	char *repo = tpath("clone"), *empty = tpath("empty");
	char *head = git_out("-C clone rev-parse --short=7 HEAD");
	char *want = xasprintf("'nope.yaml' is not in commit %s of '%s'", head,
	                       repo);
	char *want_rev =
	        xasprintf("revision 'nosuchref' not found in '%s'", repo);

	read_fails("clone", "nosuchref", "desired/trusts.yaml", ERR_NOTFOUND,
	           want_rev, "revspec 'nosuchref' not found");
	read_fails("clone", "HEAD", "nope.yaml", ERR_NOTFOUND, want,
	           "does not exist in the given tree");
	read_fails("empty", "HEAD", "desired/trusts.yaml", ERR_NOTFOUND, empty,
	           "could not find repository");
	read_fails("clone", "HEAD", "desired", ERR_INVALID, "is not a file",
	           "desired");
	read_fails("clone", "HEAD:desired", "trusts.yaml", ERR_INVALID,
	           "is not a commit", "HEAD:desired");
	read_fails("clone", "HEAD", "/etc/passwd", ERR_INVALID, "relative",
	           "/etc/passwd");
	read_fails("clone", "HEAD~9", "desired/trusts.yaml", ERR_NOTFOUND,
	           "HEAD~9", repo);
	free(want_rev);
	free(want);
	free(head);
	free(empty);
	free(repo);
}

Test(gitsrc, spec_parse_splits_repo_rev_path)
{
	static const struct {
		const char *spec, *repo, *rev, *path;
	} cases[] = {
	        {"git:.@HEAD:trusts.yaml", ".", "HEAD", "trusts.yaml"},
	        {"git:/srv/ad.git@origin/main:desired/trusts.yaml",
	         "/srv/ad.git", "origin/main", "desired/trusts.yaml"},
	        {"git:repo@main@{1}:a.yaml", "repo", "main@{1}", "a.yaml"},
	        {"git:/home/a@b/repo@v1.2:x", "/home/a@b/repo", "v1.2", "x"},
	        {"git:repo@HEAD~1:dir/with:colon", "repo", "HEAD~1",
	         "dir/with:colon"},
	        {"git:r@@{-1}:p", "r", "@{-1}", "p"},
	};
	char *repo, *rev, *path;
	struct err err;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err_init(&err);
		cr_assert_eq(gitsrc_spec_parse(&repo, &rev, &path,
		                               cases[i].spec, &err),
		             0, "%s: %s", cases[i].spec, err.msg);
		cr_expect_str_eq(repo, cases[i].repo, "%s", cases[i].spec);
		cr_expect_str_eq(rev, cases[i].rev, "%s", cases[i].spec);
		cr_expect_str_eq(path, cases[i].path, "%s", cases[i].spec);
		free(repo);
		free(rev);
		free(path);
	}
}

Test(gitsrc, spec_parse_rejects_malformed)
{
	static const struct {
		const char *spec, *frag;
	} cases[] = {
	        {"file:x@HEAD:p", "does not start with 'git:'"},
	        {"git:repo@HEAD", "no ':PATH'"},
	        {"git:repo:p", "no '@REV'"},
	        {"git:@HEAD:p", "empty repository"},
	        {"git:repo@:p", "empty revision"},
	        {"git:repo@HEAD:", "empty path"},
	        {"git:repo@HEAD:/abs", "relative"},
	        {"", "does not start"},
	};
	char junk[] = "x", *repo = junk, *rev = junk, *path = junk;
	struct err err;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err_init(&err);
		cr_expect_eq(gitsrc_spec_parse(&repo, &rev, &path,
		                               cases[i].spec, &err),
		             ERR_INVALID, "%s", cases[i].spec);
		cr_expect_null(repo);
		cr_expect_null(rev);
		cr_expect_null(path);
		cr_expect_not_null(strstr(err.msg, cases[i].frag), "%s: %s",
		                   cases[i].spec, err.msg);
		cr_expect_not_null(strstr(err.msg, cases[i].spec), "%s",
		                   err.msg);
	}
}

static void
ref_round_trip(const char *rel, const char *rev)
{
	static const char name[] = "refs/adtrust/applied/trusts.yaml";
	char *repo = tpath(rel), *want = NULL, *args = NULL, *log = NULL;
	char got[41];
	struct err err;

	args = xasprintf("-C %s rev-parse '%s'", rel, rev);
	want = git_out(args);
	free(args);
	err_init(&err);
	cr_assert_eq(gitsrc_ref_get(got, repo, name, &err), ERR_NOTFOUND);
	cr_expect_not_null(strstr(err.msg, name), "%s", err.msg);
	cr_assert_eq(gitsrc_ref_set(repo, name, want, "adtrust apply", &err), 0,
	             "%s", err.msg);
	cr_assert_eq(gitsrc_ref_get(got, repo, name, &err), 0, "%s", err.msg);
	cr_expect_str_eq(got, want);
	/* the CLI sees the ref and its reflog message */
	args = xasprintf("-C %s rev-parse %s", rel, name);
	free(log);
	log = git_out(args);
	cr_expect_str_eq(log, want);
	free(log);
	free(args);
	args = xasprintf("-C %s reflog show --format=%%gs %s", rel, name);
	log = git_out(args);
	cr_expect_str_eq(log, "adtrust apply");
	free(log);
	free(args);
	free(want);
	free(repo);
}

Test(gitsrc, ref_set_get_round_trip)
{
	ref_round_trip("clone", "HEAD~1");
	ref_round_trip("bare.git", "HEAD");
}

Test(gitsrc, ref_set_overwrites)
{
	char *repo = tpath("clone"), *a = git_out("-C clone rev-parse HEAD");
	char *b = git_out("-C clone rev-parse HEAD~1");
	static const char name[] = "refs/adtrust/applied/x";
	char got[41];
	struct err err;

	err_init(&err);
	cr_assert_eq(gitsrc_ref_set(repo, name, a, "one", &err), 0, "%s",
	             err.msg);
	cr_assert_eq(gitsrc_ref_set(repo, name, b, "two", &err), 0, "%s",
	             err.msg);
	cr_assert_eq(gitsrc_ref_get(got, repo, name, &err), 0);
	cr_expect_str_eq(got, b);
	cr_expect_eq(
	        run("test $(git -C clone reflog show %s | wc -l) = 2", name),
	        0);
	free(b);
	free(a);
	free(repo);
}

Test(gitsrc, ref_errors)
{
	char *repo = tpath("clone"), *empty = tpath("empty");
	char *head = git_out("-C clone rev-parse HEAD");
	const char *missing = "0123456789abcdef0123456789abcdef01234567";
	char got[41];
	struct err err;

	err_init(&err);
	cr_expect_eq(gitsrc_ref_set(repo, "refs/a/b", missing, "m", &err),
	             ERR_NOTFOUND);
	cr_expect_not_null(strstr(err.msg, missing), "%s", err.msg);
	cr_expect_eq(gitsrc_ref_set(repo, "refs/a/b", "abc123", "m", &err),
	             ERR_INVALID);
	cr_expect_eq(gitsrc_ref_set(repo, "HEAD", head, "m", &err),
	             ERR_INVALID);
	cr_expect_eq(gitsrc_ref_set(repo, "refs/a..b", head, "m", &err),
	             ERR_INVALID);
	cr_expect_eq(gitsrc_ref_set(empty, "refs/a/b", head, "m", &err),
	             ERR_NOTFOUND);
	cr_expect_eq(gitsrc_ref_get(got, repo, "refs/a/x.lock", &err),
	             ERR_INVALID);
	cr_expect_eq(gitsrc_ref_get(got, empty, "refs/a/b", &err),
	             ERR_NOTFOUND);
	cr_expect_str_eq(got, "");
	free(head);
	free(empty);
	free(repo);
}

Test(gitsrc, refname_sanitises_path)
{
	static const struct {
		const char *path, *want;
	} cases[] = {
	        {"desired/trusts.yaml", "desired/trusts.yaml"},
	        {"a b*c?:d~e^f[g\\h@{i", "a_b_c__d_e_f_g_h__i"},
	        {"../x/../y", "__/x/__/y"},
	        {"a..b...c", "a._b._.c"},
	        {"/etc/x", "_etc/x"},
	        {"a//b/", "a/_b_"},
	        {"x.lock", "x_lock"},
	        {"x.lock/y.lock", "x_lock/y_lock"},
	        {".hidden/.lock", "_hidden/_lock"},
	        {"end.", "end_"},
	        {"d\xc3\xa9j\xc3\xa0", "d__j__"},
	        {"", "_"},
	};
	char out[128], *full;
	int valid;

	git_libgit2_init();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		gitsrc_refname(out, sizeof(out), "refs/adtrust/applied/",
		               cases[i].path);
		full = xasprintf("refs/adtrust/applied/%s", cases[i].want);
		cr_expect_str_eq(out, full, "%s", cases[i].path);
		free(full);
		valid = 0;
		cr_expect_eq(git_reference_name_is_valid(&valid, out), 0);
		cr_expect(valid, "'%s' -> '%s' is not a valid ref",
		          cases[i].path, out);
	}
	/* truncation keeps the result valid */
	gitsrc_refname(out, sizeof("refs/x/ab.lock"), "refs/x/",
	               "ab.lock.more");
	cr_expect_str_eq(out, "refs/x/ab_lock");
	gitsrc_refname(out, sizeof("refs/x/ab."), "refs/x/", "ab.cd");
	cr_expect_str_eq(out, "refs/x/ab_");
	gitsrc_refname(out, 4, "refs/x/", "ab");
	cr_expect_str_eq(out, "ref");
	git_libgit2_shutdown();
}

Test(gitsrc, reads_repository_owned_by_another_uid)
{
	struct gitsrc_src src;
	int enabled = 0;

	cr_assert_eq(run("cp -a clone foreign &&"
	                 " chown -R 65534:65534 foreign"),
	             0);
	/* the CLI refuses it ("dubious ownership"): the CI-container case */
	cr_expect_neq(run("git -C foreign rev-parse HEAD"), 0);
	read_ok(&src, "foreign", "HEAD~1", "v2\n");
	expect_commit(&src, "clone", "HEAD~1");
	cr_expect(src.dirty); /* work tree holds v3 */
	gitsrc_src_release(&src);
	read_ok(&src, "foreign", "HEAD", "v3\n");
	cr_expect_not(src.dirty);
	gitsrc_src_release(&src);
	/* libgit2's global owner validation is back on afterwards */
	git_libgit2_init();
	cr_expect_eq(git_libgit2_opts(GIT_OPT_GET_OWNER_VALIDATION, &enabled),
	             0);
	cr_expect_eq(enabled, 1);
	git_libgit2_shutdown();
}
