/*
 * Realm sides: the MIT half of a realm trust, kept by the kadm5 provider
 * (providers/kadm.c) as the pair of cross-realm principals of the realm's
 * KDC (spec TRUST-DATA-MODEL 6.1, MIT "Cross-realm authentication").
 *
 * Mapping, from the realm's view (the TDO directions of model.h):
 *  - direction: the trusting side is OUTBOUND, the trusted side INBOUND,
 *    two-way is both; INBOUND is krbtgt/PARTNER@REALM (the realm's users
 *    get tickets in the partner), OUTBOUND krbtgt/REALM@PARTNER (the
 *    partner's users get tickets here);
 *  - encryption: the enctypes of both principals' keys, as on the AD side
 *    (default aes128 + aes256);
 *  - transitive: an MIT KDC has no per-principal transitivity (its
 *    [capaths] and the transited check decide), so it maps to the AD side
 *    only (TA_NON_TRANSITIVE); no attribute bits are managed here;
 *  - the keys come from the trust password with the AD salt (see
 *    providers/kadm.c), kvno 1 for a new trust, +1 per re-key.
 */
#include "model/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/model_int.h"
#include "util/err.h"
#include "util/xalloc.h"

char *
model_realm_of(const struct model *m, const char *name)
{
	char *r = xstrdup(name);

	(void)m; /* AD: the DNS name; MIT: the realm; both upper case */
	for (char *c = r; *c != '\0'; c++)
		if (*c >= 'a' && *c <= 'z')
			*c = (char)(*c - 'a' + 'A');
	return r;
}

void
model_princ_name(char *buf, size_t len, const struct model_tdo *t, unsigned k)
{
	char *self = model_realm_of(NULL, t->domain);
	char *partner = model_realm_of(NULL, t->partner);

	if (k == MODEL_PRINC_IN)
		snprintf(buf, len, "krbtgt/%s@%s", partner, self);
	else
		snprintf(buf, len, "krbtgt/%s@%s", self, partner);
	free(self);
	free(partner);
}

static const uint32_t *
encryption_for(const struct model_trust *t, const char *domain)
{
	for (unsigned i = 0; i < t->n_override; i++)
		if (strcasecmp(t->override[i].domain, domain) == 0 &&
		    t->override[i].opts.encryption != NULL)
			return t->override[i].opts.encryption;
	return t->opts.encryption;
}

static void
realm_side(struct model_expected *e, const struct model_trust *t, size_t ti,
           const struct model_domain *self, const struct model_domain *partner)
{
	const uint32_t *enc = encryption_for(t, self->name);
	bool trusting = strcasecmp(self->name, t->trusting) == 0;
	struct model_tdo *x = model_expected_add(e, t->ensure == MODEL_ABSENT,
	                                         t, ti, self, partner);

	x->realm_side = true;
	if (t->ensure == MODEL_ABSENT)
		return;
	x->type = TDO_TYPE_MIT;
	if (t->direction == MODEL_DIR_TWO_WAY)
		x->direction = TDO_DIR_BOTH;
	else
		x->direction = trusting ? TDO_DIR_OUTBOUND : TDO_DIR_INBOUND;
	x->fields = TDO_F_DIRECTION | TDO_F_TYPE;
	x->has_enctypes = true;
	x->enctypes = enc != NULL ? *enc : (ENC_AES128 | ENC_AES256);
	if (enc != NULL)
		x->fields |= TDO_F_ENCTYPES;
}

bool
model_realm_side_managed(const struct model_trust *t,
                         const struct model_domain *d, bool trusting)
{
	return t->type == MODEL_TYPE_REALM && d->kind == MODEL_KIND_MIT_REALM &&
	       t->sides !=
	               (trusting ? MODEL_SIDES_TRUSTED : MODEL_SIDES_TRUSTING);
}

int
model_expand_realms(struct model_expected *out, const struct model *m,
                    struct err *err)
{
	for (unsigned i = 0; i < m->n_trusts; i++) {
		const struct model_trust *t = &m->trusts[i];
		const struct model_domain *dt, *dd;

		if (t->type != MODEL_TYPE_REALM)
			continue;
		dt = model_domain_find(m, t->trusting);
		dd = model_domain_find(m, t->trusted);
		if (dt == NULL || dd == NULL)
			return err_set(err, ERR_INVALID,
			               "trusts[%u]: unknown domain", i);
		if (model_realm_side_managed(t, dt, true))
			realm_side(out, t, i, dt, dd);
		if (model_realm_side_managed(t, dd, false))
			realm_side(out, t, i, dd, dt);
	}
	model_expected_sort(out);
	return 0;
}
