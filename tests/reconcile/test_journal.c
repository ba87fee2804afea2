/*
 * The apply journal: what a run records, what the next plan finds of a run
 * that died, how the plan repairs it, and that no secret is ever written.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/model.h"
#include "providers/fake.h"
#include "reconcile/rec.h"
#include "util/err.h"
#include "util/xalloc.h"

static char dir[64];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/adt-journal-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void
teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);

	cr_assert_eq(system(cmd), 0);
	free(cmd);
}

TestSuite(rec_journal, .init = setup, .fini = teardown);

static void
two_domains(struct plan *p)
{
	plan_init(p);
	p->domains = xcalloc(3, sizeof(char *));
	p->domains[0] = xstrdup("a.test");
	p->domains[1] = xstrdup("b.test");
	p->n_domains = 2;
	p->source_path = xstrdup("trusts.yaml");
}

static char *
only_journal(void)
{
	char *cmd = xasprintf("ls '%s'/journal-*.jsonl 2>/dev/null", dir);
	char line[512] = "";
	FILE *fp = popen(cmd, "r");

	cr_assert_not_null(fp);
	if (fgets(line, sizeof(line), fp) == NULL)
		line[0] = '\0';
	pclose(fp);
	free(cmd);
	line[strcspn(line, "\n")] = '\0';
	return line[0] ? xstrdup(line) : NULL;
}

static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf = xcalloc(1, 65536);

	cr_assert_not_null(fp);
	cr_assert(fread(buf, 1, 65535, fp) > 0);
	fclose(fp);
	return buf;
}

Test(rec_journal, a_dead_run_is_found_with_the_trust_it_left)
{
	struct rec_journal *j;
	struct rec_leftovers ls;
	struct plan p;
	struct err err;
	size_t n1, n2;
	char *path;
	const char *const doms[] = {"b.test"};
	const char *const other[] = {"z.test"};
	struct stat st;

	err_init(&err);
	two_domains(&p);
	cr_assert_eq(rec_journal_open(&j, dir, &p, &err), 0, "%s", err.msg);
	cr_assert_eq(rec_journal_intent(j, &n1, "create", "a.test", "b.test",
	                                "create", "generated", &err),
	             0);
	cr_assert_eq(rec_journal_result(j, n1, "done", NULL, &err), 0);
	cr_assert_eq(rec_journal_intent(j, &n2, "create", "b.test", "a.test",
	                                "create", "generated", &err),
	             0);
	cr_assert_eq(n2, n1 + 1);
	path = only_journal();
	cr_assert_not_null(path);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	/* while the run holds it, it is not a leftover */
	cr_assert_eq(rec_journal_scan(&ls, dir, doms, 1, &err), 0, "%s",
	             err.msg);
	cr_assert_eq(ls.n, 0);
	rec_leftovers_release(&ls);
	/* the run dies: its descriptor (and flock) goes, the file stays */
	cr_assert_eq(rec_journal_close(j, true, &err), 0);
	cr_assert_eq(access(path, F_OK), 0);
	cr_assert_eq(rec_journal_scan(&ls, dir, doms, 1, &err), 0, "%s",
	             err.msg);
	cr_assert_eq(ls.n, 1);
	cr_assert_eq(rec_leftovers_open(&ls), 1);
	cr_assert_str_eq(ls.v[0].pairs[0].a, "a.test");
	cr_assert_str_eq(ls.v[0].pairs[0].b, "b.test");
	cr_assert(ls.v[0].pairs[0].generated);
	cr_assert_not_null(strstr(ls.v[0].pairs[0].last, "create of b.test"),
	                   "%s", ls.v[0].pairs[0].last);
	cr_assert_eq(ls.v[0].pid, (long)getpid());
	rec_leftovers_release(&ls);
	/* a journal about other domains is not this plan's business */
	cr_assert_eq(rec_journal_scan(&ls, dir, other, 1, &err), 0);
	cr_assert_eq(ls.n, 0);
	rec_leftovers_release(&ls);
	free(path);
	plan_release(&p);
}

