/*
 * rec_apply with two writers, as cmd_apply runs a realm trust: the AD side
 * through one fake (the LSA writer's place), the MIT realm side through
 * another (the kadm5 writer's place), routed by the domain's kind.  The
 * fault matrix of test_apply.c, for a realm trust: a two-way create (one
 * create on each writer) and a re-key (the AD side replaced, the realm side
 * re-keyed in place); at every write step k of either writer the write
 * fails, loses its answer, the server dies, or SIGTERM arrives.  After each
 * case the trust is whole (both sides with one secret, or neither) or,
 * only when a server stayed down, reported INCOMPLETE; and once the
 * servers answer, a second apply converges.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "providers/fake.h"
#include "providers/prov.h"
#include "reconcile/rec.h"
#include "util/err.h"
#include "util/xalloc.h"

static const char *const desired =
        "version: 1\n"
        "domains:\n"
        "  - { name: na.test, netbios: NA, sid: S-1-5-21-1-1-1 }\n"
        "  - { name: ATHENA.TEST, kind: mit-realm, kadmin: kdc }\n"
        "trusts:\n"
        "  - { trusting: na.test, trusted: ATHENA.TEST, type: realm,\n"
        "      direction: two-way, password: { env: ADT_T_REALM_PW } }\n";

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	stop = sig;
}

static struct model *
load(void)
{
	struct model *m = NULL;
	struct diags d;
	struct err err;

	diags_init(&d);
	err_init(&err);
	cr_assert_eq(model_load_buf(&m, "t.yaml", desired, strlen(desired), &d,
	                            &err),
	             0, "%s", d.n ? d.v[0].msg : err.msg);
	diags_release(&d);
	return m;
}

struct world {
	struct prov *ad, *kr;
};

/* Both sides exist (exists) with password pw, or neither. */
static void
world_init(struct world *w, bool exists, const char *pw)
{
	struct model_tdo t;

	w->ad = prov_fake_new();
	w->kr = prov_fake_new();
	prov_fake_add_domain(w->ad, "na.test", "NA", "S-1-5-21-1-1-1", "");
	prov_fake_add_domain(w->kr, "ATHENA.TEST", "ATHENA.TEST", "", "");
	if (!exists)
		return;
	model_tdo_init(&t);
	t.domain = xstrdup("na.test");
	t.partner = xstrdup("ATHENA.TEST");
	t.flat_name = xstrdup("ATHENA.TEST");
	t.direction = TDO_DIR_BOTH;
	t.type = TDO_TYPE_MIT;
	t.enctypes = ENC_AES128 | ENC_AES256;
	t.has_enctypes = true;
	prov_fake_put(w->ad, &t, pw);
	free(t.domain);
	free(t.partner);
	free(t.flat_name);
	t.flat_name = NULL;
	t.domain = xstrdup("ATHENA.TEST");
	t.partner = xstrdup("na.test");
	t.realm_side = true;
	prov_fake_put(w->kr, &t, pw);
	model_tdo_release(&t);
}

static void
world_free(struct world *w)
{
	prov_close(w->ad);
	prov_close(w->kr);
}

static char jdir[64]; /* the journal directory of a fault case */

static void
plan_for(struct plan *p, const struct world *w, const struct model *m,
         bool rekey)
{
	static const char *const ad[] = {"na.test"}, *const kr[] = {
	                                                     "ATHENA.TEST"};
	struct rec_opts ro = {.today = "2026-12-01"};
	struct model_state st;
	struct err err;

	err_init(&err);
	model_state_init(&st);
	cr_assert_eq(prov_read(w->ad, ad, 1, &st, &err), 0, "%s", err.msg);
	cr_assert_eq(prov_read(w->kr, kr, 1, &st, &err), 0, "%s", err.msg);
	cr_assert_eq(rec_diff(p, m, &st, &ro, &err), 0, "%s", err.msg);
	if (rekey)
		cr_assert_eq(
		        rec_plan_rekey(p, "na.test:ATHENA.TEST", false, &err),
		        0, "%s", err.msg);
	if (jdir[0] != '\0') { /* what a dead or stopped run left */
		struct rec_leftovers ls = {0};

		cr_assert_eq(rec_journal_scan(&ls, jdir,
		                              (const char *const *)p->domains,
		                              p->n_domains, &err),
		             0, "%s", err.msg);
		rec_plan_repair(p, &ls);
		rec_leftovers_release(&ls);
	}
	model_state_release(&st);
}

/* The two sides: whole (both with one secret, or none); which secret. */
static bool
whole(const struct world *w, const char **secret)
{
	const char *sa = NULL, *sk = NULL;
	const struct model_tdo *a =
	        prov_fake_get(w->ad, "na.test", "ATHENA.TEST", &sa);
	const struct model_tdo *k =
	        prov_fake_get(w->kr, "ATHENA.TEST", "na.test", &sk);

	*secret = sa;
	if ((a == NULL) != (k == NULL))
		return false;
	return a == NULL || strcmp(sa, sk) == 0;
}

