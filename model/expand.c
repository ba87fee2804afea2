/*
 * Expansion: one trust in YAML is one relationship between two domains; it
 * becomes the expected trustedDomain object (TDO) on each managed side.
 *
 * Mapping (documented in docs/schema.md, "How fields map to AD"):
 *  - trustDirection from the holding side's view: the trusting side's TDO
 *    is OUTBOUND (it trusts the partner), the trusted side's INBOUND; two-way
 *    is BIDIRECTIONAL on both.
 *  - trustType: UPLEVEL for AD partners, MIT for a realm.
 *  - type bits, always managed: forest = FOREST_TRANSITIVE, shortcut =
 *    WITHIN_FOREST, realm: transitive = !NON_TRANSITIVE.
 *  - policy bits live on sides whose direction includes OUTBOUND (the side
 *    that lets partner users in): selective_authentication =
 *    CROSS_ORGANIZATION; sid_filtering = QUARANTINED_DOMAIN on external and
 *    shortcut trusts and !TREAT_AS_EXTERNAL on forest trusts; sid_history =
 *    TREAT_AS_EXTERNAL (forest); tgt_delegation = ENABLE_TGT_DELEGATION set
 *    and NO_TGT_DELEGATION clear (false: the reverse); auth_target_validation
 *    = !DISABLE_AUTH_TARGET_VALIDATION; pim = PIM_TRUST.
 *  - uplevel_only, uses_rc4, uses_aes: their bits, on every side.
 *  The boolean fields (all of the above but the type bits) are rows of
 *  model_bool_fields (model/fields.c): bool_fields() reads the table.
 *  - encryption: msDS-SupportedEncryptionTypes on every side.
 *  - name_suffixes: forest trust info on the trusting side's TDO (it routes
 *    the trusted forest's names), as netdom /namesuffixes does.
 * A field the YAML leaves out is not managed: a create uses the default
 * (external: sid_filtering on, encryption aes128+aes256, as samba-tool and
 * the wizard do) and an update leaves the live value alone.
 */
#include "model/model.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/model_int.h"
#include "util/err.h"
#include "util/xalloc.h"

static void
set_bit(struct model_tdo *t, uint32_t bit, bool on, bool managed)
{
	if (on)
		t->attributes |= bit;
	else
		t->attributes &= ~bit;
	if (managed)
		t->attr_mask |= bit;
}

/* An option from the side's override, else the trust's, else NULL. */
#define PICK(t, o, f) ((o) != NULL && (o)->f != NULL ? (o)->f : (t)->opts.f)

static const struct model_side_opts *
override_for(const struct model_trust *t, const char *domain)
{
	for (unsigned i = 0; i < t->n_override; i++)
		if (strcasecmp(t->override[i].domain, domain) == 0)
			return &t->override[i].opts;
	return NULL;
}

/* The boolean fields, by their table (model/fields.c). */
static void
bool_fields(struct model_tdo *x, const struct model_trust *t, const char *self)
{
	for (size_t i = 0; i < model_n_bool_fields; i++) {
		const struct model_bool_field *f = &model_bool_fields[i];
		const bool *v;
		bool on;

		if (!model_bool_field_applies(f, t->type) ||
		    (f->outbound && !(x->direction & TDO_DIR_OUTBOUND)))
			continue;
		v = model_bool_field_get(f, t, self);
		if (v == NULL && f->create_default == MODEL_DEFAULT_NONE)
			continue;
		on = v != NULL ? *v : f->create_default == MODEL_DEFAULT_TRUE;
		set_bit(x, f->bit, on != f->inverted, v != NULL);
		if (f->pair != 0)
			set_bit(x, f->pair, on == f->inverted, v != NULL);
	}
}

