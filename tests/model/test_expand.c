/*
 * Expansion, table-driven: one case per row of the netdom table (DESIGN.md
 * section 6) and per trustAttributes bit (spec section 2.3).  Each case is
 * a trust in YAML and the TDO it must become on one side.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "model/model.h"
#include "util/err.h"

static const char *const head =
        "version: 1\n"
        "domains:\n"
        "  - { name: a.test, netbios: A, sid: S-1-5-21-1-1-1 }\n"
        "  - { name: b.test, netbios: B, sid: S-1-5-21-2-2-2 }\n"
        "  - { name: R.TEST, kind: mit-realm }\n"
        "trusts:\n"
        "  - trusting: a.test\n";

struct xcase {
	const char *what;  /* the netdom switch or bit */
	const char *trust; /* YAML lines after "trusting: a.test" */
	const char *side;  /* the domain whose TDO is checked */
	uint32_t dir, type, attrs, mask, enc;
	unsigned fields; /* required bits of tdo.fields */
	size_t n_sides;  /* how many TDOs the trust expands to */
};

#define EXT "    trusted: b.test\n    type: external\n"
#define FOR "    trusted: b.test\n    type: forest\n"
#define REALM "    trusted: R.TEST\n    type: realm\n    password: { env: P }\n"
#define BASEMASK (TA_FOREST_TRANSITIVE | TA_WITHIN_FOREST)
#define DEF_ENC (ENC_AES128 | ENC_AES256)