Test(rec_journal, a_settled_trust_is_not_open_and_a_clean_run_leaves_nothing)
{
	struct rec_journal *j;
	struct rec_leftovers ls;
	struct plan p;
	struct err err;
	size_t n;
	const char *const doms[] = {"a.test"};

	err_init(&err);
	two_domains(&p);
	cr_assert_eq(rec_journal_open(&j, dir, &p, &err), 0, "%s", err.msg);
	rec_journal_intent(j, &n, "create", "a.test", "b.test", "create",
	                   "generated", &err);
	rec_journal_result(j, n, "done", NULL, &err);
	rec_journal_trust_end(j, "b.test", "a.test", "before", NULL, &err);
	cr_assert_eq(rec_journal_close(j, true, &err), 0);
	cr_assert_eq(rec_journal_scan(&ls, dir, doms, 1, &err), 0);
	cr_assert_eq(ls.n, 1);
	cr_assert_eq(rec_leftovers_open(&ls), 0, "rolled back: not open");
	rec_leftovers_release(&ls);
	teardown();
	setup();
	cr_assert_eq(rec_journal_open(&j, dir, &p, &err), 0, "%s", err.msg);
	cr_assert_eq(rec_journal_close(j, false, &err), 0);
	cr_assert_null(only_journal(), "a clean run removes its journal");
	plan_release(&p);
}

Test(rec_journal, a_torn_last_line_is_tolerated_and_garbage_is_refused)
{
	struct rec_leftovers ls;
	struct err err;
	const char *const doms[] = {"a.test"};
	char *f = xasprintf("%s/journal-1.jsonl", dir);
	FILE *fp = fopen(f, "w");

	err_init(&err);
	cr_assert_not_null(fp);
	fprintf(fp, "{\"journal\":1,\"host\":\"h\",\"pid\":1,\"started\":"
	            "\"t\",\"source\":\"s\",\"domains\":[\"a.test\"]}\n"
	            "{\"step\":1,\"intent\":\"delete\",\"domain\":\"a.test\","
	            "\"partner\":\"b.test\",\"pair\":\"a.test|b.test\","
	            "\"action\":\"replace\",\"secret\":\"none\"}\n"
	            "{\"step\":1,\"res");
	fclose(fp);
	chmod(f, 0600);
	cr_assert_eq(rec_journal_scan(&ls, dir, doms, 1, &err), 0, "%s",
	             err.msg);
	cr_assert_eq(rec_leftovers_open(&ls), 1);
	rec_leftovers_release(&ls);
	fp = fopen(f, "w");
	fprintf(fp, "not json\n{}\n");
	fclose(fp);
	cr_assert_lt(rec_journal_scan(&ls, dir, doms, 1, &err), 0);
	cr_assert_not_null(strstr(err.msg, "journal-1.jsonl"), "%s", err.msg);
	free(f);
}

Test(rec_journal, a_journal_another_user_could_write_is_refused)
{
	struct rec_leftovers ls;
	struct err err;
	const char *const doms[] = {"a.test"};
	char *f = xasprintf("%s/journal-2.jsonl", dir);
	FILE *fp = fopen(f, "w");

	err_init(&err);
	cr_assert_not_null(fp);
	fprintf(fp, "{\"journal\":1,\"pid\":1,\"domains\":[\"a.test\"]}\n");
	fclose(fp);
	chmod(f, 0666);
	cr_assert_lt(rec_journal_scan(&ls, dir, doms, 1, &err), 0);
	cr_assert_not_null(strstr(err.msg, "journal-2.jsonl"), "%s", err.msg);
	if (geteuid() == 0) {
		chmod(f, 0600);
		cr_assert_eq(chown(f, 65534, 65534), 0);
		cr_assert_lt(rec_journal_scan(&ls, dir, doms, 1, &err), 0);
	}
	free(f);
}

static const char *const yaml =
        "version: 1\n"
        "domains:\n"
        "  - { name: a.test, netbios: A, sid: S-1-5-21-1-1-1 }\n"
        "  - { name: b.test, netbios: B, sid: S-1-5-21-2-2-2 }\n"
        "trusts:\n"
        "  - { trusting: a.test, trusted: b.test, direction: two-way,\n"
        "      type: external, password: { env: ADT_TEST_TRUST_PW },\n"
        "      protect: true }\n";

static void
put(struct prov *f, const char *d, const char *pt, const char *flat,
    const char *sid, const char *pw)
{
	struct model_tdo t;

	model_tdo_init(&t);
	t.domain = xstrdup(d);
	t.partner = xstrdup(pt);
	t.flat_name = xstrdup(flat);
	t.sid = xstrdup(sid);
	t.direction = TDO_DIR_BOTH;
	t.type = TDO_TYPE_UPLEVEL;
	prov_fake_put(f, &t, pw);
	model_tdo_release(&t);
}

