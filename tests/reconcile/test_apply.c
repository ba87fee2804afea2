/*
 * rec_apply against the in-memory writer (providers/fake.h): the order of
 * the steps, rollback and roll-forward, the journal, repair of what a dead
 * run left, and the fault matrix: for every write step k of a plan that
 * mixes creates, replaces, deletes, in-place updates and forest-trust
 * stores across four domains, the writer fails at k, loses its answer at
 * k, the DC dies at k, SIGINT arrives at k, SIGTERM arrives at k.  After
 * each case every trust is as before or as desired (never one-sided, never
 * with two secrets) or, only when a DC stayed down, reported INCOMPLETE
 * with its journal kept; the report names every step; and a second apply
 * once the DCs answer converges.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "model/model.h"
#include "providers/fake.h"
#include "providers/prov.h"
#include "reconcile/rec.h"
#include "util/err.h"
#include "util/xalloc.h"

#define SAMBA "Samba Team (https://www.samba.org)"

/*
 * T1 a<->b external, exists with RC4: encryption changes in place (both
 *    sides updated);
 * T2 a<->c forest, new: two creates and two forest-trust stores;
 * T3 b<->c external, exists without SID filtering: c.test is a Samba DC,
 *    so the attribute change is a replace there, and its generated
 *    password makes b.test's side a replace too;
 * T4 a<->d external, exists, ensure: absent: two deletes;
 * T5 b<->d forest, exists: a name suffix exclusion added in place.
 */
static const char *const desired =
        "version: 1\n"
        "domains:\n"
        "  - { name: a.test, netbios: A, sid: S-1-5-21-1-1-1 }\n"
        "  - { name: b.test, netbios: B, sid: S-1-5-21-2-2-2 }\n"
        "  - { name: c.test, netbios: C, sid: S-1-5-21-3-3-3 }\n"
        "  - { name: d.test, netbios: D, sid: S-1-5-21-4-4-4 }\n"
        "trusts:\n"
        "  - { trusting: a.test, trusted: b.test, direction: two-way,\n"
        "      type: external, encryption: [aes256] }\n"
        "  - { trusting: a.test, trusted: c.test, direction: two-way,\n"
        "      type: forest }\n"
        "  - { trusting: b.test, trusted: c.test, direction: two-way,\n"
        "      type: external, sid_filtering: true }\n"
        "  - { trusting: a.test, trusted: d.test, direction: two-way,\n"
        "      type: external, ensure: absent }\n"
        "  - { trusting: b.test, trusted: d.test, direction: two-way,\n"
        "      type: forest, name_suffixes: { exclude: [lab.d.test] } }\n";

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	stop = sig;
}

static void
catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static struct model *
load(const char *text)
{
	struct model *m = NULL;
	struct diags d;
	struct err err;

	diags_init(&d);
	err_init(&err);
	cr_assert_eq(model_load_buf(&m, "t.yaml", text, strlen(text), &d, &err),
	             0, "%s", d.n ? d.v[0].msg : err.msg);
	diags_release(&d);
	return m;
}

static void
put(struct prov *f, const char *dom, const char *partner, const char *pflat,
    const char *psid, uint32_t type, uint32_t attrs, uint32_t enc,
    const char *pw)
{
	struct model_tdo t;

	model_tdo_init(&t);
	t.domain = xstrdup(dom);
	t.partner = xstrdup(partner);
	t.flat_name = xstrdup(pflat);
	t.sid = xstrdup(psid);
	t.direction = TDO_DIR_BOTH;
	t.type = type;
	t.attributes = attrs;
	t.enctypes = enc;
	t.has_enctypes = enc != 0;
	if (attrs & TA_FOREST_TRANSITIVE) {
		struct fti_record r = {.type = FTI_TLN};

		r.name = xstrdup(partner);
		fti_add(&t.fti, &r);
		free(r.name);
		t.has_fti = true;
	}
	prov_fake_put(f, &t, pw);
	model_tdo_release(&t);
}