static const struct xcase cases[] = {
        /* netdom rows */
        {"/add (one-way, trusting side)", EXT, "a.test", TDO_DIR_OUTBOUND,
         TDO_TYPE_UPLEVEL, TA_QUARANTINED_DOMAIN, BASEMASK, DEF_ENC,
         TDO_F_DIRECTION | TDO_F_SID | TDO_F_FLATNAME, 2},
        {"/add (one-way, trusted side)", EXT, "b.test", TDO_DIR_INBOUND,
         TDO_TYPE_UPLEVEL, 0, BASEMASK, DEF_ENC, TDO_F_DIRECTION, 2},
        {"/twoway", EXT "    direction: two-way\n", "b.test", TDO_DIR_BOTH,
         TDO_TYPE_UPLEVEL, TA_QUARANTINED_DOMAIN, BASEMASK, DEF_ENC, 0, 2},
        {"/oneside:trusting",
         EXT "    sides: trusting\n    password: { env: P }\n", "a.test",
         TDO_DIR_OUTBOUND, TDO_TYPE_UPLEVEL, TA_QUARANTINED_DOMAIN, BASEMASK,
         DEF_ENC, 0, 1},
        {"/oneside:trusted",
         EXT "    sides: trusted\n    password: { env: P }\n", "b.test",
         TDO_DIR_INBOUND, TDO_TYPE_UPLEVEL, 0, BASEMASK, DEF_ENC, 0, 1},
        {"/realm", REALM, "a.test", TDO_DIR_OUTBOUND, TDO_TYPE_MIT,
         TA_NON_TRANSITIVE, BASEMASK, DEF_ENC, 0, 1},
        {"/realm /transitive:yes", REALM "    transitive: true\n", "a.test",
         TDO_DIR_OUTBOUND, TDO_TYPE_MIT, 0, BASEMASK | TA_NON_TRANSITIVE,
         DEF_ENC, 0, 1},
        {"/realm /transitive:no", REALM "    transitive: false\n", "a.test",
         TDO_DIR_OUTBOUND, TDO_TYPE_MIT, TA_NON_TRANSITIVE,
         BASEMASK | TA_NON_TRANSITIVE, DEF_ENC, 0, 1},
        {"/quarantine:yes", EXT "    sid_filtering: true\n", "a.test",
         TDO_DIR_OUTBOUND, TDO_TYPE_UPLEVEL, TA_QUARANTINED_DOMAIN,
         BASEMASK | TA_QUARANTINED_DOMAIN, DEF_ENC, 0, 2},
        {"/quarantine:no", EXT "    sid_filtering: false\n", "a.test",
         TDO_DIR_OUTBOUND, TDO_TYPE_UPLEVEL, 0,
         BASEMASK | TA_QUARANTINED_DOMAIN, DEF_ENC, 0, 2},
        {"/enablesidhistory:yes", FOR "    sid_history: true\n", "a.test",
         TDO_DIR_OUTBOUND, TDO_TYPE_UPLEVEL,
         TA_FOREST_TRANSITIVE | TA_TREAT_AS_EXTERNAL,
         BASEMASK | TA_TREAT_AS_EXTERNAL, DEF_ENC, 0, 2},
        {"forest sid_filtering: true", FOR "    sid_filtering: true\n",
         "a.test", TDO_DIR_OUTBOUND, TDO_TYPE_UPLEVEL, TA_FOREST_TRANSITIVE,
         BASEMASK | TA_TREAT_AS_EXTERNAL, DEF_ENC, 0, 2},
        {"/foresttransitive", FOR, "b.test", TDO_DIR_INBOUND, TDO_TYPE_UPLEVEL,
         TA_FOREST_TRANSITIVE, BASEMASK, DEF_ENC, 0, 2},
        {"/selectiveauth:yes", EXT "    selective_authentication: true\n",
         "a.test", TDO_DIR_OUTBOUND, TDO_TYPE_UPLEVEL,
         TA_QUARANTINED_DOMAIN | TA_CROSS_ORGANIZATION,
         BASEMASK | TA_CROSS_ORGANIZATION, DEF_ENC, 0, 2},
        {"selective auth is not on the inbound side",
         EXT "    selective_authentication: true\n", "b.test", TDO_DIR_INBOUND,
         TDO_TYPE_UPLEVEL, 0, BASEMASK, DEF_ENC, 0, 2},
        {"/namesuffixes", FOR "    name_suffixes: { enable: [b.test] }\n",
         "a.test", TDO_DIR_OUTBOUND, TDO_TYPE_UPLEVEL, TA_FOREST_TRANSITIVE,
         BASEMASK, DEF_ENC, TDO_F_SUFFIXES, 2},
        {"/enabletgtdelegation:yes", EXT "    tgt_delegation: true\n", "a.test",
         TDO_DIR_OUTBOUND, TDO_TYPE_UPLEVEL,
         TA_QUARANTINED_DOMAIN | TA_CROSS_ORG_ENABLE_TGT_DELEGATION,
         BASEMASK | TA_CROSS_ORG_ENABLE_TGT_DELEGATION |
                 TA_CROSS_ORG_NO_TGT_DELEGATION,
         DEF_ENC, 0, 2},
        {"/enabletgtdelegation:no", EXT "    tgt_delegation: false\n", "a.test",
         TDO_DIR_OUTBOUND, TDO_TYPE_UPLEVEL,
         TA_QUARANTINED_DOMAIN | TA_CROSS_ORG_NO_TGT_DELEGATION,
         BASEMASK | TA_CROSS_ORG_ENABLE_TGT_DELEGATION |
                 TA_CROSS_ORG_NO_TGT_DELEGATION,
         DEF_ENC, 0, 2},
        {"/enablepimtrust:yes", FOR "    pim: true\n", "a.test",
         TDO_DIR_OUTBOUND, TDO_TYPE_UPLEVEL,
         TA_FOREST_TRANSITIVE | TA_PIM_TRUST, BASEMASK | TA_PIM_TRUST, DEF_ENC,
         0, 2},
        {"/authtargetvalidation:no", FOR "    auth_target_validation: false\n",
         "a.test", TDO_DIR_OUTBOUND, TDO_TYPE_UPLEVEL,
         TA_FOREST_TRANSITIVE | TA_DISABLE_AUTH_TARGET_VALIDATION,
         BASEMASK | TA_DISABLE_AUTH_TARGET_VALIDATION, DEF_ENC, 0, 2},
        {"/authtargetvalidation:yes", FOR "    auth_target_validation: true\n",
         "a.test", TDO_DIR_OUTBOUND, TDO_TYPE_UPLEVEL, TA_FOREST_TRANSITIVE,
         BASEMASK | TA_DISABLE_AUTH_TARGET_VALIDATION, DEF_ENC, 0, 2},
        /* the remaining bits */
        {"UPLEVEL_ONLY", EXT "    uplevel_only: true\n", "b.test",
         TDO_DIR_INBOUND, TDO_TYPE_UPLEVEL, TA_UPLEVEL_ONLY,
         BASEMASK | TA_UPLEVEL_ONLY, DEF_ENC, 0, 2},
        {"WITHIN_FOREST (shortcut)",
         "    trusted: b.test\n    type: shortcut\n", "a.test",
         TDO_DIR_OUTBOUND, TDO_TYPE_UPLEVEL,
         TA_WITHIN_FOREST | TA_QUARANTINED_DOMAIN, BASEMASK, DEF_ENC, 0, 2},
        {"USES_RC4_ENCRYPTION", REALM "    uses_rc4: true\n", "a.test",
         TDO_DIR_OUTBOUND, TDO_TYPE_MIT,
         TA_NON_TRANSITIVE | TA_USES_RC4_ENCRYPTION,
         BASEMASK | TA_USES_RC4_ENCRYPTION, DEF_ENC, 0, 1},
        {"USES_AES_KEYS", EXT "    uses_aes: true\n", "a.test",
         TDO_DIR_OUTBOUND, TDO_TYPE_UPLEVEL,
         TA_QUARANTINED_DOMAIN | TA_USES_AES_KEYS, BASEMASK | TA_USES_AES_KEYS,
         DEF_ENC, 0, 2},
        {"encryption", EXT "    encryption: [rc4, aes256]\n", "b.test",
         TDO_DIR_INBOUND, TDO_TYPE_UPLEVEL, 0, BASEMASK,
         ENC_RC4_HMAC | ENC_AES256, TDO_F_ENCTYPES, 2},
        {"override per side",
         EXT "    direction: two-way\n    selective_authentication: true\n"
             "    override:\n      - { domain: b.test, "
             "selective_authentication: false }\n",
         "b.test", TDO_DIR_BOTH, TDO_TYPE_UPLEVEL, TA_QUARANTINED_DOMAIN,
         BASEMASK | TA_CROSS_ORGANIZATION, DEF_ENC, 0, 2},
};

