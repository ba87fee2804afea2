/*
 * The boolean trust fields' rows (MODEL_BOOL_FIELDS), each checked for
 * what adding one must give: its schema key (on a trust, and in 'override'
 * for a per-side field), validation's word for it (a known field name; set
 * on a type none of its rows reads, refused with its why), a type export
 * reads it on, and a change line from the diff when its bit differs.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "model/model.h"
#include "model/schema_int.h"
#include "reconcile/plan.h"
#include "reconcile/rec.h"
#include "util/err.h"
#include "util/xalloc.h"

static const cyaml_schema_field_t *
key_in(const cyaml_schema_field_t *fields, const char *key)
{
	for (; fields->key != NULL; fields++)
		if (strcmp(fields->key, key) == 0)
			return fields;
	return NULL;
}

static const cyaml_schema_field_t *
trust_keys(void)
{
	const cyaml_schema_field_t *t =
	        key_in(model_schema_top.mapping.fields, "trusts");

	cr_assert_not_null(t);
	return t->value.sequence.entry->mapping.fields;
}

static const char *const type_words[] = {"external", "forest", "realm",
                                         "shortcut", "downlevel"};

static char *
yaml_for(const struct model_bool_field *f, enum model_trust_type type)
{
	bool realm = type == MODEL_TYPE_REALM;

	return xasprintf("version: 1\n"
	                 "domains:\n"
	                 "  - { name: a.test, netbios: A, sid: S-1-5-21-1-1-1 "
	                 "}\n"
	                 "  - { name: %s }\n"
	                 "trusts:\n"
	                 "  - trusting: a.test\n"
	                 "    trusted: %s\n"
	                 "    direction: two-way\n"
	                 "    type: %s\n"
	                 "    password: { env: PW }\n"
	                 "    %s: true\n",
	                 realm ? "R.TEST, kind: mit-realm"
	                       : "b.test, netbios: B, sid: S-1-5-21-2-2-2",
	                 realm ? "R.TEST" : "b.test", type_words[type],
	                 f->name);
}

static int
load(struct model **m, const char *y, struct diags *d)
{
	struct err err;

	diags_init(d);
	err_init(&err);
	return model_load_buf(m, "f.yaml", y, strlen(y), d, &err);
}

/* The diff of the row's field on type against its bits turned over. */
static void
diff_sees(const struct model_bool_field *f, enum model_trust_type type)
{
	char *y = yaml_for(f, type);
	struct model *m = NULL;
	struct model_expected e = {NULL, 0, NULL, 0};
	struct model_state s;
	struct plan p;
	struct diags d;
	struct rec_opts ro;
	struct err err;
	bool seen = false;

	cr_assert_eq(load(&m, y, &d), 0, "%s on %s: %s", f->name,
	             type_words[type], d.n ? d.v[0].msg : "");
	err_init(&err);
	cr_assert_eq(model_expand(&e, m, &err), 0, "%s", err.msg);
	model_state_init(&s);
	for (size_t i = 0; i < e.n_tdos; i++) {
		struct model_domain_state *ds = model_state_add(&s);
		struct model_tdo *t;

		ds->name = xstrdup(e.tdos[i].domain);
		ds->vendor = xstrdup("");
		t = model_domain_state_add_tdo(ds);
		model_tdo_copy(t, &e.tdos[i]);
		t->attributes ^= f->bit | f->pair;
		t->attr_mask = 0xffffffffu;
		t->trust = NULL;
		t->suffixes = NULL;
		snprintf(t->guid, sizeof(t->guid), "guid-%zu", i);
	}
	if (type == MODEL_TYPE_REALM) {
		struct model_domain_state *ds = model_state_add(&s);

		ds->name = xstrdup("R.TEST");
		ds->unread = true;
	}
	memset(&ro, 0, sizeof(ro));
	plan_init(&p);
	cr_assert_eq(rec_diff(&p, m, &s, &ro, &err), 0, "%s: %s", f->name,
	             err.msg);
	for (size_t i = 0; i < p.n_items; i++)
		for (size_t j = 0; j < p.items[i].n_changes; j++)
			seen = seen || strcmp(p.items[i].changes[j].field,
			                      f->name) == 0;
	cr_expect(seen, "the diff does not compare '%s' on a %s trust", f->name,
	          type_words[type]);
	plan_release(&p);
	model_state_release(&s);
	model_expected_release(&e);
	model_free(m);
	diags_release(&d);
	free(y);
}

