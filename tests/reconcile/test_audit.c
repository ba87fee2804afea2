#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "model/model.h"
#include "reconcile/audit.h"
#include "util/xalloc.h"

/* One domain a.test holding one TDO for b.test, as given. */
static void
one(struct model_state *s, uint32_t dir, uint32_t type, uint32_t attrs, int enc)
{
	struct model_domain_state *d;
	struct model_tdo *t;

	model_state_init(s);
	d = model_state_add(s);
	d->name = xstrdup("a.test");
	t = model_domain_state_add_tdo(d);
	t->domain = xstrdup("a.test");
	t->partner = xstrdup("b.test");
	t->direction = dir;
	t->type = type;
	t->attributes = attrs;
	t->has_enctypes = enc >= 0;
	t->enctypes = enc >= 0 ? (uint32_t)enc : 0;
}

/* The ids found, space-separated. */
static void
ids(char *out, size_t len, const struct model_state *s,
    const struct rec_audit_opts *o)
{
	struct rec_audit a;

	rec_audit_run(&a, s, o);
	out[0] = '\0';
	for (size_t i = 0; i < a.n; i++) {
		strncat(out, a.v[i].rule->id, len - strlen(out) - 1);
		strncat(out, " ", len - strlen(out) - 1);
	}
	rec_audit_release(&a);
}

Test(audit, tgt_delegation_pair)
{
	static const struct {
		uint32_t bits;
		const char *want;
	} cases[] = {
	        {0, "ADT004 "},     /* pre-2019: allowed by older DCs */
	        {0x800, "ADT003 "}, /* enabled */
	        {0x200, ""},        /* blocked */
	        {0xa00, ""},        /* 0x200 wins */
	};
	char got[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct model_state s;

		one(&s, TDO_DIR_BOTH, TDO_TYPE_UPLEVEL,
		    TA_FOREST_TRANSITIVE | TA_CROSS_ORGANIZATION |
		            cases[i].bits,
		    0x18);
		ids(got, sizeof(got), &s, NULL);
		cr_expect_str_eq(got, cases[i].want, "bits 0x%x",
		                 (unsigned)cases[i].bits);
		model_state_release(&s);
	}
}

Test(audit, sid_filtering_only_on_outbound_external_and_allow_list)
{
	const char *allow[] = {"B.TEST"};
	struct rec_audit_opts o = {.allow = allow, .n_allow = 1};
	struct model_state s;
	char got[256];

	one(&s, TDO_DIR_OUTBOUND, TDO_TYPE_UPLEVEL, 0, 0x18);
	ids(got, sizeof(got), &s, NULL);
	cr_expect_str_eq(got, "ADT001 ");
	ids(got, sizeof(got), &s, &o);
	cr_expect_str_eq(got, "");
	model_state_release(&s);
	one(&s, TDO_DIR_INBOUND, TDO_TYPE_UPLEVEL, 0, 0x18);
	ids(got, sizeof(got), &s, NULL);
	cr_expect_str_eq(got, "");
	model_state_release(&s);
	one(&s, TDO_DIR_OUTBOUND, TDO_TYPE_UPLEVEL, TA_WITHIN_FOREST, 0x18);
	ids(got, sizeof(got), &s, NULL);
	cr_expect_str_eq(got, "", "intra-forest trusts are not filtered");
	model_state_release(&s);
}

Test(audit, enctypes_on_inbound_sides)
{
	static const struct {
		uint32_t dir;
		int enc;
		const char *want;
	} cases[] = {
	        {TDO_DIR_BOTH, 0x4, "ADT005 "},  {TDO_DIR_BOTH, 0x3, "ADT005 "},
	        {TDO_DIR_BOTH, -1, "ADT006 "},   {TDO_DIR_BOTH, 0, "ADT006 "},
	        {TDO_DIR_BOTH, 0x1c, "ADT007 "}, {TDO_DIR_BOTH, 0x18, ""},
	        {TDO_DIR_OUTBOUND, 0x4, ""},
	};
	char got[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct model_state s;

		one(&s, cases[i].dir, TDO_TYPE_UPLEVEL, TA_QUARANTINED_DOMAIN,
		    cases[i].enc);
		ids(got, sizeof(got), &s, NULL);
		cr_expect_str_eq(got, cases[i].want, "case %zu", i);
		model_state_release(&s);
	}
}

Test(audit, secret_age_from_metadata)
{
	struct rec_audit_opts o = {.now = 1800000000LL,
	                           .max_secret_age_days = 30};
	struct model_state s;
	char got[256];

	one(&s, TDO_DIR_OUTBOUND, TDO_TYPE_UPLEVEL, TA_QUARANTINED_DOMAIN,
	    0x18);
	ids(got, sizeof(got), &s, &o);
	cr_expect_str_eq(got, "", "unknown age: no finding");
	s.domains[0].tdos[0].secret_out_set = o.now - 31 * 86400LL;
	ids(got, sizeof(got), &s, &o);
	cr_expect_str_eq(got, "ADT011 ");
	s.domains[0].tdos[0].secret_out_set = o.now - 29 * 86400LL;
	ids(got, sizeof(got), &s, &o);
	cr_expect_str_eq(got, "");
	model_state_release(&s);
}

Test(audit, rule_table_is_consistent)
{
	for (size_t i = 0; i < rec_n_rules; i++) {
		char want[32];

		snprintf(want, sizeof(want), "ADT%03zu", i + 1);
		cr_expect_str_eq(rec_rules[i].id, want);
		cr_expect(rec_rule_find(rec_rules[i].name) == &rec_rules[i]);
		cr_expect(rec_rules[i].check != NULL);
		cr_expect(strlen(rec_rules[i].references) > 0);
	}
	cr_expect(rec_rule_find("ADT999") == NULL);
	cr_expect_eq(rec_severity_parse("High"), REC_SEV_HIGH);
	cr_expect_eq(rec_severity_parse("severe"), -1);
}