static size_t
run(const struct world *w, const struct model *m, bool rekey, FILE *rep,
    struct err *err, int *rc)
{
	struct rec_apply_opts o = {
	        .writer = w->ad, .realm_writer = w->kr, .report = rep};
	size_t failed = 0;
	struct plan p;

	o.stop = &stop;
	o.journal_dir = jdir[0] != '\0' ? jdir : NULL;
	o.failed_checks = &failed;
	plan_init(&p);
	plan_for(&p, w, m, rekey);
	*rc = rec_apply(&p, m, &o, err);
	plan_release(&p);
	return failed;
}

Test(rec_apply_realm, routes_each_side_to_its_writer)
{
	struct model *m = load();
	struct world w;
	struct err err;
	const char *sec;
	int rc;
	FILE *rep = fopen("/dev/null", "w");

	setenv("ADT_T_REALM_PW", "first", 1);
	world_init(&w, false, NULL);
	err_init(&err);
	run(&w, m, false, rep, &err, &rc);
	cr_assert_eq(rc, 0, "%s", err.msg);
	cr_assert_eq(prov_fake_writes(w.ad), 1);
	cr_assert_eq(prov_fake_writes(w.kr), 1);
	cr_assert(whole(&w, &sec) && sec != NULL && sec[0] != '\0');
	cr_assert(prov_fake_get(w.kr, "ATHENA.TEST", "na.test", NULL)
	                  ->princ[MODEL_PRINC_OUT]
	                  .present);
	/* re-key: the AD side is replaced, the realm side re-keyed in place */
	setenv("ADT_T_REALM_PW", "second", 1);
	run(&w, m, true, rep, &err, &rc);
	cr_assert_eq(rc, 0, "%s", err.msg);
	cr_assert_eq(prov_fake_writes(w.kr), 2, "one in-place re-key");
	cr_assert_eq(prov_fake_writes(w.ad), 3, "a delete and a create");
	cr_assert(whole(&w, &sec));
	cr_assert_eq(prov_fake_get(w.kr, "ATHENA.TEST", "na.test", NULL)
	                     ->princ[MODEL_PRINC_IN]
	                     .kvno,
	             2);
	world_free(&w);
	model_free(m);
	fclose(rep);
}

Test(rec_apply_realm, fault_matrix)
{
	static const enum prov_fake_fault faults[] = {
	        PROV_FAKE_FAIL, PROV_FAKE_LOST, PROV_FAKE_DOWN,
	        PROV_FAKE_SIGNAL};
	struct model *m = load();
	struct sigaction sa;
	size_t cases = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	for (int rekey = 0; rekey < 2; rekey++)
		for (int which = 0; which < 2; which++)
			for (size_t k = 1; k <= (rekey ? 3u : 1u); k++)
				for (size_t fi = 0; fi < 4; fi++) {
					struct world w;
					struct err err;
					const char *sec;
					char *out = NULL;
					size_t len = 0;
					FILE *rep;
					struct prov *f;
					int rc;

					if (which == 1 && k > 1)
						continue; /* kr writes once */
					rep = open_memstream(&out, &len);
					setenv("ADT_T_REALM_PW", "old", 1);
					world_init(&w, rekey, "old");
					setenv("ADT_T_REALM_PW", "new", 1);
					snprintf(jdir, sizeof(jdir),
					         "/tmp/adt-test-realm.XXXXXX");
					cr_assert_not_null(mkdtemp(jdir));
					f = which ? w.kr : w.ad;
					prov_fake_fault(f, k, faults[fi],
					                SIGTERM);
					stop = 0;
					err_init(&err);
					run(&w, m, rekey, rep, &err, &rc);
					fflush(rep);
					if (!whole(&w, &sec))
						cr_assert(
						        strstr(out,
						               "INCOMPLETE") !=
						                        NULL &&
						                faults[fi] ==
						                        PROV_FAKE_DOWN,
						        "case rekey=%d %s "
						        "k=%zu "
						        "fault %zu: one-sided, "
						        "not reported:\n%s",
						        rekey,
						        which ? "kr" : "ad", k,
						        fi, out);
					/* the servers answer again: converges
					 */
					prov_fake_heal(w.ad);
					prov_fake_heal(w.kr);
					stop = 0;
					err_init(&err);
					run(&w, m, false, rep, &err, &rc);
					cr_assert_eq(rc, 0, "second apply: %s",
					             err.msg);
					fflush(rep);
					cr_assert(
					        whole(&w, &sec),
					        "case rekey=%d %s k=%zu fault "
					        "%zu: not whole after the "
					        "second "
					        "apply:\n%s",
					        rekey, which ? "kr" : "ad", k,
					        fi, out);
					{
						char cmd[128];

						snprintf(cmd, sizeof(cmd),
						         "rm -rf '%s'", jdir);
						cr_assert_eq(system(cmd), 0);
					}
					cr_assert(prov_fake_get(w.kr,
					                        "ATHENA.TEST",
					                        "na.test",
					                        NULL) != NULL);
					fclose(rep);
					free(out);
					world_free(&w);
					cases++;
				}
	cr_assert_eq(cases, 2 * 4 + 4 * 4);
	model_free(m);
}