/* The lab before the apply. */
static struct prov *
world(void)
{
	struct prov *f = prov_fake_new();

	prov_fake_add_domain(f, "a.test", "A", "S-1-5-21-1-1-1", "");
	prov_fake_add_domain(f, "b.test", "B", "S-1-5-21-2-2-2", "");
	prov_fake_add_domain(f, "c.test", "C", "S-1-5-21-3-3-3", SAMBA);
	prov_fake_add_domain(f, "d.test", "D", "S-1-5-21-4-4-4", "");
	put(f, "a.test", "b.test", "B", "S-1-5-21-2-2-2", 2, 0, 0x4, "t1");
	put(f, "b.test", "a.test", "A", "S-1-5-21-1-1-1", 2, 0, 0x4, "t1");
	put(f, "b.test", "c.test", "C", "S-1-5-21-3-3-3", 2, 0, 0, "t3");
	put(f, "c.test", "b.test", "B", "S-1-5-21-2-2-2", 2, 0, 0, "t3");
	put(f, "a.test", "d.test", "D", "S-1-5-21-4-4-4", 2, 0, 0, "t4");
	put(f, "d.test", "a.test", "A", "S-1-5-21-1-1-1", 2, 0, 0, "t4");
	put(f, "b.test", "d.test", "D", "S-1-5-21-4-4-4", 2, 0x8, 0, "t5");
	put(f, "d.test", "b.test", "B", "S-1-5-21-2-2-2", 2, 0x8, 0, "t5");
	return f;
}

/* Plans m against the fake, with the journals of dir repaired. */
static void
plan_for(struct plan *p, struct prov *f, const struct model *m, const char *dir,
         struct rec_leftovers *ls)
{
	struct rec_opts ro = {.today = "2026-12-01"};
	struct model_state st;
	char **names = NULL;
	size_t n = 0;
	struct err err;

	err_init(&err);
	model_state_init(&st);
	cr_assert_eq(rec_managed_domains(&names, &n, m, &err), 0, "%s",
	             err.msg);
	cr_assert_eq(prov_read(f, (const char *const *)names, n, &st, &err), 0,
	             "%s", err.msg);
	cr_assert_eq(rec_diff(p, m, &st, &ro, &err), 0, "%s", err.msg);
	if (dir != NULL) {
		cr_assert_eq(rec_journal_scan(ls, dir,
		                              (const char *const *)p->domains,
		                              p->n_domains, &err),
		             0, "%s", err.msg);
		rec_plan_repair(p, ls);
	}
	rec_names_free(names);
	model_state_release(&st);
}

/* One side as a test compares it. */
struct side {
	bool present;
	uint32_t direction, attributes, enctypes;
	size_t tlns;
	char secret[65];
};

static void
side_of(struct side *s, struct prov *f, const char *d, const char *p)
{
	const char *sec = NULL;
	const struct model_tdo *t = prov_fake_get(f, d, p, &sec);

	memset(s, 0, sizeof(*s));
	if (t == NULL)
		return;
	s->present = true;
	s->direction = t->direction;
	s->attributes = t->attributes;
	s->enctypes = t->enctypes;
	for (size_t i = 0; i < t->fti.n; i++)
		s->tlns += t->fti.rec[i].type == FTI_TLN ||
		           t->fti.rec[i].type == FTI_TLN_EX;
	snprintf(s->secret, sizeof(s->secret), "%s", sec);
}

static const char *const pairs[][2] = {
        {"a.test", "b.test"}, {"a.test", "c.test"}, {"b.test", "c.test"},
        {"a.test", "d.test"}, {"b.test", "d.test"},
};
#define N_PAIRS (sizeof(pairs) / sizeof(pairs[0]))

struct snap {
	struct side s[N_PAIRS][2];
};

static void
snap_of(struct snap *sn, struct prov *f)
{
	for (size_t i = 0; i < N_PAIRS; i++) {
		side_of(&sn->s[i][0], f, pairs[i][0], pairs[i][1]);
		side_of(&sn->s[i][1], f, pairs[i][1], pairs[i][0]);
	}
}

static bool
same_side(const struct side *x, const struct side *y, bool secret)
{
	if (x->present != y->present)
		return false;
	if (!x->present)
		return true;
	return x->direction == y->direction && x->attributes == y->attributes &&
	       x->enctypes == y->enctypes && x->tlns == y->tlns &&
	       (!secret || strcmp(x->secret, y->secret) == 0);
}

/*
 * Trust i is whole: both sides present with one secret, or both absent.
 * As before: both sides as before (secret included).  As desired: as in
 * the desired snapshot (attributes; secrets shared).
 */
static bool
whole(const struct side s[2])
{
	if (s[0].present != s[1].present)
		return false;
	return !s[0].present || strcmp(s[0].secret, s[1].secret) == 0;
}

