/*
 * rec_diff against hand-built observed state: every action, the reasons,
 * protect, ignore rules, kept bits and records, and the server kinds.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "model/model.h"
#include "reconcile/rec.h"
#include "util/err.h"
#include "util/xalloc.h"

#define SAMBA "Samba Team (https://www.samba.org)"

static const char *const head =
        "version: 1\n"
        "domains:\n"
        "  - { name: a.test, netbios: A, sid: S-1-5-21-1-1-1 }\n"
        "  - { name: b.test, netbios: B, sid: S-1-5-21-2-2-2 }\n"
        "trusts:\n"
        "  - trusting: a.test\n"
        "    trusted: b.test\n";

static struct model *
load_text(const char *y)
{
	struct model *m = NULL;
	struct diags d;
	struct err err;

	diags_init(&d);
	err_init(&err);
	cr_assert_eq(model_load_buf(&m, "t.yaml", y, strlen(y), &d, &err), 0,
	             "%s", d.n ? d.v[0].msg : err.msg);
	diags_release(&d);
	return m;
}

static struct model *
load(const char *trust)
{
	char *y = xasprintf("%s%s", head, trust);
	struct model *m = load_text(y);

	free(y);
	return m;
}

static struct model_domain_state *
domain(struct model_state *s, const char *name, const char *vendor)
{
	struct model_domain_state *d = model_state_add(s);

	d->name = xstrdup(name);
	d->vendor = xstrdup(vendor);
	return d;
}

static struct model_tdo *
tdo(struct model_domain_state *d, const char *partner, uint32_t dir,
    uint32_t attrs, uint32_t enc)
{
	struct model_tdo *t = model_domain_state_add_tdo(d);

	t->domain = xstrdup(d->name);
	t->partner = xstrdup(partner);
	t->flat_name = xstrdup(strcmp(partner, "b.test") == 0 ? "B" : "A");
	t->sid = xstrdup(strcmp(partner, "b.test") == 0 ? "S-1-5-21-2-2-2"
	                                                : "S-1-5-21-1-1-1");
	t->direction = dir;
	t->type = TDO_TYPE_UPLEVEL;
	t->attributes = attrs;
	t->attr_mask = 0xffffffffu;
	t->enctypes = enc;
	t->has_enctypes = true;
	snprintf(t->guid, sizeof(t->guid), "guid-%s", partner);
	return t;
}

static const struct plan_item *
item(const struct plan *p, const char *address)
{
	for (size_t i = 0; i < p->n_items; i++)
		if (strcmp(p->items[i].address, address) == 0)
			return &p->items[i];
	return NULL;
}

static void
diff(struct plan *p, const struct model *m, const struct model_state *s,
     bool allow_destroy)
{
	struct rec_opts o = {.allow_destroy = allow_destroy,
	                     .today = "2026-11-21"};
	struct err err;

	err_init(&err);
	cr_assert_eq(rec_diff(p, m, s, &o, &err), 0, "%s", err.msg);
}

Test(rec_diff, a_new_side_of_a_generated_password_trust_rekeys_its_partner)
{
	struct model *m = load("    direction: two-way\n    type: external\n");
	struct model_state s;
	const struct plan_item *a;
	struct plan p;

	model_state_init(&s);
	tdo(domain(&s, "a.test", SAMBA), "b.test", TDO_DIR_BOTH,
	    TA_QUARANTINED_DOMAIN, 0x18);
	domain(&s, "b.test", SAMBA);
	diff(&p, m, &s, false);
	cr_assert_eq(p.n_create, 1);
	cr_expect_eq(item(&p, "b.test/a.test")->action, PLAN_CREATE);
	cr_expect_eq(item(&p, "b.test/a.test")->after.direction, TDO_DIR_BOTH);
	/* the new side gets a new generated secret: so must the old one */
	a = item(&p, "a.test/b.test");
	cr_expect_eq(a->action, PLAN_REPLACE);
	cr_expect(strstr(a->reason, "partner side is new") != NULL);
	cr_expect_str_eq(a->changes[a->n_changes - 1].field, "trust_password");
	plan_release(&p);
	model_state_release(&s);
	model_free(m);
}