Test(model_fields, every_row_is_in_the_schema_validation_export_and_diff)
{
	const cyaml_schema_field_t *trust = trust_keys();
	const cyaml_schema_field_t *ov = key_in(trust, "override");

	cr_assert_not_null(ov);
	ov = ov->value.sequence.entry->mapping.fields;
	for (size_t i = 0; i < model_n_bool_fields; i++) {
		const struct model_bool_field *f = &model_bool_fields[i];
		unsigned types = model_bool_field_types(f);
		const cyaml_schema_field_t *k = key_in(trust, f->name);
		bool exported = false;

		/* one key row per name, first; its readings agree on where */
		for (size_t j = 0; j < model_n_bool_fields; j++)
			if (strcmp(model_bool_fields[j].name, f->name) == 0) {
				cr_expect_eq(f->key, j == i, "%s: key row",
				             f->name);
				cr_expect_eq(model_bool_fields[j].per_side,
				             f->per_side, "%s: where", f->name);
				break;
			}
		if (!f->key)
			continue;
		/* schema */
		cr_expect_not_null(k, "'%s' is not a key of a trust", f->name);
		if (f->per_side)
			cr_expect_not_null(key_in(ov, f->name),
			                   "'%s' is not a key of an override",
			                   f->name);
		else
			cr_expect_null(key_in(ov, f->name),
			               "'%s' is a trust's, not a side's",
			               f->name);
		/* validation */
		cr_expect(model_field_known(f->name), "%s", f->name);
		cr_expect(types == MODEL_T_ALL || f->why != NULL,
		          "'%s' applies to some types only and says not why",
		          f->name);
		for (int t = 0; t < 5; t++) {
			char *y = yaml_for(f, (enum model_trust_type)t);
			struct model *m = NULL;
			struct diags d;
			bool refused = false;

			load(&m, y, &d);
			for (size_t n = 0; n < d.n; n++)
				refused = refused ||
				          strstr(d.v[n].msg, f->name) != NULL;
			cr_expect_eq(refused, !(types & (1u << t)),
			             "'%s' on a %s trust: %s", f->name,
			             type_words[t], d.n ? d.v[0].msg : "taken");
			model_free(m);
			diags_release(&d);
			free(y);
		}
		/* export reads a TDO's bits as realm, forest or external */
		exported = (types & (MODEL_T_REALM | MODEL_T_FOREST |
		                     MODEL_T_EXT)) != 0;
		cr_expect(exported, "export never writes '%s'", f->name);
	}
	/* the diff: each row on a type it reads */
	for (size_t i = 0; i < model_n_bool_fields; i++) {
		const struct model_bool_field *f = &model_bool_fields[i];

		for (int t = 0; t < 3; t++)
			if (f->types & (1u << t)) {
				diff_sees(f, (enum model_trust_type)t);
				break;
			}
	}
}

/*
 * The plan fields' rows (model_fields): every name once, in plan order
 * (the TDO fields, then the boolean keys); each found by its name and by
 * a change's "name[...]"; a boolean row manages the bits of all rows of
 * its name; a string row points at a string of the TDO.
 */