/* The desired state's plan holds nothing to do for trust i. */
static bool
settled(const struct plan *p, size_t i)
{
	for (size_t k = 0; k < p->n_items; k++) {
		const struct plan_item *it = &p->items[k];

		if (it->action == PLAN_NOOP)
			continue;
		if ((strcmp(it->domain, pairs[i][0]) == 0 &&
		     strcmp(it->partner, pairs[i][1]) == 0) ||
		    (strcmp(it->domain, pairs[i][1]) == 0 &&
		     strcmp(it->partner, pairs[i][0]) == 0))
			return false;
	}
	return true;
}

/*
 * As before: both sides as they were, secret included.  As desired: the
 * desired state's plan has nothing left to do for it (unmanaged fields may
 * differ from a clean run's: a create takes defaults a replace keeps).
 * Either way whole: both sides or none, one secret.
 */
static bool
trust_ok(const struct snap *now, const struct snap *before,
         const struct plan *again, size_t i)
{
	bool as_before = same_side(&now->s[i][0], &before->s[i][0], true) &&
	                 same_side(&now->s[i][1], &before->s[i][1], true);

	return whole(now->s[i]) && (as_before || settled(again, i));
}

/* What the plan and a clean apply give: the desired snapshot. */
static size_t
clean_run(struct snap *want, const struct model *m)
{
	struct prov *f = world();
	struct rec_apply_opts o = {.writer = f};
	struct plan p;
	struct err err;
	size_t n;

	o.report = fopen("/dev/null", "w");
	plan_init(&p);
	err_init(&err);
	plan_for(&p, f, m, NULL, NULL);
	cr_assert_eq(rec_apply(&p, m, &o, &err), 0, "%s", err.msg);
	n = prov_fake_writes(f);
	snap_of(want, f);
	for (size_t i = 0; i < N_PAIRS; i++)
		cr_assert(whole(want->s[i]), "clean apply: trust %zu", i);
	plan_release(&p);
	plan_init(&p);
	plan_for(&p, f, m, NULL, NULL);
	cr_assert(plan_is_noop(&p), "a clean apply converges");
	plan_release(&p);
	fclose(o.report);
	prov_close(f);
	return n;
}

Test(rec_apply, plan_mixes_every_kind_of_step)
{
	struct model *m = load(desired);
	struct prov *f = world();
	struct plan p;
	bool fti_update = false;

	plan_init(&p);
	plan_for(&p, f, m, NULL, NULL);
	cr_assert_gt(p.n_create, 0);
	cr_assert_gt(p.n_update, 0);
	cr_assert_gt(p.n_replace, 0);
	cr_assert_gt(p.n_delete, 0);
	for (size_t i = 0; i < p.n_items; i++)
		for (size_t k = 0; k < p.items[i].n_changes; k++)
			if (p.items[i].action == PLAN_UPDATE &&
			    strncmp(p.items[i].changes[k].field,
			            "name_suffixes", 13) == 0)
				fti_update = true;
	cr_assert(fti_update, "a name-suffix change in place");
	plan_release(&p);
	prov_close(f);
	model_free(m);
}

static char *
tmpdir(void)
{
	char *d = xstrdup("/tmp/adt-apply-XXXXXX");

	cr_assert_not_null(mkdtemp(d));
	return d;
}

static void
rmtree(const char *d)
{
	char *cmd = xasprintf("rm -rf '%s'", d);

	cr_assert_eq(system(cmd), 0);
	free(cmd);
}

static size_t
journals(const char *dir)
{
	char *cmd = xasprintf("ls '%s' | grep -c '^journal-'", dir);
	FILE *fp = popen(cmd, "r");
	unsigned long n = 0;

	cr_assert_not_null(fp);
	if (fscanf(fp, "%lu", &n) != 1)
		n = 0;
	pclose(fp);
	free(cmd);
	return n;
}

#define SIDE(x)                                                                \
	(x).present, (x).direction, (x).attributes, (x).enctypes, (x).tlns

static const char *const kinds[] = {"fail", "lost", "down", "SIGINT",
                                    "SIGTERM"};