Test(rec_diff, a_shared_password_lets_one_side_be_created_alone)
{
	struct model *m = load("    direction: two-way\n    type: external\n"
	                       "    password: { env: P }\n");
	struct model_state s;
	struct plan p;

	model_state_init(&s);
	tdo(domain(&s, "a.test", SAMBA), "b.test", TDO_DIR_BOTH,
	    TA_QUARANTINED_DOMAIN, 0x18);
	domain(&s, "b.test", SAMBA);
	diff(&p, m, &s, false);
	cr_expect_eq(item(&p, "b.test/a.test")->action, PLAN_CREATE);
	cr_expect_eq(item(&p, "a.test/b.test")->action, PLAN_NOOP);
	cr_expect(plan_is_noop(&p) == false);
	plan_release(&p);
	model_state_release(&s);
	model_free(m);
}

Test(rec_diff, encryption_is_an_in_place_update)
{
	struct model *m = load("    type: external\n"
	                       "    encryption: [aes256]\n    sides: trusting\n"
	                       "    password: { env: P }\n");
	struct model_state s;
	const struct plan_item *it;
	struct plan p;

	model_state_init(&s);
	tdo(domain(&s, "a.test", SAMBA), "b.test", TDO_DIR_OUTBOUND,
	    TA_QUARANTINED_DOMAIN, 0x1c);
	diff(&p, m, &s, false);
	it = item(&p, "a.test/b.test");
	cr_assert_not_null(it);
	cr_expect_eq(it->action, PLAN_UPDATE);
	cr_assert_eq(it->n_changes, 1);
	cr_expect_str_eq(it->changes[0].field, "encryption");
	cr_expect_str_eq(it->changes[0].before, "0x1c (rc4, aes128, aes256)");
	cr_expect_str_eq(it->changes[0].after, "0x10 (aes256)");
	cr_expect(it->changes[0].in_place);
	plan_release(&p);
	model_state_release(&s);
	model_free(m);
}

Test(rec_diff, attribute_change_is_a_replace_on_samba_but_not_on_windows)
{
	struct model *m = load("    type: external\n    sides: trusting\n"
	                       "    password: { env: P }\n"
	                       "    selective_authentication: true\n");
	struct model_state s;
	const struct plan_item *it;
	struct plan p;

	model_state_init(&s);
	tdo(domain(&s, "a.test", SAMBA), "b.test", TDO_DIR_OUTBOUND,
	    TA_QUARANTINED_DOMAIN, 0x18);
	diff(&p, m, &s, false);
	it = item(&p, "a.test/b.test");
	cr_expect_eq(it->action, PLAN_REPLACE);
	cr_expect_str_eq(it->reason,
	                 "Samba cannot change trustAttributes in place");
	cr_expect_str_eq(it->changes[0].field, "selective_authentication");
	cr_expect_eq(it->after.attributes,
	             TA_QUARANTINED_DOMAIN | TA_CROSS_ORGANIZATION);
	plan_release(&p);

	free(s.domains[0].vendor);
	s.domains[0].vendor = xstrdup(""); /* Windows has no vendorName */
	diff(&p, m, &s, false);
	cr_expect_eq(item(&p, "a.test/b.test")->action, PLAN_UPDATE);
	plan_release(&p);
	model_state_release(&s);
	model_free(m);
}

Test(rec_diff, samba_removes_a_direction_in_place_but_cannot_add_one)
{
	struct model *m = load("    type: external\n    sides: trusting\n"
	                       "    password: { env: P }\n"
	                       "    direction: two-way\n");
	struct model_state s;
	struct plan p;

	model_state_init(&s);
	tdo(domain(&s, "a.test", SAMBA), "b.test", TDO_DIR_OUTBOUND,
	    TA_QUARANTINED_DOMAIN, 0x18);
	diff(&p, m, &s, false);
	cr_expect_eq(item(&p, "a.test/b.test")->action, PLAN_REPLACE);
	cr_expect(strstr(item(&p, "a.test/b.test")->reason, "add a direction"));
	plan_release(&p);
	model_state_release(&s);
	model_free(m);

	m = load("    type: external\n    sides: trusting\n"
	         "    password: { env: P }\n");
	model_state_init(&s);
	tdo(domain(&s, "a.test", SAMBA), "b.test", TDO_DIR_BOTH,
	    TA_QUARANTINED_DOMAIN, 0x18);
	diff(&p, m, &s, false);
	cr_expect_eq(item(&p, "a.test/b.test")->action, PLAN_UPDATE);
	cr_expect_str_eq(item(&p, "a.test/b.test")->changes[0].after,
	                 "outbound");
	plan_release(&p);
	model_state_release(&s);
	model_free(m);
}