/*
 * Criterion runs each parameter in a fresh process where the addresses of
 * the strings differ, so the parameter is the index into cases[].
 */
ParameterizedTestParameters(model_expand, netdom_rows_and_bits)
{
	static size_t idx[sizeof(cases) / sizeof(cases[0])];

	for (size_t i = 0; i < sizeof(idx) / sizeof(idx[0]); i++)
		idx[i] = i;
	return cr_make_param_array(size_t, idx, sizeof(idx) / sizeof(idx[0]));
}

ParameterizedTest(size_t *ci, model_expand, netdom_rows_and_bits)
{
	const struct xcase *c = &cases[*ci];
	char yaml[2048];
	struct model *m = NULL;
	struct model_expected e;
	const struct model_tdo *t = NULL;
	struct diags d;
	struct err err;

	snprintf(yaml, sizeof(yaml), "%s%s", head, c->trust);
	diags_init(&d);
	err_init(&err);
	cr_assert_eq(model_load_buf(&m, "x.yaml", yaml, strlen(yaml), &d, &err),
	             0, "%s: %s", c->what, d.n ? d.v[0].msg : err.msg);
	cr_assert_eq(model_expand(&e, m, &err), 0);
	cr_assert_eq(e.n_tdos, c->n_sides, "%s: %zu sides", c->what, e.n_tdos);
	for (size_t i = 0; i < e.n_tdos; i++)
		if (strcasecmp(e.tdos[i].domain, c->side) == 0)
			t = &e.tdos[i];
	cr_assert_not_null(t, "%s: no TDO on %s", c->what, c->side);
	cr_expect_eq(t->direction, c->dir, "%s: direction %u", c->what,
	             t->direction);
	cr_expect_eq(t->type, c->type, "%s: type %u", c->what, t->type);
	cr_expect_eq(t->attributes, c->attrs, "%s: attributes 0x%x want 0x%x",
	             c->what, t->attributes, c->attrs);
	cr_expect_eq(t->attr_mask, c->mask, "%s: mask 0x%x want 0x%x", c->what,
	             t->attr_mask, c->mask);
	cr_expect_eq(t->enctypes, c->enc, "%s: enctypes 0x%x", c->what,
	             t->enctypes);
	cr_expect_eq(t->fields & c->fields, c->fields, "%s: fields 0x%x",
	             c->what, t->fields);
	model_expected_release(&e);
	model_free(m);
	diags_release(&d);
}

Test(model_expand, absent_trust_expands_to_absent_sides)
{
	const char *y =
	        "version: 1\ndomains: [ { name: a.test }, { name: b.test } ]\n"
	        "trusts:\n  - { trusting: a.test, trusted: b.test, "
	        "type: external, ensure: absent }\n";
	struct model *m = NULL;
	struct model_expected e;
	struct diags d;
	struct err err;

	diags_init(&d);
	cr_assert_eq(model_load_buf(&m, "x.yaml", y, strlen(y), &d, &err), 0);
	cr_assert_eq(model_expand(&e, m, &err), 0);
	cr_expect_eq(e.n_tdos, 0);
	cr_assert_eq(e.n_absent, 2);
	cr_expect_str_eq(e.absent[0].domain, "a.test");
	cr_expect_str_eq(e.absent[0].partner, "b.test");
	cr_expect_str_eq(e.absent[1].domain, "b.test");
	model_expected_release(&e);
	model_free(m);
	diags_release(&d);
}

/* The field table (issue 9): each row is a plan field over named bits. */
Test(model_fields, every_row_is_a_known_field_over_named_bits)
{
	cr_assert_gt(model_n_bool_fields, 0);
	for (size_t i = 0; i < model_n_bool_fields; i++) {
		const struct model_bool_field *f = &model_bool_fields[i];
		uint32_t named = 0;

		cr_expect(model_field_known(f->name), "%s", f->name);
		cr_expect_neq(f->types, 0u, "%s applies to no type", f->name);
		for (size_t j = 0; j < model_n_attr_bits; j++)
			named |= model_attr_bits[j].bit;
		cr_expect_eq((f->bit | f->pair) & ~named, 0u,
		             "%s: a bit without a name", f->name);
		/* inverted means: true when the bit is clear */
		cr_expect_eq(model_bool_field_value(f, f->bit), !f->inverted,
		             "%s", f->name);
	}
}