Test(rec_apply, fault_matrix, .timeout = 120)
{
	struct model *m = load(desired);
	struct snap want, before;
	size_t n_steps, cases = 0, half = 0, unreported = 0, incomplete = 0;

	catch_signals();
	n_steps = clean_run(&want, m);
	cr_assert_geq(n_steps, 10, "the plan writes %zu steps", n_steps);
	for (size_t k = 1; k <= n_steps; k++) {
		for (size_t kind = 0; kind < 5; kind++) {
			struct prov *f = world();
			char *dir = tmpdir(), *rep = NULL;
			size_t replen = 0;
			struct rec_apply_opts o = {
			        .writer = f, .journal_dir = dir, .stop = &stop};
			struct rec_leftovers ls;
			struct snap now;
			struct plan p, again;
			struct err err;
			int rc;

			snap_of(&before, f);
			stop = 0;
			switch (kind) {
			case 0:
				prov_fake_fault(f, k, PROV_FAKE_FAIL, 0);
				break;
			case 1:
				prov_fake_fault(f, k, PROV_FAKE_LOST, 0);
				break;
			case 2:
				prov_fake_fault(f, k, PROV_FAKE_DOWN, 0);
				break;
			case 3:
				prov_fake_fault(f, k, PROV_FAKE_SIGNAL, SIGINT);
				break;
			case 4:
				prov_fake_fault(f, k, PROV_FAKE_SIGNAL,
				                SIGTERM);
				break;
			}
			o.report = open_memstream(&rep, &replen);
			plan_init(&p);
			err_init(&err);
			plan_for(&p, f, m, dir, &ls);
			o.leftovers = &ls;
			rc = rec_apply(&p, m, &o, &err);
			rec_leftovers_release(&ls);
			fclose(o.report);
			cases++;
			/*
			 * A signal stops the run unless it came during the
			 * last step, with nothing left to stop.  A lost answer
			 * the read-back settles may still succeed.
			 */
			if ((kind == 3 || kind == 4) && k < n_steps)
				cr_assert_lt(rc, 0,
				             "%s at %zu: the run must stop",
				             kinds[kind], k);
			snap_of(&now, f);
			prov_fake_heal(f); /* to read it all */
			plan_init(&again);
			plan_for(&again, f, m, NULL, NULL);
			for (size_t i = 0; i < N_PAIRS; i++) {
				if (trust_ok(&now, &before, &again, i))
					continue;
				if (kind == 2 && strstr(rep, "INCOMPLETE") &&
				    strstr(rep, pairs[i][0]) &&
				    journals(dir) == 1) {
					incomplete++;
					continue; /* reported, journal kept */
				}
				half++;
				cr_log_error("%s at step %zu: trust %s<->%s "
				             "half-made:\n%s",
				             kinds[kind], k, pairs[i][0],
				             pairs[i][1], rep);
			}
			/* every changed item is named in the report */
			for (size_t i = 0; i < p.n_items; i++) {
				if (p.items[i].action == PLAN_NOOP)
					continue;
				if (strstr(rep, p.items[i].address) == NULL) {
					unreported++;
					cr_log_error(
					        "%s at %zu: '%s' not in the "
					        "report:\n%s",
					        kinds[kind], k,
					        p.items[i].address, rep);
				}
			}
			if (kind != 2)
				cr_assert_eq(journals(dir), 0,
				             "%s at %zu: every trust settled, "
				             "so no journal is kept:\n%s",
				             kinds[kind], k, rep);
			plan_release(&p);
			plan_release(&again);
			free(rep);
			rep = NULL;

			/* the DCs answer again: the next apply converges */
			prov_fake_heal(f);
			stop = 0;
			o.report = open_memstream(&rep, &replen);
			plan_init(&p);
			plan_for(&p, f, m, dir, &ls);
			o.leftovers = &ls;
			rc = rec_apply(&p, m, &o, &err);
			rec_leftovers_release(&ls);
			fclose(o.report);
			cr_assert_eq(rc, 0, "%s at %zu, second apply: %s\n%s",
			             kinds[kind], k, err.msg, rep);
			snap_of(&now, f);
			for (size_t i = 0; i < N_PAIRS; i++)
				cr_assert(whole(now.s[i]),
				          "%s at %zu: trust %s<->%s is not "
				          "whole after the second apply:\n%s",
				          kinds[kind], k, pairs[i][0],
				          pairs[i][1], rep);
			cr_assert_eq(journals(dir), 0,
			             "%s at %zu: the repair removes the "
			             "journal",
			             kinds[kind], k);
			plan_release(&p);
			plan_init(&p);
			plan_for(&p, f, m, dir, &ls);
			rec_leftovers_release(&ls);
			cr_assert(plan_is_noop(&p), "%s at %zu: converged",
			          kinds[kind], k);
			plan_release(&p);
			free(rep);
			rmtree(dir);
			free(dir);
			prov_close(f);
		}
	}
	fprintf(stderr,
	        "fault matrix: %zu cases (%zu write steps x fail, lost "
	        "answer, DC down, SIGINT, SIGTERM), %zu half-trusts, %zu "
	        "reported INCOMPLETE (DC down), %zu unreported steps\n",
	        cases, n_steps, half, incomplete, unreported);
	cr_assert_eq(half, 0);
	cr_assert_eq(unreported, 0);
	model_free(m);
}