Test(rec_diff, unmanaged_bits_and_unlisted_tdos_are_kept)
{
	struct model *m = load("    type: external\n    sides: trusting\n"
	                       "    password: { env: P }\n");
	struct model_domain_state *a;
	struct model_state s;
	struct plan p;

	model_state_init(&s);
	a = domain(&s, "a.test", SAMBA);
	/* TREE_ROOT and USES_AES are not in the YAML: not managed */
	tdo(a, "b.test", TDO_DIR_OUTBOUND, 0x00800000u | TA_USES_AES_KEYS, 0x4);
	tdo(a, "c.test", TDO_DIR_BOTH, 0, 0x18); /* not in the YAML */
	diff(&p, m, &s, false);
	cr_expect_eq(p.n_items, 1, "the unlisted c.test is left alone");
	cr_expect_eq(item(&p, "a.test/b.test")->action, PLAN_NOOP);
	cr_expect_null(item(&p, "a.test/c.test"));
	plan_release(&p);
	model_state_release(&s);
	model_free(m);
}

Test(rec_diff, protected_delete_is_blocked_unless_allowed)
{
	struct model *m = load("    type: external\n    ensure: absent\n"
	                       "    protect: true\n");
	struct model_state s;
	struct plan p;

	model_state_init(&s);
	tdo(domain(&s, "a.test", SAMBA), "b.test", TDO_DIR_OUTBOUND, 0, 0x18);
	domain(&s, "b.test", SAMBA);
	diff(&p, m, &s, false);
	cr_expect_eq(p.n_delete, 1);
	cr_expect_eq(p.n_blocked, 1);
	cr_expect(item(&p, "a.test/b.test")->blocked);
	cr_expect_null(item(&p, "b.test/a.test"), "already absent: nothing");
	plan_release(&p);
	diff(&p, m, &s, true);
	cr_expect_eq(p.n_blocked, 0);
	cr_expect_not(item(&p, "a.test/b.test")->blocked);
	plan_release(&p);
	model_state_release(&s);
	model_free(m);
}

Test(rec_diff, ignore_rules_in_force_drop_the_field_and_expired_ones_warn)
{
	struct model *m = load(
	        "    type: external\n    sides: trusting\n"
	        "    password: { env: P }\n    encryption: [aes256]\n"
	        "    selective_authentication: false\n"
	        "    ignore:\n"
	        "      - { field: encryption, until: 2026-11-21, reason: CHG-1 "
	        "}\n"
	        "      - { field: selective_authentication, until: 2026-11-20,"
	        " reason: CHG-2 }\n");
	struct model_state s;
	const struct plan_item *it;
	struct plan p;

	model_state_init(&s);
	tdo(domain(&s, "a.test", ""), "b.test", TDO_DIR_OUTBOUND,
	    TA_QUARANTINED_DOMAIN | TA_CROSS_ORGANIZATION, 0x18);
	diff(&p, m, &s, false);
	it = item(&p, "a.test/b.test");
	cr_assert_eq(it->n_changes, 1);
	cr_expect_str_eq(it->changes[0].field, "selective_authentication");
	cr_assert_eq(it->n_notes, 1);
	cr_expect(strstr(it->notes[0], "ignored encryption") != NULL);
	cr_expect(strstr(it->notes[0], "CHG-1") != NULL);
	cr_assert_eq(p.n_warnings, 1);
	cr_expect(strstr(p.warnings[0], "expired on 2026-11-20") != NULL);
	plan_release(&p);
	model_state_release(&s);
	model_free(m);
}

static void
add_tln(struct model_tdo *t, uint8_t type, const char *name, uint32_t flags)
{
	struct fti_record r;

	memset(&r, 0, sizeof(r));
	r.type = type;
	r.flags = flags;
	r.name = (char *)xstrdup(name);
	fti_add(&t->fti, &r);
	free(r.name);
	t->has_fti = true;
}