Test(model_fields, plan_field_rows)
{
	struct model_tdo t;
	size_t n_keys = 0;

	memset(&t, 0, sizeof(t));
	for (size_t i = 0; i < MODEL_N_FIELDS; i++) {
		const struct model_field *f = &model_fields[i];
		char sub[96];

		cr_assert_not_null(f->name, "row %zu is empty", i);
		cr_expect_not_null(f->attribute, "%s", f->name);
		for (size_t j = 0; j < i; j++)
			cr_expect_str_neq(model_fields[j].name, f->name);
		cr_expect_eq(model_field_find(f->name), f, "%s", f->name);
		cr_expect(model_field_known(f->name), "%s", f->name);
		snprintf(sub, sizeof(sub), "%s[x.test]", f->name);
		cr_expect_eq(model_field_find(sub), f, "%s", sub);
		cr_expect_not(model_field_known(sub), "%s", sub);
		cr_expect_neq(f->types, 0u, "%s applies to no type", f->name);
		switch (f->kind) {
		case MODEL_FK_BOOL: {
			uint32_t want = 0;

			for (size_t k = 0; k < model_n_bool_fields; k++)
				if (strcmp(model_bool_fields[k].name,
				           f->name) == 0)
					want |= model_bool_fields[k].bit |
					        model_bool_fields[k].pair;
			cr_expect_eq(model_field_bits(f), want, "%s", f->name);
			for (size_t k = 0; k < model_n_bool_fields; k++)
				if (model_bool_fields[k].key &&
				    strcmp(model_bool_fields[k].name,
				           f->name) == 0) {
					cr_expect_eq(
					        model_field_types(f),
					        model_bool_field_types(
					                &model_bool_fields[k]),
					        "%s", f->name);
					cr_expect_eq(
					        f->per_side,
					        model_bool_fields[k].per_side,
					        "%s", f->name);
				}
			cr_expect_neq(want, 0u, "%s", f->name);
			n_keys++;
			break;
		}
		case MODEL_FK_STRING:
			cr_expect_not_null(model_field_string(f, &t), "%s",
			                   f->name);
			*model_field_string(f, &t) = xstrdup(f->name);
			break;
		default:
			cr_expect_null(model_field_string(f, &t), "%s",
			               f->name);
		}
	}
	/* the kinds ignore rules and apply dispatch on */
	cr_expect_eq(model_fields[MODEL_F_direction].kind, MODEL_FK_DIRECTION);
	cr_expect_eq(model_fields[MODEL_F_type].kind, MODEL_FK_TYPE);
	cr_expect_eq(model_fields[MODEL_F_flat_name].kind, MODEL_FK_STRING);
	cr_expect_eq(model_fields[MODEL_F_sid].kind, MODEL_FK_STRING);
	cr_expect_eq(model_fields[MODEL_F_encryption].kind, MODEL_FK_ENCTYPES);
	cr_expect_eq(model_fields[MODEL_F_name_suffixes].kind,
	             MODEL_FK_SUFFIXES);
	cr_expect_eq(model_fields[MODEL_F_sid_filtering].kind, MODEL_FK_BOOL);
	/* sid_filtering: QUARANTINED_DOMAIN, and TREAT_AS_EXTERNAL on forests
	 */
	cr_expect_eq(model_field_bits(&model_fields[MODEL_F_sid_filtering]),
	             TA_QUARANTINED_DOMAIN | TA_TREAT_AS_EXTERNAL);
	cr_expect(model_field_types(&model_fields[MODEL_F_sid_filtering]) &
	          MODEL_T_FOREST);
	cr_expect(model_fields[MODEL_F_encryption].per_side);
	cr_expect_not(model_fields[MODEL_F_direction].per_side);
	cr_expect_str_eq(t.flat_name, "flat_name");
	cr_expect_str_eq(model_field_string_of(&model_fields[MODEL_F_sid], &t),
	                 "sid");
	cr_expect_null(model_field_string_of(&model_fields[MODEL_F_type], &t));
	cr_expect_str_eq(t.sid, "sid");
	free(t.flat_name);
	free(t.sid);
	for (size_t k = 0; k < model_n_bool_fields; k++)
		n_keys -= model_bool_fields[k].key;
	cr_expect_eq(n_keys, 0u, "a boolean key without a plan-field row");
	cr_expect_null(model_field_find("trust_password"));
	cr_expect_null(model_field_find("encryption[x"));
	cr_expect_null(model_field_find("direc"));
	cr_expect_eq(model_field_bits(&model_fields[MODEL_F_type]),
	             TA_FOREST_TRANSITIVE | TA_WITHIN_FOREST);
}