static void
plan_of(struct plan *p, struct prov *f, const struct model *m)
{
	struct rec_opts ro = {.today = "2026-12-01"};
	struct model_state st;
	const char *names[] = {"a.test", "b.test"};
	struct err err;

	err_init(&err);
	model_state_init(&st);
	plan_init(p);
	cr_assert_eq(prov_read(f, (const char *const *)names, 2, &st, &err), 0);
	cr_assert_eq(rec_diff(p, m, &st, &ro, &err), 0, "%s", err.msg);
	model_state_release(&st);
}

/*
 * A re-key that died between the sides: both TDOs are there with every
 * attribute as desired, so the diff alone says "No changes".  The journal
 * makes the plan replace both (protect does not block a repair), and no
 * secret is ever in the journal.
 */
Test(rec_journal, plan_repairs_a_trust_whose_secrets_may_differ)
{
	struct model *m = NULL;
	struct prov *f = prov_fake_new();
	struct rec_journal *j;
	struct rec_leftovers ls;
	struct rec_apply_opts o = {.writer = f, .journal_dir = dir};
	struct plan p;
	struct diags d;
	struct err err;
	const char *s1, *s2;
	char *path, *text;
	size_t n;

	setenv("ADT_TEST_TRUST_PW", "Sekrit-Trust-Pw-0xfeed", 1);
	diags_init(&d);
	err_init(&err);
	cr_assert_eq(model_load_buf(&m, "t.yaml", yaml, strlen(yaml), &d, &err),
	             0, "%s", d.n ? d.v[0].msg : err.msg);
	prov_fake_add_domain(f, "a.test", "A", "S-1-5-21-1-1-1", "");
	prov_fake_add_domain(f, "b.test", "B", "S-1-5-21-2-2-2", "");
	put(f, "a.test", "b.test", "B", "S-1-5-21-2-2-2", "new");
	put(f, "b.test", "a.test", "A", "S-1-5-21-1-1-1", "old");
	plan_of(&p, f, m);
	cr_assert(plan_is_noop(&p), "the directory alone cannot tell");
	/* what the dead run left */
	cr_assert_eq(rec_journal_open(&j, dir, &p, &err), 0, "%s", err.msg);
	rec_journal_intent(j, &n, "delete", "a.test", "b.test", "replace",
	                   "none", &err);
	rec_journal_result(j, n, "done", NULL, &err);
	rec_journal_intent(j, &n, "create", "a.test", "b.test", "replace",
	                   "referenced", &err);
	rec_journal_result(j, n, "done", NULL, &err);
	rec_journal_close(j, true, &err);
	cr_assert_eq(rec_journal_scan(&ls, dir, (const char *const *)p.domains,
	                              p.n_domains, &err),
	             0);
	rec_plan_repair(&p, &ls);
	cr_assert(!plan_is_noop(&p));
	cr_assert_eq(p.n_replace, 2);
	cr_assert_eq(p.n_blocked, 0, "a repair is not blocked by protect");
	cr_assert_eq(p.n_interrupted, 1);
	cr_assert_not_null(strstr(p.interrupted[0], "a.test <-> b.test"));
	o.report = fopen("/dev/null", "w");
	o.leftovers = &ls;
	cr_assert_eq(rec_apply(&p, m, &o, &err), 0, "%s", err.msg);
	fclose(o.report);
	prov_fake_get(f, "a.test", "b.test", &s1);
	prov_fake_get(f, "b.test", "a.test", &s2);
	cr_assert_str_eq(s1, s2, "one secret again");
	cr_assert_null(only_journal(), "the repaired journal is removed");
	rec_leftovers_release(&ls);
	plan_release(&p);
	/* a run that keeps its journal never writes the secret */
	prov_fake_fault(f, prov_fake_writes(f) + 3, PROV_FAKE_DOWN, 0);
	plan_of(&p, f, m);
	rec_plan_rekey(&p, "a.test:b.test", true, &err);
	o.report = fopen("/dev/null", "w");
	o.leftovers = NULL;
	cr_assert_lt(rec_apply(&p, m, &o, &err), 0);
	fclose(o.report);
	cr_assert_not_null(path = only_journal());
	text = slurp(path);
	cr_assert_null(strstr(text, "Sekrit"), "%s", text);
	cr_assert_not_null(strstr(text, "\"secret\":\"referenced\""), "%s",
	                   text);
	cr_assert_not_null(strstr(text, "\"end\":\"incomplete\""), "%s", text);
	free(text);
	free(path);
	plan_release(&p);
	prov_close(f);
	model_free(m);
	diags_release(&d);
}