Test(rec_diff, name_suffixes_resolve_by_name_and_keep_conflict_flags)
{
	struct model *m = load("    type: forest\n    sides: trusting\n"
	                       "    password: { env: P }\n"
	                       "    name_suffixes:\n"
	                       "      enable: [b.test, new.b.test]\n"
	                       "      disable: [old.b.test]\n"
	                       "      exclude: [lab.b.test]\n");
	struct model_state s;
	struct model_tdo *t;
	const struct plan_item *it;
	struct plan p;

	model_state_init(&s);
	t = tdo(domain(&s, "a.test", SAMBA), "b.test", TDO_DIR_OUTBOUND,
	        TA_FOREST_TRANSITIVE, 0x18);
	add_tln(t, FTI_TLN, "b.test", FTI_TLN_DISABLED_CONFLICT);
	add_tln(t, FTI_TLN, "new.b.test", FTI_TLN_DISABLED_NEW);
	add_tln(t, FTI_TLN, "old.b.test", 0);
	add_tln(t, FTI_TLN_EX, "gone.b.test", 0);
	diff(&p, m, &s, false);
	it = item(&p, "a.test/b.test");
	cr_assert_eq(it->action, PLAN_UPDATE);
	cr_assert_eq(it->n_changes, 4, "%zu changes", it->n_changes);
	cr_expect_str_eq(it->changes[0].field, "name_suffixes[new.b.test]");
	cr_expect_str_eq(it->changes[0].before, "disabled (new)");
	cr_expect_str_eq(it->changes[0].after, "enabled");
	cr_expect_str_eq(it->changes[1].field, "name_suffixes[old.b.test]");
	cr_expect_str_eq(it->changes[1].after, "disabled");
	cr_expect_str_eq(it->changes[2].field, "name_suffixes[lab.b.test]");
	cr_expect_str_eq(it->changes[2].after, "excluded");
	cr_expect_str_eq(it->changes[3].field, "name_suffixes[gone.b.test]");
	cr_expect_str_eq(it->changes[3].after, "absent");
	/* the PDC's conflict flag on b.test is kept, and is not drift */
	cr_expect_eq(it->after.fti.rec[0].flags, FTI_TLN_DISABLED_CONFLICT);
	plan_release(&p);
	model_state_release(&s);
	model_free(m);
}

Test(rec_diff, a_domain_without_live_state_is_an_error)
{
	struct model *m = load("    type: external\n");
	struct model_state s;
	struct plan p;
	struct err err;

	model_state_init(&s);
	domain(&s, "a.test", SAMBA);
	err_init(&err);
	cr_expect_lt(rec_diff(&p, m, &s, NULL, &err), 0);
	cr_expect(strstr(err.msg, "b.test") != NULL);
	model_state_release(&s);
	model_free(m);
}

Test(rec_diff, rekey_replaces_existing_sides_and_respects_protect)
{
	struct model *m = load("    direction: two-way\n    type: external\n"
	                       "    protect: true\n");
	struct model_state s;
	struct plan p;
	struct err err;

	model_state_init(&s);
	tdo(domain(&s, "a.test", SAMBA), "b.test", TDO_DIR_BOTH,
	    TA_QUARANTINED_DOMAIN, 0x18);
	tdo(domain(&s, "b.test", SAMBA), "a.test", TDO_DIR_BOTH,
	    TA_QUARANTINED_DOMAIN, 0x18);
	diff(&p, m, &s, false);
	cr_assert(plan_is_noop(&p));
	err_init(&err);
	cr_assert_eq(rec_plan_rekey(&p, "a.test:b.test", false, &err), 0);
	cr_expect_eq(p.n_replace, 2);
	cr_expect_eq(p.n_blocked, 2, "protect applies to a re-key");
	cr_expect_lt(rec_plan_rekey(&p, "a.test:c.test", false, &err), 0);
	cr_expect(strstr(err.msg, "no existing side") != NULL);
	cr_expect_lt(rec_plan_rekey(&p, "a.test", false, &err), 0);
	plan_release(&p);
	diff(&p, m, &s, true);
	cr_assert_eq(rec_plan_rekey(&p, "A.TEST:B.TEST", true, &err), 0);
	cr_expect_eq(p.n_blocked, 0);
	plan_release(&p);
	model_state_release(&s);
	model_free(m);
}