/* ---- the structured report (apply --json): one event per text line ---- */

static size_t
lines(const char *text)
{
	size_t n = 0;

	for (const char *s = text; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/* The k-th record's key as a string, or NULL. */
static const char *
rec_key(const struct rec_report *rp, size_t k, const char *key)
{
	return json_string_value(
	        json_object_get(json_array_get(rp->steps, k), key));
}

/* Applies desired against world() with fault k (0: none). */
static int
run_with_events(struct rec_report *rp, char **text, size_t fail_at)
{
	struct model *m = load(desired);
	struct prov *f = world();
	size_t len = 0;
	struct rec_apply_opts o = {
	        .writer = f, .event = rec_report_event, .event_ctx = rp};
	struct plan p;
	struct err err;
	int rc;

	o.report = open_memstream(text, &len);
	cr_assert_not_null(o.report);
	plan_init(&p);
	err_init(&err);
	plan_for(&p, f, m, NULL, NULL);
	if (fail_at > 0)
		prov_fake_fault(f, fail_at, PROV_FAKE_FAIL, 0);
	rec_report_init(rp);
	rc = rec_apply(&p, m, &o, &err);
	fclose(o.report);
	plan_release(&p);
	prov_close(f);
	model_free(m);
	return rc;
}

Test(rec_apply, events_of_a_clean_run)
{
	struct rec_report rp;
	char *text = NULL;
	size_t n, done = 0;

	cr_assert_eq(run_with_events(&rp, &text, 0), 0);
	n = json_array_size(rp.steps);
	cr_assert_eq(n, lines(text), "one record per report line:\n%s", text);
	for (size_t k = 0; k < n; k++) {
		const char *fate = rec_key(&rp, k, "fate");
		const char *addr = rec_key(&rp, k, "address");

		cr_assert(strcmp(fate, "done") == 0 ||
		                  strcmp(fate, "verified") == 0 ||
		                  strcmp(fate, "note") == 0,
		          "a clean run: %s", fate);
		cr_assert_not_null(rec_key(&rp, k, "trust"));
		if (strcmp(fate, "done") != 0)
			continue;
		done++;
		/* the text line of the same step */
		cr_assert_not_null(rec_key(&rp, k, "step"));
		cr_assert_not_null(strstr(text, addr), "%s", addr);
	}
	cr_assert_gt(done, 0);
	/* b<->c is replaced (c.test is Samba): its unusable time */
	cr_assert(json_is_real(json_object_get(rp.unusable, "b.test|c.test")));
	cr_assert_eq(json_object_size(rp.unusable), 1);
	rec_report_release(&rp);
	free(text);
}

Test(rec_apply, events_of_a_failed_step_rolled_back)
{
	struct rec_report rp;
	char *text = NULL;
	size_t n, failed = SIZE_MAX, undone = 0, before = 0, not_done = 0;

	/* the second write: the second side of a<->b's in-place update */
	cr_assert_lt(run_with_events(&rp, &text, 2), 0);
	n = json_array_size(rp.steps);
	cr_assert_eq(n, lines(text), "one record per report line:\n%s", text);
	for (size_t k = 0; k < n; k++) {
		const char *fate = rec_key(&rp, k, "fate");
		const char *step = rec_key(&rp, k, "step");
		const char *detail = rec_key(&rp, k, "detail");

		if (strcmp(fate, "failed") == 0 && failed == SIZE_MAX) {
			failed = k;
			cr_assert_not_null(detail);
			cr_assert_str_eq(rec_key(&rp, k, "trust"),
			                 "a.test|b.test");
		} else if (strcmp(fate, "undone") == 0) {
			cr_assert_gt(k, failed);
			cr_assert_str_eq(step, "undo-update");
			undone++;
		} else if (strcmp(fate, "note") == 0 && detail != NULL &&
		           strncmp(detail, "as it was before", 16) == 0) {
			cr_assert_null(rec_key(&rp, k, "address"));
			before++;
		} else if (strcmp(fate, "not_done") == 0) {
			cr_assert_null(step);
			not_done++;
		}
	}
	cr_assert_neq(failed, SIZE_MAX, "a failed record:\n%s", text);
	cr_assert_eq(undone, 1, "%s", text);
	cr_assert_eq(before, 1, "%s", text);
	cr_assert_gt(not_done, 0, "%s", text);
	cr_assert_eq(json_object_size(rp.unusable), 0);
	rec_report_release(&rp);
	free(text);
}