/*
 * A dead run of the both-sides file left a/b deleted and b/a with the old
 * secret.  The wizard's file for a's side (another file) creates a/b with
 * its own password: that settles nothing for the other file, whose journal
 * stays, so its plan still says "Interrupted apply" and repairs the trust
 * (never "No changes" over two secrets).
 */
Test(rec_journal, another_files_apply_keeps_the_journal)
{
	static const char *const wizard =
	        "version: 1\n"
	        "domains:\n"
	        "  - { name: a.test, netbios: A, sid: S-1-5-21-1-1-1 }\n"
	        "  - { name: b.test, netbios: B, sid: S-1-5-21-2-2-2 }\n"
	        "trusts:\n"
	        "  - { trusting: a.test, trusted: b.test, direction: two-way,\n"
	        "      type: external, sides: trusting,\n"
	        "      password: { env: ADT_TEST_WIZARD_PW } }\n";
	struct model *m = NULL, *w = NULL;
	struct prov *f = prov_fake_new();
	struct rec_journal *j;
	struct rec_leftovers ls;
	struct rec_apply_opts o = {.writer = f, .journal_dir = dir};
	struct plan p;
	struct diags d;
	struct err err;
	const char *s1, *s2;
	char *path;
	size_t n;

	setenv("ADT_TEST_TRUST_PW", "Sekrit-Trust-Pw-0xfeed", 1);
	setenv("ADT_TEST_WIZARD_PW", "Wizard-Pw-0xbeef", 1);
	diags_init(&d);
	err_init(&err);
	cr_assert_eq(model_load_buf(&m, "t.yaml", yaml, strlen(yaml), &d, &err),
	             0, "%s", d.n ? d.v[0].msg : err.msg);
	cr_assert_eq(
	        model_load_buf(&w, "w.yaml", wizard, strlen(wizard), &d, &err),
	        0, "%s", d.n ? d.v[0].msg : err.msg);
	prov_fake_add_domain(f, "a.test", "A", "S-1-5-21-1-1-1", "");
	prov_fake_add_domain(f, "b.test", "B", "S-1-5-21-2-2-2", "");
	put(f, "b.test", "a.test", "A", "S-1-5-21-1-1-1", "old");
	/* the dead --rekey run of t.yaml: a's side deleted, then killed */
	plan_of(&p, f, m);
	cr_assert_eq(rec_journal_open(&j, dir, &p, &err), 0, "%s", err.msg);
	rec_journal_intent(j, &n, "delete", "a.test", "b.test", "replace",
	                   "none", &err);
	rec_journal_result(j, n, "done", NULL, &err);
	rec_journal_close(j, true, &err);
	plan_release(&p);
	/* the wizard's file for a's side applies */
	plan_of(&p, f, w);
	cr_assert_eq(rec_journal_scan(&ls, dir, (const char *const *)p.domains,
	                              p.n_domains, &err),
	             0);
	rec_plan_repair(&p, &ls);
	o.report = fopen("/dev/null", "w");
	o.leftovers = &ls;
	cr_assert_eq(rec_apply(&p, w, &o, &err), 0, "%s", err.msg);
	fclose(o.report);
	rec_leftovers_release(&ls);
	plan_release(&p);
	prov_fake_get(f, "a.test", "b.test", &s1);
	prov_fake_get(f, "b.test", "a.test", &s2);
	cr_assert_str_neq(s1, s2, "the wizard's password is not the old one");
	cr_assert_not_null(path = only_journal(),
	                   "another file's run does not remove the journal");
	free(path);
	/* so the both-sides file still sees it, and repairs it */
	plan_of(&p, f, m);
	cr_assert_eq(rec_journal_scan(&ls, dir, (const char *const *)p.domains,
	                              p.n_domains, &err),
	             0);
	rec_plan_repair(&p, &ls);
	cr_assert_eq(p.n_interrupted, 1);
	cr_assert(!plan_is_noop(&p), "never 'No changes' over two secrets");
	o.report = fopen("/dev/null", "w");
	o.leftovers = &ls;
	cr_assert_eq(rec_apply(&p, m, &o, &err), 0, "%s", err.msg);
	fclose(o.report);
	prov_fake_get(f, "a.test", "b.test", &s1);
	prov_fake_get(f, "b.test", "a.test", &s2);
	cr_assert_str_eq(s1, s2, "one secret again");
	cr_assert_null(only_journal(), "the file that holds both sides "
	                               "settles it");
	rec_leftovers_release(&ls);
	plan_release(&p);
	prov_close(f);
	model_free(m);
	model_free(w);
	diags_release(&d);
}