Test(rec_diff, a_replace_keeps_unmanaged_bits_but_a_type_change_resets_them)
{
	struct model *m = load("    type: external\n    sides: trusting\n"
	                       "    password: { env: P }\n"
	                       "    sid_filtering: false\n");
	struct model_state s;
	const struct plan_item *it;
	struct plan p;

	model_state_init(&s);
	/* selective authentication is on and the file does not manage it */
	tdo(domain(&s, "a.test", SAMBA), "b.test", TDO_DIR_OUTBOUND,
	    TA_QUARANTINED_DOMAIN | TA_CROSS_ORGANIZATION, 0x18);
	diff(&p, m, &s, false);
	it = item(&p, "a.test/b.test");
	cr_expect_eq(it->action, PLAN_REPLACE);
	cr_expect_eq(it->after.attributes, TA_CROSS_ORGANIZATION,
	             "the replace must not drop selective authentication");
	plan_release(&p);
	model_free(m);

	/* forest -> external: the new type's defaults, and said so */
	m = load("    type: external\n    sides: trusting\n"
	         "    password: { env: P }\n");
	s.domains[0].tdos[0].attributes = TA_FOREST_TRANSITIVE;
	diff(&p, m, &s, false);
	it = item(&p, "a.test/b.test");
	cr_expect_eq(it->action, PLAN_REPLACE);
	cr_expect_eq(it->after.attributes, TA_QUARANTINED_DOMAIN,
	             "an external trust is created with SID filtering");
	cr_expect_str_eq(it->changes[it->n_changes - 1].field,
	                 "trust_attributes");
	plan_release(&p);
	model_state_release(&s);
	model_free(m);
}

Test(rec_diff, an_ignored_flat_name_is_neither_changed_nor_a_replace)
{
	struct model *m = load(
	        "    type: external\n    sides: trusting\n"
	        "    password: { env: P }\n    encryption: [aes256]\n"
	        "    ignore:\n"
	        "      - { field: flat_name, until: 2099-01-01, reason: r }\n");
	struct model_state s;
	const struct plan_item *it;
	struct plan p;

	model_state_init(&s);
	free(tdo(domain(&s, "a.test", SAMBA), "b.test", TDO_DIR_OUTBOUND,
	         TA_QUARANTINED_DOMAIN, 0x18)
	             ->flat_name);
	s.domains[0].tdos[0].flat_name = xstrdup("BOLD");
	diff(&p, m, &s, false);
	it = item(&p, "a.test/b.test");
	cr_expect_eq(it->action, PLAN_UPDATE);
	cr_expect_str_eq(it->after.flat_name, "BOLD");
	cr_assert_eq(it->n_changes, 1);
	cr_expect_str_eq(it->changes[0].field, "encryption");
	plan_release(&p);
	model_state_release(&s);
	model_free(m);
}

/* Trust kinds as AD has them (issue 9). */

static const char *const parent_child =
        "version: 1\n"
        "domains:\n"
        "  - { name: a.test, netbios: A, sid: S-1-5-21-1-1-1 }\n"
        "  - { name: c.a.test, netbios: C, sid: S-1-5-21-3-3-3 }\n"
        "trusts:\n"
        "  - trusting: a.test\n"
        "    trusted: c.a.test\n"
        "    direction: two-way\n"
        "    sides: trusting\n"
        "    password: { env: PW }\n";

static struct model_tdo *
within_forest(struct model_domain_state *d, const char *partner)
{
	struct model_tdo *t =
	        tdo(d, partner, TDO_DIR_BOTH, TA_WITHIN_FOREST, 0x18);

	free(t->flat_name);
	t->flat_name = xstrdup("C");
	free(t->sid);
	t->sid = xstrdup("S-1-5-21-3-3-3");
	return t;
}

Test(rec_diff, a_parent_child_trust_is_never_planned_as_a_shortcut)
{
	char *y = xasprintf("%s    type: shortcut\n", parent_child);
	struct model *m = load_text(y);
	struct model_state s;
	const struct plan_item *it;
	struct plan p;

	model_state_init(&s);
	within_forest(domain(&s, "a.test", SAMBA), "c.a.test");
	s.domains[0].forest_root = xstrdup("a.test");
	diff(&p, m, &s, true);
	it = item(&p, "a.test/c.a.test");
	cr_assert_not_null(it);
	cr_expect_eq(it->action, PLAN_NOOP);
	cr_expect_eq(it->n_changes, 0);
	cr_assert_eq(it->n_notes, 1);
	cr_expect(strstr(it->notes[0], "is a parent-child trust") != NULL, "%s",
	          it->notes[0]);
	cr_expect_eq(p.n_replace + p.n_delete + p.n_create + p.n_update, 0);
	plan_release(&p);
	model_state_release(&s);
	model_free(m);
	free(y);
}