static void
side(struct model_expected *e, const struct model_trust *t, size_t ti,
     const struct model_domain *self, const struct model_domain *partner)
{
	const struct model_side_opts *o = override_for(t, self->name);
	const uint32_t *enc = PICK(t, o, encryption);
	bool trusting = strcasecmp(self->name, t->trusting) == 0;
	struct model_tdo *x;

	x = model_expected_add(e, false, t, ti, self, partner);
	if (partner->netbios != NULL)
		x->flat_name = xstrdup(partner->netbios);
	else if (partner->kind == MODEL_KIND_MIT_REALM)
		x->flat_name = xstrdup(partner->name);
	if (partner->sid != NULL)
		x->sid = xstrdup(partner->sid);
	x->fields = TDO_F_DIRECTION | TDO_F_TYPE | TDO_F_ATTRIBUTES;
	if (x->flat_name != NULL)
		x->fields |= TDO_F_FLATNAME;
	if (x->sid != NULL)
		x->fields |= TDO_F_SID;

	if (t->direction == MODEL_DIR_TWO_WAY)
		x->direction = TDO_DIR_BOTH;
	else
		x->direction = trusting ? TDO_DIR_OUTBOUND : TDO_DIR_INBOUND;
	x->type = t->type == MODEL_TYPE_REALM       ? TDO_TYPE_MIT
	          : t->type == MODEL_TYPE_DOWNLEVEL ? TDO_TYPE_DOWNLEVEL
	                                            : TDO_TYPE_UPLEVEL;

	set_bit(x, TA_FOREST_TRANSITIVE, t->type == MODEL_TYPE_FOREST, true);
	set_bit(x, TA_WITHIN_FOREST, t->type == MODEL_TYPE_SHORTCUT, true);
	bool_fields(x, t, self->name);

	x->has_enctypes = true;
	x->enctypes = enc != NULL ? *enc : (ENC_AES128 | ENC_AES256);
	if (enc != NULL)
		x->fields |= TDO_F_ENCTYPES;
	if (t->type == MODEL_TYPE_FOREST && trusting &&
	    t->name_suffixes != NULL) {
		x->suffixes = t->name_suffixes;
		x->fields |= TDO_F_SUFFIXES;
	}
}

static void
absent(struct model_expected *e, const struct model_trust *t, size_t ti,
       const struct model_domain *self, const struct model_domain *partner)
{
	model_expected_add(e, true, t, ti, self, partner);
}

struct model_tdo *
model_expected_add(struct model_expected *e, bool absent,
                   const struct model_trust *t, size_t ti,
                   const struct model_domain *self,
                   const struct model_domain *partner)
{
	struct model_tdo *x;

	if (absent) {
		e->absent = xgrow(e->absent, e->n_absent, sizeof(*e->absent));
		x = &e->absent[e->n_absent++];
	} else {
		e->tdos = xgrow(e->tdos, e->n_tdos, sizeof(*e->tdos));
		x = &e->tdos[e->n_tdos++];
	}
	model_tdo_init(x);
	x->domain = xstrdup(self->name);
	x->partner = xstrdup(partner->name);
	x->trust = t;
	x->trust_index = ti;
	return x;
}

static int
cmp_tdo(const void *a, const void *b)
{
	const struct model_tdo *x = a, *y = b;
	int c = strcasecmp(x->domain, y->domain);

	return c != 0 ? c : strcasecmp(x->partner, y->partner);
}

void
model_expected_sort(struct model_expected *e)
{
	if (e->n_tdos > 1)
		qsort(e->tdos, e->n_tdos, sizeof(*e->tdos), cmp_tdo);
	if (e->n_absent > 1)
		qsort(e->absent, e->n_absent, sizeof(*e->absent), cmp_tdo);
}

bool
model_side_managed(const struct model_trust *t, const struct model_domain *d,
                   bool trusting)
{
	/* MIT realm sides are kept by the kdc provider, not here. */
	if (d->kind != MODEL_KIND_AD)
		return false;
	return t->sides !=
	       (trusting ? MODEL_SIDES_TRUSTED : MODEL_SIDES_TRUSTING);
}

int
model_expand(struct model_expected *out, const struct model *m, struct err *err)
{
	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; i < m->n_trusts; i++) {
		const struct model_trust *t = &m->trusts[i];
		const struct model_domain *dt, *dd;

		dt = model_domain_find(m, t->trusting);
		dd = model_domain_find(m, t->trusted);
		if (dt == NULL || dd == NULL) {
			model_expected_release(out);
			return err_set(err, ERR_INVALID,
			               "trusts[%u]: unknown domain", i);
		}
		if (model_side_managed(t, dt, true))
			(t->ensure == MODEL_PRESENT ? side : absent)(out, t, i,
			                                             dt, dd);
		if (model_side_managed(t, dd, false))
			(t->ensure == MODEL_PRESENT ? side : absent)(out, t, i,
			                                             dd, dt);
	}
	model_expected_sort(out);
	return 0;
}

void
model_expected_release(struct model_expected *e)
{
	for (size_t i = 0; i < e->n_tdos; i++)
		model_tdo_release(&e->tdos[i]);
	for (size_t i = 0; i < e->n_absent; i++)
		model_tdo_release(&e->absent[i]);
	free(e->tdos);
	free(e->absent);
	memset(e, 0, sizeof(*e));
}