Test(rec_diff, a_parent_child_trust_is_never_deleted)
{
	char *y = xasprintf("%s    type: external\n    ensure: absent\n",
	                    parent_child);
	struct model *m = load_text(y);
	struct model_state s;
	const struct plan_item *it;
	struct plan p;

	model_state_init(&s);
	within_forest(domain(&s, "a.test", SAMBA), "c.a.test");
	diff(&p, m, &s, true);
	it = item(&p, "a.test/c.a.test");
	cr_assert_not_null(it);
	cr_expect_eq(it->action, PLAN_NOOP);
	cr_expect_eq(p.n_delete, 0);
	plan_release(&p);
	model_state_release(&s);
	model_free(m);
	free(y);
}

Test(rec_diff, a_tree_root_trust_is_named_and_a_shortcut_stays_one)
{
	struct model_domain_state d;
	struct model_tdo t;

	memset(&d, 0, sizeof(d));
	model_tdo_init(&t);
	d.name = xstrdup("b.test");
	d.forest_root = xstrdup("a.test");
	t.partner = xstrdup("a.test");
	t.type = TDO_TYPE_UPLEVEL;
	t.attributes = TA_WITHIN_FOREST;
	cr_expect_str_eq(model_tdo_kind(&t, &d), "tree-root");
	free(t.partner);
	t.partner = xstrdup("x.c.test"); /* neither root nor parent */
	cr_expect_str_eq(model_tdo_kind(&t, &d), "shortcut");
	cr_expect_str_eq(model_tdo_kind(&t, NULL), "shortcut");
	t.attributes = 0;
	t.type = TDO_TYPE_DOWNLEVEL;
	cr_expect_str_eq(model_tdo_kind(&t, &d), "downlevel");
	model_tdo_release(&t);
	free(d.name);
	free(d.forest_root);
}

Test(rec_diff, a_downlevel_trust_type_is_compared)
{
	struct model *m = load("    direction: two-way\n    type: external\n"
	                       "    sides: trusting\n"
	                       "    password: { env: PW }\n");
	struct model_state s;
	const struct plan_item *it;
	struct model_tdo *t;
	struct plan p;

	model_state_init(&s);
	t = tdo(domain(&s, "a.test", SAMBA), "b.test", TDO_DIR_BOTH,
	        TA_QUARANTINED_DOMAIN, 0x18);
	t->type = TDO_TYPE_DOWNLEVEL;
	diff(&p, m, &s, true);
	it = item(&p, "a.test/b.test");
	cr_assert_not_null(it);
	cr_expect_eq(it->action, PLAN_REPLACE);
	cr_assert_geq(it->n_changes, 1);
	cr_expect_str_eq(it->changes[0].field, "type");
	cr_expect_str_eq(it->changes[0].before, "downlevel");
	cr_expect_str_eq(it->changes[0].after, "external");
	plan_release(&p);
	model_state_release(&s);
	model_free(m);
}

/*
 * An ignore rule on each kind of row puts the live value back (reverted by
 * the row's kind in model_fields): direction and a boolean here; encryption
 * and flat_name have their own tests above.
 */
Test(rec_diff, ignored_direction_and_boolean_keep_their_live_values)
{
	struct model *m = load(
	        "    type: external\n    sides: trusting\n"
	        "    password: { env: P }\n"
	        "    selective_authentication: true\n"
	        "    ignore:\n"
	        "      - { field: direction, until: 2099-12-31, reason: CHG-3 "
	        "}\n"
	        "      - { field: selective_authentication, until: 2099-12-31,"
	        " reason: CHG-4 }\n");
	struct model_state s;
	const struct plan_item *it;
	struct plan p;

	model_state_init(&s);
	tdo(domain(&s, "a.test", ""), "b.test", TDO_DIR_INBOUND,
	    TA_QUARANTINED_DOMAIN, 0x18);
	diff(&p, m, &s, false);
	it = item(&p, "a.test/b.test");
	cr_assert_not_null(it);
	cr_expect_eq(it->n_changes, 0, "%s",
	             it->n_changes ? it->changes[0].field : "");
	cr_expect_eq(it->action, PLAN_NOOP);
	cr_expect_eq(it->after.direction, TDO_DIR_INBOUND);
	cr_expect_eq(it->after.attributes & TA_CROSS_ORGANIZATION, 0u);
	cr_assert_eq(it->n_notes, 2);
	cr_expect(strstr(it->notes[0], "ignored direction") != NULL ||
	          strstr(it->notes[1], "ignored direction") != NULL);
	plan_release(&p);
	model_state_release(&s);
	model_free(m);
}
